# Empty dependencies file for helix_cli.
# This may be replaced when dependencies are built.
