file(REMOVE_RECURSE
  "CMakeFiles/helix.dir/nn/version.c.o"
  "CMakeFiles/helix.dir/nn/version.c.o.d"
  "libhelix.a"
  "libhelix.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/helix.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
