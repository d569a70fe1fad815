# Empty dependencies file for helix_apps.
# This may be replaced when dependencies are built.
