"""The one place that finds the data folders shipped with edgemodels.

In a wheel they live inside the package (`edgemodels/_data/...`); in a source checkout
(editable install, tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_NAMES = ("schemas", "policies", "repo-template")


@cache
def data_root() -> Path:
    packaged = Path(__file__).resolve().parent / "_data"
    if (packaged / "schemas").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "schemas").is_dir():
        return checkout
    raise RuntimeError(f"edgemodels data folders not found near {packaged} or {checkout}")


def data_path(name: str) -> Path:
    """Path of one data folder: 'schemas', 'policies' or 'repo-template'."""
    if name not in _NAMES:
        raise KeyError(name)
    return data_root() / name


def schema_path(filename: str) -> Path:
    return data_path("schemas") / filename


@cache
def catalogue_schema() -> dict[str, Any]:
    """The catalogue's JSON Schema (schemas/catalogue.schema.json), read once."""
    path = schema_path("catalogue.schema.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
