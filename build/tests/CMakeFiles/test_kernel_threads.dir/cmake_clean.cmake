file(REMOVE_RECURSE
  "CMakeFiles/test_kernel_threads.dir/test_kernel_threads.c.o"
  "CMakeFiles/test_kernel_threads.dir/test_kernel_threads.c.o.d"
  "test_kernel_threads"
  "test_kernel_threads.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_kernel_threads.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
