file(REMOVE_RECURSE
  "CMakeFiles/helix_apps.dir/apps/cli_util.c.o"
  "CMakeFiles/helix_apps.dir/apps/cli_util.c.o.d"
  "CMakeFiles/helix_apps.dir/apps/cmd_bench.c.o"
  "CMakeFiles/helix_apps.dir/apps/cmd_bench.c.o.d"
  "libhelix_apps.a"
  "libhelix_apps.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/helix_apps.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
