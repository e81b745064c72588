"""The ``guidancekg`` command: its commands, grouped in ``--help`` as the README groups them.

Each group lives in a module of its own: ``build_and_check`` (build, validate, export), ``ask`` (at, changes,
timeline, query), ``audit`` (audit, report), ``serve`` and ``add_data`` (ingest, propose, synth). What they share
(options, opening the graph, ``--quiet``) is in ``options``; progress bars in ``progress``; tables in ``tables``.
"""

from __future__ import annotations

from typing import Any

import click

from guidancekg.cli import add_data, ask, audit, build_and_check, serve
from guidancekg.cli.options import quiet_option
from guidancekg.graph.errors import GuidanceError

SECTIONS = (build_and_check.SECTION, ask.SECTION, audit.SECTION, serve.SECTION, add_data.SECTION)


class Group(click.Group):
    """The ``guidancekg`` group: commands listed by section, and errors as one line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; report a GuidanceError as its message, never a traceback."""
        try:
            return super().invoke(ctx)
        except GuidanceError as exc:
            raise click.ClickException(str(exc)) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the commands in the order they were added (the README's), not alphabetically."""
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands under their sections, in the README's order."""
        by_section: dict[str, list[tuple[str, str]]] = {name: [] for name in SECTIONS}
        limit = formatter.width - 6 - max((len(name) for name in self.commands), default=0)
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            section = getattr(cmd, "section", "") or "Other"
            by_section.setdefault(section, []).append((name, cmd.get_short_help_str(limit)))
        for section, rows in by_section.items():
            if rows:
                with formatter.section(section):
                    formatter.write_dl(rows)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="guidancekg")
def main() -> None:
    """A knowledge graph of health guidance that remembers time.

    Ask what the guidance said on a date, who said it, and when it was known. Dates are YYYY-MM-DD.
    Every command takes --quiet (here or after the command): no progress and no notes on standard error.
    """


main.params.append(quiet_option())
for _command in (build_and_check.build, build_and_check.validate, build_and_check.export, ask.at, ask.changes,
                 ask.timeline, ask.query, audit.audit, audit.report, serve.serve, add_data.ingest,
                 add_data.propose, add_data.synth):
    main.add_command(_command)
