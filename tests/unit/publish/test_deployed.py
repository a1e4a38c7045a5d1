"""Reading what a generated tree deploys, and naming the differences per target."""

from __future__ import annotations

from edgemodels.deployed import (
    Change,
    DeployedModel,
    diff_models,
    files_by_model,
    index_files,
    summarize,
)

README = b"""# Models of catalogue `c`

## Models

| Model | Version | Wrapper | Packaging | Image | Placements |
|---|---|---|---|---|---|
| `scorer` | 0.9.0 | http | kustomize | `r/s:0.9.0` | `arm`, `lrt` |

## Placements

| Placement | Selects the sites where | Models |
|---|---|---|
| `scorer` | `a` is `b` | `x` |
"""


def test_versions_and_placements_from_chart_descriptor_subscriptions_and_readme() -> None:
    tree = {
        "README.md": README,
        "models/fc/chart/Chart.yaml": b"# banner\napiVersion: v2\nname: fc\nappVersion: 1.4.2\n",
        "models/weights/base/descriptor.yaml": b"kind: ConfigMap\ndata:\n  version: '3.0'\n",
        "models/scorer/base/deployment.yaml": b"kind: Deployment\n",
        "hub/subscriptions/fc--lrt.yaml": b"",
        "hub/subscriptions/weights--follow-weights.yaml": b"",
    }
    assert index_files(tree) == {
        "fc": DeployedModel("1.4.2", frozenset({"lrt"})),
        "scorer": DeployedModel("0.9.0", frozenset({"arm", "lrt"})),
        "weights": DeployedModel("3.0", frozenset({"follow-weights"})),
    }


def test_model_names_with_double_dashes_keep_their_placements() -> None:
    tree = {
        "models/a/chart/Chart.yaml": b"appVersion: '1'\n",
        "models/a--b/chart/Chart.yaml": b"appVersion: '2'\n",
        "hub/subscriptions/a--b--lrt.yaml": b"",
        "hub/subscriptions/a--edge.yaml": b"",
    }
    index = index_files(tree)
    assert index["a--b"].placements == {"lrt"}
    assert index["a"].placements == {"edge"}


def test_subscriptions_go_to_the_longest_model_name_before_a_double_dash() -> None:
    """The model of `<model>--<placement>.yaml` when names hold dashes themselves; both
    folders (hub/synced/ and the older hub/); anything else is no Subscription."""
    models = ["a", "a-", "a--b", "ab", "x"]
    paths = [
        "hub/synced/subscriptions/a--b--lrt.yaml",  # a--b, not a
        "hub/synced/subscriptions/a---edge.yaml",  # a- + edge, not a + -edge
        "hub/subscriptions/a--paint.yaml",
        "hub/subscriptions/ab--b.yaml",
        "hub/synced/subscriptions/abc--lrt.yaml",  # no model abc
        "hub/synced/subscriptions/x-lrt.yaml",  # no `--`
        "hub/synced/subscriptions/x--lrt.yml",
        "hub/synced/policies/x--lrt.yaml",
        "models/x/base/kustomization.yaml",
        "README.md",
    ]
    tree = {path: b"" for path in paths} | {f"models/{m}/chart/Chart.yaml": b"" for m in models}
    assert {m: set(d.placements) for m, d in index_files(tree).items()} == {
        "a": {"paint"},
        "a-": {"edge"},
        "a--b": {"lrt"},
        "ab": {"b"},
        "x": set(),
    }
    assert files_by_model(paths, models) == (
        {
            "a": ["hub/subscriptions/a--paint.yaml"],
            "a-": ["hub/synced/subscriptions/a---edge.yaml"],
            "a--b": ["hub/synced/subscriptions/a--b--lrt.yaml"],
            "ab": ["hub/subscriptions/ab--b.yaml"],
            "x": ["base/kustomization.yaml"],
        },
        [
            "README.md",
            "hub/synced/policies/x--lrt.yaml",
            "hub/synced/subscriptions/abc--lrt.yaml",
            "hub/synced/subscriptions/x--lrt.yml",
            "hub/synced/subscriptions/x-lrt.yaml",
        ],
    )


def test_diff_names_every_kind_per_target() -> None:
    old = {
        "up": DeployedModel("1.0.0", frozenset({"lrt"})),
        "down": DeployedModel("2.0.0", frozenset({"lrt"})),
        "odd": DeployedModel("latest", frozenset({"lrt"})),
        "gone": DeployedModel("1.0", frozenset({"paint"})),
        "moved": DeployedModel("1.0", frozenset({"lrt"})),
    }
    new = {
        "up": DeployedModel("1.1.0", frozenset({"lrt"})),
        "down": DeployedModel("1.9.0", frozenset({"lrt"})),
        "odd": DeployedModel("1.2", frozenset({"lrt"})),
        "moved": DeployedModel("1.0", frozenset({"arm"})),
        "new": DeployedModel("0.1", frozenset()),
    }
    changes = diff_models(old, new)
    assert [c.render() for c in changes] == [
        "added new 0.1",
        "added moved 1.0",
        "downgraded down 2.0.0 -> 1.9.0",
        "removed moved 1.0",
        "changed odd latest -> 1.2",
        "upgraded up 1.0.0 -> 1.1.0",
        "removed gone 1.0",
    ]
    assert [c.target for c in changes] == [
        "(no placement)",
        "arm",
        "lrt",
        "lrt",
        "lrt",
        "lrt",
        "paint",
    ]
    assert summarize(changes) == "2 added, 1 upgraded, 1 downgraded, 1 changed, 2 removed"
    assert diff_models(old, old) == []
    assert Change("t", "added", "m", new="1").render() == "added m 1"
