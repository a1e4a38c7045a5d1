"""The catalogue as typed, frozen data. Built by `catalogue.build` from a checked document.

Nothing past the loader sees raw YAML: every consumer (generator, planner, policies) reads
these types. Each entry keeps the location of its definition for findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from edgemodels.catalogue.envvars import Env, EnvSource
from edgemodels.diagnostics import Location

Operator = Literal["In", "NotIn", "Exists", "DoesNotExist"]
Wrapper = Literal["http", "container"]
Packaging = Literal["helm", "kustomize"]
PlacementKind = Literal["Placement", "PlacementRule"]
Delivery = Literal["subscription", "argocd"]
ContainerDelivery = Literal["copy", "imageVolume", "auto"]
# Where a catalogue stands in its move from Subscriptions to Argo CD (docs/argocd.md).
ArgoMigration = Literal["keep-subscriptions", "subscriptions-removed"]
# Argo CD's application.resourceTrackingMethod (argocd-cm), as the catalogue declares it.
TrackingMethod = Literal["label", "annotation", "annotation+label"]

NOWHERE = Location("<none>")

# Labels a site carries to say what it supports (see docs/plan.md, "Site inventory").
ARCH_LABEL = "kubernetes.io/arch"
IMAGE_VOLUME_LABEL = "edgemodels.io/image-volumes"


# Copies model files and keeps image volumes pulled (spec.defaults.helperImage): a static
# busybox runs in any image.
HELPER_IMAGE = "docker.io/library/busybox:1.36.1-musl"


@dataclass(frozen=True)
class Requirement:
    """One matchExpressions entry."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selector:
    """A Kubernetes LabelSelector: matchLabels AND matchExpressions."""

    match_labels: tuple[tuple[str, str], ...] = ()
    match_expressions: tuple[Requirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def requirements(self) -> tuple[Requirement, ...]:
        """matchLabels folded into In requirements, then matchExpressions."""
        folded = tuple(Requirement(k, "In", (v,)) for k, v in self.match_labels)
        return folded + self.match_expressions


@dataclass(frozen=True)
class Resources:
    requests: tuple[tuple[str, str], ...] = ()
    limits: tuple[tuple[str, str], ...] = ()

    def merged(self, other: Resources | None) -> Resources:
        """`other` wins key by key."""
        if other is None:
            return self
        return Resources(
            tuple(sorted({**dict(self.requests), **dict(other.requests)}.items())),
            tuple(sorted({**dict(self.limits), **dict(other.limits)}.items())),
        )

    @property
    def is_empty(self) -> bool:
        return not self.requests and not self.limits


@dataclass(frozen=True)
class Overrides:
    """Per-target differences applied to a model's deployment on that target."""

    replicas: int | None = None
    resources: Resources | None = None
    env: Env = ()
    image: str | None = None
    arch: str | None = None

    @property
    def is_empty(self) -> bool:
        return (
            self.replicas is None
            and (self.resources is None or self.resources.is_empty)
            and not self.env
            and self.image is None
            and self.arch is None
        )

    def merged(self, other: Overrides | None) -> Overrides:
        """`other` (more specific) wins field by field."""
        if other is None:
            return self
        base_res = self.resources or Resources()
        return Overrides(
            replicas=other.replicas if other.replicas is not None else self.replicas,
            resources=base_res.merged(other.resources) if other.resources else self.resources,
            env=tuple(sorted({**dict(self.env), **dict(other.env)}.items())),
            image=other.image or self.image,
            arch=other.arch or self.arch,
        )


@dataclass(frozen=True)
class GitSpec:
    url: str
    branch: str
    path: str = ""
    credentials_secret: str | None = None
    ca_configmap: str | None = None
    insecure_skip_verify: bool = False


@dataclass(frozen=True)
class ArgoSpec:
    """Settings of the Argo CD delivery path (spec.hub.argocd)."""

    namespace: str = "openshift-gitops"
    project: str = "default"
    automated: bool = True
    prune: bool = True
    self_heal: bool = True
    preserve_resources_on_deletion: bool = True
    create_namespace: bool = True
    pull_model: bool = False
    sync_options: tuple[str, ...] = ()
    # None: no migration. Otherwise site objects carry the marks that make RHACM keep them
    # when their Subscription is deleted; keep-subscriptions also keeps the Subscription side.
    migration: ArgoMigration | None = None
    # How the Argo CD that syncs the Applications tracks what they deploy. None: unknown,
    # taken as label (the OpenShift GitOps operator's default), so long names are warned of.
    resource_tracking_method: TrackingMethod | None = None

    @property
    def names_are_labels(self) -> bool:
        """Whether an Application's name is written uncut as a label value (label tracking,
        or tracking unknown), so one over 63 characters makes every sync of it fail."""
        return self.resource_tracking_method in (None, "label")


@dataclass(frozen=True)
class HubSpec:
    namespace: str
    placement_kind: PlacementKind = "Placement"
    cluster_sets: tuple[str, ...] = ("default",)
    delivery: Delivery = "subscription"
    reconcile_rate: str | None = None
    # None: tolerate unreachable/unavailable sites for ever (models are never purged because
    # a site lost its link). A number: drop the site from placement after that many seconds.
    offline_toleration_seconds: int | None = None
    argocd: ArgoSpec = field(default_factory=ArgoSpec)


@dataclass(frozen=True)
class SecurityException:
    """An explicit, justified loosening of the default pod security settings."""

    run_as_root: bool = False
    writable_root_filesystem: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Defaults:
    namespace: str
    image_pull_secrets: tuple[str, ...] = ()
    packaging: Packaging = "helm"
    container_delivery: ContainerDelivery = "auto"
    helper_image: str = HELPER_IMAGE


@dataclass(frozen=True)
class Target:
    name: str
    selector: Selector
    overrides: Overrides = field(default_factory=Overrides)
    production: bool = False
    allow_all_clusters: bool = False
    description: str = ""
    location: Location = NOWHERE
    # Where its matchLabels and matchExpressions stand, for a finding about a selector that
    # changed (D101); not compared, as Model's key_locations.
    key_locations: tuple[tuple[str, Location], ...] = field(default=(), compare=False)

    def location_of(self, key: str) -> Location:
        """Where `key` stands in this target's entry, or the entry itself if it has no such key."""
        return dict(self.key_locations).get(key, self.location)


@dataclass(frozen=True)
class HttpSpec:
    port: int
    health_path: str = "/health"
    readiness_path: str | None = None
    ingress_path: str | None = None
    run_as_user: int | None = None  # for images whose USER is a name, not a number

    @property
    def readiness(self) -> str:
        return self.readiness_path or self.health_path


@dataclass(frozen=True)
class ContainerSpec:
    model_path: str = "/model"
    size: str | None = None
    delivery: ContainerDelivery | None = None
    storage_class: str | None = None  # the claim's storageClassName; None: the cluster default


@dataclass(frozen=True)
class Model:
    name: str
    version: str
    wrapper: Wrapper
    packaging: Packaging
    image: str
    targets: tuple[str, ...] = ()
    follow_workloads: bool = False
    http: HttpSpec | None = None
    container: ContainerSpec | None = None
    resources: Resources = field(default_factory=Resources)
    replicas: int = 1
    env: Env = ()
    env_from: tuple[EnvSource, ...] = ()  # HTTP models: whole Secrets and ConfigMaps
    images: tuple[tuple[str, str], ...] = ()  # architecture -> image
    target_overrides: tuple[tuple[str, Overrides], ...] = ()  # target name -> overrides
    security: SecurityException = field(default_factory=SecurityException)
    description: str = ""
    location: Location = NOWHERE
    # Where some of its keys stand ("packaging", "container.size"), for findings about one
    # setting. Not part of what the model deploys (a moved line changes no object on a
    # site), so not compared; in the repr, as render/memo.py keys renders on every field.
    key_locations: tuple[tuple[str, Location], ...] = field(default=(), compare=False)

    def location_of(self, key: str) -> Location:
        """Where `key` stands in this model's entry, or the entry itself if it has no such key."""
        return dict(self.key_locations).get(key, self.location)


@dataclass(frozen=True)
class Workload:
    name: str
    uses: tuple[str, ...]
    selector: Selector | None = None
    sites: tuple[str, ...] = ()  # explicit site names, e.g. exported by the workload scheduler
    location: Location = NOWHERE
    # Where its selector's keys, labels and expressions and its sites stand, for D101 to
    # stand at the one a change made; not compared, as Target's.
    key_locations: tuple[tuple[str, Location], ...] = field(default=(), compare=False)

    def location_of(self, key: str) -> Location:
        """Where `key` stands in this workload's entry, or the entry itself."""
        return dict(self.key_locations).get(key, self.location)


@dataclass(frozen=True)
class Catalogue:
    name: str
    git: GitSpec
    hub: HubSpec
    defaults: Defaults
    targets: tuple[Target, ...]
    models: tuple[Model, ...]
    workloads: tuple[Workload, ...] = ()
    location: Location = NOWHERE

    def target(self, name: str) -> Target:
        for t in self.targets:
            if t.name == name:
                return t
        raise KeyError(name)

    def model(self, name: str) -> Model:
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)
