"""ManagedClusterSets in the inventory: sets chosen by a label selector, sets the hub lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest

from edgemodels.catalogue.model import Requirement, Selector
from edgemodels.cli import EXIT_USAGE
from edgemodels.cli.plan import command
from edgemodels.inventory import load_inventory

REPO = Path(__file__).resolve().parents[3]
SET_LABEL = "cluster.open-cluster-management.io/clusterset"


def cluster(name: str, labels: str) -> str:
    return f"""\
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: {name}
    labels: {{{labels}, {SET_LABEL}: default, edgemodels.io/model-storage: 50Gi}}
"""


def cluster_set(name: str, selector: str = "") -> str:
    chooser = (
        f"{{selectorType: LabelSelector, labelSelector: {selector}}}"
        if selector
        else "{selectorType: ExclusiveClusterSetLabel}"
    )
    return f"""\
- apiVersion: cluster.open-cluster-management.io/v1beta2
  kind: ManagedClusterSet
  metadata: {{name: {name}}}
  spec:
    clusterSelector: {chooser}
"""


# What `kubectl get managedclusters,managedclustersets -o yaml` gives on a hub where the
# set lrt-sites holds every cluster labelled env=lrt, whatever its clusterset label says.
HUB = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
    [
        cluster("lrt-site-01", "env: lrt, line: assembly, kubernetes.io/arch: amd64"),
        cluster("lrt-site-02", "env: lrt, line: assembly, kubernetes.io/arch: arm64"),
        cluster(
            "paint-01",
            'line: paint, edgemodels.io/image-volumes: "true", kubernetes.io/arch: amd64',
        ),
        cluster_set("default"),
        cluster_set("global", "{}"),
        cluster_set("lrt-sites", "{matchExpressions: [{key: env, operator: In, values: [lrt]}]}"),
    ]
)


def plan(*args: str | Path) -> int:
    try:
        return int(command.main([str(a) for a in args], standalone_mode=False))
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples" / "lrt", tmp_path / "catalogue")
    (tmp_path / "clusters.yaml").write_text(HUB)
    return tmp_path


def use_sets(root: Path, sets: str, was: str = "default") -> None:
    path = root / "catalogue" / "catalogue.yaml"
    text = path.read_text()
    assert f"clusterSets: [{was}]" in text
    path.write_text(text.replace(f"clusterSets: [{was}]", f"clusterSets: [{sets}]"))


def test_the_sets_are_read_with_the_clusters(hub: Path) -> None:
    loaded, diags = load_inventory(hub / "clusters.yaml")
    assert diags == [] and loaded is not None
    assert [s.name for s in loaded.sites] == ["lrt-site-01", "lrt-site-02", "paint-01"]
    assert {s.name: s.selector for s in loaded.cluster_sets} == {
        "default": None,
        "global": Selector(),
        "lrt-sites": Selector((), (Requirement("env", "In", ("lrt",)),)),
    }


def test_a_label_selector_set_holds_the_sites_it_selects(
    hub: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every cluster carries clusterset=default, yet lrt-sites holds the two env=lrt ones:
    paint-01 gets nothing and its workload's model is missing there."""
    use_sets(hub, "lrt-sites")
    assert plan("-i", hub / "clusters.yaml", hub / "catalogue") == 1
    out = capsys.readouterr().out
    assert "  paint-01     0       (none)" in out
    assert "lrt-site-01  3       anomaly-scorer@0.9.0, defect-detector@3.0.1, sktime@1.4.2" in out
    assert (
        "D106 [warning] placement paint-shop selects no site of the inventory: the site it "
        "matches is outside spec.hub.clusterSets [lrt-sites] (the label selector of lrt-sites)"
    ) in out
    assert "D127" not in out


def test_by_label_alone_the_same_sites_are_all_in_default(
    hub: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the sets in the inventory the label decides: every site is in default and
    none in lrt-sites (the plan cannot know the set's selector)."""
    clusters = hub / "clusters.yaml"
    clusters.write_text(HUB.split("- apiVersion: cluster.open-cluster-management.io/v1beta2")[0])
    assert plan("-i", clusters, hub / "catalogue") == 0
    assert "  paint-01     1       paint-inspector@2.1.0" in capsys.readouterr().out


def test_a_set_the_hub_lacks_holds_no_site(hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """lrt-site (a typo) is not among the hub's sets: a Placement selects nothing through
    it, though clusters may carry the label; D127 points at hub.clusterSets."""
    use_sets(hub, "lrt-site, default")
    assert plan("-i", hub / "clusters.yaml", hub / "catalogue") == 0
    out = capsys.readouterr().out
    assert "  paint-01     1       paint-inspector@2.1.0" in out  # through default
    (line,) = [line for line in out.splitlines() if "D127" in line]
    assert line == (
        f"{hub / 'catalogue' / 'catalogue.yaml'}:18:18: D127 [warning] spec.hub.clusterSets "
        "names lrt-site, not among the ManagedClusterSets of the inventory (default, global, "
        "lrt-sites): the Placements select no site through it (create the set on the hub, "
        "or name one that exists)"
    )


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "  spec: {clusterSelector: {selectorType: Labels}}",
            "cluster set s: spec.clusterSelector.selectorType is 'Labels', expected "
            "ExclusiveClusterSetLabel or LabelSelector",
        ),
        (
            "  spec: {clusterSelector: {selectorType: LabelSelector, labelSelector: {"
            "matchExpressions: [{key: env, operator: In}]}}}",
            "cluster set s: spec.clusterSelector.labelSelector: each matchExpressions entry "
            "needs a key, an operator of In, NotIn, Exists or DoesNotExist, and values "
            "(strings) exactly for In and NotIn",
        ),
        (
            "  spec: {clusterSelector: {selectorType: LabelSelector, labelSelector: {"
            "matchLabels: {env: 1}}}}",
            "cluster set s: spec.clusterSelector.labelSelector: matchLabels must map label "
            "keys to string values",
        ),
        ("  metadata: {}", "ManagedClusterSet without metadata.name"),
    ],
)
def test_a_set_that_cannot_be_read_is_an_error(tmp_path: Path, item: str, message: str) -> None:
    """A set read wrong would place models on the wrong sites: refused, not skipped."""
    text = HUB + "- kind: ManagedClusterSet\n  metadata: {name: s}\n" + item + "\n"
    if item.startswith("  metadata"):
        text = HUB + "- kind: ManagedClusterSet\n" + item + "\n"
    path = tmp_path / "clusters.yaml"
    path.write_text(text)
    loaded, diags = load_inventory(path)
    assert loaded is None
    assert [(d.line, d.col, d.code, d.message) for d in diags] == [(34, 3, "D211", message)]


def test_a_label_selector_set_without_its_selector_holds_no_site(
    hub: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """OCM reads a missing labelSelector as a selector of nothing (LabelSelectorAsSelector
    of nil), where an empty one selects every cluster."""
    clusters = hub / "clusters.yaml"
    clusters.write_text(
        HUB + "- kind: ManagedClusterSet\n  metadata: {name: empty}\n"
        "  spec: {clusterSelector: {selectorType: LabelSelector}}\n"
    )
    use_sets(hub, "empty, global")
    plan("-i", clusters, hub / "catalogue")
    assert "  paint-01     1       paint-inspector@2.1.0" in capsys.readouterr().out
    use_sets(hub, "empty", was="empty, global")
    plan("-i", clusters, hub / "catalogue")
    out = capsys.readouterr().out
    assert "  lrt-site-01, lrt-site-02, paint-01  0       (none)" in out
    assert "D127" not in out


def test_a_set_listed_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "clusters.yaml"
    path.write_text(HUB + cluster_set("default"))
    loaded, diags = load_inventory(path)
    assert loaded is None
    assert [(d.line, d.code, d.message) for d in diags] == [
        (34, "D211", "cluster set default is listed twice (first at line 19)")
    ]


SITE_INVENTORY = """\
apiVersion: edgemodels.io/v1alpha1
kind: SiteInventory
sites:
  - name: lrt-site-01
    labels: {env: lrt, line: assembly, kubernetes.io/arch: amd64}
    capacity: {storage: 20Gi}
  - name: lrt-site-02
    labels: {env: lrt, line: assembly, kubernetes.io/arch: arm64}
    capacity: {storage: 20Gi}
    taints: [{key: maintenance, effect: NoSelect}]
  - name: paint-01
    labels: {line: paint, kubernetes.io/arch: amd64}
    imageVolumes: true
    capacity: {storage: 50Gi}
clusterSets:
  - name: default
  - name: lrt-sites
    labelSelector:
      matchExpressions: [{key: env, operator: In, values: [lrt]}]
"""


def test_a_site_inventory_lists_sets_and_taints(
    hub: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same facts in the edgemodels format: lrt-sites by its selector, lrt-site-02
    left out by its NoSelect taint, paint-01 outside the set."""
    inventory = hub / "sites.yaml"
    inventory.write_text(SITE_INVENTORY)
    loaded, diags = load_inventory(inventory)
    assert diags == [] and loaded is not None
    assert loaded.sites[1].taints == (("maintenance", "NoSelect"),)
    assert [(s.name, s.selector is None) for s in loaded.cluster_sets] == [
        ("default", True),
        ("lrt-sites", False),
    ]
    use_sets(hub, "lrt-sites")
    assert plan("-i", inventory, hub / "catalogue") == 1  # D104: the workloads' sites
    out = capsys.readouterr().out
    assert "  lrt-site-01            3       anomaly-scorer@0.9.0, defect-detector@3.0.1," in out
    assert "  lrt-site-02, paint-01  0       (none)" in out


def test_a_site_inventory_set_with_a_bad_selector_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(SITE_INVENTORY.replace("values: [lrt]", "values: []"))
    loaded, diags = load_inventory(path)
    assert loaded is None
    assert [(d.line, d.col, d.code) for d in diags] == [(17, 5, "D211")]
