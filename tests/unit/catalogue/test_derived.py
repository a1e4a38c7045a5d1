"""Checks on a model's settings per target after the overrides: inline YAML, (line, col, code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import BASE, CONTAINER, findings, messages, sub

WITH_RESOURCES = sub(
    "      targets: [lrt]\n",
    "      targets: [lrt]\n"
    "      resources:\n"
    "        requests: {memory: 512Mi, cpu: 100m}\n"
    "        limits: {memory: 1Gi, cpu: '0.1'}\n",
)


def test_equal_quantities_in_other_units_are_accepted(tmp_path: Path) -> None:
    text = sub("memory: 1Gi", "memory: 0.5Gi", WITH_RESOURCES)
    assert findings(tmp_path, text) == []


def test_request_above_the_models_own_limit(tmp_path: Path) -> None:
    text = sub("cpu: '0.1'", "cpu: 50m", WITH_RESOURCES)
    # both are the model's own: at the request, as K331 points at it in the generated pod
    assert findings(tmp_path, text) == [(24, 40, "R221")]
    (message,) = messages(tmp_path, text)
    assert "requests cpu 100m" in message and "limit is 50m (at " in message


def test_request_above_a_target_override_limit(tmp_path: Path) -> None:
    text = WITH_RESOURCES + (
        "      overrides:\n        lrt:\n          resources: {limits: {memory: 256Mi}}\n"
    )
    assert findings(tmp_path, text) == [(29, 40, "R221")]
    (message,) = messages(tmp_path, text)
    assert "on target 'lrt'" in message and "memory 512Mi" in message


def test_request_above_the_targets_own_override_limit(tmp_path: Path) -> None:
    text = sub(
        "      matchLabels: {env: lrt}\n",
        "      matchLabels: {env: lrt}\n      overrides: {resources: {requests: {cpu: '2'}}}\n",
        WITH_RESOURCES,
    )
    # the request comes from the target, and is what goes wrong there: at the request
    assert findings(tmp_path, text) == [(17, 47, "R221")]


def test_limit_lowered_by_the_targets_own_overrides(tmp_path: Path) -> None:
    text = sub(
        "      matchLabels: {env: lrt}\n",
        "      matchLabels: {env: lrt}\n      overrides: {resources: {limits: {memory: 256Mi}}}\n",
        WITH_RESOURCES,
    )
    assert findings(tmp_path, text) == [(17, 48, "R221")]


def test_override_raising_the_limit_is_fine(tmp_path: Path) -> None:
    text = sub("memory: 1Gi", "memory: 256Mi", WITH_RESOURCES) + (
        "      overrides:\n        lrt:\n          resources: {limits: {memory: 1Gi}}\n"
    )
    # the model's own settings are still rendered as the chart's defaults
    assert findings(tmp_path, text) == [(24, 28, "R221")]


GPU = sub(
    "      targets: [lrt]\n",
    "      targets: [lrt]\n"
    "      resources:\n"
    "        requests: {nvidia.com/gpu: '1', hugepages-2Mi: 64Mi}\n"
    "        limits: {nvidia.com/gpu: '1', hugepages-2Mi: 64Mi}\n",
)


def test_gpu_and_hugepages_equal_in_other_units_are_accepted(tmp_path: Path) -> None:
    text = sub(
        "hugepages-2Mi: 64Mi}\n        limits", "hugepages-2Mi: 65536Ki}\n        limits", GPU
    )
    assert "65536Ki" in text and findings(tmp_path, text) == []


def test_gpu_request_below_its_limit(tmp_path: Path) -> None:
    # below the limit is fine for cpu; a GPU cannot be overcommitted: request == limit
    text = sub("limits: {nvidia.com/gpu: '1'", "limits: {nvidia.com/gpu: '2'", GPU)
    assert findings(tmp_path, text) == [(24, 36, "R221")]
    (message,) = messages(tmp_path, text)
    assert "requests nvidia.com/gpu 1" in message and "limit is 2" in message
    assert "cannot be overcommitted" in message


def test_hugepages_request_without_a_limit(tmp_path: Path) -> None:
    text = sub(
        "limits: {nvidia.com/gpu: '1', hugepages-2Mi: 64Mi}", "limits: {nvidia.com/gpu: '1'}", GPU
    )
    assert findings(tmp_path, text) == [(24, 56, "R221")]
    (message,) = messages(tmp_path, text)
    assert "sets no hugepages-2Mi limit" in message and "limits.hugepages-2Mi to 64Mi" in message


def test_gpu_limit_without_a_request_is_accepted(tmp_path: Path) -> None:
    text = sub("requests: {nvidia.com/gpu: '1', ", "requests: {", GPU)
    assert findings(tmp_path, text) == []  # the request defaults to the limit


def test_a_gpu_of_minus_0_is_0(tmp_path: Path) -> None:
    """`-0` is zero to the API server: a request of `-0` equals a limit of 0, and a
    limit of `-0` is below any request above 0, not a negative amount."""
    zero = sub("requests: {nvidia.com/gpu: '1',", "requests: {nvidia.com/gpu: '-0',", GPU)
    zero = sub("limits: {nvidia.com/gpu: '1'", "limits: {nvidia.com/gpu: 0", zero)
    assert findings(tmp_path, zero) == []
    below = sub("limits: {nvidia.com/gpu: '1'", "limits: {nvidia.com/gpu: -0m", GPU)
    assert findings(tmp_path, below) == [(24, 36, "R221")]
    (message,) = messages(tmp_path, below)
    assert "requests nvidia.com/gpu 1" in message and "limit is -0m" in message


def test_gpu_limit_changed_for_one_target(tmp_path: Path) -> None:
    text = (
        GPU
        + "      overrides:\n        lrt:\n          resources: {limits: {nvidia.com/gpu: '2'}}\n"
    )
    # at the override that makes it wrong, naming the target
    assert findings(tmp_path, text) == [(29, 48, "R221")]
    (message,) = messages(tmp_path, text)
    assert "on target 'lrt'" in message and "(at " in message


def test_quantities_compared_as_the_api_server_rounds_them(tmp_path: Path) -> None:
    # both round up to one nano-cpu, so the request equals its limit
    text = sub("cpu: 100m}", "cpu: '0.0000000005'}", WITH_RESOURCES)
    text = sub("cpu: '0.1'}", "cpu: '0.0000000001'}", text)
    assert findings(tmp_path, text) == []


OVER_LIMIT = "{requests: {cpu: '2', nvidia.com/gpu: '1'}, limits: {cpu: '1'}}"


def test_container_models_resources_get_r207_not_r221(tmp_path: Path) -> None:
    """A container model runs no pod of its own: its resources, over their limit here on
    the model and in its overrides for the target, go nowhere (R207), and no pod is
    refused for them (no R221, which told the user to fix them)."""
    text = (
        BASE
        + CONTAINER
        + (
            f"      resources: {OVER_LIMIT}\n"
            f"      overrides:\n        lrt:\n          resources: {OVER_LIMIT}\n"
        )
    )
    assert findings(tmp_path, text) == [(29, 7, "R207"), (32, 11, "R207")]


def test_a_targets_overrides_over_the_limit_name_its_http_models_only(tmp_path: Path) -> None:
    text = sub(
        "      matchLabels: {env: lrt}\n",
        "      matchLabels: {env: lrt}\n"
        "      overrides: {resources: {requests: {cpu: '2'}, limits: {cpu: '1'}}}\n",
    )
    (message,) = messages(tmp_path, text + CONTAINER)
    assert message.startswith("catalogue.yaml:17:47: R221 model 'sktime' on target 'lrt' ")


HTTP_MODEL = """\
    - name: {name}
      version: 1.0.0
      wrapper: http
      image: registry.gitlab.com/i4q/lrt/{name}:1.0.0
      targets: [{targets}]
      http: {{port: 8080, ingressPath: {path}}}
"""


def with_model(name: str, path: str, targets: str = "lrt", text: str = BASE) -> str:
    return text + HTTP_MODEL.format(name=name, path=path, targets=targets)


def test_same_ingress_path_on_one_target(tmp_path: Path) -> None:
    text = with_model("other", "/api/")  # a trailing '/' changes nothing under Prefix
    assert findings(tmp_path, text) == [(29, 39, "R223")]
    (message,) = messages(tmp_path, text)
    assert "model 'other' takes ingress path '/api/'" in message
    assert "model 'sktime' (at catalogue.yaml:23:60)" in message and "the same path" in message


def test_ingress_paths_that_do_not_meet(tmp_path: Path) -> None:
    assert findings(tmp_path, with_model("other", "/apis")) == []
    # Nested paths share no request: Ingress picks the longest matching Prefix path.
    assert findings(tmp_path, with_model("other", "/api/v1")) == []
    assert findings(tmp_path, with_model("other", "/")) == []
    text = with_model("other", "/api", "edge", sub("  models:\n", EDGE_TARGET + "  models:\n"))
    assert findings(tmp_path, text) == []  # another target


EDGE_TARGET = "    edge:\n      matchLabels: {env: edge}\n"


def test_placementrule_settings_that_have_no_effect(tmp_path: Path) -> None:
    hub = "  hub:\n    namespace: i4q-lrt\n"
    rule = hub + "    placementKind: PlacementRule\n"
    both = rule + "    clusterSets: [edge]\n    offlineTolerationSeconds: 600\n"
    found = findings(tmp_path, sub(hub, both))
    assert [f for f in found if f[2] == "R224"] == [(12, 5, "R224"), (13, 5, "R224")]
    text = sub(hub, hub + "    clusterSets: [edge]\n    offlineTolerationSeconds: 600\n")
    assert [f for f in findings(tmp_path, text) if f[2] == "R224"] == []  # Placement uses them
    assert [f for f in findings(tmp_path, sub(hub, rule)) if f[2] == "R224"] == []


def test_a_fraction_of_a_gpu_is_refused(tmp_path: Path) -> None:
    # the API server: "must be an integer" (an extended resource is counted in whole units)
    text = sub("nvidia.com/gpu: '1',", "nvidia.com/gpu: '0.5',", GPU)
    text = sub("limits: {nvidia.com/gpu: '1'", "limits: {nvidia.com/gpu: 0.5", text)
    assert [code for _, _, code in findings(tmp_path, text)] == ["R227", "R227"]
    assert "counted in whole units" in messages(tmp_path, text)[0]
    assert findings(tmp_path, sub("nvidia.com/gpu: '1',", "nvidia.com/gpu: '1000m',", GPU)) == []


def test_a_fraction_of_a_gpu_set_for_one_target_names_it(tmp_path: Path) -> None:
    text = GPU + (
        "      overrides:\n        lrt:\n"
        "          resources: {requests: {nvidia.com/gpu: '1.5'}, limits: {nvidia.com/gpu: '1.5'}}\n"
    )
    codes = [code for _, _, code in findings(tmp_path, text)]
    assert codes == ["R227", "R227"]
    assert all("on target 'lrt'" in m for m in messages(tmp_path, text))


ARM_TARGET = "    lrt:\n      matchLabels: {env: lrt}\n"


@pytest.mark.parametrize(
    ("selector", "where"),
    [
        ("matchLabels: {env: lrt, kubernetes.io/arch: amd64}", "target"),
        (
            "matchLabels: {env: lrt}\n      matchExpressions:\n        - {key: kubernetes.io/arch, operator: In, values: [amd64, s390x]}",
            "target",
        ),
        (
            "matchLabels: {env: lrt}\n      matchExpressions:\n        - {key: kubernetes.io/arch, operator: NotIn, values: [arm64]}",
            "target",
        ),
        (
            "matchLabels: {env: lrt}\n      matchExpressions:\n        - {key: kubernetes.io/arch, operator: DoesNotExist}",
            "target",
        ),
        ("matchLabels: {env: lrt, kubernetes.io/arch: amd64}", "model"),
    ],
)
def test_an_arch_override_the_targets_selector_excludes(
    tmp_path: Path, selector: str, where: str
) -> None:
    """overrides.arch picks the model's image for that architecture; a selector no site of
    that architecture can meet deploys it to sites of another (an exec format error)."""
    target = f"    lrt:\n      {selector}\n"
    if where == "target":
        target += "      overrides: {arch: arm64}\n"
    text = sub(ARM_TARGET, target)
    if where == "model":
        text = sub(
            "      targets: [lrt]\n",
            "      targets: [lrt]\n      overrides: {lrt: {arch: arm64}}\n",
            text,
        )
    found = [f for f in findings(tmp_path, text) if f[2] == "R228"]
    assert len(found) == 1, findings(tmp_path, text)
    (message,) = [m for m in messages(tmp_path, text) if " R228 " in m]
    assert "arch arm64" in message and "kubernetes.io/arch" in message


@pytest.mark.parametrize(
    "selector",
    [
        "matchLabels: {env: lrt, kubernetes.io/arch: arm64}",
        "matchLabels: {env: lrt}\n      matchExpressions:\n        - {key: kubernetes.io/arch, operator: In, values: [arm64, amd64]}",
        "matchLabels: {env: lrt}\n      matchExpressions:\n        - {key: kubernetes.io/arch, operator: NotIn, values: [amd64]}",
        "matchLabels: {env: lrt}\n      matchExpressions:\n        - {key: kubernetes.io/arch, operator: Exists}",
        "matchLabels: {env: lrt}",
    ],
)
def test_an_arch_override_the_selector_allows(tmp_path: Path, selector: str) -> None:
    text = sub(ARM_TARGET, f"    lrt:\n      {selector}\n      overrides: {{arch: arm64}}\n")
    assert [f for f in findings(tmp_path, text) if f[2] == "R228"] == []
