"""The finding-code registry is complete: every code used is documented, none is dead."""

from __future__ import annotations

import re
from pathlib import Path

from edgemodels.validate.codes import CODES

PACKAGE = Path(__file__).resolve().parents[3] / "generator" / "edgemodels" / "validate"


def test_codes_and_names_are_well_formed_and_unique() -> None:
    assert all(re.fullmatch(r"K[123][0-9]{2}", code) for code in CODES)
    names = [c.name for c in CODES.values()]
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", n) for n in names)
    assert len(set(names)) == len(names)
    assert all(c.summary and len(c.summary) < 100 for c in CODES.values())


def test_every_code_used_is_registered_and_every_registered_code_is_used() -> None:
    used: set[str] = set()
    for path in PACKAGE.glob("*.py"):
        if path.name != "codes.py":
            used |= set(re.findall(r'"(K[0-9]{3})"', path.read_text(encoding="utf-8")))
    assert used == set(CODES)
