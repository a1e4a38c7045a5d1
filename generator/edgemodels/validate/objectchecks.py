"""The checks that read one object at a time: name budgets (K311), label values (K312),
Service names (K328), and name_findings, which runs them with the name syntax (K329),
the resource quantities, requests against limits, LimitRanges' own values and the
objects' sizes (K334).

They need no index of the tree, unlike the hub reference checks (acm_checks.py), so
validate runs them on any part of a tree on its own: the plain manifests, and the rendered
ones in batches as charts are done.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from edgemodels.names import DNS1035_LABEL
from edgemodels.validate.limitranges import check_limit_range
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.objectnames import check_object_name
from edgemodels.validate.objectsizes import check_size
from edgemodels.validate.pointers import Pointer, value_at
from edgemodels.validate.quantities import check_quantities
from edgemodels.validate.report import Finding, finding
from edgemodels.validate.requestlimits import check_request_limits

APPLICATION = ("app.k8s.io/v1beta1", "Application")
APPLICATION_NAME_BUDGET = 37  # RHACM console limit on application names
NAME_BUDGET = 253
LABEL_BUDGET = 63
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
# A Service name is a DNS-1035 label, and so is the Service an Ingress backend names (the
# Ingress is refused too): a DNS-1123 name that starts with a digit is not one.
DNS1035_BUDGET = 63
SERVICE = ("v1", "Service")
INGRESS = ("networking.k8s.io/v1", "Ingress")


def check_names(manifest: Manifest) -> list[Finding]:
    found = []
    budget = (
        APPLICATION_NAME_BUDGET
        if (manifest.api_version, manifest.kind) == APPLICATION
        else NAME_BUDGET
    )
    if len(manifest.name) > budget:
        message = f"name is {len(manifest.name)} characters, over the budget of {budget}"
        found.append(finding(manifest, ("metadata", "name"), "K311", message))
    for base in (("metadata",), ("spec", "template", "metadata")):
        labels = value_at(manifest.data, (*base, "labels"))
        for key, value in labels.items() if isinstance(labels, dict) else []:
            if not isinstance(value, str):
                continue  # the schema reports non-string label values
            if len(value) > LABEL_BUDGET or not _LABEL_VALUE.match(value):
                message = (
                    f"label {key} value '{value}' is not a valid label value (at most "
                    f"{LABEL_BUDGET} characters of [A-Za-z0-9-_.], alphanumeric at both ends)"
                )
                found.append(finding(manifest, (*base, "labels", key), "K312", message))
    return found


def name_findings(manifests: Sequence[Manifest]) -> list[Finding]:
    """The name budgets and syntax, the resource quantities, requests against limits and
    LimitRanges' own values, object by object (so a part of a tree at a time)."""
    return [
        f
        for manifest in manifests
        for f in (
            *check_names(manifest),
            *check_service_names(manifest),
            *check_object_name(manifest),
            *check_quantities(manifest),
            *check_request_limits(manifest),
            *check_limit_range(manifest),
            *check_size(manifest),
        )
    ]


def check_service_names(manifest: Manifest) -> list[Finding]:
    """K328: Service names, and the Services Ingress backends name, that are no DNS-1035 label."""
    kind = (manifest.api_version, manifest.kind)
    if kind == SERVICE:
        named: list[tuple[Pointer, object]] = [(("metadata", "name"), manifest.name)]
    elif kind == INGRESS:
        named = list(_ingress_backends(manifest.data))
    else:
        return []
    return [
        finding(manifest, pointer, "K328", _dns1035_message(name, kind == SERVICE))
        for pointer, name in named
        if isinstance(name, str) and name and not _is_dns1035(name)
    ]


def _is_dns1035(name: str) -> bool:
    return len(name) <= DNS1035_BUDGET and DNS1035_LABEL.match(name) is not None


def _dns1035_message(name: str, service: bool) -> str:
    what = "Service name" if service else "backend Service name"
    refused = "it" if service else "the Ingress"
    return (
        f"{what} '{name}' is not a DNS-1035 label (at most {DNS1035_BUDGET} characters of "
        f"[a-z0-9-], starting with a letter, ending with a letter or digit): the API server "
        f"refuses {refused}"
    )


def _ingress_backends(data: object) -> Iterable[tuple[Pointer, object]]:
    default: Pointer = ("spec", "defaultBackend", "service", "name")
    yield default, value_at(data, default)
    rules = value_at(data, ("spec", "rules"))
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        paths = value_at(rule, ("http", "paths"))
        for j in range(len(paths) if isinstance(paths, list) else 0):
            pointer: Pointer = (
                "spec",
                "rules",
                i,
                "http",
                "paths",
                j,
                "backend",
                "service",
                "name",
            )
            yield pointer, value_at(data, pointer)
