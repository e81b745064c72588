"""The Flask application factory (the flaskr pattern): configuration in, app out, nothing at import time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from guidancekg.api.access_log import install_access_log
from guidancekg.api.headers import install_headers
from guidancekg.api.problems import register_error_handlers
from guidancekg.api.settings import Settings
from guidancekg.api.state import EXTENSION_KEY, Runtime
from guidancekg.api.web import JSONBodies, register_template_helpers
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.progress import SILENT, Progress


def open_graph(settings: Settings, say: Any = lambda _m: None, progress: Progress = SILENT) -> GuidanceGraph:
    """Open (building first when needed) the graph the settings name; ``progress`` hears each step."""
    return GuidanceGraph.open(Path(settings.data) if settings.data else None, kind=settings.store_kind,
                              store_root=Path(settings.store_root) if settings.store_root else None, say=say,
                              progress=progress)


def create_app(config: Mapping[str, Any] | None = None, graph: GuidanceGraph | None = None) -> Flask:
    """Create the app: read the settings (``api/settings.py``), open the graph once (or use ``graph``),
    register the blueprints and the error handler."""
    app = Flask(__name__)
    settings = Settings.from_config(config or {})
    app.config.update(config or {})
    app.config.update(settings.flask_config())
    app.json = JSONBodies(app)
    if graph is None:
        graph = open_graph(settings, say=app.logger.info)
    state = app.extensions[EXTENSION_KEY] = Runtime(settings, graph)
    app.before_request(state.look_for_a_new_build)
    register_error_handlers(app)
    register_template_helpers(app)
    install_headers(app)
    install_access_log(app)

    from guidancekg.api import (
        catalogue,
        docs,
        ingest_api,
        layout,
        linked_data,
        memento,
        page,
        routes_api,
        sparql_endpoint,
        vocabulary,
    )

    for blueprint in (routes_api.bp, docs.bp, linked_data.bp, vocabulary.bp, sparql_endpoint.bp, memento.bp, page.bp,
                      ingest_api.bp, catalogue.bp, layout.bp):
        app.register_blueprint(blueprint)
    return app
