"""The outer layers over ``guidancekg.graph``: the HTTP API (Flask) and the command line (click)."""
