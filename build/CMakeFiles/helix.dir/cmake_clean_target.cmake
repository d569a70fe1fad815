file(REMOVE_RECURSE
  "libhelix.a"
)
