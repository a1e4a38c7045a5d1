"""The fixed prose of the generated tree's README: the tree's layout, for each delivery
(RHACM Subscriptions, Argo CD, the migration between them), what to apply on the hub and
when, and how a workload mounts a container model's files.

Apart from readme.py, which writes the parts the catalogue decides (its models, their
placements and folders) and fills in the names these leave as placeholders (HUB_NS,
HUB_SUB, ARGO_NS, HUB_APP, BINDINGS): these describe what the render modules generate,
and change with them, not with a catalogue.
"""

from __future__ import annotations

# The bindings are applied by hand: only a creator allowed to bind a set may make one.
BINDINGS_TEXT = """
`hub/` also holds the ManagedClusterSetBinding of each cluster set: apply it as a user
allowed to bind them (`create` on `managedclustersets/bind`, as cluster-admin is). The
webhook refuses a binding from anyone else, and a Placement whose set is not bound selects
no site.
"""


ARGOCD_LAYOUT_TEXT = """## Layout

```
README.md                     this file
.edgemodels/manifest.json     files edgemodels owns here, with their sha256; catalogue digest
hub/                          objects for the RHACM hub
  kustomization.yaml          what is applied once: kubectl apply -k hub/
  argocd/                     RHACM GitOps objects, namespace ARGO_NS
    bindings/<set>.yaml       ManagedClusterSetBinding per cluster set
    application.yaml          Application HUB_APP: applies synced/ to the hub, from Git
    synced/                   applied (and pruned) by Argo CD from the branch, never by hand
      kustomization.yaml      lists them all
      placements/<p>.yaml     Placement per placement
      gitopsclusters/<p>.yaml  GitOpsCluster: registers the placement's sites with Argo CD
      applicationsets/<m>--<p>.yaml  ApplicationSet of model <m> on placement <p>: one
                              Application per site, fed by the Placement's decisions
models/<m>/
  README.md                   the model: its files, hub objects, settings per placement
  chart/                      Helm packaging: the chart (source path of its Applications)
  base/                       kustomize packaging: the model with its defaults
  components/<delivery>/      kustomize packaging of container models: copy or image-volume
  overlays/<p>/               kustomize packaging: placement <p> (source path of its Applications)
```

Apply `hub/` once with `kubectl apply -k hub/`, as a user allowed to bind the cluster
sets: the bindings and Application HUB_APP, which makes the hub's Argo CD apply
`hub/argocd/synced/` to the hub itself from the branch (automated, with prune and
selfHeal) and delete the objects whose files leave it. From then on Argo CD follows the
branch, for the hub objects as for the sites: a commit of a regenerated tree reaches both
(a model or placement added, moved or removed, a changed selector, a Helm model's
per-placement values in its ApplicationSets). Apply `hub/` again when a setting of its own
files changes: `metadata.name`, `spec.hub.argocd.namespace` or `project`,
`spec.hub.clusterSets`, or the url, branch or path of `spec.git` (`edgemodels publish
--branch/--path` too); `kubectl apply` deletes nothing, so delete by hand what left `hub/`.
With `preserveResourcesOnDeletion` (the default) a model removed from the catalogue keeps
its last objects on the sites, unmanaged; `edgemodels plan --base` lists them.
"""

MIGRATION_TEXT = """
During the migration from Subscriptions, the tree also holds the Subscription side in
namespace HUB_NS (Channel and Subscription HUB_SUB under `hub/`, which applies the
Subscriptions and Applications of `hub/synced/` to the hub from the branch), and every site object
carries `apps.open-cluster-management.io/do-not-delete: "true"` and
`helm.sh/resource-policy: keep`, so removing the Subscriptions later leaves the models
running under Argo CD.
"""

LAYOUT_TEXT = """## Layout

```
README.md                     this file
.edgemodels/manifest.json     files edgemodels owns here, with their sha256; catalogue digest
hub/                          objects for the RHACM hub (namespace HUB_NS)
  kustomization.yaml          what is applied once: kubectl apply -k hub/
  namespace.yaml              the Namespace HUB_NS itself, so a fresh hub needs nothing first
  bindings/<set>.yaml         ManagedClusterSetBinding per cluster set (Placement mode)
  channel.yaml                the Git Channel for this repository
  subscription.yaml           Subscription HUB_SUB: applies synced/ to the hub, from Git
  synced/                     applied (and pruned) by RHACM from the branch, never by hand
    kustomization.yaml        lists them all (kustomize applies them sorted by kind)
    placements/<name>.yaml    Placement (or PlacementRule) per placement
    subscriptions/<m>--<p>.yaml  Subscription of model <m> on placement <p>
    applications/<m>.yaml     Application grouping the model's Subscriptions
models/<m>/
  README.md                   the model: its files, hub objects, settings per placement
  chart/                      Helm packaging: the chart (git-path of all its Subscriptions)
  base/                       kustomize packaging: the model with its defaults
  components/<delivery>/      kustomize packaging of container models: copy or image-volume
  overlays/<p>/               kustomize packaging: placement <p> (git-path of its Subscription)
```

Apply `hub/` once with `kubectl apply -k hub/`: the Namespace, the Channel and
Subscription HUB_SUB, which applies `hub/synced/` to the hub itself (`placement.local`)
from the branch and deletes the objects whose files leave it. From then on RHACM follows
the branch, for the hub objects as for the sites: a commit of a regenerated tree reaches
both (a model or placement added, moved or removed, a changed selector, a Helm model's
per-placement values in its Subscriptions); a model removed from the catalogue disappears
from Git, and RHACM removes it from the hub and the sites. Apply `hub/` again when a
catalogue setting of its own files changes: `metadata.name`, `spec.hub.namespace`,
`spec.hub.placementKind`, `spec.hub.clusterSets`, `spec.hub.reconcileRate`, or in
`spec.git` the url, branch, path, credentialsSecret, caConfigMap or insecureSkipVerify
(`edgemodels publish --branch/--path` too); `kubectl apply` deletes nothing, so delete by
hand what left `hub/` (the binding of a set no longer listed). On a hub where an earlier
edgemodels had all hub objects applied by hand, apply it as a subscription-admin: HUB_SUB
then takes those objects over (reconcile-option `mergeAndOwn`) instead of refusing them.
BINDINGS"""

MOUNT_TEXT = """## Using a container model in a workload

A container model's files reach each site in one of two ways; ConfigMap `<m>-model` on the
site says which (`delivery`) and gives `name`, `version`, `image`, `digest` and `path`. It
names what the site should have: it changes as soon as RHACM applies a new version, before
the files are there (a copy takes minutes, a site offline for hours pulls when it is back).

**copy** (works on every site, k3s included): a Job copies the files from the model image
into PersistentVolumeClaim `<m>-model`, under `versions/<version>-<hash>/`, then switches
the symlink `current` to it atomically. Mount the claim read-only and read `current/`:

```yaml
volumes:
  - name: model
    persistentVolumeClaim: {claimName: <m>-model, readOnly: true}
containers:
  - volumeMounts:
      - {name: model, mountPath: /models/<m>, readOnly: true}   # files in /models/<m>/current/
```

A new version is copied next to the old one, then `current` moves: running pods are not
restarted; they see the new files the next time they open `current/` (the previous version
is kept until the one after). What the claim holds is where `current` points (`readlink
current`: `versions/<version>-<hash>`), not the ConfigMap's `version`. Mount with `subPath:
current` instead to pin the version a pod started with, and restart such pods before the
next upgrade but one, which deletes that version under them (a pod that starts before the
first copy gets an empty folder). The copy runs as user 65532 and keeps the image's file
modes: files must be world-readable in the image. On k3s (`local-path`) the volume lives on
the node of the first pod that used the claim, so every pod using it runs on that node; a
ReadWriteOnce network volume is attached on one node at a time.

**imageVolume** (sites labelled `edgemodels.io/image-volumes=true`): the model image is
mounted directly. The site needs the ImageVolume feature gate (beta in Kubernetes 1.33 and
1.34 but off: set it on the API server and the kubelets, on k3s
`--kube-apiserver-arg=feature-gates=ImageVolume=true
--kubelet-arg=feature-gates=ImageVolume=true`; on by default from 1.35) and a runtime that
supports it (containerd 2.1 or later, CRI-O 1.31 or later; not k3s `--docker`). Where the
runtime does not, the volume mounts empty without an error. Deployment `<m>-prefetch` keeps
the image pulled on the node it runs on, and is Ready only when the model's folder is in the
mounted image: check `kubectl rollout status deploy/<m>-prefetch` before labelling a site,
and after an upgrade before starting pods on the new `reference` (offline, a pod on an image
not pulled yet cannot start). Mount the same reference (key `reference` of the ConfigMap),
with the same image pull secrets:

```yaml
volumes:
  - name: model
    image: {reference: <image>, pullPolicy: IfNotPresent}
containers:
  - volumeMounts:
      - {name: model, mountPath: /models/<m>, readOnly: true}   # files in /models/<m><path>
```
"""
