"""R208: the namespace the models run in on the sites, against what RHACM's Subscriptions do.

Both packagings are written for `spec.defaults.namespace`: a Kustomize overlay sets it,
and a Helm chart puts its objects in the release's namespace, which Argo CD makes the
Application's destination namespace (that same namespace). A Subscription does otherwise
(stolostron/multicloud-operators-subscription):

- a Helm chart becomes a HelmRelease in the Subscription's namespace
  (`pkg/utils/helmrepo.go`, `CreateOrUpdateHelmChart`), and its release is installed in
  the HelmRelease's namespace (`pkg/helmrelease/release/manager_factory.go`,
  `NewManager`): the chart's objects run in `spec.hub.namespace`, whoever created it;
- a Kustomize model's objects are forced into the Subscription's namespace unless the
  Subscription has subscription-admin rights (`pkg/subscriber/git/git_subscriber_item.go`,
  `subscribeResource`; the hub Subscription passes them on to the model Subscriptions it
  applies), which keep their own namespace.

So with Subscriptions a Helm model never runs where the catalogue says when the two
namespaces differ (an error), and a Kustomize model only with a subscription-admin (a
warning). Argo CD delivery without the Subscription side deploys both into
`spec.defaults.namespace`: no finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from edgemodels.catalogue.sources import Merged
from edgemodels.changegroups import named
from edgemodels.diagnostics import Diagnostic, finding


def check_namespaces(merged: Merged) -> Iterator[Diagnostic]:
    hub, defaults = merged.sections["hub"], merged.sections["defaults"]
    wanted, subs = defaults.data["namespace"], hub.data["namespace"]
    if wanted == subs or not subscriptions_deliver(hub.data):
        return
    default_packaging = defaults.data.get("packaging", "helm")
    helm = sorted(
        str(m.data.get("name"))
        for m in merged.models
        if m.data.get("packaging", default_packaging) == "helm"
    )
    where = f"spec.defaults.namespace '{wanted}'"
    fix = (
        f"set spec.defaults.namespace and spec.hub.namespace alike, or deliver with "
        f"spec.hub.delivery: argocd, which deploys into '{wanted}'"
    )
    if hub.data.get("delivery") == "argocd":  # the move's keep-subscriptions step
        fix = (
            "set spec.defaults.namespace and spec.hub.namespace alike before the move "
            "(its step 0): while the Subscriptions are kept, both sides deploy the models, "
            f"the ApplicationSets into '{wanted}', so they would run twice"
        )
    if helm:
        message = (
            f"Helm models ({named(helm)}) would run in namespace '{subs}', not in {where}: "
            f"RHACM installs a Subscription's chart as a Helm release in the Subscription's "
            f"namespace '{subs}' (spec.hub.namespace), and Kustomize models go there too "
            f"unless the hub Subscription was created by a subscription-admin; {fix}"
        )
        yield finding(defaults.at("namespace"), "R208", "namespace-mismatch", message)
        return
    message = (
        f"Kustomize models run in {where} only if the hub Subscription was created by a "
        f"subscription-admin; otherwise RHACM puts them in the Subscription's namespace "
        f"'{subs}' (spec.hub.namespace); {fix}"
    )
    yield finding(defaults.at("namespace"), "R208", "namespace-mismatch", message, "warning")


def subscriptions_deliver(hub: dict[str, object]) -> bool:
    """Subscription delivery, or Argo CD's while the Subscription side is kept (the
    Channel and Subscriptions are rendered), from the hub section as written."""
    argocd = hub.get("argocd")
    migration = argocd.get("migration") if isinstance(argocd, dict) else None
    return hub.get("delivery", "subscription") == "subscription" or (
        migration == "keep-subscriptions"
    )
