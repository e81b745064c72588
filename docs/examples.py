"""Write the examples of docs/fhir.md, docs/nanopub.md and docs/dataset-description.md from the bundled data.

Each example sits in its page between ``<!-- example:NAME -->`` and ``<!-- /example:NAME -->``; this script
replaces what is there with what the code produces now: the graph's IRIs (the one base of graph/rdf/iris.py), and
the addresses of a server at ``guidancekg serve``'s default public URL.
tests/test_docs_examples.py runs it in check mode, so a page never shows an output the code no longer gives.

    python docs/examples.py          # rewrite the examples
    python docs/examples.py --check  # exit 1 naming each page whose example is stale
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.views import nanopub
from guidancekg.graph.views.fhir import guidance_bundle
from guidancekg.graph.views.void import describe

DOCS = Path(__file__).resolve().parent
DATA = DOCS.parent / "data"
SERVER = "http://127.0.0.1:8080/"  # guidancekg serve --port 8080
RESTRICTION = "alemtuzumab-eu-temporary-restriction-2019"
EMA = ("ema-lemtrada-press-release-2019-04-12", "2019-04-12")


def _fenced(language: str, text: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def examples(graph: GuidanceGraph) -> dict[str, dict[str, str]]:
    """Return, per page, each example's text (fenced Markdown)."""
    answer = graph.engine.guidance(date(2019, 4, 12), None, Filters(jurisdiction="EU", topic="indication"))
    bundle = guidance_bundle(answer, graph.engine, graph.store, graph.minter)
    counts: dict[str, int] = {}
    for entry in bundle["entry"]:
        counts[entry["resource"]["resourceType"]] = counts.get(entry["resource"]["resourceType"], 0) + 1
    restriction = str(graph.minter.statement(RESTRICTION))
    ema_version = str(graph.minter.version(*EMA))
    record = str(graph.minter.record(RESTRICTION, *EMA))

    def about(*iris: str) -> list[dict]:
        return [e for e in bundle["entry"]
                if any(i.get("value") in iris for i in e["resource"].get("identifier", []))
                or any(x.get("valueUri") == record for x in e["resource"].get("extension", []))]

    shown = about(restriction, restriction + "#authorisation", ema_version)
    fhir = {
        "bundle-outline": _fenced("json", json.dumps(
            {"resourceType": bundle["resourceType"], "type": bundle["type"], "link": bundle["link"],
             "entry (resources by type)": counts}, indent=2)),
        "bundle-excerpt": _fenced("json", json.dumps(shown, indent=2, ensure_ascii=False)),
    }
    rec = nanopub.find_record(graph.model, RESTRICTION, *EMA)
    np_text = nanopub.trig(nanopub.record_nanopub(graph.store, graph.model, graph.minter, rec))
    void_text = describe(graph.model, graph.minter, SERVER).serialize(format="turtle")
    return {"fhir.md": fhir, "nanopub.md": {"record": _fenced("trig", np_text)},
            "dataset-description.md": {"void": _fenced("turtle", void_text)}}


def render(check: bool = False) -> list[str]:
    """Write (or, with ``check``, only compare) every example; return the pages that were (or are) stale."""
    graph = GuidanceGraph.open(DATA, kind="memory")
    stale = []
    for page, blocks in examples(graph).items():
        path = DOCS / page
        text = path.read_text(encoding="utf-8")
        new = text
        for name, body in blocks.items():
            pattern = re.compile(rf"(<!-- example:{name} -->\n)(?:.*?\n)?(<!-- /example:{name} -->)", re.S)
            if not pattern.search(new):
                raise SystemExit(f"{page}: no <!-- example:{name} --> block")
            new = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), new)
        if new != text:
            stale.append(page)
            if not check:
                path.write_text(new, encoding="utf-8")
    return stale


if __name__ == "__main__":
    checking = "--check" in sys.argv[1:]
    pages = render(check=checking)
    for page in pages:
        print(f"docs/{page}: {'stale' if checking else 'rewritten'}")
    sys.exit(1 if checking and pages else 0)
