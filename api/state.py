"""The server's runtime state, in a module of its own (the flaskr pattern): blueprints read it from here."""

from __future__ import annotations

from flask import current_app

from guidancekg.graph.opened import GuidanceGraph

EXTENSION_KEY = "guidancekg"


def current_graph() -> GuidanceGraph:
    """Return the graph the current app serves."""
    graph: GuidanceGraph = current_app.extensions[EXTENSION_KEY]
    return graph
