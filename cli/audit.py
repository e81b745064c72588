"""The auditor's commands: what was published between two record dates, and a drug's whole history as a report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from guidancekg.cli.options import command, data_options, open_graph
from guidancekg.graph.dates import parse_day
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.views.audit import AUDIT_FORMATS, audit_csv, audit_json, audit_markdown
from guidancekg.graph.views.audit import audit as run_audit

SECTION = "Audit"


@command(SECTION)
@click.option("--from", "start", metavar="DATE", required=True, help="First record date (K1).")
@click.option("--to", "end", metavar="DATE", required=True, help="Last record date (K2), inclusive.")
@click.option("--drug", help="Only this drug.")
@click.option("--jurisdiction", help="Only this jurisdiction code (includes the regions within it).")
@click.option("--format", "fmt", type=click.Choice(list(AUDIT_FORMATS)), default="markdown",
              show_default=True)
@data_options
def audit(start: str, end: str, drug: str | None, jurisdiction: str | None, fmt: str, data_dir: Path | None,
          store_kind: str, store_root: Path | None) -> None:
    """Show what was published from FROM to TO, what each version added and withdrew, and reporting lags.

    A lag is the days from a statement coming into force to a source's first record of it.

    \b
    Example:
      guidancekg audit --from 2019-04-01 --to 2019-04-30
    """
    d1, d2 = parse_day(start, "--from"), parse_day(end, "--to")
    graph = open_graph(data_dir, store_kind, store_root)
    result = run_audit(graph.engine, d1, d2, Filters(drug, jurisdiction))
    if fmt == "json":
        click.echo(json.dumps(audit_json(result, graph.minter), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(audit_csv(result, graph.minter), nl=False)
    else:
        click.echo(audit_markdown(result), nl=False)


@command(SECTION)
@click.option("--drug", required=True, help="The drug whose whole history to report.")
@click.option("--output", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for report-DRUG.html and report-DRUG.md.")
@data_options
def report(drug: str, out_dir: Path, data_dir: Path | None, store_kind: str,
           store_root: Path | None) -> None:
    """Write a self-contained HTML and a Markdown audit report of a drug's whole history.

    The report holds the timeline per jurisdiction, every override with its sources and quotes, the reporting
    lags, and the data-quality notes.

    \b
    Example:
      guidancekg report --drug alemtuzumab -o /tmp/report
    """
    from guidancekg.graph.views.report import report_html, report_markdown

    engine = open_graph(data_dir, store_kind, store_root).engine
    html_text, md_text = report_html(engine, drug), report_markdown(engine, drug)
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix, text in (("html", html_text), ("md", md_text)):
        path = out_dir / f"report-{drug}.{suffix}"
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")
