"""Packaging: a non-editable install carries every data file the build reads."""

import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent


def test_package_data_covers_every_bundled_data_file():
    """Guards the references folder, once left out of the wheel: an installed build then lost its quotes."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["guidancekg.data"]
    data = ROOT / "data"
    missing = []
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        rel = PurePosixPath(path.relative_to(data).as_posix())
        if rel.suffix == ".py" or "__pycache__" in rel.parts:
            continue
        # setuptools globs: "*" stays within one path segment, so match segment by segment.
        if not any(len(rel.parts) == len(PurePosixPath(g).parts) and rel.match(g) for g in globs):
            missing.append(str(rel))
    assert missing == [], f"not in [tool.setuptools.package-data] guidancekg.data: {missing}"


def test_every_package_folder_is_packaged():
    """Guards a new sub-package of graph/ left out of the wheel: it imports in a checkout and not once installed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {"graph", "api", "cli", "ontology", "data"}
    found = {"guidancekg." + ".".join(init.parent.relative_to(ROOT).parts)
             for folder in folders for init in (ROOT / folder).rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_console_script_and_python_m_run_the_same_command():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["scripts"]["guidancekg"] == "guidancekg.cli.main:main"
    assert "from guidancekg.cli.main import main" in (ROOT / "cli" / "__main__.py").read_text(encoding="utf-8")
