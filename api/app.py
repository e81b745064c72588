"""The Flask application factory (the flaskr pattern): configuration in, app out, nothing at import time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from guidancekg.api.access_log import install_access_log
from guidancekg.api.headers import install_headers
from guidancekg.api.problems import register_error_handlers
from guidancekg.api.state import EXTENSION_KEY
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import DEFAULT_BASE

DEFAULTS: dict[str, Any] = {
    "GUIDANCEKG_DATA": None,  # data folder; None: ./data or the bundled data
    "GUIDANCEKG_BASE": DEFAULT_BASE,  # base IRI of the minted IRIs
    "GUIDANCEKG_STORE_KIND": "oxigraph",  # oxigraph (on disk) or memory
    "GUIDANCEKG_STORE_ROOT": None,  # folder of on-disk builds; None: a per-data cache folder
    "SPARQL_TIMEOUT": 10.0,  # seconds a SPARQL query may run
    "SPARQL_MAX_ROWS": 10_000,  # rows a SPARQL result may hold
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # bytes a request body may hold
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "JSON_SORT_KEYS": False,
}


def create_app(config: Mapping[str, Any] | None = None, graph: GuidanceGraph | None = None) -> Flask:
    """Create the app: load the graph once (or use ``graph``), register blueprints and the error handler."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if graph is None:
        data = app.config["GUIDANCEKG_DATA"]
        root = app.config["GUIDANCEKG_STORE_ROOT"]
        graph = GuidanceGraph.open(Path(data) if data else None, base=app.config["GUIDANCEKG_BASE"],
                                   kind=app.config["GUIDANCEKG_STORE_KIND"],
                                   store_root=Path(root) if root else None, say=app.logger.info)
    app.extensions[EXTENSION_KEY] = graph
    register_error_handlers(app)
    install_headers(app)
    install_access_log(app)

    from guidancekg.api import docs, ingest_api, linked_data, memento, page, routes_api, sparql_endpoint

    for blueprint in (routes_api.bp, docs.bp, linked_data.bp, sparql_endpoint.bp, memento.bp, page.bp, ingest_api.bp):
        app.register_blueprint(blueprint)
    return app
