"""Run the console examples of docs/api.md against a real server and write back what they print.

Each ``$ command`` line of a ``console`` block runs in a shell with the server's address put in for
``localhost:8080`` and for the graph's IRI base (``https://w3id.org/guidancekg/``, which every server answers for at
its path); its output replaces the lines that follow it, with the addresses put back. The serve command itself is
not run. The ETag example asks with the ETag the page shows just before it.

    python scripts/api_examples.py --port 8080           # rewrite the examples (a server must listen there)
    python scripts/api_examples.py --port 8080 --check   # exit 1 naming each example whose output differs
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "api.md"
IRI_BASE = "https://w3id.org/guidancekg/"
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)
ETAG = re.compile(r'^etag: (".*?")', re.IGNORECASE | re.MULTILINE)
DATE_HEADER = re.compile(r"^date: ", re.IGNORECASE)


def _same(old: list[str], new: list[str]) -> bool:
    """Tell whether two outputs agree, but for the time of day in a ``Date`` header."""
    return len(old) == len(new) and all(a == b or (DATE_HEADER.match(a) and DATE_HEADER.match(b))
                                        for a, b in zip(old, new, strict=True))


def _run(command: str, port: int) -> str:
    local = command.replace("localhost:8080", f"localhost:{port}").replace(IRI_BASE, f"localhost:{port}/")
    done = subprocess.run(["bash", "-c", local], capture_output=True, text=True, timeout=60)
    return done.stdout.replace(f"localhost:{port}", "localhost:8080").replace(f"127.0.0.1:{port}", "127.0.0.1:8080")


def regenerate(text: str, port: int) -> tuple[str, list[str]]:
    """Return the page with every example's output as the server gives it now, and the commands that changed."""
    changed: list[str] = []
    etag: list[str] = []

    def block(match: re.Match[str]) -> str:
        out: list[str] = []
        lines = match.group(1).splitlines()
        i = 0
        while i < len(lines):
            command = lines[i][2:]
            i += 1
            old = []
            while i < len(lines) and not lines[i].startswith("$ "):
                old.append(lines[i])
                i += 1
            if command.startswith("guidancekg serve"):
                out += ["$ " + command, *old]
                continue
            if "If-None-Match" in command and etag:
                command = re.sub(r"If-None-Match: \"[^\"]*\"", f"If-None-Match: {etag[-1]}", command)
            new = _run(command, port).replace("\r\n", "\n").rstrip("\n").split("\n")
            found = ETAG.search("\n".join(new))
            if found:
                etag.append(found.group(1))
            if not _same(old, new):
                changed.append(command)
            out += ["$ " + command, *new]
        return "```console\n" + "\n".join(out) + "\n```"

    return BLOCK.sub(block, text), changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="the port of a running guidancekg serve")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if an example is stale")
    args = parser.parse_args()
    text, changed = regenerate(PAGE.read_text(encoding="utf-8"), args.port)
    if args.check:
        for command in changed:
            print(f"docs/api.md: stale example: $ {command}", file=sys.stderr)
        return 1 if changed else 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"docs/api.md: {len(changed)} examples rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
