file(REMOVE_RECURSE
  "libhelix_apps.a"
)
