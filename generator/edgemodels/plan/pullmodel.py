"""Changes of `spec.hub.argocd.pullModel`, which decides which Argo CD syncs each site's
Application: the hub's, or with the pull model the site's own (OCM's argocd-pull-integration;
in RHACM the propagation controller of stolostron/multicloud-integrations).

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

- D132 pull-model-enabled (warning): `spec.hub.argocd.pullModel` false -> true on a hub
  that already delivers through Argo CD. What happens, from the sources:
  - Nothing is deleted. The ApplicationSets keep the names of their Applications
    (`<catalogue>-<model>-<placement>-<site>`), and the ApplicationSet controller updates an
    existing Application in place, setting its spec, labels, annotations and finalizers to
    the template's (argoproj/argo-cd applicationset/controllers/applicationset_controller.go,
    createOrUpdateInCluster); it deletes only Applications it no longer generates.
    preserveResourcesOnDeletion decides nothing here: it only decides whether the generated
    Applications carry the resources finalizer (argo-cd docs, operator-manual/applicationset/
    Application-Deletion.md), which matters when one is deleted.
  - The hub's Argo CD lets go. The template now carries `argocd.argoproj.io/skip-reconcile`,
    with which "all processing is stopped for the Application" (argo-cd docs, user-guide/
    skip_reconcile.md, an alpha feature since Argo CD 2.7): it neither syncs nor prunes, and
    what it deployed stays on the site as it is.
  - The site's Argo CD takes over. RHACM's propagation controller reconciles an Application
    that gains the pull label and the ocm-managed-cluster annotation, on update as on
    create, and writes a ManifestWork `<application>-<first 5 of its uid>` in the site's
    namespace (stolostron/multicloud-integrations, propagation-controller/application/
    application_controller.go, ApplicationPredicateFunctions, Reconcile, generateManifestWork;
    helper.go, generateManifestWorkName): the uid is the one the Application keeps, so one
    work per Application. The work carries the Application under its own name in the
    namespace of the annotation ocm-managed-cluster-app-namespace (`spec.hub.argocd.
    namespace`), with the hub Application's finalizers, its destination set to
    `https://kubernetes.default.svc`, and without skip-reconcile (helper.go,
    prepareApplicationForWorkPayload), with that namespace and, unless it is `default` in
    `openshift-gitops`, the AppProject. The site's Argo CD then syncs the same manifests
    under the same Application name onto the objects the hub's left there: an apply, not a
    new install, so no window without the model is known from these sources.
  - The site needs its own Argo CD. The pull model's prerequisite is Argo CD on the hub
    and on every managed cluster (open-cluster-management-io/argocd-pull-integration,
    README.md, "Dependencies"). A site without one, or whose Argo CD does not watch that
    namespace, has the Application delivered to nothing: it keeps the models as the hub's
    Argo CD last synced them, and from then on gets no change, no new model and no
    removal. The controller also skips an Application for the cluster labelled
    `local-cluster=true` (Reconcile, isLocalCluster): the hub as a site is synced by neither.
  - On the hub, a GitOpsCluster with `createBlankClusterSecrets` writes the site's cluster
    Secret with a stand-in server `https://<site>-control-plane` where no
    ManagedServiceAccount `application-manager` gives real credentials (pkg/controller/
    gitopscluster/gitopscluster_controller.go, CreateManagedClusterSecretInArgo), so the
    hub Applications' `{{server}}` can change too, in place. That Secret is per cluster in
    the Argo CD namespace, shared by every catalogue delivered through it. Not verified on a
    live hub: the order in which that Secret and the ApplicationSets' Applications change.
  A warning, not a removal guard like D118: no Application is deleted and no object leaves
  a site. It names the models and sites whose Applications change hands, and says what to
  install first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.output import plural
from edgemodels.plan.diff import ModelDiff
from edgemodels.plan.guards import setting_at
from edgemodels.plan.sitelist import about, cut, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.selectors import count

SETTING = "spec.hub.argocd.pullModel"


def pull_model_findings(
    diffs: Iterable[ModelDiff],
    before: Catalogue,
    after: Catalogue,
    sites: Sites,
    settings: Mapping[str, Location] | None = None,
) -> list[Diagnostic]:
    """D119 pull-model-dropped and D132 pull-model-enabled (module docstring), at the
    setting that changed."""
    was, now = before.hub, after.hub
    if not (was.delivery == now.delivery == "argocd"):
        return []
    if was.argocd.pull_model == now.argocd.pull_model:
        return []
    where = setting_at(settings or {}, SETTING, after)
    if now.argocd.pull_model:
        return [_enabled(diffs, after, sites, where)]
    return [_dropped(before, after, where)]


def _enabled(
    diffs: Iterable[ModelDiff], after: Catalogue, sites: Sites, at: Location
) -> Diagnostic:
    held = 0
    models = []
    for d in diffs:
        if d.kept:
            held |= d.kept
            models.append(d.name)
    taken = (
        f"{plural(len(models), 'model')} ({cut(models)}) on "
        f"{plural(count(held), 'site')} ({name_list(sites, held)})"
        if held
        else "the models on their sites"
    )
    ns = after.hub.argocd.namespace
    message = (
        f"{SETTING} false -> true: each ApplicationSet keeps its Applications (same names) "
        "and marks them for the pull model, so the hub's Argo CD stops syncing them "
        "(skip-reconcile), leaving what they deployed in place, and RHACM sends each in a "
        f"ManifestWork to its site, whose own Argo CD must take over {taken}. A site "
        f"whose Argo CD does not watch namespace {ns} (or that has none) keeps those models "
        "as last synced but gets no later change, new model or removal. Before publishing, "
        f"install Argo CD on every site, watching {ns} and with the deploy repository's "
        "credentials; publish the switch with no model change; then check on the hub that "
        "each site's ManifestWork is "
        "applied and reports its Application Synced and Healthy (kubectl -n SITE get "
        "manifestwork -o yaml: statusFeedback syncStatus, healthStatus)"
    )
    found = Diagnostic(at, "D132", message, "warning", "pull-model-enabled")
    return about(found, sites, held)


def _dropped(before: Catalogue, after: Catalogue, at: Location) -> Diagnostic:
    was = before.hub
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
    return Diagnostic(at, "D119", message, "warning", "pull-model-dropped")
