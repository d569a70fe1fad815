file(REMOVE_RECURSE
  "libhelix_kernels.a"
)
