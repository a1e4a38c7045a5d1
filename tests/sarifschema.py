"""The official SARIF 2.1.0 JSON Schema, for validating the sarif reporters (every command's
and plan's); the fixture is registered in tests/conftest.py.

No PyPI package ships it; the npm package @microsoft/jest-sarif does (the final 2.1.0
schema, `sarif-2.1.0-rtm.5.json`). It is taken from EDGEMODELS_SARIF_SCHEMA when set, else
from the cache under `.cache/` in the checkout, else fetched once with `npm pack`. Without
npm or the registry the schema test is skipped; the structural tests still run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "sarif"
NPM_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


def _fetch(cache: Path) -> Path | None:
    target = cache / "sarif-2.1.0-rtm.5.json"
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        return None
    cache.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [npm, "pack", "--silent", NPM_PACKAGE],
            cwd=cache,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    tarballs = sorted(cache.glob("*.tgz"))
    if done.returncode != 0 or not tarballs:
        return None
    with tarfile.open(tarballs[-1]) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            return None
        target.write_bytes(member.read())
    return target


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, object]:
    given = os.environ.get("EDGEMODELS_SARIF_SCHEMA")
    path = Path(given) if given else _fetch(CACHE)
    if path is None or not path.is_file():
        pytest.skip("SARIF 2.1.0 schema not available (no EDGEMODELS_SARIF_SCHEMA, no npm)")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc
