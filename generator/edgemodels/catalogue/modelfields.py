"""Each model's own fields beyond the schema: name lengths against RHACM's and Kubernetes'
limits (R204), the version its packaging needs (R206), image references (R205), the
wrapper's settings (R207, R225).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from edgemodels.catalogue.permodel import each_model
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic, finding
from edgemodels.names import (
    DNS1035_LABEL,
    MAX_APPLICATION_NAME,
    MAX_LABEL_VALUE,
    image_problem,
    parse_image,
    version_problem,
)
from edgemodels.placement import FOLLOW_PREFIX
from edgemodels.recall import Recall


def check_models(merged: Merged, recall: Recall) -> Iterator[Diagnostic]:
    default_packaging = merged.sections["defaults"].get("packaging", "helm")
    each = partial(_model_findings, default_packaging)
    yield from each_model(merged, recall, "models", default_packaging, each)


def _model_findings(default_packaging: str, m: Node) -> Iterator[Diagnostic]:
    name = m.data["name"]
    yield from _budgets(m, name)
    packaging = m.get("packaging", default_packaging)
    problem = version_problem(str(m.data["version"]), packaging)
    if problem:
        yield finding(
            m.at("version"),
            "R206",
            "invalid-version",
            f"version '{m.data['version']}': {problem}",
        )
    yield from _images(m)
    wrapper = m.data["wrapper"]
    if wrapper == "http" and not DNS1035_LABEL.match(name):
        yield finding(
            m.at("name"),
            "R225",
            "service-name-invalid",
            f"http model '{name}' names its Service, which must start with a letter "
            "(a DNS-1035 label): every site would refuse it; rename the model",
        )
    other = "container" if wrapper == "http" else "http"
    if wrapper == "http" and "http" not in m.data:
        yield finding(
            m.at("wrapper"),
            "R207",
            "wrapper-settings",
            f"model '{name}' is an http model but has no http section (port, healthPath)",
        )
    if other in m.data:
        yield finding(
            m.at(other, key=True),
            "R207",
            "wrapper-settings",
            f"model '{name}' is a {wrapper} model; the {other} section does not apply",
        )
    if wrapper == "container":
        yield from _podless(m, name)


# Of the model's own pods: HTTP models only.
POD_SETTINGS = ("replicas", "resources", "env", "envFrom")


def _podless(m: Node, name: str) -> Iterator[Diagnostic]:
    """R207 (warning): a container model runs no pod of its own (a workload loads its
    files), so its pod settings, and those of its per-target overrides, go nowhere; they
    used to be dropped without a word. A target's overrides are not flagged: they serve
    every model on the target, HTTP ones too."""
    places: list[tuple[str | int, ...]] = [()]
    overrides = m.get("overrides")
    if isinstance(overrides, dict):
        places += [("overrides", t) for t, o in overrides.items() if isinstance(o, dict)]
    for place in places:
        settings = m.child(*place).data if place else m.data
        for key in POD_SETTINGS:
            if key in settings:
                where = f"overrides for target '{place[1]}'" if place else "model"
                yield finding(
                    m.at(*place, key, key=True),
                    "R207",
                    "wrapper-settings",
                    f"'{key}' of container model '{name}' ({where}) has no effect: a "
                    "container model runs no pod of its own, the workload that loads its "
                    f"files does; set {key} on that workload, or remove it here",
                    "warning",
                )


def _budgets(m: Node, name: str) -> Iterator[Diagnostic]:
    if len(name) > MAX_APPLICATION_NAME:
        yield finding(
            m.at("name"),
            "R204",
            "name-too-long",
            f"model name '{name}' is {len(name)} characters; RHACM application names are "
            f"limited to {MAX_APPLICATION_NAME}",
        )
    placements = list(m.get("targets") or [])
    if m.get("followWorkloads"):
        placements.append(FOLLOW_PREFIX + name)
    for p in placements:
        sub = f"{name}-{p}"
        if len(sub) > MAX_LABEL_VALUE:
            yield finding(
                m.at("name"),
                "R204",
                "name-too-long",
                f"subscription name '{sub}' would be {len(sub)} characters; the limit is "
                f"{MAX_LABEL_VALUE}: shorten the model or target name",
            )


def _images(m: Node) -> Iterator[Diagnostic]:
    refs: list[tuple[tuple[str | int, ...], str]] = [(("image",), m.data["image"])]
    refs += [(("images", arch), ref) for arch, ref in (m.get("images") or {}).items()]
    refs += [
        (("overrides", t, "image"), o["image"])
        for t, o in (m.get("overrides") or {}).items()
        if "image" in o
    ]
    for path, ref in refs:
        if parse_image(ref) is None:
            yield finding(
                m.at(*path),
                "R205",
                "invalid-image",
                f"'{ref}' is not a valid image reference: {image_problem(ref)}",
            )
