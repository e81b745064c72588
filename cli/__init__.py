"""The ``guidancekg`` command line (click), a thin layer over ``guidancekg.graph``."""
