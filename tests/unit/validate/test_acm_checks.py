"""What schemas cannot express: inline objects, expected (line, col, code).

These go through `validate_documents`, the entry point for callers that already hold
parsed documents, so no chart is rendered and nothing is re-parsed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edgemodels.validate.manifests import Manifest, Source
from edgemodels.validate.objectnames import check_object_name
from edgemodels.validate.run import ParsedDocument, ValidateOptions, validate_documents

HUB = """\
apiVersion: apps.open-cluster-management.io/v1
kind: Channel
metadata:
  name: demo
  namespace: hub
spec:
  type: Git
  pathname: https://git.example.com/demo.git
---
apiVersion: cluster.open-cluster-management.io/v1beta2
kind: ManagedClusterSetBinding
metadata:
  name: default
  namespace: hub
spec:
  clusterSet: default
---
apiVersion: cluster.open-cluster-management.io/v1beta1
kind: Placement
metadata:
  name: edge
  namespace: hub
spec:
  clusterSets:
  - default
---
apiVersion: apps.open-cluster-management.io/v1
kind: Subscription
metadata:
  name: web-edge
  namespace: hub
  annotations:
    apps.open-cluster-management.io/git-path: models/web/chart
    apps.open-cluster-management.io/git-branch: main
spec:
  channel: hub/demo
  placement:
    placementRef:
      kind: Placement
      apiVersion: cluster.open-cluster-management.io/v1beta1
      name: edge
"""


def run(
    text: str, options: ValidateOptions, root: Path | None = None
) -> list[tuple[int, int, str]]:
    documents = [
        ParsedDocument("hub.yaml", data, text, index)
        for index, data in enumerate(yaml.safe_load_all(text))
        if data is not None
    ]
    return [(d.line, d.col, d.code) for d in validate_documents(documents, options, root)]


def test_consistent_hub_has_no_findings(options: ValidateOptions) -> None:
    assert run(HUB, options) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  channel: hub/demo", "  channel: demo", (36, 12, "K301")),
        ("  channel: hub/demo", "  channel: hub/other", (36, 12, "K302")),
        ("      name: edge\n", "      name: nowhere\n", (41, 13, "K304")),
        # PlacementRule with the Placement apiVersion: the pair is what RHACM cannot resolve
        (
            "      kind: Placement\n      apiV",
            "      kind: PlacementRule\n      apiV",
            (40, 19, "K303"),
        ),
        ("      kind: Placement\n", "", (38, 5, "K303")),  # empty kind reads as PlacementRule
        ("      name: edge\n", "      name: edge\n      namespace: other\n", (42, 18, "K305")),
        ("  clusterSet: default", "  clusterSet: prod", (16, 15, "K306")),
        ("  - default\n---\napiVersion: apps", "  - gpu\n---\napiVersion: apps", (25, 5, "K307")),
        (
            "    apps.open-cluster-management.io/git-path: models/web/chart\n",
            "    x: y\n",
            (32, 3, "K310"),
        ),
        ("  placement:\n", "  placement:\n    local: true\n", (38, 12, "K313")),
        ("  name: web-edge", "  name: web-edge\n  labels:\n    app: " + "x" * 64, (32, 10, "K312")),
        # without git-branch RHACM clones the default branch (a warning: it may be the one)
        ("    apps.open-cluster-management.io/git-branch: main\n", "", (32, 3, "K327")),
    ],
)
def test_each_check(
    options: ValidateOptions, old: str, new: str, expected: tuple[int, int, str]
) -> None:
    assert old in HUB
    assert run(HUB.replace(old, new, 1), options) == [expected]


def test_git_paths_are_checked_against_the_tree(options: ValidateOptions, tmp_path: Path) -> None:
    (tmp_path / "models" / "web" / "chart").mkdir(parents=True)
    assert run(HUB, options, tmp_path) == [(33, 47, "K309")]  # a folder, but no Chart.yaml
    (tmp_path / "models" / "web" / "chart" / "Chart.yaml").write_text("name: web\n")
    assert run(HUB, options, tmp_path) == []
    escaping = HUB.replace("git-path: models/web/chart", "git-path: ../elsewhere")
    assert run(escaping, options, tmp_path) == [(33, 47, "K310")]


def test_fields_the_real_crds_accept_are_accepted(options: ValidateOptions) -> None:
    windowed = HUB.replace(
        "spec:\n  channel: hub/demo",
        "spec:\n  channel: hub/demo\n  timewindow:\n    windowtype: blocked\n"
        "    hours: [{start: '10:00PM', end: '5:30AM'}]\n  allow: [{apiVersion: v1, kinds: [Service]}]",
    )
    spread = windowed.replace(
        "  clusterSets:\n  - default\n",
        "  clusterSets:\n  - default\n  spreadPolicy:\n    spreadConstraints:\n"
        "    - {topologyKey: zone, topologyKeyType: Label}\n"
        "  prioritizerPolicy: {mode: Exact, configurations: [{scoreCoordinate: {type: BuiltIn}}]}\n",
    )
    assert run(spread, options) == []
    typo = spread.replace("topologyKeyType: Label", "topologyKeyType: Zone")
    assert [code for _, _, code in run(typo, options)] == ["K104"]


def test_a_branch_is_needed_only_by_git_subscriptions(options: ValidateOptions) -> None:
    unbranched = HUB.replace("    apps.open-cluster-management.io/git-branch: main\n", "")
    legacy = HUB.replace("/git-branch: main", "/github-branch: main")
    helm_repo = unbranched.replace("  type: Git\n", "  type: HelmRepo\n")
    assert run(legacy, options) == []
    assert run(helm_repo, options) == [(7, 9, "K104")]  # our schema: edgemodels emits Git only
    channel_elsewhere = unbranched.replace("  channel: hub/demo", "  channel: other/demo")
    assert (32, 3, "K327") in run(channel_elsewhere, options)  # its git-path says Git


def test_a_helm_subscription_names_its_chart(options: ValidateOptions, tmp_path: Path) -> None:
    chart = tmp_path / "models" / "web" / "chart"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.0.0\n")
    named = HUB.replace("spec:\n  channel: hub/demo", "spec:\n  channel: hub/demo\n  name: web")
    assert run(named, options, tmp_path) == []
    assert run(named.replace("  name: web\n", "  name: webx\n"), options, tmp_path) == [
        (37, 9, "K326")
    ]
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: other\nversion: 1.0.0\n")
    assert run(named, options, tmp_path) == [(37, 9, "K326")]


def test_the_tree_folder_comes_from_the_manifest_when_declared(
    options: ValidateOptions, tmp_path: Path
) -> None:
    (tmp_path / "models" / "web" / "chart").mkdir(parents=True)
    (tmp_path / "models" / "web" / "chart" / "Chart.yaml").write_text("name: web\n")
    (tmp_path / ".edgemodels").mkdir()
    (tmp_path / ".edgemodels" / "manifest.json").write_text('{"gitPath": "deploy/edge"}')
    assert run(HUB, options, tmp_path) == [(33, 47, "K310")]  # not under deploy/edge
    moved = HUB.replace("git-path: models/web/chart", "git-path: deploy/edge/models/web/chart")
    assert run(moved, options, tmp_path) == []


def test_name_budgets(options: ValidateOptions) -> None:
    app = (
        "apiVersion: app.k8s.io/v1beta1\nkind: Application\nmetadata:\n"
        f"  name: {'a' * 38}\n  namespace: hub\nspec:\n  componentKinds: []\n  selector: {{}}\n"
    )
    assert run(app, options) == [(4, 9, "K311")]  # 38 > 37, the RHACM console's limit
    assert run(app.replace("a" * 38, "a" * 37), options) == []


def test_the_same_object_twice(options: ValidateOptions) -> None:
    channel = HUB.split("---\n")[0]
    assert run(channel + "---\n" + channel, options) == [(13, 9, "K315")]


ARGO = """\
apiVersion: cluster.open-cluster-management.io/v1beta2
kind: ManagedClusterSetBinding
metadata:
  name: default
  namespace: gitops
spec:
  clusterSet: default
---
apiVersion: cluster.open-cluster-management.io/v1beta1
kind: Placement
metadata:
  name: edge
  namespace: gitops
spec:
  clusterSets:
  - default
---
apiVersion: apps.open-cluster-management.io/v1beta1
kind: GitOpsCluster
metadata:
  name: edge
  namespace: gitops
spec:
  argoServer:
    argoNamespace: gitops
  placementRef:
    kind: Placement
    apiVersion: cluster.open-cluster-management.io/v1beta1
    name: edge
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web-edge
  namespace: gitops
spec:
  generators:
  - clusterDecisionResource:
      configMapRef: acm-placement
      labelSelector:
        matchLabels:
          cluster.open-cluster-management.io/placement: edge
  template:
    metadata:
      name: web-edge-{{name}}
    spec:
      project: default
      source:
        repoURL: https://git.example.com/demo.git
        targetRevision: deploy
        path: models/web/chart
        helm:
          valuesObject:
            replicas: 2
      destination:
        server: "{{server}}"
        namespace: models
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
        syncOptions:
        - CreateNamespace=true
  syncPolicy:
    preserveResourcesOnDeletion: true
"""


def test_gitops_cluster_and_application_set(options: ValidateOptions, tmp_path: Path) -> None:
    assert run(ARGO, options) == []
    gone = ARGO.replace("    name: edge\n---", "    name: gone\n---")
    # K318 (argocd_checks): then no GitOpsCluster registers the clusters of Placement edge
    assert run(gone, options) == [(29, 11, "K304"), (42, 57, "K318")]
    assert run(ARGO.replace("argoNamespace: gitops", "argoNamespace: argocd"), options) == [
        (25, 20, "K307"),
        (42, 57, "K318"),
    ]
    unplaced = ARGO.replace("placement: edge", "placement: nowhere")
    assert run(unplaced, options) == [(42, 57, "K304")]
    assert run(ARGO, options, tmp_path) == [(51, 15, "K308")]  # source path not in the tree


SERVED = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  defaultBackend: {service: {name: web, port: {name: http}}}
  rules:
  - http:
      paths:
      - {path: /a, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  name: web\nspec:\n  ports", "  name: 3d-web\nspec:\n  ports", [(4, 9, "K328")]),
        (
            "defaultBackend: {service: {name: web",
            "defaultBackend: {service: {name: 3d",
            [(13, 36, "K328")],
        ),
        ("backend: {service: {name: web", "backend: {service: {name: 9-web", [(17, 64, "K328")]),
        ("  name: web\nspec:\n  ports", "  name: web-\nspec:\n  ports", [(4, 9, "K328")]),
        (
            "  name: web\nspec:\n  ports",
            "  name: w" + "e" * 63 + "\nspec:\n  ports",
            [(4, 9, "K328")],
        ),
        # other kinds take DNS-1123 names: a leading digit is fine there
        ("  name: web\nspec:\n  defaultBackend", "  name: 3d-web\nspec:\n  defaultBackend", []),
    ],
)
def test_service_names_are_dns_1035_labels(
    options: ValidateOptions, old: str, new: str, expected: list[tuple[int, int, str]]
) -> None:
    assert old in SERVED
    found = run(SERVED.replace(old, new, 1), options)
    assert [f for f in found if f[2] == "K328"] == expected


@pytest.mark.parametrize(
    ("kind", "name", "refused"),
    [
        ("Deployment", "web", False),
        ("Deployment", "web.v1", False),
        ("Deployment", "3d-web", False),  # a DNS-1123 subdomain may start with a digit
        ("Deployment", "Web", True),
        ("ConfigMap", "web_model", True),
        ("Placement", "web-", True),
        ("Namespace", "edge.models", True),  # a DNS-1123 label: no dot
        ("Namespace", "edge-models", False),
        ("ClusterRole", "system:edge", False),  # RBAC names are path segments
        ("RoleBinding", "a/b", True),
        ("Service", "Web", False),  # K328's
    ],
)
def test_object_names_the_api_server_refuses(kind: str, name: str, refused: bool) -> None:
    text = f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: '{name}'\n"
    manifest = Manifest(
        {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}, Source("x.yaml", text)
    )
    found = check_object_name(manifest)
    assert [(d.code, d.line, d.col) for d, _ in found] == ([("K329", 4, 9)] if refused else [])


def test_a_name_the_projects_own_schema_checks_is_one_finding(options: ValidateOptions) -> None:
    text = (
        "apiVersion: cluster.open-cluster-management.io/v1beta1\nkind: Placement\n"
        "metadata:\n  name: Web\n  namespace: hub\nspec:\n  clusterSets: [default]\n"
    )
    found = [f for f in run(text, options) if f[2] in ("K105", "K329")]
    assert found == [(4, 9, "K105")]
