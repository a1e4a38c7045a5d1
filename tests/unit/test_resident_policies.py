"""A resident server's policy set is loaded again whenever a file it was loaded from may
have changed since (resident.Resident.policies)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from edgemodels import resident
from edgemodels.policy.loader import load_policies
from edgemodels.policy.model import PolicySet
from edgemodels.treecache import RACY_NS

CONFIG = """apiVersion: edgemodels.io/v1alpha1
kind: PolicyConfig
rules: {{P101: {severity}}}
"""


def _severities(policies: PolicySet) -> dict[str, str]:
    return {r.code: r.severity for r in policies.rules}


def test_a_config_edited_while_it_was_loaded_is_loaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / ".edgemodels-policy.yaml"
    config.write_text(CONFIG.format(severity="warning"))
    time.sleep(RACY_NS / 1e9 * 1.2)
    edited: list[bool] = []

    def load_then_edit(path: Path | None, folder: Path | None) -> PolicySet:
        policies = load_policies(path, folder)
        if not edited:  # an edit once the file was read, and a load slower than RACY_NS
            config.write_text(CONFIG.format(severity="error"))
            edited.append(True)
            time.sleep(RACY_NS / 1e9 * 1.2)
        return policies

    monkeypatch.setattr(resident, "load_policies", load_then_edit)
    state = resident.Resident()
    assert _severities(state.policies(None, tmp_path))["P101"] == "warning"
    assert _severities(state.policies(None, tmp_path))["P101"] == "error"
