"""K329: object names the API server refuses for their kind.

Every object goes through this check, plain, rendered and built alike. Helm's lint has the
same rule in its template rule, but a chart that shares its templates with another gets
that rule from the other chart's lint only (chartlint.py): a name only its own chart name
or values make invalid (`{{ .Chart.Name }}` with an underscore or a capital) was passed.
The rules are the API server's, as Helm's lint states them (`validateMetadataNameFunc`):
a Service's name is K328's (a DNS-1035 label), a Namespace's a DNS-1123 label, RBAC
objects' a path segment, a CertificateSigningRequest's anything, every other kind's a
DNS-1123 subdomain. Length is K311's; the kinds of the project's own schemas (RHACM,
Argo CD) have the name's syntax in the schema (K105).
"""

from __future__ import annotations

import re

from edgemodels.names import DNS_LABEL, DNS_SUBDOMAIN
from edgemodels.validate.crd_schemas import crd_schema_path
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.report import Finding, finding

_RBAC = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
_UNCHECKED = {"Service", "CertificateSigningRequest"}  # K328's; any name
_PATH_SEGMENT = re.compile(r"^(?!\.\.?$)[^/%]+$")
_LABEL_BUDGET = 63


def _problem(kind: str, name: str) -> str | None:
    """Why the API server refuses `name` for an object of `kind`, or None."""
    if kind in _UNCHECKED:
        return None
    if kind in _RBAC:
        if _PATH_SEGMENT.match(name):
            return None
        return "is not a path segment (it may not be '.' or '..' nor hold '/' or '%')"
    if kind == "Namespace":
        if len(name) <= _LABEL_BUDGET and DNS_LABEL.match(name):
            return None
        return (
            f"is not a DNS-1123 label (at most {_LABEL_BUDGET} characters of [a-z0-9-], "
            "starting and ending with a letter or digit)"
        )
    if DNS_SUBDOMAIN.match(name):  # of any length: a long one is K311's
        return None
    return (
        "is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and "
        "ending with a letter or digit)"
    )


def check_object_name(manifest: Manifest) -> list[Finding]:
    name = manifest.name
    if not name or not manifest.kind:
        return []  # generateName, or not an object: the schema says so
    if crd_schema_path(manifest.api_version, manifest.kind) is not None:
        return []  # the project's own schema of the kind checks the name (K105)
    problem = _problem(manifest.kind, name)
    if problem is None:
        return []
    message = f"name '{name}' {problem}: the API server refuses it"
    return [finding(manifest, ("metadata", "name"), "K329", message)]
