"""The release version is written once: pyproject.toml reads it from __init__.py."""

import tomllib
from importlib.metadata import version
from pathlib import Path

import edgemodels

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_takes_the_version_from_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    path = project["tool"]["hatch"]["version"]["path"]
    assert (ROOT / path).resolve() == Path(edgemodels.__file__).resolve()


def test_the_installed_version_is_the_package_version() -> None:
    assert version("edgemodels") == edgemodels.__version__
