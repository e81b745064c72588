"""The one layout of every HTML page (``templates/base.html``): its navigation, the data's provenance in its
footer, and the favicon.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, send_from_directory

from guidancekg.api.state import current_graph

bp = Blueprint("layout", __name__)
MAX_PUBLISHERS = 8  # the footer names at most this many publishers

# The header's links, in order: (endpoint, label).
NAVIGATION = (("page.index", "Timeline"), ("sparql.endpoint", "SPARQL"), ("docs.api_docs", "API docs"),
              ("vocab.vocabulary", "Vocabulary"))


@bp.app_context_processor
def site() -> dict[str, Any]:
    """Give every template ``site``: the navigation, and what the footer says of the data served."""
    out: dict[str, Any] = {"navigation": NAVIGATION, "statements": 0, "versions": 0, "sources": 0,
                           "publishers": [], "provenance": ""}
    try:
        graph = current_graph()
    except KeyError:  # an app without a graph (never while serving): the layout still renders
        return {"site": out}
    model = graph.model
    publishers = sorted({s.publisher for s in model.sources.values()})
    if len(publishers) > MAX_PUBLISHERS:
        publishers = [*publishers[:MAX_PUBLISHERS], f"and {len(publishers) - MAX_PUBLISHERS} more"]
    out.update(statements=len(model.statements), versions=len(model.versions), sources=len(model.sources),
               publishers=publishers, provenance=str(graph.minter.provenance_graph()))
    return {"site": out}


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Serve the site's icon where browsers look for it first (the pages also name ``page-favicon.svg``)."""
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
