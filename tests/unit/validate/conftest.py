"""Fixtures for validate tests: one schema cache per session, a fresh valid tree per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.validate.run import ValidateOptions

from .trees import write_tree


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Standalone schema folders take ~0.3 s to build; share them across the session.
    return tmp_path_factory.mktemp("edgemodels-cache")


@pytest.fixture
def options(cache_dir: Path) -> ValidateOptions:
    # The policy pack is tested on its own (tests/unit/policy, acceptance): these trees are
    # made to exercise the schema, render and RHACM checks, not to satisfy every policy.
    return ValidateOptions(cache_dir=cache_dir, validator="builtin", policies=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree")
