# Empty dependencies file for test_kernel_threads.
# This may be replaced when dependencies are built.
