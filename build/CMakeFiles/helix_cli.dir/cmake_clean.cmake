file(REMOVE_RECURSE
  "CMakeFiles/helix_cli.dir/apps/cli_util.c.o"
  "CMakeFiles/helix_cli.dir/apps/cli_util.c.o.d"
  "CMakeFiles/helix_cli.dir/apps/cmd_bench.c.o"
  "CMakeFiles/helix_cli.dir/apps/cmd_bench.c.o.d"
  "CMakeFiles/helix_cli.dir/apps/main.c.o"
  "CMakeFiles/helix_cli.dir/apps/main.c.o.d"
  "helix"
  "helix.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/helix_cli.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
