"""Reading site inventories and workload exports: positions, facts, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgemodels import inputfile, managedclusters
from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import InputError
from edgemodels.inventory import load_inventory
from edgemodels.workloadsites import load_workload_sites

SITE_INVENTORY = """\
apiVersion: edgemodels.io/v1alpha1
kind: SiteInventory
sites:
  - name: lrt-01
    labels: {env: lrt, cluster.open-cluster-management.io/clusterset: edge}
    capacity: {storage: 20Gi}
    arch: arm64
    imageVolumes: true
    production: true
  - name: lrt-02
"""


def write(tmp_path: Path, text: str | bytes, name: str = "sites.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def where(diags: list[Diagnostic]) -> list[tuple[int, int, str]]:
    return [(d.line, d.col, d.code) for d in diags]


def test_site_inventory(tmp_path: Path) -> None:
    loaded, diags = load_inventory(write(tmp_path, SITE_INVENTORY), "sites.yaml")
    assert diags == []
    assert loaded is not None
    first, second = loaded.sites
    assert first.name == "lrt-01"
    assert first.location.line == 4 and first.location.path == "sites.yaml"
    assert first.label_map() == {
        "env": "lrt",
        "cluster.open-cluster-management.io/clusterset": "edge",
        "name": "lrt-01",  # as OCM labels every ManagedCluster
        "kubernetes.io/arch": "arm64",  # facts become labels targets can select on
        "edgemodels.io/image-volumes": "true",
        "edgemodels.io/production": "true",
    }
    assert (first.capacity, first.arch, first.image_volumes, first.production) == (
        20 * 2**30,
        "arm64",
        True,
        True,
    )
    assert second.label_map() == {"name": "lrt-02"}
    assert (second.capacity, second.image_volumes, second.production) == (None, None, False)


def test_fact_contradicting_its_label(tmp_path: Path) -> None:
    text = SITE_INVENTORY.replace("{env: lrt,", "{kubernetes.io/arch: amd64, env: lrt,")
    loaded, diags = load_inventory(write(tmp_path, text), "sites.yaml")
    assert loaded is None
    assert where(diags) == [(5, 34, "D203")]
    assert "kubernetes.io/arch=amd64 contradicts arch: arm64" in diags[0].message


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("  - name: a\n    zone: x\n", (12, 5, "S001")),  # unknown field, at its key
        ("  - name: a\n    labels: {gpu: true}\n", (12, 19, "S003")),  # a boolean, not a string
        ("  - name: a\n    labels: {gpu: 1.10}\n", (12, 19, "S003")),
        ("  - name: a\n    labels: {Bad Key: x}\n", (12, 14, "S004")),  # at the key
        ("  - name: a\n    labels: {k: 'with space'}\n", (12, 17, "S004")),
        ("  - labels: {}\n", (11, 5, "S002")),
        ("  - name: Upper_Case\n", (11, 11, "S004")),
        ("  - name: a\n    capacity: {storage: lots}\n", (12, 25, "S004")),
        ("  - name: a\n    imageVolumes: 'yes'\n", (12, 19, "S003")),
    ],
)
def test_schema_findings_point_at_the_value(
    tmp_path: Path, site: str, expected: tuple[int, int, str]
) -> None:
    loaded, diags = load_inventory(write(tmp_path, SITE_INVENTORY + site), "sites.yaml")
    assert loaded is None
    assert expected in where(diags), [d.render() for d in diags]


def test_duplicate_site(tmp_path: Path) -> None:
    loaded, diags = load_inventory(write(tmp_path, SITE_INVENTORY + "  - name: lrt-01\n"))
    assert loaded is None
    assert where(diags) == [(11, 5, "D202")]
    assert "first at line 4" in diags[0].message


MANAGED_CLUSTERS = """\
apiVersion: v1
items:
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    creationTimestamp: "2026-01-05T10:00:00Z"
    labels:
      cluster.open-cluster-management.io/clusterset: edge
      edgemodels.io/model-storage: 8Gi
      env: lrt
      feature.open-cluster-management.io/addon-work-manager: available
      kubernetes.io/arch: arm64
      name: lrt-01
    name: lrt-01
  spec:
    hubAcceptsClient: true
    leaseDurationSeconds: 60
  status:
    conditions:
    - {type: ManagedClusterConditionAvailable, status: "True"}
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: paint-01
    labels: {edgemodels.io/production: "true", edgemodels.io/image-volumes: "false"}
kind: List
metadata:
  resourceVersion: ""
"""


def test_managed_cluster_list(tmp_path: Path) -> None:
    loaded, diags = load_inventory(write(tmp_path, MANAGED_CLUSTERS), "clusters.yaml")
    assert diags == []
    assert loaded is not None and loaded.kind == "List"
    lrt, paint = loaded.sites
    assert lrt.label_map()["cluster.open-cluster-management.io/clusterset"] == "edge"
    assert (lrt.capacity, lrt.arch, lrt.image_volumes, lrt.production) == (
        8 * 2**30,
        "arm64",
        None,
        False,
    )
    assert lrt.location.line == 3
    assert paint.label_map()["name"] == "paint-01"  # added when the export lacks it
    assert (paint.production, paint.image_volumes) == (True, False)


def test_one_managed_cluster(tmp_path: Path) -> None:
    text = "kind: ManagedCluster\nmetadata: {name: solo, labels: {env: lab}}\n"
    loaded, diags = load_inventory(write(tmp_path, text))
    assert diags == [] and loaded is not None
    assert loaded.sites[0].label_map() == {"env": "lab", "name": "solo"}


def test_managed_cluster_problems(tmp_path: Path) -> None:
    text = """\
kind: List
items:
- kind: ConfigMap
  metadata: {name: stray}
- kind: ManagedCluster
  metadata: {labels: {a: b}}
- kind: ManagedCluster
  metadata:
    name: c1
    labels: {gpu: true, edgemodels.io/model-storage: huge}
- kind: ManagedCluster
  metadata: {name: c1}
"""
    loaded, diags = load_inventory(write(tmp_path, text))
    assert loaded is None
    assert sorted(where(diags)) == [
        (3, 3, "D206"),  # a warning: skipped
        (5, 3, "S002"),  # no name
        (10, 19, "S003"),  # label value not a string
        (10, 54, "D204"),  # storage label is not a quantity
        (11, 3, "D202"),  # c1 twice
    ]
    assert next(d for d in diags if d.code == "D206").severity == "warning"


def test_a_folder_given_as_inventory_cannot_be_read(tmp_path: Path) -> None:
    for read in (load_inventory, load_workload_sites):
        with pytest.raises(InputError, match="cannot read: Is a directory"):
            read(tmp_path)


def test_an_inventory_in_utf16_says_to_save_it_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_bytes(SITE_INVENTORY.encode("utf-16"))
    loaded, diags = load_inventory(path, "sites.yaml")
    assert loaded is None
    assert [d.render() for d in diags] == [
        "sites.yaml:1:1: Y004 file is UTF-16 (it starts with UTF-16's byte order mark), not "
        "UTF-8: save it as UTF-8"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apiVersion: v1\nkind: List\nitems: []\n", [(3, 8, "D209")]),
        ("kind: ManagedClusterList\nitems: []\n", [(2, 8, "D209")]),
        (
            "apiVersion: edgemodels.io/v1alpha1\nkind: SiteInventory\nsites: []\n",
            [(3, 8, "D209")],
        ),
        ("kind: List\nitems:\n  - kind: Secret\n", [(3, 3, "D209"), (3, 5, "D206")]),
    ],
)
def test_an_inventory_without_sites_is_an_error(
    tmp_path: Path, text: str, expected: list[tuple[int, int, str]]
) -> None:
    loaded, diags = load_inventory(write(tmp_path, text))
    assert loaded is None
    assert sorted(where(diags)) == expected


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\xff\xfe\x00garbage", "Y004"),
        ("sites: [unclosed\n", "Y001"),
        ("", "Y005"),
        ("- just\n- a list\n", "D201"),
        ("kind: Deployment\n", "D201"),
        ("kind: List\nitems: 3\n", "S002"),
        (
            "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
            "Y007",
        ),
        ("a: " + "[" * 200 + "]" * 200 + "\n", "Y009"),
        ("kind: SiteInventory\nkind: SiteInventory\n", "Y002"),
        (
            "apiVersion: edgemodels.io/v1alpha1\nkind: SiteInventory\nsites:\n  - name: a\n"
            "    labels: {k: " + "v" * 100_000 + "}\n",
            "S004",
        ),
    ],
)
def test_hostile_input_gives_findings(tmp_path: Path, content: str | bytes, code: str) -> None:
    loaded, diags = load_inventory(write(tmp_path, content))
    assert loaded is None
    assert code in {d.code for d in diags}
    assert all(len(d.message) <= 300 for d in diags)


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputfile, "MAX_INPUT_BYTES", 100)
    loaded, diags = load_inventory(write(tmp_path, SITE_INVENTORY))
    assert loaded is None and [d.code for d in diags] == ["Y008"]


def test_site_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(managedclusters, "MAX_SITES", 1)
    text = "kind: List\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n"
    loaded, diags = load_inventory(write(tmp_path, text))
    assert loaded is None and where(diags) == [(4, 3, "D205")]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        alphabet=st.sampled_from("kind:SiteInventory ManagedCluster\n-{}[]&*!'\"#a1 \t"),
        max_size=200,
    )
)
def test_random_text_never_raises(tmp_path: Path, text: str) -> None:
    loaded, diags = load_inventory(write(tmp_path, text))
    assert loaded is not None or diags


WORKLOADS = """\
apiVersion: edgemodels.io/v1alpha1
kind: WorkloadPlacement
workloads:
  - name: quality-inspection
    sites: [lrt-01, lrt-02]
  - name: paint-monitor
    sites: []
"""


def test_workload_sites(tmp_path: Path) -> None:
    loaded, diags = load_workload_sites(write(tmp_path, WORKLOADS, "w.yaml"), "w.yaml")
    assert diags == [] and loaded is not None
    assert [(w.name, w.sites, w.location.line) for w in loaded] == [
        ("quality-inspection", ("lrt-01", "lrt-02"), 4),
        ("paint-monitor", (), 6),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (WORKLOADS + "  - name: paint-monitor\n    sites: [a]\n", (8, 5, "D208")),
        (WORKLOADS.replace("WorkloadPlacement", "SiteInventory"), (1, 1, "D207")),
        (WORKLOADS.replace("[lrt-01, lrt-02]", "lrt-01"), (5, 12, "S003")),
        (WORKLOADS + "  - name: x\n", (8, 5, "S002")),
    ],
)
def test_workload_sites_problems(tmp_path: Path, text: str, expected: tuple[int, int, str]) -> None:
    loaded, diags = load_workload_sites(write(tmp_path, text, "w.yaml"))
    assert loaded is None
    assert expected in where(diags), [d.render() for d in diags]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # said "'sites' is a required property" too
            "sites:",
            "site:",
            ["sites.yaml:3:1: S001 unknown field 'site'; did you mean 'sites'?"],
        ),
        (  # said "does not have the expected form (^\+?([0-9]+...)"
            "storage: 20Gi",
            "storage: 20GB",
            [
                "sites.yaml:6:25: S004 sites[0].capacity.storage: '20GB' is not a Kubernetes "
                "quantity such as 500m, 2, 256Mi; did you mean '20Gi'? (Ki, Mi, Gi are powers "
                "of 1024; no 'B')"
            ],
        ),
        (  # the catalogue's quantity: an exponent newer API servers take (kubectl 1.33: 10)
            "storage: 20Gi",
            "storage: '1e4294967297'",
            [
                "sites.yaml:6:25: S004 sites[0].capacity.storage: '1e4294967297' is not a "
                "Kubernetes quantity such as 500m, 2, 256Mi; it has an exponent beyond "
                "±2147483647: newer API servers refuse it, and older ones cut the exponent to "
                "32 bits and read it as 10"
            ],
        ),
        (  # within ±2147483647, but kubectl 1.32 and 1.33 take 11 s to parse and print it
            "storage: 20Gi",
            "storage: '1234567890123456789e250000'",
            [
                "sites.yaml:6:25: S004 sites[0].capacity.storage: '1234567890123456789e250000' "
                "takes the API server a long time to parse (to write it out, as it does to "
                "store it, it strips 250009 factors of ten one division at a time)"
            ],
        ),
        (
            "storage: 20Gi",
            'storage: "\\t20Gi"',  # a tab reaches the API server escaped: no space to it
            [
                "sites.yaml:6:25: S004 sites[0].capacity.storage: '\\t20Gi' is not a Kubernetes "
                "quantity such as 500m, 2, 256Mi; the API server trims spaces around it but not a "
                "tab or line break (JSON sends those escaped, as \\t): write '20Gi'"
            ],
        ),
        (
            "    labels: {env",
            "    label: {env",
            ["sites.yaml:5:5: S001 unknown field 'label' in sites[0]; did you mean 'labels'?"],
        ),
        (
            "production: true",
            "production: 'yes'",
            ["sites.yaml:9:17: S003 sites[0].production: expected boolean, got string 'yes'"],
        ),
        (  # labels as kubectl shows them: said "expected string, got null" after the key,
            # and the key's S004 and the value's S003 are one mistake, said once
            "labels: {env: lrt,",
            "labels: {env=lrt,",
            [
                "sites.yaml:5:14: S004 sites[0].labels: key 'env=lrt' is not a valid label key "
                "(YAML read 'env=lrt' as a key without a value: YAML pairs a key and its value "
                "with ': ', not '='; write {env: lrt})",
            ],
        ),
        (  # two such keys: each said once, at its own place
            "labels: {env: lrt,",
            "labels: {env=lrt, line=assembly,",
            [
                "sites.yaml:5:14: S004 sites[0].labels: key 'env=lrt' is not a valid label key "
                "(YAML read 'env=lrt' as a key without a value: YAML pairs a key and its value "
                "with ': ', not '='; write {env: lrt})",
                "sites.yaml:5:23: S004 sites[0].labels: key 'line=assembly' is not a valid label "
                "key (YAML read 'line=assembly' as a key without a value: YAML pairs a key and "
                "its value with ': ', not '='; write {line: assembly})",
            ],
        ),
    ],
)
def test_inventory_schema_findings_say_what_to_write(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    text = SITE_INVENTORY.replace(old, new, 1)
    _, diags = load_inventory(write(tmp_path, text), "sites.yaml")
    assert [d.render() for d in diags] == expected


@pytest.mark.parametrize(
    ("storage", "capacity"),
    [("21474836480", 20 * 2**30), ("2.5e9", 2_500_000_000), ("1e9", 10**9), ("'+1Gi'", 2**30),
     ("100u", 1), ("'-0'", 0), ("-0Gi", 0),  # -0 is zero to the API server
     ("' 20Gi '", 20 * 2**30), ('"\\u00a020Gi"', 20 * 2**30)],  # spaces it trims
)  # fmt: skip
def test_a_capacity_is_any_quantity_the_api_server_takes(
    tmp_path: Path, storage: str, capacity: int
) -> None:
    """A number too (`storage: 21474836480`), as in the catalogue."""
    text = SITE_INVENTORY.replace("storage: 20Gi", f"storage: {storage}")
    loaded, diags = load_inventory(write(tmp_path, text), "sites.yaml")
    assert diags == [] and loaded is not None
    assert loaded.sites[0].capacity == capacity


@pytest.mark.parametrize(
    ("storage", "said"),
    [("-1", "-1 is not a Kubernetes quantity such as 500m, 2, 256Mi (Kubernetes refuses a "
      "negative amount)"),
     (".inf", ".inf is not a Kubernetes quantity such as 500m, 2, 256Mi (YAML reads .inf as an "
      "infinity, which no quantity is)"),
     ("true", "true is not a Kubernetes quantity such as 500m, 2, 256Mi (got boolean)")],
)  # fmt: skip
def test_a_capacity_the_api_server_refuses_is_refused(
    tmp_path: Path, storage: str, said: str
) -> None:
    text = SITE_INVENTORY.replace("storage: 20Gi", f"storage: {storage}")
    _, diags = load_inventory(write(tmp_path, text), "sites.yaml")
    assert [d.render().split(": ", 2)[-1] for d in diags] == [said]


TAINTED_CLUSTERS = """\
kind: List
items:
- kind: ManagedCluster
  metadata: {name: gpu-01, labels: {gpu: a100}}
  spec:
    taints:
    - {key: maintenance, value: "true", effect: NoSelect, timeAdded: "2026-11-29T10:00:00Z"}
    - {key: cluster.open-cluster-management.io/unreachable, effect: NoSelect}
    - {key: slow-link, effect: PreferNoSelect}
- kind: ManagedCluster
  metadata: {name: gpu-02, labels: {gpu: t4}}
  spec: {taints: "not a list"}
"""


def test_managed_cluster_taints_are_read(tmp_path: Path) -> None:
    loaded, diags = load_inventory(write(tmp_path, TAINTED_CLUSTERS))
    assert diags == [] and loaded is not None
    tainted, untainted = loaded.sites
    assert tainted.taints == (
        ("maintenance", "NoSelect"),
        ("cluster.open-cluster-management.io/unreachable", "NoSelect"),
        ("slow-link", "PreferNoSelect"),
    )
    assert untainted.taints == ()  # a malformed spec.taints is the API server's to refuse


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (  # was taken as no labels: the site got no model, and nothing said why
            "  metadata: {name: a, labels: [env, lrt]}\n",
            "c.yaml:4:31: S003 cluster a: metadata.labels: expected mapping, got list",
        ),
        (  # was a site named ''
            "  metadata: {name: ''}\n",
            "c.yaml:4:20: S003 metadata.name: expected a name, got an empty string",
        ),
        (  # said 'without metadata.name'
            "  metadata: {name: 5}\n",
            "c.yaml:4:20: S003 metadata.name: expected a name, got integer 5",
        ),
        (  # said 'has a bool value'
            "  metadata: {name: a, labels: {gpu: true}}\n",
            "c.yaml:4:37: S003 cluster a: label gpu: expected string, got boolean (put it in "
            "quotes)",
        ),
        (  # said 'has a PosMap value'
            "  metadata: {name: a, labels: {gpu: {x: y}}}\n",
            "c.yaml:4:37: S003 cluster a: label gpu: expected string, got mapping",
        ),
    ],
)
def test_a_managed_cluster_export_mistake_is_said_in_yaml_terms(
    tmp_path: Path, item: str, expected: str
) -> None:
    text = "kind: List\nitems:\n- kind: ManagedCluster\n" + item
    loaded, diags = load_inventory(write(tmp_path, text), "c.yaml")
    assert loaded is None
    assert [d.render() for d in diags] == [expected]


def test_a_null_item_is_named_as_yaml_names_it(tmp_path: Path) -> None:
    text = "kind: List\nitems:\n- null\n- kind: ManagedCluster\n  metadata: {name: a}\n"
    loaded, diags = load_inventory(write(tmp_path, text), "c.yaml")
    assert loaded is not None
    assert [d.render() for d in diags] == [
        "c.yaml:3:3: D206 [warning] not a ManagedCluster (a null); skipped"
    ]


def test_bindings_and_placements_in_the_export_are_passed_over_quietly(tmp_path: Path) -> None:
    """`kubectl get managedclusters,managedclustersets,managedclustersetbindings -A` gave a
    warning per binding."""
    text = """\
kind: List
items:
- {kind: ManagedCluster, metadata: {name: a}}
- {kind: ManagedClusterSetBinding, metadata: {name: default, namespace: models}}
- {kind: Placement, metadata: {name: p, namespace: models}}
- {kind: PlacementDecision, metadata: {name: p-1, namespace: models}}
- {kind: ConfigMap, metadata: {name: stray}}
"""
    loaded, diags = load_inventory(write(tmp_path, text), "c.yaml")
    assert loaded is not None and [s.name for s in loaded.sites] == ["a"]
    assert where(diags) == [(7, 3, "D206")]


@pytest.mark.parametrize(
    ("text", "got"),
    [
        ("apiVersion: v1\nkind: Secret\ndata: {kubeconfig: YWJj}\n", "got kind Secret"),
        (
            "apiVersion: v1\nkind: Config\nclusters: []\ncurrent-context: hub\n",
            "got a kubeconfig (kind Config)",
        ),
        (
            "NAME   HUB ACCEPTED   JOINED   AVAILABLE   AGE\n",
            "got plain text (kubectl's table or a message: ask for -o yaml)",
        ),
        ("metadata: {name: a}\n", "got a mapping without a kind"),
        ("- a\n", "got a list"),
    ],
)
def test_a_file_that_is_no_inventory_is_said_to_be_what_it_is(
    tmp_path: Path, text: str, got: str
) -> None:
    loaded, diags = load_inventory(write(tmp_path, text), "c.yaml")
    assert loaded is None
    assert [(d.code, d.message.rpartition("; ")[2]) for d in diags] == [("D201", got)]


def test_one_cluster_per_document_is_told_what_an_inventory_is(tmp_path: Path) -> None:
    text = "kind: ManagedCluster\nmetadata: {name: a}\n---\nkind: ManagedCluster\nmetadata: {name: b}\n"
    loaded, diags = load_inventory(write(tmp_path, text), "c.yaml")
    assert loaded is None
    assert [d.render() for d in diags] == [
        "c.yaml:3:1: Y006 more than one YAML document: an inventory is one, a List of every "
        "cluster (`kubectl get managedclusters -o yaml`)"
    ]


def test_an_inventory_ended_with_a_separator_is_told_to_delete_it(tmp_path: Path) -> None:
    """Not "an inventory is one, a List of every cluster": it is one, and a '---' too many."""
    text = "apiVersion: edgemodels.io/v1alpha1\nkind: SiteInventory\nsites: []\n---\n"
    _, diags = load_inventory(write(tmp_path, text), "c.yaml")
    assert [d.render() for d in diags] == [
        "c.yaml:4:1: Y006 this '---' starts a second YAML document, an empty one: delete it "
        "(a file holds one document)"
    ]
