"""Every finding code outside the policy pack: Y yaml, S schema, R references and names,
P000-P099 the policy engine's own (P100 and up are rules of a policy file),
K generated manifests (validate/codes.py), D plan, inventory and drift.

One registry, tested for completeness against the source: `edgemodels rule CODE` prints an
entry and `edgemodels rules --all` lists them. Codes are never reused; retire a code by
leaving it here with its summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from edgemodels.validate.codes import CODES as K_CODES
from edgemodels.validate.codes import Code

FAMILIES = {
    "Y": "YAML input (any file edgemodels reads)",
    "S": "catalogue schema",
    "R": "catalogue references, names and values",
    "P": "the policy engine: suppressions, policy files, config",
    "K": "generated manifests (validate)",
    "D": "plan, site inventory and the generated folder",
}

CODES: dict[str, Code] = {
    "Y001": Code("yaml-syntax", "the YAML does not parse"),
    "Y002": Code("duplicate-key", "a mapping key appears twice"),
    "Y003": Code("non-string-key", "a mapping key that is not a string"),
    "Y004": Code("not-utf8", "the file is not valid UTF-8"),
    "Y005": Code("empty-file", "the file is empty or holds only comments"),
    "Y006": Code("multiple-documents", "more than one YAML document in one file"),
    "Y007": Code("alias-limit", "aliases expand to more than 10,000 nodes (an alias bomb?)"),
    "Y008": Code("input-too-large", "the file is larger than the size limit"),
    "Y009": Code("nesting-too-deep", "nesting deeper than 64 levels"),
    "Y010": Code("not-a-mapping", "a catalogue file whose top level is not a mapping"),
    "Y011": Code("unreadable", "the file cannot be read"),
    "Y012": Code("tab-indentation", "a tab used for indentation"),
    "Y013": Code("merge-key", "a YAML merge key (<<), which is refused"),
    # Y014 (no catalogue files) is an input error, exit 2, not a finding.
    "Y015": Code(
        "generated-tree-in-catalogue",
        "a folder in the catalogue holds a generated tree; its files are not read",
    ),
    "Y016": Code(
        "unread-symlink",
        "a symlink in the catalogue folder that is not read: to nothing, or to a folder "
        "holding it (a loop)",
        "link a file or folder that exists and does not hold the link; a link out of the "
        "repository leads to nothing in a clone (CI): commit the files themselves",
    ),
    "Y017": Code(
        "symlink-outside-repository",
        "catalogue files read through a symlink (to a file or a folder) that leads out of "
        "the git repository",
        "commit the files themselves: a clone of the repository (CI) has nothing there; a "
        "link kept on purpose is ignored by path in the policy config (ignore:)",
    ),
    "Y018": Code(
        "catalogue-in-submodule",
        "catalogue files read from a git submodule (a checkout of its own), directly or "
        "through a symlink",
        "initialise submodules where the catalogue is checked (git submodule update --init), "
        "or commit the files in the repository; plan --base cannot read them. Kept on "
        "purpose: ignore it by path in the policy config (ignore:)",
    ),
    "Y019": Code(
        "non-portable-symlink",
        "a symlink that leads to a file or folder of the repository by a path outside it: "
        "an absolute path, or one climbing above the repository's root; read as the "
        "relative link, but another clone resolves it elsewhere",
        "link by a path from the link's folder (ln -sr, or ln -s ../shared/x.yaml)",
    ),
    "S001": Code("unknown-field", "a field the catalogue schema does not define"),
    "S002": Code("missing-field", "a required field is absent"),
    "S003": Code("wrong-type", "a value of the wrong type"),
    "S004": Code(
        "invalid-value",
        "a value the schema does not allow (enum, pattern, range), or a quantity the API server "
        "takes long to parse",
    ),
    "S101": Code(
        "missing-section", "no file sets metadata.name, spec.git, spec.hub or spec.defaults"
    ),
    "R101": Code("duplicate-model", "a model name defined twice"),
    "R102": Code("duplicate-target", "a target name defined twice"),
    "R103": Code("duplicate-workload", "a workload name defined twice"),
    "R104": Code("unknown-target", "a model or workload names a target the catalogue lacks"),
    "R105": Code("unknown-model", "a workload names a model the catalogue lacks"),
    "R106": Code("model-without-placement", "a model placed on no target"),
    "R107": Code("unused-target", "a target no model uses"),
    "R108": Code("follow-without-workloads", "followWorkloads on a model no workload uses"),
    "R109": Code("duplicate-section", "git, hub or defaults defined in two files"),
    "R110": Code("catalogue-name-mismatch", "catalogue files disagree on metadata.name"),
    "R120": Code("override-for-unknown-target", "an override keyed by a name not in spec.targets"),
    "R201": Code("invalid-label-key", "a label key Kubernetes would refuse"),
    "R202": Code("invalid-label-value", "a label value Kubernetes would refuse"),
    "R203": Code(
        "incoherent-selector",
        "a label selector that is malformed or cannot match (operator without values, ...)",
    ),
    "R204": Code("name-too-long", "a generated object name would exceed Kubernetes' limit"),
    "R205": Code("invalid-image", "an image reference that does not parse"),
    "R206": Code("invalid-version", "a version that is not a valid version string"),
    "R207": Code(
        "wrapper-settings",
        "settings that do not fit the model's wrapper (a warning for the pod settings of "
        "a container model: replicas, resources, env)",
    ),
    "R208": Code(
        "namespace-mismatch",
        "with Subscription delivery, spec.defaults.namespace differs from spec.hub.namespace: "
        "RHACM installs a Helm model in the Subscription's namespace (an error), and a "
        "Kustomize model there too unless a subscription-admin created the hub Subscription "
        "(a warning)",
        "set spec.defaults.namespace and spec.hub.namespace alike, or deliver with "
        "spec.hub.delivery: argocd, whose Applications deploy both packagings into "
        "spec.defaults.namespace",
    ),
    "R209": Code("credentials-in-url", "a Git URL with a password or token in it"),
    "R210": Code("invalid-git-url", "a Git URL RHACM cannot clone"),
    "R234": Code(
        "invalid-git-location",
        "spec.git.branch is no valid branch name, or spec.git.path no plain folder inside the"
        " repository: publish would refuse it, and generate writes it into every Subscription",
    ),
    "R211": Code("override-for-unused-target", "an override for a target the model is not on"),
    "R212": Code("workload-without-placement", "a workload placed on no target"),
    "R213": Code(
        "targets-overlap",
        "two placements of one model can select the same cluster (two Subscriptions there)",
    ),
    "R214": Code(
        "selector-never-matches",
        "a selector no cluster's labels can satisfy (a note when only a cluster set of"
        " selectorType LabelSelector could hold a cluster it matches)",
    ),
    "R221": Code(
        "request-over-limit",
        "a resource request above its limit, after overrides (extended resources, hugepages: "
        "not equal, or no limit); http models only: a container model's resources go "
        "nowhere (R207)",
    ),
    "R222": Code("duplicate-generated-name", "two entries would generate objects of one name"),
    "R223": Code("ingress-path-conflict", "two HTTP models claim one ingress path on a target"),
    "R224": Code(
        "ignored-with-placementrule",
        "hub.clusterSets or offlineTolerationSeconds set where PlacementRules ignore them",
    ),
    "R225": Code(
        "service-name-invalid",
        "an http model whose name (its Service's) does not start with a letter",
    ),
    "R226": Code(
        "argocd-template-braces",
        "with Argo CD delivery, a Helm value with '{{', which the ApplicationSet fills per cluster",
    ),
    "R227": Code(
        "fractional-extended-resource",
        "an extended resource (nvidia.com/gpu) requested or limited in a fraction of a unit, "
        "after overrides; http models only",
    ),
    "R228": Code(
        "arch-override-excluded",
        "a target's overrides.arch (or a model's for it) that the target's selector excludes",
    ),
    "R229": Code(
        "target-image-replaces-models-images",
        "a target's overrides.image, which replaces the image (and images per architecture) "
        "of every model on the target without an overrides.<target>.image of its own, "
        "applies to several models, or sets aside a model's images.<arch> for the "
        "architecture the target pins",
        "set the image in the model's own overrides.<target>.image, once per model it is "
        "for: which image a placement deploys is the model's overrides.<target>.image, else "
        "the target's overrides.image, else the model's images.<arch> for the architecture "
        "the placement pins, else the model's image",
    ),
    "R230": Code(
        "argocd-sync-option",
        "a spec.hub.argocd.syncOptions entry Argo CD does not know (it ignores it), or a "
        "CreateNamespace that contradicts createNamespace",
        "write the option exactly as Argo CD's sync options name it (ServerSideApply=true), "
        "and choose namespace creation with spec.hub.argocd.createNamespace",
    ),
    "R231": Code(
        "channel-setting-unused",
        "spec.git.credentialsSecret, caConfigMap or insecureSkipVerify with Argo CD delivery, "
        "where no Channel reads them",
        "give Argo CD the repository as a repository Secret in its namespace (and on every "
        "site with pullModel), then remove the setting",
    ),
    "R233": Code(
        "unknown-architecture",
        "an architecture no node is labelled with (kubernetes.io/arch takes Go's names: "
        "amd64, arm64, ...): a key of a model's images (an image no site gets), an "
        "overrides.arch, or a kubernetes.io/arch value of a selector (it matches no site)",
        "write Go's name, as nodes carry it: arm64 for aarch64 or linux/arm64, amd64 for "
        "x86_64, arm for armv7l",
    ),
    "R232": Code(
        "argocd-application-name-too-long",
        "with Argo CD delivery, a placement whose Applications, <catalogue>-<model>-"
        "<placement>-<cluster>, are longer than 63 characters whatever the cluster's name:"
        " under Argo CD's label tracking the name is a label value on every object they"
        " deploy, which the API server refuses, so every sync fails (plan names the sites"
        " whose names make it so: D128); not with spec.hub.argocd.resourceTrackingMethod"
        " annotation or annotation+label",
        "shorten metadata.name, the model's or the placement's name; or have Argo CD track"
        " by annotation (argocd-cm application.resourceTrackingMethod: annotation, the"
        " OpenShift GitOps ArgoCD's spec.resourceTrackingMethod) and set"
        " spec.hub.argocd.resourceTrackingMethod: annotation",
    ),
    "P001": Code("unused-suppression", "an inline ignore[...] that matches no finding on its line"),
    "P002": Code("policy-file-invalid", "a policy file of the wrong shape (field, type, value)"),
    "P003": Code("cel-syntax-error", "a CEL expression of a policy that does not parse"),
    "P004": Code("cel-unknown-name", "a CEL expression using an unknown function or variable"),
    "P005": Code("duplicate-rule", "two rules with one code or one name"),
    "P006": Code("policy-config-invalid", "an error in .edgemodels-policy.yaml"),
    "D101": Code(
        "mass-removal",
        "models are removed from more sites than the limit (moves to other placements count)",
    ),
    "D102": Code("site-left-empty", "a site loses its last model"),
    "D103": Code("over-capacity", "a site's models need more storage than it has"),
    "D104": Code("workload-without-model", "a site runs a workload whose model it lacks"),
    "D105": Code("model-without-workload", "a site gets a model no workload there uses"),
    "D106": Code("placement-selects-nothing", "a placement selects no site of the inventory"),
    "D107": Code("unsized-model", "a container model without a size, so capacity is unknown"),
    "D108": Code("image-volume-unsupported", "imageVolume delivery on a site that lacks it"),
    "D109": Code("unknown-workload", "the workload export names a workload the catalogue lacks"),
    "D110": Code(
        "unknown-workload-site",
        "the workload export, or a catalogue workload's sites, names a site the inventory lacks",
    ),
    "D111": Code(
        "removals-kept-on-sites",
        "Argo CD preserves resources on deletion: a removal leaves objects on sites",
    ),
    "D112": Code("placed-twice", "a site gets one model through two placements"),
    "D113": Code(
        "guard-not-suppressible",
        "an inline suppression of D101/D102/D116/D118/D137, which only --allow-removals can relax",
    ),
    "D114": Code(
        "copy-volume-resized",
        "container.size of a copy-delivered model changes on its sites: the claim cannot shrink,"
        " and grows only with volume expansion (k3s local-path has none): error or warning",
    ),
    "D115": Code(
        "packaging-hand-over",
        "packaging (helm <-> kustomize) of a deployed model changes: Helm and the Subscription"
        " refuse each other's objects, so it stalls or the model is down; an error, as no site"
        " takes it cleanly (remove in one merge, add back in the next)",
    ),
    "D116": Code(
        "hub-moved",
        "the catalogue's name or hub namespace (or Argo CD namespace) changes: the hub"
        " Subscription deletes every model Subscription, the hub Application prunes every"
        " ApplicationSet, and sites lose their models until hub/ is applied again (a removal"
        " guard: a warning with --allow-removals; publish runs it too, -i or not)",
    ),
    "D117": Code(
        "hub-bootstrap-changed",
        "a setting the hand-applied part of hub/ carries changes: apply hub/ again",
    ),
    "D118": Code(
        "delivery-switched",
        "spec.hub.delivery changes outside the migration (keep-subscriptions, then"
        " subscriptions-removed): the Subscriptions go before the sites' objects carry the"
        " do-not-delete marks, so RHACM removes the models; or back to Subscriptions, where the"
        " hub Application stops updating and pruning (a removal guard: a warning with"
        " --allow-removals; publish runs it too, -i or not)",
    ),
    "D119": Code(
        "pull-model-dropped",
        "spec.hub.argocd.pullModel true -> false: the pull controller leaves the ManifestWorks,"
        " so each site keeps an Application at the old spec that fights the hub's; delete them",
    ),
    "D120": Code(
        "unlabelled-site", "a site with no labels that no placement selects: it gets no model"
    ),
    "D121": Code(
        "retired-workload-running",
        "a workload removed from the catalogue still runs (--workload-sites) on sites that"
        " lose a model it used at the base",
    ),
    "D122": Code(
        "image-for-another-arch",
        "a placement deploys a model's image to sites of an architecture it has another"
        " `images` entry for (a follow or target placement that pins no architecture)",
    ),
    "D123": Code(
        "copy-volume-class-changed",
        "container.storageClassName of a copy-delivered model changes on its sites: a bound"
        " claim's class is immutable, so its patch fails at every reconcile",
    ),
    "D124": Code(
        "version-without-new-image",
        "a model's version changes but its image reference does not: sites that have the"
        " image never pull it again (IfNotPresent), so a tag's new bytes do not reach them"
        " (an error; a warning for a digest, whose bytes are the old version's)",
        "name the new version's image by a new tag or by digest (@sha256:...)",
    ),
    "D125": Code(
        "workload-export-differs",
        "the --workload-sites export places a workload apart from its catalogue selector"
        " or sites: the plan takes the export, follow-<model> placements follow the catalogue",
    ),
    "D126": Code(
        "followed-workload-moved",
        "a follow model leaves sites because a workload it follows moves off them (or is"
        " retired) in the catalogue, which the plan takes as where it runs: --workload-sites"
        " checks that",
    ),
    "D127": Code(
        "unknown-cluster-set",
        "spec.hub.clusterSets names a set the inventory's ManagedClusterSets do not hold:"
        " the Placements select no site through it",
    ),
    "D128": Code(
        "argocd-application-name-too-long",
        "with Argo CD delivery, sites whose names make their Applications,"
        " <catalogue>-<model>-<placement>-<site>, longer than 63 characters: under Argo CD's"
        " label tracking the name is a label value on every object they deploy, which the"
        " API server refuses, so every sync there fails; not with"
        " spec.hub.argocd.resourceTrackingMethod annotation or annotation+label",
        "shorten metadata.name, the model's, the placement's or the sites' names; or have"
        " Argo CD track by annotation (argocd-cm application.resourceTrackingMethod:"
        " annotation, the OpenShift GitOps ArgoCD's spec.resourceTrackingMethod) and set"
        " spec.hub.argocd.resourceTrackingMethod: annotation",
    ),
    "D129": Code(
        "no-base-catalogue",
        "plan --base: the base revision has no catalogue at the catalogue's path (its first"
        " merge, or moved in a way git's rename detection does not find: --base-catalogue"
        " names where it was), so every model is new",
    ),
    "D130": Code(
        "argocd-instance-label-collision",
        "with Argo CD delivery and spec.hub.argocd.resourceTrackingMethod annotation+label,"
        " two Applications on one site whose names Argo CD cuts to one"
        " app.kubernetes.io/instance label value (63 characters): Argo CD tracks them by"
        " annotation and tells them apart, but a tool that reads the label takes the objects"
        " of one for the other's",
        "rename the model or the placement, or track by annotation alone"
        " (application.resourceTrackingMethod: annotation in argocd-cm, and"
        " spec.hub.argocd.resourceTrackingMethod: annotation)",
    ),
    "D131": Code(
        "base-catalogue-moved",
        "plan --base: the base revision has no catalogue at the catalogue's path, and git's"
        " rename detection finds it moved since from another path: the plan compares with"
        " the catalogue there (--base-catalogue names another path); publish says the same"
        " of the last publish's catalogue when that publish recorded no path",
    ),
    "D132": Code(
        "pull-model-enabled",
        "spec.hub.argocd.pullModel false -> true: every kept model's Application passes from"
        " the hub's Argo CD (skip-reconcile) to the site's own, through a ManifestWork; nothing"
        " is deleted, but a site without Argo CD watching spec.hub.argocd.namespace keeps the"
        " models as last synced and gets no later change",
        "install Argo CD on every site, watching spec.hub.argocd.namespace and with the deploy"
        " repository's credentials, before the publish that switches; switch with no model"
        " change, then check each site's ManifestWork reports its Application Synced",
    ),
    "D133": Code(
        "site-unavailable",
        "sites that get models are not accepted, unavailable or unreachable in the hub"
        " export: the hub selects them (the generated Placements tolerate the offline taints,"
        " PlacementRules read none), and the models arrive once they are back; those offline"
        " longer than spec.hub.offlineTolerationSeconds by the export's newest time are"
        " dropped already and get none",
    ),
    "D134": Code(
        "site-being-deleted",
        "sites a placement matches are being deleted in the hub export: no Placement or"
        " PlacementRule selects a cluster being deleted, so the plan places nothing there",
    ),
    "D135": Code(
        "hub-cluster-placed",
        "a placement gives models to the site labelled local-cluster=true, the hub itself"
        " (RHACM registers it as a managed cluster): they would run on the hub, not at a site",
        "keep it out of the targets (matchExpressions: {key: local-cluster, operator:"
        " DoesNotExist}) or of spec.hub.clusterSets; suppress it at the target where the hub"
        " is meant to run them",
    ),
    "D136": Code(
        "base-has-unmerged-commits",
        "(warning) with --base, the base revision has commits that change the catalogue and"
        " HEAD lacks (another merge request merged since the branch started): the plan"
        " compares with their changes undone, so they show reversed, a model they added as"
        " removed, with the removal guards' findings",
        "merge or rebase the branch onto the base and plan again (CI then plans what the"
        " merge does), or compare with the fork point: --base $(git merge-base REV HEAD)",
    ),
    "D137": Code(
        "placements-unbound",
        "spec.hub.placementKind PlacementRule -> Placement: the Placements select only from"
        " cluster sets bound to their namespace, and the bindings are in the hand-applied"
        " hub/bindings/, so RHACM removes every model from every site until they exist (a"
        " removal guard: a warning with --allow-removals; publish runs it too, -i or not)",
        "apply hub/bindings/ of the generated tree before the publish, then pass --allow-removals",
    ),
    "D138": Code(
        "site-objects-needed",
        "(warning) with --base, a model's pods now read a Secret's or ConfigMap's key (env)"
        " or a whole one (envFrom), not optional, on sites where they did not: no plan sees"
        " the sites' objects, and a pod without them waits in CreateContainerConfigError",
        "make the object (with that key) in the models' namespace on those sites before the"
        " merge, or mark the reference optional: true",
    ),
    "D201": Code("inventory-kind", "an inventory file of the wrong kind"),
    "D202": Code("duplicate-site", "a site listed twice in the inventory"),
    "D203": Code("label-conflict", "a site's label contradicts a field of the same site"),
    "D204": Code("invalid-capacity", "a storage capacity that is not a quantity"),
    "D205": Code("too-many-sites", "more sites than the inventory limit"),
    "D206": Code("skipped-item", "an inventory item that is not a usable site"),
    "D207": Code("workload-file-kind", "a workload export of the wrong kind"),
    "D208": Code("duplicate-workload", "a workload listed twice in the export"),
    "D209": Code("no-sites", "the inventory lists no site"),
    "D210": Code("unlabelled-site", "a site with no labels, which no target can select"),
    "D211": Code(
        "invalid-cluster-set",
        "a ManagedClusterSet of the inventory that is listed twice or whose selector cannot"
        " be read",
    ),
    "D301": Code("hand-edited-output", "a generated file was edited by hand"),
    "D302": Code("unowned-output-file", "a file generate did not write is in its way"),
    "D303": Code(
        "blocked-output-path", "a symlink or non-folder stands where a generated path goes"
    ),
    "D304": Code(
        "stale-output",
        "generate --check: the tree differs from the catalogue's",
        "regenerate and stage the tree with the catalogue change: `edgemodels generate "
        "CATALOGUE -o OUTPUT && git add OUTPUT` (in a pre-commit hook, unstaged output "
        "does not count: run `git add OUTPUT` after generating).",
    ),
    "D305": Code("credential-in-catalogue", "a credential-looking value: no tree is generated"),
    "D306": Code(
        "other-edgemodels-version",
        "another edgemodels version wrote the tree (a newer one: no write without --force)",
    ),
    "D307": Code(
        "merge-conflict-in-output",
        "git conflict markers in the generated tree: regenerate with --force",
    ),
    "D308": Code(
        "older-catalogue-source",
        "publish: the deploy branch was last published from a catalogue commit this one does "
        "not include (no publish without --force; with --skip-superseded an older commit "
        "publishes nothing and passes)",
    ),
    "D309": Code(
        "removals-unchecked",
        "publish: the catalogue the branch was last published from cannot be read (a commit"
        " the clone lacks, or no catalogue at the path it was published from), so plan's"
        " removal guards cannot be run (with --inventory no publish without --allow-removals;"
        " without it a note: D116/D118 not run, said by D308's warning instead for a commit"
        " the clone lacks)",
    ),
}


# Findings other than the rules' that the policy config's `ignore:` takes by path: warnings
# about links a repository may keep on purpose (a submodule CI initialises, Y018; a link out
# of the repository to a folder every checkout mounts, Y017; Y019). They sit on the link or
# folder itself, where no `# edgemodels: ignore[...]` comment can go. No error is ignorable.
IGNORABLE_FINDINGS = ("Y017", "Y018", "Y019")


def every_code() -> dict[str, Code]:
    """Y, S, R, P0xx, K and D codes, sorted by family then number."""
    merged = {**CODES, **K_CODES}
    order = list(FAMILIES)
    return dict(sorted(merged.items(), key=lambda kv: (order.index(kv[0][0]), kv[0])))


def code_document(code: str, entry: Code) -> str:
    return (
        f"{code} {entry.name}\n"
        f"  family:    {code[0]}, {FAMILIES[code[0]]}\n"
        f"  summary:   {entry.summary}\n"
        + (f"  fix:       {entry.fix}\n" if entry.fix else "")
        + (
            "  Not a policy rule: the policy config's ignore: takes it by path, nothing else.\n"
            if code in IGNORABLE_FINDINGS
            else "  Not a policy rule: the policy config does not change it.\n"
        )
    )


def codes_table() -> str:
    return "".join(f"{c}  {e.name:30} {e.summary}\n" for c, e in every_code().items())


def entry_codes(rules: Iterable[tuple[str, str]] = ()) -> Callable[[str], frozenset[str]]:
    """What an `ignore[...]` entry can mean: a code-shaped entry is that code, in any case
    (known or not); a name is every code and rule `(code, name)` so named (names repeat
    across families: S001 and K101 are both unknown-field). Empty: a name nothing has."""
    by_name: dict[str, set[str]] = {}
    for code, name in [*((c, e.name) for c, e in every_code().items()), *rules]:
        by_name.setdefault(name, set()).add(code)

    def codes(entry: str) -> frozenset[str]:
        if re.fullmatch(r"[A-Za-z][0-9]{3}", entry):
            return frozenset({entry.upper()})
        return frozenset(by_name.get(entry.lower(), ()))

    return codes
