# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(test_kernel_threads "/work/main/build/tests/test_kernel_threads" "-j1")
set_tests_properties(test_kernel_threads PROPERTIES  TIMEOUT "900" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;41;add_test;/work/main/tests/CMakeLists.txt;0;")
