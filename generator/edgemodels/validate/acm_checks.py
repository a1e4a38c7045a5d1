"""What RHACM needs that no schema can express (stolostron/multicloud-operators-subscription
`pkg/controller/mcmhub/placement.go`, open-cluster-management-io/api `cluster/v1beta1`,
stolostron/multicloud-integrations `pkg/controller/gitopscluster`).

Each check reads the hub objects of the tree as a whole: a Subscription's channel must be
`namespace/name` and exist, its placementRef must name a Placement or PlacementRule of its
own namespace, every Placement's namespace must bind its cluster sets, and no object may be
defined twice. What each git-path holds is packagefolders.py's, and the checks of one
object at a time (names, labels, quantities) are objectchecks.py's, which acm_findings
runs with these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from edgemodels.validate.gitpaths import GIT_PATH, GITHUB_PATH, SUBSCRIPTION, PackageRef
from edgemodels.validate.hubindex import (
    APPS,
    BINDING,
    CHANNEL,
    CLUSTER,
    GITOPS_CLUSTER,
    PLACEMENT,
    PLACEMENT_RULE,
    Index,
    string_at,
)
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.objectchecks import name_findings
from edgemodels.validate.packagefolders import check_package
from edgemodels.validate.pointers import Pointer, value_at
from edgemodels.validate.report import Finding, finding

APPLICATION_SET = ("argoproj.io/v1alpha1", "ApplicationSet")
PLACEMENT_LABEL = f"{CLUSTER}/placement"
GIT_BRANCH = f"{APPS}/git-branch"
GITHUB_BRANCH = f"{APPS}/github-branch"  # the legacy name RHACM still reads
GIT_CHANNEL_TYPES = {"git", "github"}
# placementRef apiVersions the subscription controller accepts, per kind
# (stolostron/multicloud-operators-subscription `getClustersFromPlacementRef`).
REF_API_VERSIONS = {
    "Placement": {"", PLACEMENT[0]},
    "PlacementRule": {"", PLACEMENT_RULE[0]},
}


def check_channel(sub: Manifest, index: Index) -> list[Finding]:
    pointer: Pointer = ("spec", "channel")
    channel = string_at(sub.data, pointer)
    if channel is None:
        return []  # the schema reports a missing or mistyped channel
    parts = channel.split("/")
    if len(parts) != 2 or not all(parts):
        message = (
            f"spec.channel '{channel}' is not 'namespace/name': RHACM resolves it to no channel"
        )
        return [finding(sub, pointer, "K301", message)]
    if not index.has(CHANNEL, parts[0], parts[1]):
        return [finding(sub, pointer, "K302", f"Channel {channel} is not in this tree")]
    return []


def check_placement_ref(
    owner: Manifest, pointer: Pointer, index: Index, allowed: set[str]
) -> list[Finding]:
    """kind/apiVersion RHACM resolves, same namespace, and the target exists in the tree."""
    ref = value_at(owner.data, pointer)
    if not isinstance(ref, dict):
        return []
    kind, api = str(ref.get("kind") or ""), str(ref.get("apiVersion") or "")
    name, namespace = str(ref.get("name") or ""), ref.get("namespace")
    if kind not in allowed:
        message = f"placementRef kind '{kind}' must be one of {', '.join(sorted(allowed))}"
        if not kind:
            message += " (an empty kind is read as PlacementRule)"
        return [finding(owner, (*pointer, "kind"), "K303", message)]
    if api not in REF_API_VERSIONS[kind]:
        wanted = PLACEMENT[0] if kind == "Placement" else PLACEMENT_RULE[0]
        return [
            finding(
                owner,
                (*pointer, "apiVersion"),
                "K303",
                f"placementRef apiVersion '{api}' for {kind} must be {wanted}",
            )
        ]
    found = []
    if isinstance(namespace, str) and namespace and namespace != owner.namespace:
        message = (
            f"placementRef namespace '{namespace}' is ignored: RHACM looks in '{owner.namespace}'"
        )
        found.append(finding(owner, (*pointer, "namespace"), "K305", message))
    target = PLACEMENT if kind == "Placement" else PLACEMENT_RULE
    if name and not index.has(target, owner.namespace, name):
        message = f"{kind} {owner.namespace}/{name} is not in this tree"
        found.append(finding(owner, (*pointer, "name"), "K304", message))
    return found


def check_subscription(sub: Manifest, index: Index) -> list[Finding]:
    found = check_channel(sub, index)
    ref_pointer: Pointer = ("spec", "placement", "placementRef")
    found += check_placement_ref(sub, ref_pointer, index, {"Placement", "PlacementRule"})
    if value_at(sub.data, ("spec", "placement", "local")) is True and value_at(
        sub.data, ref_pointer
    ):
        message = "placement.local: true with a placementRef: RHACM sets PropagationFailed"
        found.append(finding(sub, ("spec", "placement", "local"), "K313", message))
    if sub.annotation(GIT_PATH) is None and sub.annotation(GITHUB_PATH) is None:
        message = f"no {GIT_PATH} annotation: RHACM would deploy the whole repository"
        found.append(finding(sub, ("metadata", "annotations"), "K310", message))
    return found + check_branch(sub, index)


def is_git(sub: Manifest, index: Index) -> bool:
    """Whether `sub` clones Git: its Channel's type, or its git-path when the Channel is
    not in the tree."""
    parts = (string_at(sub.data, ("spec", "channel")) or "").split("/")
    channel = index.channel(parts[0], parts[1]) if len(parts) == 2 else None
    if channel is not None:
        kind = string_at(channel.data, ("spec", "type"))
        return (kind or "").lower() in GIT_CHANNEL_TYPES
    return sub.annotation(GIT_PATH) is not None or sub.annotation(GITHUB_PATH) is not None


def check_branch(sub: Manifest, index: Index) -> list[Finding]:
    """A warning, not an error: without git-branch RHACM clones the remote's default branch
    (`GetSubscriptionBranch` in the subscription controller), which deploys when the deploy
    branch is the default one, and something else (often nothing, or another tree) when it
    is not; as K322 on Argo CD."""
    if sub.annotation(GIT_BRANCH) or sub.annotation(GITHUB_BRANCH) or not is_git(sub, index):
        return []
    message = (
        f"no {GIT_BRANCH} annotation: RHACM clones the repository's default branch, "
        "not the deploy branch edgemodels publishes to"
    )
    return [finding(sub, ("metadata", "annotations"), "K327", message, severity="warning")]


def check_binding(binding: Manifest, index: Index) -> list[Finding]:
    cluster_set = string_at(binding.data, ("spec", "clusterSet"))
    if cluster_set is not None and cluster_set != binding.name:
        message = (
            f"name '{binding.name}' differs from spec.clusterSet '{cluster_set}': "
            "the webhook rejects it"
        )
        return [finding(binding, ("spec", "clusterSet"), "K306", message)]
    return []


def check_placement(placement: Manifest, index: Index) -> list[Finding]:
    bound = index.bindings(placement.namespace)
    sets = value_at(placement.data, ("spec", "clusterSets"))
    if not isinstance(sets, list) or not sets:
        if bound:
            return []
        message = (
            f"no ManagedClusterSetBinding in namespace '{placement.namespace}': "
            "it selects no cluster"
        )
        return [finding(placement, ("spec",), "K307", message)]
    found = []
    for i, name in enumerate(sets):
        if isinstance(name, str) and name not in bound:
            message = (
                f"cluster set '{name}' has no ManagedClusterSetBinding "
                f"in namespace '{placement.namespace}'"
            )
            found.append(finding(placement, ("spec", "clusterSets", i), "K307", message))
    return found


def check_gitops_cluster(gitops: Manifest, index: Index) -> list[Finding]:
    found = check_placement_ref(gitops, ("spec", "placementRef"), index, {"Placement"})
    pointer: Pointer = ("spec", "argoServer", "argoNamespace")
    argo = string_at(gitops.data, pointer)
    if argo and not index.bindings(argo):
        message = f"no ManagedClusterSetBinding in the Argo CD namespace '{argo}'"
        found.append(finding(gitops, pointer, "K307", message))
    return found


def check_application_set(appset: Manifest, index: Index) -> list[Finding]:
    found = []
    generators = value_at(appset.data, ("spec", "generators"))
    for i, _ in enumerate(generators if isinstance(generators, list) else []):
        pointer: Pointer = (
            "spec",
            "generators",
            i,
            "clusterDecisionResource",
            "labelSelector",
            "matchLabels",
            PLACEMENT_LABEL,
        )
        name = string_at(appset.data, pointer)
        if name and not index.has(PLACEMENT, appset.namespace, name):
            message = f"Placement {appset.namespace}/{name} is not in this tree"
            found.append(finding(appset, pointer, "K304", message))
    return found


def check_duplicates(manifests: Sequence[Manifest]) -> list[Finding]:
    seen: dict[tuple[str, str, str, str], Manifest] = {}
    found = []
    for m in manifests:
        key = (m.api_version.split("/")[0], m.kind, m.namespace, m.name)
        if not m.name:
            continue
        if key in seen:
            message = f"also defined in {seen[key].source.path}: one of them is lost when applied"
            found.append(finding(m, ("metadata", "name"), "K315", message))
        else:
            seen[key] = m
    return found


_BY_KIND: dict[tuple[str, str], Callable[[Manifest, Index], list[Finding]]] = {
    SUBSCRIPTION: check_subscription,
    BINDING: check_binding,
    PLACEMENT: check_placement,
    GITOPS_CLUSTER: check_gitops_cluster,
    APPLICATION_SET: check_application_set,
}


def acm_findings(
    hub: Sequence[Manifest], every: Sequence[Manifest], refs: Sequence[PackageRef], root: Path
) -> list[Finding]:
    """K3xx findings: reference checks on the tree's plain objects, budgets on every object."""
    return hub_findings(hub, refs, root) + name_findings(every)


def hub_findings(hub: Sequence[Manifest], refs: Sequence[PackageRef], root: Path) -> list[Finding]:
    """The reference checks on the tree's plain objects."""
    index = Index(hub)
    found: list[Finding] = []
    for manifest in hub:
        check = _BY_KIND.get((manifest.api_version, manifest.kind))
        if check is not None:
            found.extend(check(manifest, index))
    names: dict[Path, str | None] = {}  # Chart.yaml names, read once per chart
    for ref in refs:
        found.extend(check_package(ref, root, names))
    found.extend(check_duplicates(hub))
    return found
