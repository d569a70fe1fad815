
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/kernels/cpu.c" "CMakeFiles/helix_kernels.dir/kernels/cpu.c.o" "gcc" "CMakeFiles/helix_kernels.dir/kernels/cpu.c.o.d"
  "/work/main/kernels/gemm.c" "CMakeFiles/helix_kernels.dir/kernels/gemm.c.o" "gcc" "CMakeFiles/helix_kernels.dir/kernels/gemm.c.o.d"
  "/work/main/kernels/gemm_ref.c" "CMakeFiles/helix_kernels.dir/kernels/gemm_ref.c.o" "gcc" "CMakeFiles/helix_kernels.dir/kernels/gemm_ref.c.o.d"
  "/work/main/kernels/status.c" "CMakeFiles/helix_kernels.dir/kernels/status.c.o" "gcc" "CMakeFiles/helix_kernels.dir/kernels/status.c.o.d"
  "/work/main/kernels/tensor.c" "CMakeFiles/helix_kernels.dir/kernels/tensor.c.o" "gcc" "CMakeFiles/helix_kernels.dir/kernels/tensor.c.o.d"
  "/work/main/kernels/threadpool.c" "CMakeFiles/helix_kernels.dir/kernels/threadpool.c.o" "gcc" "CMakeFiles/helix_kernels.dir/kernels/threadpool.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
