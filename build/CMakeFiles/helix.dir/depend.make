# Empty dependencies file for helix.
# This may be replaced when dependencies are built.
