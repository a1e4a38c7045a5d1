"""R222: generated objects of different catalogue entries that would share a name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edgemodels.catalogue import load
from edgemodels.catalogue.collisions import _objects

from .helpers import BASE, CONTAINER, findings, messages, sub

MODEL = """\
    - name: {name}
      version: 1.0.0
      wrapper: http
      image: registry.gitlab.com/i4q/lrt/{name}:1.0.0
      targets: [{target}]
      http: {{port: 8080}}
"""

TARGETS = "    lrt:\n      matchLabels: {env: lrt}\n"


def with_targets(*names: str) -> str:
    extra = "".join(f"    {n}:\n      matchLabels: {{env: {n}}}\n" for n in names)
    return sub(TARGETS, TARGETS + extra)


def test_subscription_names_made_of_different_pairs(tmp_path: Path) -> None:
    text = with_targets("c", "b-c") + MODEL.format(name="a-b", target="c")
    text += MODEL.format(name="a", target="b-c")
    # line 38 is model 'a''s targets entry; model 'a-b' on 'c' (line 32) came first
    assert findings(tmp_path, text) == [(38, 17, "R222")]
    (message,) = messages(tmp_path, text)
    assert "Subscription 'a-b-c' of model 'a' on target 'b-c'" in message
    assert "model 'a-b' on target 'c' at catalogue.yaml:32:17" in message


def test_shared_target_placement_is_one_object(tmp_path: Path) -> None:
    text = BASE + MODEL.format(name="other", target="lrt")
    assert findings(tmp_path, text) == []


def test_target_named_like_a_follow_placement(tmp_path: Path) -> None:
    text = with_targets("follow-sktime") + MODEL.format(name="x", target="follow-sktime")
    text = sub(
        "      targets: [lrt]\n", "      targets: [lrt]\n      followWorkloads: true\n", text
    )
    text += "  workloads:\n    - {name: w, uses: [sktime], matchLabels: {env: edge}}\n"
    # target follow-sktime (line 17, first used by model x) is named like sktime's follow
    # placement (line 25, met first)
    assert findings(tmp_path, text) == [(17, 5, "R222")]
    (message,) = messages(tmp_path, text)
    assert "Placement 'follow-sktime' of target 'follow-sktime'" in message
    assert "model 'sktime' (followWorkloads) at catalogue.yaml:25:24" in message


def test_argocd_application_sets(tmp_path: Path) -> None:
    text = with_targets("c", "b-c") + MODEL.format(name="a-b", target="c")
    text += MODEL.format(name="a", target="b-c")
    text = sub("    namespace: i4q-lrt\n", "    namespace: i4q-lrt\n    delivery: argocd\n", text)
    assert findings(tmp_path, text) == [(39, 17, "R222")]
    assert "ApplicationSet 'lrt-a-b-c'" in messages(tmp_path, text)[0]


def test_prefetch_deployment_of_a_container_model(tmp_path: Path) -> None:
    # HTTP model 'det-prefetch' (line 18) and the prefetch Deployment of container model 'det'
    text = sub("name: sktime", "name: det-prefetch") + CONTAINER
    assert findings(tmp_path, text) == [(24, 13, "R222")]
    assert "Deployment 'det-prefetch' of model 'det'" in messages(tmp_path, text)[0]
    copied = text + "      container: {delivery: copy}\n"  # no prefetch Deployment then
    assert findings(tmp_path, copied) == []


# The names R222 computes are built as the renderers build them, without importing them (the
# render package would add to `check`'s start). These cases catch the two drifting apart: every
# hub object of the golden trees must be one R222 names, and the other way round.
REPO = Path(__file__).resolve().parents[3]
HUB_KINDS = {"Subscription", "Placement", "PlacementRule", "ApplicationSet", "GitOpsCluster"}


def _rendered_hub_names(tree: Path) -> set[tuple[str, str, str]]:
    found = set()
    for path in (tree / "hub").rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") in HUB_KINDS:
                meta = doc["metadata"]
                found.add((doc["kind"], meta.get("namespace", ""), meta["name"]))
    return found


@pytest.mark.parametrize(
    ("catalogue", "expected"),
    [
        ("examples/lrt", "tests/cases/generate-lrt/expected"),
        (
            "tests/cases/delivery-subscription/catalogue.yaml",
            "tests/cases/delivery-subscription/expected",
        ),
        ("tests/cases/delivery-argocd/catalogue.yaml", "tests/cases/delivery-argocd/expected"),
        (
            "tests/cases/delivery-migration/catalogue.yaml",
            "tests/cases/delivery-migration/expected",
        ),
        ("tests/cases/generate-seed/catalogue.yaml", "tests/cases/generate-seed/expected"),
    ],
)
def test_names_are_the_rendered_ones(catalogue: str, expected: str) -> None:
    result = load(REPO / catalogue)
    assert result.catalogue is not None
    named = {n.key for n in _objects(result.merged) if n.key[0] in HUB_KINDS}
    rendered = _rendered_hub_names(REPO / expected)
    assert rendered, expected
    assert named == rendered


def test_a_model_subscription_named_like_the_hub_subscription(tmp_path: Path) -> None:
    """Catalogue 'lrt' has Subscription 'lrt-hub' (it applies hub/synced/): model 'lrt' on
    target 'hub' would be the same object."""
    text = with_targets("hub") + MODEL.format(name="lrt", target="hub")
    assert findings(tmp_path, text) == [(30, 17, "R222")]
    (message,) = messages(tmp_path, text)
    assert "Subscription 'lrt-hub' of model 'lrt' on target 'hub'" in message
    assert "the catalogue's hub side at catalogue.yaml:4:9" in message


def test_a_model_named_like_the_hub_subscription(tmp_path: Path) -> None:
    """Model 'lrt-hub' labels its Subscriptions app=lrt-hub, as RHACM labels the hub
    Subscription 'lrt-hub': the model's Application, which selects on that label, would
    list the hub Subscription (and what it applies to the hub) as part of the model."""
    text = BASE + MODEL.format(name="lrt-hub", target="lrt")
    assert findings(tmp_path, text) == [(24, 13, "R222")]
    (message,) = messages(tmp_path, text)
    assert "R222 model 'lrt-hub' labels its Subscriptions app=lrt-hub, as " in message
    assert (
        "the hub Subscription lrt-hub (the catalogue's hub side at catalogue.yaml:4:9)" in message
    )
    assert "rename the model" in message
    argo = sub("    namespace: i4q-lrt\n", "    namespace: i4q-lrt\n    delivery: argocd\n")
    assert "R222" not in [code for *_, code in findings(tmp_path, argo + text[len(BASE) :])]
