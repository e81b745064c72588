"""Describe and check the API: the OpenAPI document, its readable page, and the SHACL report of the graph."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, jsonify, render_template
from markupsafe import Markup

from guidancekg.api.state import current
from guidancekg.api.web import public_base
from guidancekg.ontology.vocab import TOPIC_KEYS

bp = Blueprint("docs", __name__)

OPENAPI_FILE = Path(__file__).resolve().with_name("openapi.yaml")
METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


def load_openapi() -> dict[str, Any]:
    """Return the OpenAPI document (``api/openapi.yaml``), read at each call so that edits show at once, with the
    topic keys of the vocabulary."""
    doc: dict[str, Any] = yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))
    doc["components"]["schemas"]["TopicKey"]["enum"] = list(TOPIC_KEYS)  # the topics are listed in one place
    return doc


def _served_openapi() -> dict[str, Any]:
    doc = load_openapi()
    doc["servers"] = [{"url": public_base().rstrip("/"), "description": "This server."}]
    return doc


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """Serve the OpenAPI 3.1 description of every endpoint, with this server in ``servers``."""
    return jsonify(_served_openapi())


@bp.get("/api/validate")
def validate_graph() -> Response:
    """Answer the SHACL report of the served graph: computed once per build, never on a request (else a 503)."""
    return jsonify(current().validation_report())


# -- the readable page ---------------------------------------------------------------------------------------

@cache
def _markdown() -> Any:
    """Return the renderer: CommonMark, with raw HTML in the text escaped, never passed through (the descriptions
    are ours, but a page should not trust a YAML file with its markup). Made on first use: a server starts
    without importing it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


@bp.app_template_filter("markdown")
def markdown(text: str | None) -> Markup:
    """Render the Markdown of an OpenAPI description (backticks, emphasis, links, lists) as HTML."""
    return Markup(_markdown().render(text or ""))


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe_schema(schema: dict[str, Any] | None) -> str:
    """Return a short type for a schema: ``string (date)``, ``array of Statement``, ``A | null``."""
    if not schema:
        return ""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "oneOf" in schema:
        return " | ".join(describe_schema(s) for s in schema["oneOf"])
    if "allOf" in schema:
        return " + ".join(describe_schema(s) for s in schema["allOf"] if "$ref" in s) + " + fields"
    if "enum" in schema:
        return "one of " + ", ".join("null" if v is None else str(v) for v in schema["enum"])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        return " | ".join(kind)
    if kind == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(describe_schema(s) for s in schema["prefixItems"]) + "]"
        return "array of " + describe_schema(schema.get("items"))
    if kind == "string" and "format" in schema:
        return f"string ({schema['format']})"
    return str(kind)


def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/components/...``) to what it names."""
    while "$ref" in node and node["$ref"].startswith("#/"):
        target: Any = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten the document into one record per operation, references resolved, for the template."""
    ops = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [_resolve(doc, p) for p in op.get("parameters", [])]
            responses = []
            for status, resp in op.get("responses", {}).items():
                resp = _resolve(doc, resp)
                content = [(media, describe_schema(body.get("schema")))
                           for media, body in (resp.get("content") or {}).items()]
                responses.append({"status": status, "description": resp.get("description", ""),
                                  "content": content, "headers": sorted(resp.get("headers") or {})})
            body = op.get("requestBody")
            ops.append({
                "path": path, "method": method, "id": op.get("operationId", f"{method}-{path}"),
                "summary": op.get("summary", ""), "description": op.get("description", ""),
                "tags": op.get("tags", []),
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "type": describe_schema(p.get("schema")),
                                "description": p.get("description", "")} for p in params],
                "body": [(media, describe_schema(b.get("schema")))
                         for media, b in ((body or {}).get("content") or {}).items()],
                "responses": responses,
            })
    return ops


def _schemas(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each component schema with its fields (an ``allOf`` contributes the fields of each part)."""
    out = []
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        parts = schema.get("allOf", [schema])
        fields, required, extends = [], set(), []
        for part in parts:
            if "$ref" in part:
                extends.append(_ref_name(part["$ref"]))
                continue
            required |= set(part.get("required", []))
            fields += [(field, describe_schema(sub), sub.get("description", ""))
                       for field, sub in part.get("properties", {}).items()]
        out.append({"name": name, "description": schema.get("description", ""), "extends": extends,
                    "type": "" if fields or extends else describe_schema(schema),
                    "fields": [(f, t, d, f in required) for f, t, d in fields]})
    return out


@bp.get("/api/docs")
def api_docs() -> str:
    """Render the OpenAPI document as a readable page."""
    doc = _served_openapi()
    return render_template("docs_api.html", doc=doc, info=doc["info"], operations=_operations(doc),
                           schemas=_schemas(doc), formats=False,
                           schema_names=set(doc.get("components", {}).get("schemas", {})))
