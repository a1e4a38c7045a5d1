"""Every finding code `edgemodels validate` reports: K1xx schema, K2xx render/build, K3xx ACM.

One registry, tested for completeness: each code has a kebab-case name and a one-line
summary. Codes are never reused; retire a code by leaving it here with its summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgemodels.diagnostics import Diagnostic, Location, Severity


@dataclass(frozen=True)
class Code:
    name: str
    summary: str
    fix: str = ""  # what to do about a finding, printed by `edgemodels rule CODE`


CODES: dict[str, Code] = {
    # K1xx: YAML and JSON Schema (Kubernetes kinds and the project's own CRD schemas)
    "K101": Code("unknown-field", "a field the schema does not define (strict mode)"),
    "K102": Code("wrong-type", "a value of the wrong JSON type"),
    "K103": Code("missing-field", "a required field is absent"),
    "K104": Code("invalid-value", "a value outside the allowed set (enum/const)"),
    "K105": Code("constraint-violated", "pattern, length or range constraint not met"),
    "K106": Code("unknown-kind", "no schema for this apiVersion/kind (wrong apiVersion or kind)"),
    "K107": Code("not-a-manifest", "a document without a string apiVersion and kind"),
    "K108": Code("yaml-error", "the YAML does not parse"),
    "K109": Code("duplicate-key", "a mapping key appears twice (the API server rejects it)"),
    "K110": Code("schema-violation", "any other schema failure (oneOf, anyOf, format, ...)"),
    # K2xx: rendering Helm charts and building Kustomize overlays
    "K201": Code("helm-template-error", "a chart template fails to parse or execute"),
    "K202": Code("helm-values-invalid", "placement values break the chart's values.schema.json"),
    "K203": Code("helm-lint", "Helm's chart lint reports a problem"),
    "K204": Code("helm-chart-invalid", "the chart cannot be loaded (Chart.yaml, layout)"),
    "K205": Code("rendered-yaml-error", "rendered or built output is not valid YAML"),
    "K206": Code("kustomize-build-error", "`kubectl kustomize` fails on an overlay or the hub"),
    "K207": Code(
        "tool-missing", "a tool a check needs is not installed, so that check was skipped"
    ),
    "K208": Code("unlisted-file", "a hub file the hub kustomization does not list (never applied)"),
    "K209": Code(
        "listed-file-missing",
        "a file the tree manifest lists is not in the tree, is empty, or holds only comments",
    ),
    "K210": Code(
        "interrupted-write",
        "a generate stopped inside its commit: the tree holds old and new files",
    ),
    "K211": Code(
        "outside-tree",
        "a kustomization entry leads out of the tree: RHACM's clone of the branch lacks it",
    ),
    "K212": Code("patch-selects-nothing", "a patch whose target selects no object it builds"),
    "K213": Code(
        "helm-warning",
        "Helm warned on stderr as it rendered a chart: values it drops, a symlink it follows",
        "give the value the shape the chart's values.yaml gives it (a table or not), or change "
        "the default; for a symlink, put the file itself in the chart",
    ),
    # K3xx: what RHACM needs that schemas cannot express
    "K301": Code("channel-format", "Subscription spec.channel is not `namespace/name`"),
    "K302": Code("channel-missing", "the Channel a Subscription names is not in the tree"),
    "K303": Code("placement-ref-kind", "placementRef kind/apiVersion is not one RHACM resolves"),
    "K304": Code("placement-missing", "the Placement/PlacementRule referenced is not in the tree"),
    "K305": Code("placement-namespace", "placementRef points outside the referrer's namespace"),
    "K306": Code("binding-name", "ManagedClusterSetBinding name differs from spec.clusterSet"),
    "K307": Code("binding-missing", "a Placement's namespace has no binding for its cluster set"),
    "K308": Code("git-path-missing", "a git-path / source path does not exist in the tree"),
    "K309": Code(
        "git-path-not-package", "the git-path folder holds no Chart.yaml or kustomization"
    ),
    "K310": Code(
        "git-path-invalid", "git-path is absent, escapes the repository or is inconsistent"
    ),
    "K311": Code("name-too-long", "a name is over its budget (Application 37, objects 253)"),
    "K312": Code("label-value-invalid", "a label value is over 63 characters or malformed"),
    "K313": Code("local-and-remote", "placement.local combined with a remote placementRef"),
    "K314": Code("package-override-ignored", "packageOverrides RHACM ignores (packageName, path)"),
    "K315": Code("duplicate-object", "two files define the same kind/namespace/name"),
    # K316-K325: the Argo CD path (validate/argocd_checks.py)
    "K316": Code("placement-name-too-long", "a Placement name is over 63 (its decisions' label)"),
    "K317": Code("appset-name-not-per-cluster", "one Application name for every cluster"),
    "K318": Code("appset-clusters-unregistered", "no GitOpsCluster registers this Placement"),
    "K319": Code("appset-decision-configmap", "configMapRef is not acm-placement"),
    "K320": Code("appset-destination", "destination lacks one of server/name, or a namespace"),
    "K321": Code("pull-model-incomplete", "pull-model label and annotations not all set"),
    "K322": Code("appset-revision-missing", "no targetRevision: the default branch is used"),
    "K323": Code("migration-unmarked", "a folder both delivery modes deploy lacks the keep marks"),
    "K324": Code("migration-namespace-mismatch", "Subscription, ApplicationSet: two namespaces"),
    "K325": Code("appset-templated-source", "'{{' in an ApplicationSet source is substituted"),
    # K326-K327: more of what a Git Subscription needs
    # (stolostron/multicloud-operators-subscription, pkg/utils/helmrepo.go and gitrepo.go)
    "K326": Code("chart-name-mismatch", "Helm Subscription spec.name is not the chart's name"),
    "K327": Code("git-branch-missing", "Git Subscription without a git-branch annotation"),
    "K328": Code(
        "service-name-invalid",
        "a Service name (or an Ingress backend's) that is not a DNS-1035 label",
    ),
    "K329": Code(
        "object-name-invalid",
        "a metadata.name the API server refuses for its kind (not a DNS-1123 subdomain, ...)",
    ),
    "K330": Code(
        "quantity-invalid",
        "a quantity the API server refuses (`4GB`, negative, a GPU fraction) or takes long to "
        "parse",
        "write a Kubernetes quantity: 4Gi or 4G (not 4GB), 500m or 0.5 for CPU; an exponent "
        'beyond ±2147483647 is reported as "has an exponent beyond ±2147483647: newer API '
        'servers refuse it, and older ones cut the exponent to 32 bits and read it as N" '
        "(Kubernetes PR #141203 bounds it; before, 1e4294967297 was 10): write the amount "
        'with an exponent within that range; one that "takes the API server a long time to '
        'parse" (1e-30000000, 1234567890123456789e250000: seconds to minutes of its CPU for '
        "each object) is far from any real amount: write it with an exponent closer to 0",
    ),
    "K331": Code(
        "request-over-limit",
        "a request above its limit (extended resources, hugepages: not equal, or no limit)",
        "lower the request or raise the limit (1Gi is 1073741824, 500m is 0.5); for "
        "nvidia.com/gpu and other extended resources set the limit, equal to the request",
    ),
    "K332": Code(
        "limit-range-invalid",
        "a LimitRange the API server refuses (not min <= defaultRequest <= default <= max, ...)",
        "put each resource's values in order (min <= defaultRequest <= default <= max), a "
        "maxLimitRequestRatio from 1 to max/min, default = defaultRequest for "
        "nvidia.com/gpu and hugepages, no default on a Pod item, one item per type",
    ),
    "K333": Code(
        "quantity-spaced",
        "a resource quantity with space around it, which the API server trims (a warning)",
        "take the space off (' 1Gi' is read as 1Gi; kubectl and kustomize pass the text on "
        "as written, and CEL's quantity() refuses it); a tab or line break reaches the API "
        "server escaped in JSON (\\t), which it does not trim and refuses (K330)",
    ),
    "K334": Code(
        "object-too-large",
        "a ConfigMap's or Secret's data over 1 MiB, or an object over etcd's 1.5 MiB request limit",
        "split the data over several ConfigMaps or Secrets, or ship it in the image or a "
        "volume: a ConfigMap's data and binaryData, or a Secret's data and stringData, may "
        "hold 1,048,576 bytes of values (keys not counted; base64 counted decoded); any "
        "object, measured here by its YAML, must fit etcd's --max-request-bytes, 1.5 MiB "
        "unless the cluster raised it. A kustomize input holding one is not built: kustomize "
        "takes time that grows with the square of a mapping's keys (minutes for a "
        "ConfigMap of 100,000 keys)",
    ),
    "K335": Code(
        "kustomize-slow-input",
        "a kustomize input with a mapping of 20,000 keys or more, which kustomize reads for "
        "minutes",
        "split the mapping over several objects, or ship the data in the image or a volume: "
        "kustomize's time grows with the square of one mapping's keys (it looks each key up "
        "in a list as it reads the file), not with the file's bytes",
    ),
}


def diagnostic(
    code: str,
    location: Location,
    message: str,
    origin: Location | None = None,
    severity: Severity = "error",
) -> Diagnostic:
    """A Diagnostic carrying the registered kebab-case name of `code`."""
    return Diagnostic(location, code, message, severity, CODES[code].name, origin)
