file(REMOVE_RECURSE
  "CMakeFiles/helix_kernels.dir/kernels/cpu.c.o"
  "CMakeFiles/helix_kernels.dir/kernels/cpu.c.o.d"
  "CMakeFiles/helix_kernels.dir/kernels/gemm.c.o"
  "CMakeFiles/helix_kernels.dir/kernels/gemm.c.o.d"
  "CMakeFiles/helix_kernels.dir/kernels/gemm_ref.c.o"
  "CMakeFiles/helix_kernels.dir/kernels/gemm_ref.c.o.d"
  "CMakeFiles/helix_kernels.dir/kernels/status.c.o"
  "CMakeFiles/helix_kernels.dir/kernels/status.c.o.d"
  "CMakeFiles/helix_kernels.dir/kernels/tensor.c.o"
  "CMakeFiles/helix_kernels.dir/kernels/tensor.c.o.d"
  "CMakeFiles/helix_kernels.dir/kernels/threadpool.c.o"
  "CMakeFiles/helix_kernels.dir/kernels/threadpool.c.o.d"
  "libhelix_kernels.a"
  "libhelix_kernels.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/helix_kernels.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
