"""Catalogues built directly as typed data, for renderer tests (no loader involved)."""

from __future__ import annotations

from dataclasses import replace

from edgemodels.catalogue.model import (
    Catalogue,
    ContainerSpec,
    Defaults,
    GitSpec,
    HttpSpec,
    HubSpec,
    Model,
    Overrides,
    Requirement,
    Resources,
    Selector,
    Target,
    Workload,
)
from edgemodels.diagnostics import Location
from edgemodels.render import SourceInfo

SOURCE = SourceInfo("catalogue.yaml", "sha256:" + "0" * 64)


def seed() -> Catalogue:
    """The i4q LRT demo: one HTTP model on the sites labelled env=lrt."""
    return Catalogue(
        name="i4q-lrt",
        git=GitSpec(url="https://gitlab.com/i4q/LRT", branch="acm-dev"),
        hub=HubSpec(namespace="i4q-lrt"),
        defaults=Defaults(namespace="i4q-lrt", image_pull_secrets=("i4qregistry",)),
        targets=(
            Target("lrt", Selector((("env", "lrt"),)), location=Location("catalogue.yaml", 20, 5)),
        ),
        models=(
            Model(
                name="lrt",
                version="1.0.0",
                wrapper="http",
                packaging="helm",
                image="registry.gitlab.com/i4q/lrt:1.0.0",
                targets=("lrt",),
                http=HttpSpec(port=5000, health_path="/api/ui", ingress_path="/api"),
                resources=Resources((("cpu", "500m"), ("memory", "1Gi")), (("memory", "2Gi"),)),
                location=Location("catalogue.yaml", 30, 5),
            ),
        ),
        location=Location("catalogue.yaml", 1, 1),
    )


def fleet() -> Catalogue:
    """Several models, both packagings, both wrappers, overrides, arch images, workloads."""
    arm = Selector((), (Requirement("kubernetes.io/arch", "In", ("arm64",)),))
    iv = Selector(
        (("edgemodels.io/image-volumes", "true"),),
        (Requirement("tier", "In", ("edge", "lab")),),
    )
    targets = (
        Target(
            "edge",
            Selector((("tier", "edge"),)),
            Overrides(replicas=2),
            location=Location("catalogue.yaml", 10, 5),
        ),
        Target(
            "arm",
            arm,
            Overrides(env=(("THREADS", "2"),)),
            location=Location("catalogue.yaml", 14, 5),
        ),
        Target("modern", iv, location=Location("catalogue.yaml", 18, 5)),
    )
    detector = Model(
        name="detector",
        version="2.1.0",
        wrapper="http",
        packaging="kustomize",
        image="quay.io/acme/detector:2.1.0",
        images=(("arm64", "quay.io/acme/detector-arm64:2.1.0"),),
        targets=("edge", "arm"),
        http=HttpSpec(port=8080, ingress_path="/detector"),
        env=(("LOG_LEVEL", "info"),),
        resources=Resources((("cpu", "250m"),), (("memory", "512Mi"),)),
        target_overrides=(("edge", Overrides(resources=Resources((("cpu", "1"),)))),),
        location=Location("catalogue.yaml", 30, 5),
    )
    weights = Model(
        name="weights",
        version="2024.05",
        wrapper="container",
        packaging="helm",
        image="quay.io/acme/weights@sha256:" + "a" * 64,
        images=(("arm64", "quay.io/acme/weights-arm64:2024.05"),),
        targets=("edge", "arm", "modern"),
        container=ContainerSpec(model_path="/weights", size="3Gi"),
        follow_workloads=True,
        location=Location("catalogue.yaml", 50, 5),
    )
    embed = replace(
        weights,
        name="embeddings",
        version="1.0.0-rc1",
        packaging="kustomize",
        image="quay.io/acme/embeddings:1.0.0-rc1",
        images=(("arm64", "quay.io/acme/embeddings:1.0.0-rc1-arm64"),),
        follow_workloads=False,
        location=Location("catalogue.yaml", 70, 5),
    )
    workloads = (
        Workload(
            "inspect",
            ("weights",),
            Selector((("line", "a"),)),
            location=Location("catalogue.yaml", 90, 5),
        ),
        Workload(
            "audit",
            ("weights",),
            sites=("site-2", "site-1"),
            location=Location("catalogue.yaml", 95, 5),
        ),
    )
    return Catalogue(
        name="acme",
        git=GitSpec(
            url="https://git.example.com/acme/deploy.git",
            branch="main",
            path="deploy",
            credentials_secret="git-creds",
        ),
        hub=HubSpec(
            namespace="acme-models",
            cluster_sets=("edge", "lab"),
            reconcile_rate="high",
            offline_toleration_seconds=86400,
        ),
        defaults=Defaults(namespace="acme-models", image_pull_secrets=("pull",)),
        targets=targets,
        models=(detector, weights, embed),
        workloads=workloads,
        location=Location("catalogue.yaml", 1, 1),
    )


def fleet_plus() -> Catalogue:
    """`fleet` plus a target where image volumes meet an architecture image."""
    cat = fleet()
    modern_arm = Target(
        "modern-arm",
        Selector((("edgemodels.io/image-volumes", "true"), ("kubernetes.io/arch", "arm64"))),
        location=Location("catalogue.yaml", 22, 5),
    )
    models = tuple(
        replace(m, targets=(*m.targets, "modern-arm")) if m.wrapper == "container" else m
        for m in cat.models
    )
    return replace(cat, targets=(*cat.targets, modern_arm), models=models)
