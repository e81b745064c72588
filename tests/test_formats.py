"""The one table of guidance formats: what the API negotiates, what the CLI offers and what OpenAPI lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from guidancekg.cli.main import main
from guidancekg.graph.views.formats import GUIDANCE_FORMATS, guidance_format

OPENAPI = Path(__file__).resolve().parents[1] / "api" / "openapi.yaml"


def test_openapi_lists_every_format_of_the_guidance_and_no_other():
    spec = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    content = spec["paths"]["/api/guidance"]["get"]["responses"]["200"]["content"]
    assert list(content) == [fmt.media_type for fmt in GUIDANCE_FORMATS]


def test_a_format_is_found_by_its_name_or_its_media_type_and_nothing_else():
    for fmt in GUIDANCE_FORMATS:
        assert guidance_format(fmt.name) is guidance_format(fmt.media_type) is fmt
    with pytest.raises(KeyError):
        guidance_format("text/csv")


@pytest.mark.parametrize("fmt", GUIDANCE_FORMATS, ids=lambda f: f.name)
def test_the_api_answers_each_format_with_its_media_type_and_next_where_the_format_keeps_it(client, fmt):
    resp = client.get("/api/guidance?on=2019-04-12&limit=1", headers={"Accept": fmt.media_type})
    assert resp.status_code == 200 and resp.mimetype == fmt.media_type
    assert 'rel="next"' in resp.headers["Link"]
    assert ("next" in resp.get_json()) is fmt.next_in_body


def test_the_first_format_is_the_default(client):
    assert client.get("/api/guidance?on=2019-04-12").mimetype == GUIDANCE_FORMATS[0].media_type


@pytest.mark.parametrize("fmt", GUIDANCE_FORMATS, ids=lambda f: f.name)
def test_the_cli_writes_each_format_by_its_name_with_the_next_cursor_where_it_fits(runner, data_dir, shared_store,
                                                                                  monkeypatch, fmt):
    monkeypatch.setenv("GUIDANCEKG_STORE", str(shared_store))
    result = runner.invoke(main, ["at", "2019-04-12", "--format", fmt.name, "--limit", "1", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert ("next_cursor" in body) is fmt.next_in_body
    assert ("--cursor" in result.stderr) is not fmt.next_in_body
