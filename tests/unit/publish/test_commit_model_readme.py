"""A model's README.md describes it: a change of it alone redeploys nothing on a site, and
the publish commit does not say the model's settings changed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from edgemodels.commitmessage import commit_message
from edgemodels.deployed import index_files
from edgemodels.publishoptions import Context
from edgemodels.treeplan import Plan

from ..render.samples import fleet
from ..render.tooling import render


def context(tree: dict[str, bytes]) -> Context:
    fields: dict[str, Any] = {
        "tree": tree,
        "header": "acme",
        "dest": SimpleNamespace(path="deploy"),
        "options": SimpleNamespace(message_extra=""),
        "trailer": "Published by edgemodels",
    }
    return cast(Context, SimpleNamespace(**fields))


def test_a_model_readme_changed_alone_is_no_settings_change() -> None:
    before = render(fleet())
    after = dict(before)
    readme = "models/detector/README.md"
    after[readme] = before[readme].replace(b"# Model", b"# The model")
    text = commit_message(context(after), index_files(before), Plan(changed=(readme,)))
    subject = text.splitlines()[0]
    assert "settings of detector" not in subject
    assert "Same version, generated files changed" not in text
    # with a site file of the model, it is its change, the README named with it
    values = "models/detector/base/deployment.yaml"
    after[values] = before[values] + b"# other\n"
    text = commit_message(context(after), index_files(before), Plan(changed=(readme, values)))
    assert text.splitlines()[0] == "edgemodels: publish acme: settings of detector changed"
    assert "  detector 2.1.0 (arm, edge): README.md, base/deployment.yaml" in text
