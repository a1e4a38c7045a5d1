"""K331: a container's resource request that its limit does not allow.

The API server refuses a pod, or a workload's pod template, in which a container requests
more of a resource than its limit (`spec.containers[0].resources.requests: Invalid value:
"2": must be less than or equal to cpu limit of 1`), and, for a resource that cannot be
overcommitted (an extended one such as `nvidia.com/gpu`, or `hugepages-*`), a request
that is not equal to its limit, or has none. Schemas cannot say it, and nothing else here
does: the pod never starts. Checked for containers, init and ephemeral containers, and
pod-level resources (where only request <= limit applies).

Values are compared as resource.Quantity compares them (quantities.quantity_value): `1Gi`
is `1073741824`, `500m` is `0.5`, `1e3` is `1k`. A request without a limit is allowed for
cpu, memory and the other native resources (there is no limit to exceed); a limit without a
request is too: the request defaults to the limit. A value that does not parse is K330's.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edgemodels.kubequantity import quantity_value
from edgemodels.resourcerules import limit_problem
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.pointers import Pointer, value_at
from edgemodels.validate.quantities import container_resources, field_path, pod_resources
from edgemodels.validate.report import Finding, finding


def _quantities(data: object, pointer: Pointer) -> dict[str, tuple[object, Decimal]]:
    """The parsed quantities of the mapping at `pointer`, by resource name."""
    found = value_at(data, pointer)
    parsed = {}
    for name, value in found.items() if isinstance(found, dict) else ():
        number = quantity_value(value)
        if number is not None:
            parsed[str(name)] = (value, number)
    return parsed


def _problems(data: object, resources: Pointer, pod_level: bool) -> Iterator[tuple[str, str]]:
    """(resource name, what is wrong) for each request its limit does not allow."""
    limits = _quantities(data, (*resources, "limits"))
    given = value_at(data, (*resources, "limits"))
    for name, (text, request) in _quantities(data, (*resources, "requests")).items():
        limit_text, limit = limits.get(name, (None, None))
        problem = limit_problem(name, request, limit, pod_level)
        if problem == "no-limit" and not (isinstance(given, dict) and name in given):
            yield (  # a limit that is given but does not parse is K330's
                name,
                f"'{text}' has no limit: {name} cannot be overcommitted, so its limit "
                "must be set, equal to the request",
            )
        elif problem == "not-equal":
            yield name, f"'{text}' must be equal to the {name} limit of '{limit_text}'"
        elif problem == "above":
            yield name, f"'{text}' must be less than or equal to the {name} limit of '{limit_text}'"


def check_request_limits(manifest: Manifest) -> list[Finding]:
    found = []
    pointers = [(p, False) for p in container_resources(manifest)]
    pointers += [(p, True) for p in pod_resources(manifest)]
    for resources, pod_level in pointers:
        for name, problem in _problems(manifest.data, resources, pod_level):
            pointer = (*resources, "requests", name)
            message = f"{field_path(pointer)} {problem}: the API server refuses the pod"
            found.append(finding(manifest, pointer, "K331", message))
    return found
