# Empty dependencies file for helix_kernels.
# This may be replaced when dependencies are built.
