"""K330: resource quantities the API server cannot parse, on the value, in every object;
K331: requests over their limits, compared as the API server compares quantities."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from edgemodels.kubequantity import QUANTITY, quantity_value
from edgemodels.validate.manifests import Manifest, Source
from edgemodels.validate.quantities import check_quantities
from edgemodels.validate.requestlimits import check_request_limits
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import edit, line_of

VALID = [
    "1",
    "0",
    "500m",
    "0.5",
    ".5",
    "5.",
    "+1",
    "-0",
    "4Gi",
    "4G",
    "1Ki",
    "128974848",
    "129e6",
    "1E+3",
    "100n",
    "10u",
    "1k",
    "2Ei",
    "1.5Mi",
]
INVALID = [
    "",
    ".",
    "1 Gi",
    "1Gi ",
    "1Gi\n",
    *["lots", "4GB", "1K", "1KI", "4gi", "1e", "1e1.5", "Mi", "0x10", "1,5", "--1"],
]


@pytest.mark.parametrize("text", VALID)
def test_kubernetes_quantities_parse(text: str) -> None:
    assert QUANTITY.fullmatch(text)


@pytest.mark.parametrize("text", INVALID)
def test_what_is_no_quantity_here_does_not(text: str) -> None:
    # The API server refuses these but `.` and `Mi` (no digits), which it reads as 0: the
    # test below says how K330 words those.
    assert not QUANTITY.fullmatch(text)


@pytest.mark.parametrize(
    ("value", "zero"),
    [("Mi", True), (".", True), ("-", True), ("+", True), ("e3", True), (".e3", True),
     ("m", True), ("-.", True), ("", False), ("1e", False), ("Mi1", False), ("..", False),
     ("e-9", True), (".e-9", True), ("n", True), ("e-09", True), ("e4294967297", False),
     ("e-10", False), (".e-10", False), ("-e-10", False), ("E-010", False),
     ("e4294967286", False), ("e99999999999999999999", False)],
)  # fmt: skip
def test_a_quantity_without_digits_is_said_to_read_as_zero(value: str, zero: bool) -> None:
    """ParseQuantity takes missing digits for 0 on its int64 path (kubectl 1.27-1.33 print
    0 for each `zero` case): K330 says so rather than that the API server refuses it. Below
    a scale of -9 (`e-10`, and `e4294967286`, cut to -10 as an int32) it refuses them
    ("unable to parse numeric part of quantity", kubectl 1.33), and K330 says that; so it
    does for an exponent beyond ±2147483647 (`e4294967297`), which newer API servers refuse."""
    claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
    claim += f"  resources:\n    requests:\n      storage: '{value}'\n"
    manifest = Manifest(yaml.safe_load(claim), Source("x.yaml", claim))
    ((found, _),) = check_quantities(manifest)
    said = "has no number, which the API server reads as 0" in found.message
    assert said == zero, found.message


@pytest.mark.parametrize(
    ("value", "refused"),
    [("-1", True), ("-0.01", True), ("-0.0001n", True), ("-.5", True),  # -0.0001n: -1n
     ("-0e3", False), ("-0", False), ("-0m", False), ("-0.0", False), ("-.0Gi", False)],
)  # fmt: skip
def test_a_negative_quantity_is_refused(value: str, refused: bool) -> None:
    claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
    claim += f"  resources:\n    requests:\n      storage: '{value}'\n"
    assert len(_found(claim)) == refused


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("1", False),  # YAML numbers reach the API server as their JSON text
        ("0.5", False),
        (".5", False),
        ("1.0e+3", False),
        ("99999999999999999999999", False),  # kept exactly, not refused
        ("-1", True),
        ("-0.5", True),
        (".inf", True),  # no JSON text at all: kubectl cannot send it
        ("-.inf", True),
        (".nan", True),
        ("'1e99999999999999999999'", True),  # an exponent beyond int64
        ("'1e2147483647'", False),  # the largest exponent every API server reads as written
        ("'1e-2147483647'", True),  # taken, after minutes of rounding: see below
        ("'1e2147483648'", True),  # beyond int32: newer API servers refuse it, older wrap it
        ("'1e-2147483648'", True),  # -MinInt32 does not fit an int32: refused by newer too
        ("'1e4294967296'", True),  # within int64: older ones cut it to an int32, so 1e0
    ],
)
def test_numbers_and_exponents_as_the_api_server_reads_them(value: str, refused: bool) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
    pod += f"  - name: c\n    resources:\n      requests:\n        cpu: {value}\n"
    assert len(_found(pod)) == refused


@pytest.mark.parametrize(
    ("value", "older"),
    [  # what kubectl 1.27-1.33 `create quota --hard=cpu=VALUE --dry-run=client` print
        ("1e4294967296", "1"),  # prints its own text back: 1 (the exponent cut to 0)
        ("1e4294967297", "10"),
        ("1e9223372036854775807", "0.1"),  # 100e-3
        ("1.5e-2147483648", "15e2147483647"),  # 150e2147483646
        ("15e-2147483649", "15e2147483647"),  # 150e2147483646
        ("-2e4294967298", "-200"),
        # kubectl 1.33 was still parsing it after 2 minutes (`timeout 120` ended it)
        ("1e2147483648", "1e2147483648, after a long time spent writing out its digits"),
    ],
)
def test_an_exponent_beyond_int32_says_what_each_api_server_does(value: str, older: str) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
    pod += f"  - name: c\n    resources:\n      requests:\n        cpu: '{value}'\n"
    found = check_quantities(Manifest(yaml.safe_load(pod), Source("x.yaml", pod)))
    assert [d.message for d, _ in found] == [
        f"Pod p: spec.containers[0].resources.requests.cpu '{value}' has an exponent beyond "
        "±2147483647: newer API servers refuse it, and older ones cut the exponent to 32 "
        f"bits and read it as {older}"
    ]
    assert found[0][0].code == "K330"


def _cpu_pod(cpu: str, limit: str = "") -> Manifest:
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
    pod += f"  - name: c\n    resources:\n      requests:\n        cpu: {cpu}\n"
    pod += f"      limits:\n        cpu: {limit}\n" if limit else ""
    return Manifest(yaml.safe_load(pod), Source("x.yaml", pod))


@pytest.mark.parametrize(
    ("value", "code"),
    [  # what kubectl 1.27-1.33 decoding a Pod (`set resources --local -f`) take or refuse
        ('" 1Gi"', "K333"), ('"1Gi "', "K333"), ('"  1.5Gi  "', "K333"),
        ('"\\u00a01Gi"', "K333"), ('"\\u00851Gi"', "K333"), ('"1Gi\\u2003"', "K333"),
        ('"\\u30001Gi"', "K333"), ('" 1e3 "', "K333"),
        ('"\\t1Gi"', "K330"), ('"1Gi\\t"', "K330"), ('"\\n1Gi"', "K330"), ('"1Gi\\n"', "K330"),
        ('"\\r1Gi"', "K330"), ('"\\v1Gi"', "K330"), ('"\\f1Gi"', "K330"),
        ('"\\u20281Gi"', "K330"), ('"\\x1c1Gi"', "K330"), ('"1 Gi"', "K330"),
        ('" -1"', "K330"), ('" Mi"', "K330"), ('" "', "K330"),
    ],
)  # fmt: skip
def test_space_the_api_server_trims_is_a_warning_not_a_refusal(value: str, code: str) -> None:
    """Quantity.UnmarshalJSON parses `strings.TrimSpace` of the JSON text as sent: a space,
    U+00A0, U+0085 or U+3000 comes off; a tab, line break or U+2028 is sent escaped (`\\t`),
    and that backslash stays, so the API server refuses the value."""
    ((found, _),) = check_quantities(_cpu_pod(value))
    assert (found.code, found.severity) == (code, "warning" if code == "K333" else "error")


def test_the_warning_says_what_the_api_server_reads_and_who_does_not() -> None:
    ((found, _),) = check_quantities(_cpu_pod('" 1.5Gi"'))
    assert found.message == (
        "Pod p: spec.containers[0].resources.requests.cpu ' 1.5Gi' has space around it: the "
        "API server trims it (Quantity.UnmarshalJSON) and reads '1.5Gi', but kubectl and "
        "kustomize pass the text on as written and CEL's quantity() refuses it: write '1.5Gi'"
    )
    assert (found.line, found.col) == (10, 14)


@pytest.mark.parametrize(
    ("request_", "limit", "over"), [('" 2"', '"1 "', True), ('" 1"', "1", False)]
)
def test_a_spaced_quantity_is_compared_as_the_api_server_reads_it(
    request_: str, limit: str, over: bool
) -> None:
    assert [d.code for d, _ in check_request_limits(_cpu_pod(request_, limit))] == (
        ["K331"] if over else []
    )


SLOW = [  # at SLOW_ROUNDING and SLOW_ZEROS: 9-11 s for kubectl 1.32 and 1.33 to parse and print
    ("1e-30000000", "it rounds it to nanos with a power of ten of 29999991 digits"),
    ("1e-2147483647", "it rounds it to nanos with a power of ten of 2147483638 digits"),
    ("1234567890123456789e250000", "it strips 250009 factors of ten one division at a time"),
    ("1234567890123456789e2147483647", "it strips 2147483656 factors of ten one division"),
]
NOT_SLOW = [
    "1e-29999990",  # 29999981 digits
    "1234567890123456789e249990",  # 249999 factors of ten
    "123456789012345678e2147483647",  # 18 digits: ParseQuantity's int64 path, no work
    "1e2147483647",
    "1.5e-9",
    "1234567890123456789e-5",
]


@pytest.mark.parametrize(("value", "why"), SLOW)
def test_a_quantity_that_takes_the_api_server_long_to_parse_is_refused(
    value: str, why: str
) -> None:
    """kubectl 1.33 took 77 s on 1e-100000000; the measured ones are in kubequantity."""
    ((found, _),) = check_quantities(_cpu_pod(f"'{value}'"))
    assert found.code == "K330"
    assert found.message.startswith(
        f"Pod p: spec.containers[0].resources.requests.cpu '{value}' takes the API server a "
        "long time to parse ("
    )
    assert why in found.message


@pytest.mark.parametrize("value", NOT_SLOW)
def test_a_quantity_the_api_server_parses_soon_enough_is_taken(value: str) -> None:
    assert check_quantities(_cpu_pod(f"'{value}'")) == []


def test_validate_answers_at_once_on_quantities_the_api_server_is_slow_on() -> None:
    """The API server's work grows with the exponent; edgemodels' does not."""
    values = [v for v, _ in SLOW] + NOT_SLOW + ["1e2147483648", "1e-2147483648", "1e4294967297"]
    started = time.perf_counter()
    for request_ in values:
        for limit in values:
            manifest = _cpu_pod(f"'{request_}'", f"'{limit}'")
            check_quantities(manifest)
            check_request_limits(manifest)
    assert time.perf_counter() - started < 5  # a guard against writing out digits, not a speed bar


def _found(text: str) -> list[tuple[int, int, str]]:
    manifest = Manifest(yaml.safe_load(text), Source("x.yaml", text))
    return [(d.line, d.col, d.message.split(" '")[0]) for d, _ in check_quantities(manifest)]


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
          - name: fetch
            resources:
              requests:
                cpu: lots
          containers:
          - name: run
            resources:
              requests:
                memory: 4GB
              limits:
                memory: 4Gi
                cpu: -1
          volumes:
          - name: scratch
            emptyDir:
              sizeLimit: 1gb
"""

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: store
spec:
  template:
    spec:
      containers:
      - name: db
        resources:
          limits: {cpu: "2", memory: 1Gi}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      resources:
        requests:
          storage: 10GB
"""


def test_each_bad_quantity_is_on_its_value() -> None:
    spec = "CronJob nightly: spec.jobTemplate.spec.template.spec"
    assert sorted(_found(CRONJOB)) == [
        (15, 22, f"{spec}.initContainers[0].resources.requests.cpu"),
        (20, 25, f"{spec}.containers[0].resources.requests.memory"),
        (23, 22, f"{spec}.containers[0].resources.limits.cpu"),
        (27, 26, f"{spec}.volumes[0].emptyDir.sizeLimit"),
    ]


def test_volume_claim_templates_and_claims_are_checked() -> None:
    assert _found(STATEFULSET) == [
        (18, 20, "StatefulSet store: spec.volumeClaimTemplates[0].spec.resources.requests.storage")
    ]
    claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
    claim += "  resources:\n    requests:\n      storage: 10 Gi\n"
    assert [f[:2] for f in _found(claim)] == [(8, 16)]


def test_quotas_and_limit_ranges_are_checked() -> None:
    quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n"
    quota += "  hard:\n    pods: '10'\n    requests.memory: 8GB\n"
    assert [f[:2] for f in _found(quota)] == [(8, 22)]
    limits = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: l\nspec:\n  limits:\n"
    limits += "  - type: Container\n    default:\n      cpu: 1 core\n"
    assert [f[:2] for f in _found(limits)] == [(9, 12)]


def test_a_kind_of_another_group_is_not_a_kubernetes_workload() -> None:
    other = CRONJOB.replace("batch/v1", "example.com/v1")
    assert _found(other) == []


def test_a_rendered_bad_quantity_is_on_its_template_line(
    tree: Path, options: ValidateOptions
) -> None:
    rel = "models/web/chart/templates/deployment.yaml"
    resources = "\n          resources:\n            limits:\n              memory: 512MB\n"
    edit(tree, rel, "containerPort: {{ .Values.port }}\n", "containerPort: 8080" + resources)
    found = [(d.code, d.path, d.line) for d in validate_tree(tree, options)]
    assert found == [("K330", rel, line_of(tree, rel, "memory: 512MB"))]


def test_a_built_bad_quantity_is_found(tree: Path, options: ValidateOptions) -> None:
    rel = "models/batch/base/deployment.yaml"
    edit(tree, rel, "memory: 512Mi", "memory: 512MB")
    found = {(d.code, d.path, d.line, d.col) for d in validate_tree(tree, options)}
    assert found == {("K330", rel, line_of(tree, rel, "memory: 512MB"), 21)}


# K331: requests against limits, compared as resource.Quantity compares them.
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1Gi", "1073741824"),
        ("500m", "0.5"),
        ("1e3", "1k"),
        ("1E3", "1000"),
        ("1.5Gi", "1536Mi"),
        ("1Ki", "1024"),
        ("1m", "1e-3"),
        ("0.1n", "1n"),  # rounded up to a whole nano, as the API server does
        ("1e-10", "1n"),
        ("20Ei", "30Ei"),  # a binary suffix is capped at 2^63-1 (kubectl 1.27-1.33 alike)
        ("1e300", "1" + "0" * 300),  # not capped at 2^63-1
        ("1e2147483647", "10e2147483646"),  # as kubectl 1.27-1.33 print 1e2147483647
        ("1e4294967297", "10"),  # the exponent cut to an int32, as kubectl 1.27-1.33 read it
        ("1.5e-2147483648", "15e2147483647"),  # -2147483648 - 1 wraps in the int32 scale
        ("1e" + "0" * 5000 + "3", "1k"),  # ParseInt takes leading zeros (kubectl 1.33 too)
        ("1e-" + "0" * 5000 + "3", "1m"),
        (".5", "500m"),
        ("5.", "5"),
        ("+2", "2"),
        (2, "2"),  # a YAML number reaches the API server as its JSON text
        (0.5, "500m"),
    ],
)
def test_equal_quantities_have_one_value(a: object, b: str) -> None:
    assert quantity_value(a) == quantity_value(b) is not None


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        ("1G", "1Gi"),
        ("1000M", "1000Mi"),
        ("999m", "1"),
        ("1n", "2n"),
        ("1Ki", "1025"),
        ("1e2", "1Ki"),
        ("1e19", "2e19"),  # not capped (kubectl 1.27-1.33: 10e18 and 20e18)
        ("9223372036854775807", "9223372036854775808"),
        ("8Ei", "1e19"),  # 8Ei is 2^63, capped to 2^63-1; 1e19 is not capped
        ("1e2147483647", "2e2147483647"),
        ("1e-2147483647", "1e2147483647"),
        ("1e2147483646", "1e2147483647"),
        ("-2e2147483647", "-1e2147483647"),  # negated without the default context's limits
        ("-1e2147483647", "1e-2147483647"),
    ],
)
def test_quantities_are_ordered_exactly(smaller: str, larger: str) -> None:
    assert quantity_value(smaller) < quantity_value(larger)  # type: ignore[operator]


@pytest.mark.parametrize(
    "value",
    ["lots", "4GB", "", True, None, ["1"], "1e9999999999999999999", "1e" + "1" * 5000],
)
def test_what_does_not_parse_has_no_value(value: object) -> None:
    assert quantity_value(value) is None


def _pod(resources: str, kind: str = "Deployment") -> str:
    """A workload of `kind` whose one container has `resources` (flow mappings)."""
    head = {"Deployment": "apps/v1", "Pod": "v1"}[kind]
    spec = "spec:\n  template:\n    spec:\n" if kind == "Deployment" else "spec:\n"
    pad = "      " if kind == "Deployment" else "  "
    body = f"{pad}containers:\n{pad}- name: app\n{pad}  image: app:1\n{pad}  resources:\n"
    body += "".join(f"{pad}    {line}\n" for line in resources.splitlines())
    return f"apiVersion: {head}\nkind: {kind}\nmetadata:\n  name: app\n{spec}{body}"


def _over(text: str) -> list[tuple[int, int, str]]:
    manifest = Manifest(yaml.safe_load(text), Source("x.yaml", text))
    return [(d.line, d.col, d.message) for d, _ in check_request_limits(manifest)]


@pytest.mark.parametrize(
    ("resources", "refused"),
    [
        ("requests: {cpu: '2'}\nlimits: {cpu: '1'}", True),
        ("requests: {cpu: 1001m}\nlimits: {cpu: '1'}", True),
        ("requests: {memory: 1Gi}\nlimits: {memory: 1G}", True),  # 1Gi > 1G
        ("requests: {memory: 1073741825}\nlimits: {memory: 1Gi}", True),
        ("requests: {cpu: '1'}\nlimits: {cpu: '1'}", False),
        ("requests: {cpu: 500m}\nlimits: {cpu: '0.5'}", False),
        ("requests: {memory: 1073741824}\nlimits: {memory: 1Gi}", False),
        ("requests: {cpu: 1e3}\nlimits: {cpu: 1k}", False),
        ("requests: {cpu: '2e19'}\nlimits: {cpu: '1e19'}", True),  # exact beyond 2^63-1
        ("requests: {memory: 30Ei}\nlimits: {memory: 20Ei}", False),  # both capped: equal
        ("requests: {cpu: '2e2147483647'}\nlimits: {cpu: '1e2147483647'}", True),
        ("requests: {cpu: '1e2147483647'}\nlimits: {cpu: '2e2147483647'}", False),
        ("requests: {cpu: '2'}", False),  # no limit to exceed
        ("limits: {cpu: '1'}", False),  # the request defaults to the limit
        ("requests: {cpu: '2'}\nlimits: {memory: 1Gi}", False),  # another resource's limit
        ("requests: {cpu: lots}\nlimits: {cpu: '1'}", False),  # K330's
        ("requests: {ephemeral-storage: 2Gi}\nlimits: {ephemeral-storage: 1Gi}", True),
        # not overcommitable: equal, and a limit set
        ("requests: {nvidia.com/gpu: 1}\nlimits: {nvidia.com/gpu: 2}", True),
        ("requests: {nvidia.com/gpu: 1}", True),
        ("requests: {hugepages-2Mi: 2Mi}\nlimits: {hugepages-2Mi: 4Mi, memory: 1Gi}", True),
        ("requests: {nvidia.com/gpu: '1'}\nlimits: {nvidia.com/gpu: 1}", False),
        ("limits: {nvidia.com/gpu: 1}", False),
        ("requests: {nvidia.com/gpu: 1}\nlimits: {nvidia.com/gpu: x}", False),  # K330's
    ],
)
def test_a_request_over_its_limit_is_refused(resources: str, refused: bool) -> None:
    assert len(_over(_pod(resources))) == refused
    assert len(_over(_pod(resources, "Pod"))) == refused


def test_the_finding_is_on_the_request_and_says_both_values() -> None:
    text = _pod("limits: {cpu: '1'}\nrequests:\n  memory: 1Gi\n  cpu: '2'", "Pod")
    assert _over(text) == [
        (
            13,
            14,
            "Pod app: spec.containers[0].resources.requests.cpu '2' must be less than or "
            "equal to the cpu limit of '1': the API server refuses the pod",
        )
    ]


def test_every_container_of_every_workload_kind_is_compared() -> None:
    over = "resources: {requests: {cpu: '2'}, limits: {cpu: '1'}}"
    text = CRONJOB.replace("resources:\n              requests:\n                cpu: lots", over)
    text = text.replace(
        "  requests:\n                memory: 4GB", "  requests:\n                memory: 5Gi"
    )
    spec = "CronJob nightly: spec.jobTemplate.spec.template.spec"
    found = [message.split(" '")[0] for _, _, message in _over(text)]
    assert found == [
        f"{spec}.containers[0].resources.requests.memory",
        f"{spec}.initContainers[0].resources.requests.cpu",
    ]
    for kind, api in [("StatefulSet", "apps/v1"), ("DaemonSet", "apps/v1"), ("Job", "batch/v1")]:
        workload = _pod("requests: {cpu: '2'}\nlimits: {cpu: '1'}").replace(
            "apps/v1\nkind: Deployment", f"{api}\nkind: {kind}"
        )
        assert len(_over(workload)) == 1, kind
    ephemeral = _pod("requests: {cpu: '2'}\nlimits: {cpu: '1'}", "Pod").replace(
        "  containers:", "  ephemeralContainers:"
    )
    assert "spec.ephemeralContainers[0].resources.requests.cpu" in _over(ephemeral)[0][2]
    assert _over(workload.replace("batch/v1", "example.com/v1")) == []


def test_pod_level_resources_are_compared_without_the_equality_rule() -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  resources:\n"
    pod += (
        "    requests: {cpu: '2', nvidia.com/gpu: 1}\n    limits: {cpu: '1', nvidia.com/gpu: 2}\n"
    )
    pod += "  containers: []\n"
    assert [m.split(" '")[0] for _, _, m in _over(pod)] == ["Pod p: spec.resources.requests.cpu"]


def test_a_rendered_request_over_its_limit_is_on_its_template_line(
    tree: Path, options: ValidateOptions
) -> None:
    rel = "models/web/chart/templates/deployment.yaml"
    resources = "\n          resources:\n            requests:\n              cpu: 1500m\n"
    resources += "            limits:\n              cpu: '1'\n"
    edit(tree, rel, "containerPort: {{ .Values.port }}\n", "containerPort: 8080" + resources)
    found = [(d.code, d.path, d.line) for d in validate_tree(tree, options)]
    assert found == [("K331", rel, line_of(tree, rel, "cpu: 1500m"))]


@pytest.mark.parametrize(
    ("resource", "value", "refused"),
    [
        ("nvidia.com/gpu", "'0.5'", True),  # "must be an integer"
        ("nvidia.com/gpu", "0.5", True),
        ("nvidia.com/gpu", "'1500m'", True),
        ("nvidia.com/gpu", "'1.0001'", True),  # a thousandth up: 1001m
        ("nvidia.com/gpu", "'1'", False),
        ("nvidia.com/gpu", "'2000m'", False),
        ("nvidia.com/gpu", "'1k'", False),
        ("example.com/fpga", "'0.1'", True),
        ("cpu", "'0.5'", False),  # native resources take fractions
        ("hugepages-2Mi", "'1.5Mi'", False),
        ("example.kubernetes.io/x", "'0.5'", False),  # native: a kubernetes.io domain
    ],
)
def test_an_extended_resource_is_counted_in_whole_units(
    resource: str, value: str, refused: bool
) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
    pod += f"  - name: c\n    resources:\n      limits:\n        {resource}: {value}\n"
    found = _found(pod)
    assert len(found) == refused
    if refused:
        message = check_quantities(Manifest(yaml.safe_load(pod), Source("x.yaml", pod)))[0]
        assert "is not a whole number" in message[0].message


def test_a_quota_counts_objects_in_whole_units() -> None:
    quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n"
    quota += "    pods: '10.5'\n    requests.cpu: '1.5'\n    example.com/fpga: '2'\n"
    assert [f[0] for f in _found(quota)] == [7]
