"""A synthetic hub export: what `kubectl get managedclusters -o yaml` (or `-o json`) prints
on a hub of N edge clusters, for the hub-export benchmark.

    python benchmarks/hubexport.py -o /tmp/hub.yaml --sites 3000 [--json] [--managed-fields] [--crlf]

The sites are synth.py's (`site(n)`: the same names, labels, architecture, image volumes
and storage), so `--inventory` writes their SiteInventory too, the peer of a plan that
reads the export. Each ManagedCluster carries what an RHACM hub gives one: the labels RHACM
adds (vendor, cloud, clusterID, openshiftVersion*, feature.open-cluster-management.io/addon-*),
finalizers, the client config with its CA bundle, status with allocatable and capacity,
about fifteen clusterClaims (one a JSON document), four conditions, the version; a few
are offline (taint and Available Unknown), not accepted, or being deleted. kubectl's
shape: keys sorted, strings that would read as something else double-quoted, sequences
not indented under their key, JSON indented by four. `--managed-fields` adds the
managedFields that `--show-managed-fields` prints (kubectl hides them by default); `--crlf`
writes Windows line ends, as an export saved on Windows has them.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import synth
import yaml

GROUP = "cluster.open-cluster-management.io"
ADDONS = (
    "application-manager",
    "cert-policy-controller",
    "cluster-proxy",
    "config-policy-controller",
    "governance-policy-framework",
    "managed-serviceaccount",
    "observability-controller",
    "search-collector",
    "work-manager",
)
FINALIZERS = (
    "cluster.open-cluster-management.io/api-resource-cleanup",
    "open-cluster-management.io/managedclusterrole",
    "managedclusterinfo.finalizers.open-cluster-management.io",
    "managedcluster-import-controller.open-cluster-management.io/cleanup",
    "agent.open-cluster-management.io/addon-pre-delete",
)
VERSIONS = ("4.15.31", "4.16.8", "4.16.19", "4.17.2")


def _stamp(rng: random.Random) -> str:
    return (
        f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    )


def _uid(rng: random.Random) -> str:
    h = hashlib.sha256(str(rng.random()).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _ca_bundle(name: str) -> str:
    """A CA bundle of the usual size (one PEM certificate, about 1.6 KB base64)."""
    body = hashlib.sha512(name.encode()).digest() * 12
    pem = (
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(body) + b"-----END CERTIFICATE-----\n"
    )
    return base64.b64encode(pem).decode()


def _claims(name: str, version: str, rng: random.Random) -> list[dict[str, str]]:
    infra = json.dumps(
        {
            "infraName": f"{name}-{_uid(rng)[:5]}",
            "platformStatus": {
                "type": "BareMetal",
                "baremetal": {"apiServerInternalIP": "10.0.0.5"},
            },
        },
        separators=(",", ":"),
    )
    kube = f"v1.{int(version.split('.')[1]) + 13}.{rng.randint(1, 12)}+{_uid(rng)[:7]}"
    pairs = {
        "consoleurl.cluster.open-cluster-management.io": f"https://console-openshift-console.apps.{name}.edge.example.com",
        "controlplanetopology.openshift.io": "SingleReplica",
        "hostedcluster.hypershift.openshift.io": "false",
        "id.k8s.io": _uid(rng),
        "id.openshift.io": _uid(rng),
        "infrastructure.openshift.io": infra,
        "kubeversion.open-cluster-management.io": kube,
        "name": name,
        "oauthredirecturis.openshift.io": f"https://oauth-openshift.apps.{name}.edge.example.com/oauth/token/implicit",
        "platform.open-cluster-management.io": "BareMetal",
        "product.open-cluster-management.io": "OpenShift",
        "region.open-cluster-management.io": "Other",
        "schedulable.open-cluster-management.io": "true",
        "version.open-cluster-management.io": version,
        "version.openshift.io": version,
    }
    return [{"name": k, "value": v} for k, v in pairs.items()]


def _conditions(rng: random.Random, offline: bool) -> list[dict[str, str]]:
    def condition(kind: str, status: str, reason: str, message: str) -> dict[str, str]:
        return {
            "lastTransitionTime": _stamp(rng),
            "message": message,
            "reason": reason,
            "status": status,
            "type": kind,
        }

    available = (
        condition(
            "ManagedClusterConditionAvailable",
            "Unknown",
            "ManagedClusterLeaseUpdateStopped",
            "Registration agent stopped updating its lease.",
        )
        if offline
        else condition(
            "ManagedClusterConditionAvailable",
            "True",
            "ManagedClusterAvailable",
            "Managed cluster is available",
        )
    )
    return [
        condition(
            "HubAcceptedManagedCluster",
            "True",
            "HubClusterAdminAccepted",
            "Accepted by hub cluster admin",
        ),
        condition("ManagedClusterJoined", "True", "ManagedClusterJoined", "Managed cluster joined"),
        available,
        condition(
            "ManagedClusterConditionClockSynced",
            "True",
            "ManagedClusterClockSynced",
            "The clock of the managed cluster is synced with the hub.",
        ),
    ]


def _managed_fields(rng: random.Random) -> list[dict[str, Any]]:
    """What `--show-managed-fields` adds: the registration agent's and the hub's writers."""
    status = {
        "f:allocatable": {".": {}, "f:cpu": {}, "f:memory": {}},
        "f:capacity": {
            ".": {},
            "f:core_worker": {},
            "f:cpu": {},
            "f:memory": {},
            "f:socket_worker": {},
        },
        "f:clusterClaims": {},
        "f:conditions": {},
        "f:version": {".": {}, "f:kubernetes": {}},
    }
    labels = {f"f:feature.open-cluster-management.io/addon-{a}": {} for a in ADDONS}
    return [
        {
            "apiVersion": f"{GROUP}/v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {"f:finalizers": {".": {}, **{f'v:"{f}"': {} for f in FINALIZERS}}}
            },
            "manager": "registration-operator",
            "operation": "Update",
            "time": _stamp(rng),
        },
        {
            "apiVersion": f"{GROUP}/v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {".": {}, **labels}}},
            "manager": "addon-manager",
            "operation": "Update",
            "time": _stamp(rng),
        },
        {
            "apiVersion": f"{GROUP}/v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": status},
            "manager": "registration",
            "operation": "Update",
            "subresource": "status",
            "time": _stamp(rng),
        },
    ]


def managed_cluster(
    n: int, site: dict[str, Any], rng: random.Random, fields: bool
) -> dict[str, Any]:
    name = site["name"]
    version = VERSIONS[n % len(VERSIONS)]
    labels = {
        **site["labels"],
        "cloud": "Other",
        "clusterID": _uid(rng),
        **{f"feature.open-cluster-management.io/addon-{a}": "available" for a in ADDONS},
        synth.ARCH: site["arch"],
        "edgemodels.io/model-storage": site["capacity"]["storage"],
        "name": name,
        "openshiftVersion": version,
        "openshiftVersion-major": version.split(".")[0],
        "openshiftVersion-major-minor": ".".join(version.split(".")[:2]),
        "vendor": "OpenShift",
    }
    if site.get("imageVolumes"):
        labels["edgemodels.io/image-volumes"] = "true"
    offline = n % 97 == 5
    metadata: dict[str, Any] = {
        "annotations": {"open-cluster-management/created-via": "other"},
        "creationTimestamp": _stamp(rng),
        "finalizers": list(FINALIZERS),
        "generation": rng.randint(2, 9),
        "labels": labels,
        "name": name,
        "resourceVersion": str(rng.randint(10**6, 10**8)),
        "uid": _uid(rng),
    }
    if fields:
        metadata["managedFields"] = _managed_fields(rng)
    if n % 499 == 7:
        metadata["deletionTimestamp"] = _stamp(rng)
        metadata["deletionGracePeriodSeconds"] = 0
    cluster_spec: dict[str, Any] = {
        "hubAcceptsClient": n % 853 != 11,
        "leaseDurationSeconds": 60,
        "managedClusterClientConfigs": [
            {"caBundle": _ca_bundle(name), "url": f"https://api.{name}.edge.example.com:6443"}
        ],
    }
    if offline:
        cluster_spec["taints"] = [
            {
                "effect": "NoSelect",
                "key": f"{GROUP}/unavailable",
                "timeAdded": _stamp(rng),
            }
        ]
    cores = rng.choice((8, 16, 32))
    status = {
        "allocatable": {"cpu": str(cores - 1) + "500m", "memory": f"{cores * 4 - 2}Gi"},
        "capacity": {
            "core_worker": str(cores),
            "cpu": str(cores),
            "memory": f"{cores * 4 * 1024 * 1024 - rng.randint(1000, 9000)}Ki",
            "socket_worker": "1",
        },
        "clusterClaims": _claims(name, version, rng),
        "conditions": _conditions(rng, offline),
        "version": {"kubernetes": f"v1.{int(version.split('.')[1]) + 13}.3"},
    }
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ManagedCluster",
        "metadata": metadata,
        "spec": cluster_spec,
        "status": status,
    }


def export(sites: int, seed: int = 1, fields: bool = False) -> dict[str, Any]:
    spec = synth.Spec(models=1, targets=1, sites=sites, workloads=0, seed=seed)
    places = random.Random(spec.seed + 1)  # synth.inventory's: the same sites
    rng = random.Random(spec.seed + 2)
    items = [managed_cluster(n, synth.site(n, spec, places), rng, fields) for n in range(sites)]
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


class KubectlDumper(yaml.SafeDumper):
    """PyYAML's output in kubectl's quoting: double quotes where a string needs them."""

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=KubectlDumper, sort_keys=True, width=1 << 20)


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=4, sort_keys=True) + "\n"


def write(
    path: Path,
    sites: int,
    seed: int = 1,
    as_json: bool = False,
    fields: bool = False,
    crlf: bool = False,
) -> Path:
    data = export(sites, seed, fields)
    text = dump_json(data) if as_json else dump_yaml(data)
    path.write_text(text, encoding="utf-8", newline="\r\n" if crlf else "\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, required=True, help="the export to write")
    parser.add_argument("--sites", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="as `-o json` prints it")
    parser.add_argument("--managed-fields", action="store_true", help="with managedFields")
    parser.add_argument("--crlf", action="store_true", help="with Windows line ends")
    parser.add_argument("--inventory", type=Path, help="also the sites' SiteInventory here")
    a = parser.parse_args(argv)
    write(a.out, a.sites, a.seed, a.json, a.managed_fields, a.crlf)
    if a.inventory:
        spec = synth.Spec(models=1, targets=1, sites=a.sites, workloads=0, seed=a.seed)
        a.inventory.write_text(synth.dump(synth.inventory(spec)), encoding="utf-8")
    print(f"wrote {a.out} ({a.out.stat().st_size:,} bytes, {a.sites:,} clusters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
