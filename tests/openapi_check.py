"""Check HTTP responses against the OpenAPI description (``api/openapi.yaml``).

``check(response)`` finds the operation of the request (path template and method), asserts that the response's
status and media type are documented for it, and validates a JSON body against the documented schema with
jsonschema (OpenAPI 3.1 schemas are JSON Schema 2020-12). A path the document does not list must answer 404,
a method it does not list for a path 405, and any request with an oversized body 413, all as problem+json.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from guidancekg.api.docs import load_openapi

SPEC_URI = "urn:guidancekg:openapi"
PROBLEM = "application/problem+json"


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    """Return the OpenAPI document."""
    return load_openapi()


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, Resource.from_contents(spec(), default_specification=DRAFT202012))


@lru_cache(maxsize=1)
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """Return each documented path as a regex; literal paths first, so ``/ns/context.jsonld`` beats templates."""
    out = []
    for template in spec()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(f"^{pattern}$"), template))
    return sorted(out, key=lambda item: ("{" in item[1], item[1]))


def operation_for(path: str, method: str) -> tuple[str | None, dict[str, Any] | None]:
    """Return the path template matching ``path`` and its operation for ``method`` (None when absent)."""
    for regex, template in _templates():
        if regex.match(path):
            item = spec()["paths"][template]
            return template, item.get(method.lower()) or (item.get("get") if method.upper() == "HEAD" else None)
    return None, None


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _follow(node: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
    """Follow a ``$ref`` to a component, keeping the JSON pointer of where the node is."""
    while "$ref" in node:
        pointer = node["$ref"]
        target: Any = spec()
        for part in pointer[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node, pointer


def validate_body(pointer: str, body: Any) -> None:
    """Validate ``body`` against the schema at ``pointer`` (``#/...``) of the document; raise on mismatch."""
    validator = Draft202012Validator({"$ref": SPEC_URI + pointer}, registry=_registry(),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path)
        raise AssertionError(f"{len(errors)} schema error(s) against {pointer}; first at /{where}: {first.message}")


def _parts(response: Any) -> tuple[str, str, int, str, bytes]:
    """Return method, path, status, media type and body of a Flask test or ``requests`` response."""
    if hasattr(response, "status_code") and hasattr(response, "get_data"):  # werkzeug TestResponse
        return (response.request.method, response.request.path, response.status_code, response.mimetype or "",
                response.get_data())
    content_type = response.headers.get("Content-Type", "")
    return (response.request.method, urlsplit(response.url).path, response.status_code,
            content_type.split(";")[0].strip(), response.content)


def check(response: Any) -> Any:
    """Assert ``response`` is documented by the OpenAPI document; return its parsed JSON body (or None)."""
    method, path, status, mimetype, body = _parts(response)
    template, op = operation_for(path, method)
    if template is None or op is None:
        # The document's description says so: an oversized body is refused before routing, on any path.
        expected = {413, 404 if template is None else 405}
        assert status in expected, f"{method} {path}: undocumented, so expected {expected}, got {status}"
        assert mimetype == PROBLEM, f"{method} {path}: {status} is {mimetype}, not {PROBLEM}"
        data = json.loads(body)
        validate_body("#/components/schemas/Problem", data)
        return data
    verb = "get" if method == "HEAD" and "head" not in spec()["paths"][template] else method.lower()
    base = f"#/paths/{_escape(template)}/{verb}"
    responses = op["responses"]
    assert str(status) in responses, f"{method} {template}: status {status} is not documented"
    described, pointer = _follow(responses[str(status)], f"{base}/responses/{status}")
    content = described.get("content")
    if not content:
        assert not body, f"{method} {template}: {status} documents no body, got {len(body)} bytes"
        return None
    assert mimetype in content, f"{method} {template}: {status} as {mimetype} is not documented ({list(content)})"
    if method == "HEAD":
        return None
    if mimetype == "application/json" or mimetype.endswith("+json"):
        data = json.loads(body)
        validate_body(f"{pointer}/content/{_escape(mimetype)}/schema", data)
        return data
    return None
