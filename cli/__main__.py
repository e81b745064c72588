"""Run the command line as ``python -m guidancekg.cli``."""

from guidancekg.cli.main import main

main()
