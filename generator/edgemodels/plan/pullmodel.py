"""Changes of `spec.hub.argocd.pullModel`, which decides which Argo CD syncs each site's
Application: the hub's, or with the pull model the site's own (RHACM's argocd-pull-integration).

- D119 pull-model-dropped (warning): `spec.hub.argocd.pullModel` true -> false. RHACM's
  propagation controller reconciles only Applications that carry the pull label
  (stolostron/multicloud-integrations, propagation-controller/application/
  application_controller.go, ApplicationPredicateFunctions), so once the label goes it
  neither updates nor deletes their ManifestWorks: each site keeps its own Application at the
  old spec, with selfHeal, while the hub's Argo CD now applies the new one, and the two
  fight at every later change until the ManifestWorks are deleted by hand. The site
  Application carries the hub Application's finalizers (helper.go,
  prepareApplicationForWorkPayload) as they were when the work was last written, that is
  under the base's settings: with preserveResourcesOnDeletion false at the base that delete
  also removes the site's objects, whatever this publish sets (the controller no longer
  rewrites the works); set it true in a publish of its own first, while the label is there.
"""

from __future__ import annotations

from collections.abc import Mapping

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.plan.guards import setting_at


def pull_model_findings(
    before: Catalogue, after: Catalogue, settings: Mapping[str, Location] | None = None
) -> list[Diagnostic]:
    """D119 pull-model-dropped (module docstring), at the setting that changed."""
    return _dropped(before, after, settings or {})


def _dropped(
    before: Catalogue, after: Catalogue, settings: Mapping[str, Location]
) -> list[Diagnostic]:
    was, now = before.hub, after.hub
    if not (was.delivery == now.delivery == "argocd" and was.argocd.pull_model):
        return []
    if now.argocd.pull_model:
        return []
    ns = was.argocd.namespace
    # The works hold the Applications as the base wrote them: its finalizers decide.
    purge = (
        "; with preserveResourcesOnDeletion false at the base that delete also removes the "
        "objects from the site (the site Application has the resources finalizer, and this "
        "publish no longer reaches it), so first publish preserveResourcesOnDeletion: true "
        "with pullModel still true"
        if not was.argocd.preserve_resources_on_deletion
        else ""
    )
    message = (
        "spec.hub.argocd.pullModel true -> false: RHACM's pull controller only follows "
        "Applications with the pull label, so it neither updates nor deletes their "
        "ManifestWorks once the label goes, and each site keeps its own Application at the "
        "old spec (selfHeal) while the hub's Argo CD applies the new one: the two fight at "
        "every later change. After the publish, delete the ManifestWorks of this "
        "catalogue's ApplicationSets (kubectl -n "
        f"{ns} get applicationsets -l edgemodels.io/catalogue={after.name} lists them; "
        "kubectl get manifestwork -A -l apps.open-cluster-management.io/application-set=true "
        "shows each work's ApplicationSet in its annotation "
        f"apps.open-cluster-management.io/hosting-applicationset, {ns}/<name>){purge}"
    )
    where = setting_at(settings, "spec.hub.argocd.pullModel", after)
    return [Diagnostic(where, "D119", message, "warning", "pull-model-dropped")]
