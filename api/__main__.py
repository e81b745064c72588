"""Run the command line as ``python -m guidancekg.api``."""

from .cli import main

main()
