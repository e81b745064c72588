"""The guidance graph: data loading, RDF build, validation, stores and the date engine.

Nothing here imports Flask or click; the HTTP API and the CLI in ``guidancekg.api`` are thin layers over it.
"""
