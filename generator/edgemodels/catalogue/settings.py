"""The catalogue's settings beyond the schema: the deploy repository's URL (R209, R210),
its branch and folder as publish takes them (R234),
the targets' image overrides (R205), an architecture override a target's selector
excludes (R228), hub settings a PlacementRule would drop (R224), and Channel settings
that Argo CD delivery drops (R231). The models' namespace against the Subscriptions' (R208)
is namespaces.py's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from edgemodels.catalogue.archnames import GOARCH
from edgemodels.catalogue.model import ARCH_LABEL
from edgemodels.catalogue.namespaces import subscriptions_deliver
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic, finding
from edgemodels.names import (
    git_branch_problem,
    image_problem,
    parse_image,
    repo_folder_problem,
)


def check_settings(merged: Merged) -> Iterator[Diagnostic]:
    git, hub = merged.sections["git"], merged.sections["hub"]
    yield from _git_url(git)
    yield from _git_location(git)
    for t, node in merged.targets.items():
        image = (node.get("overrides") or {}).get("image")
        if image is not None and parse_image(image) is None:
            yield finding(
                node.at("overrides", "image"),
                "R205",
                "invalid-image",
                f"target '{t}': '{image}' is not a valid image reference: {image_problem(image)}",
            )
    yield from _arch_overrides(merged)
    yield from _placement_rule_settings(hub)
    yield from _channel_settings(git, hub)


CHANNEL_SETTINGS = ("credentialsSecret", "caConfigMap", "insecureSkipVerify")


def _channel_settings(git: Node, hub: Node) -> Iterator[Diagnostic]:
    """R231: only the Channel reads these (render/acm.py); an Argo CD Application names no
    Secret, Argo CD takes a repository's credentials, CA and TLS setting from its own
    repository settings matched by URL. Without a Channel (delivery argocd, no
    keep-subscriptions migration) they would be dropped without a word, and a private
    repository would fail to clone."""
    if subscriptions_deliver(hub.data):
        return
    sites = " (and, with pullModel, on every site: its Argo CD clones the repository)"
    for key in CHANNEL_SETTINGS:
        if key in git.data and git.data[key] not in (None, False, ""):
            yield finding(
                git.at(key, key=True),
                "R231",
                "channel-setting-unused",
                f"spec.git.{key} has no effect with spec.hub.delivery argocd: only the RHACM "
                "Channel reads it; give Argo CD the repository's credentials and TLS "
                "settings as a repository Secret (label argocd.argoproj.io/secret-type: "
                f"repository) in its namespace{sites}, and remove it",
                "warning",
            )


def _placement_rule_settings(hub: Node) -> Iterator[Diagnostic]:
    """R224: PlacementRules have no cluster sets and no tolerations
    (stolostron/multicloud-operators-subscription,
    pkg/apis/apps/placementrule/v1/placementrule_types.go), so the hub settings for them
    would be dropped without a word."""
    if hub.data.get("placementKind") != "PlacementRule":
        return
    for key, effect in (
        ("clusterSets", "every managed cluster the selector matches is chosen, in any set"),
        ("offlineTolerationSeconds", "sites that go offline are not kept for that time"),
    ):
        if key in hub.data:
            yield finding(
                hub.at(key, key=True),
                "R224",
                "ignored-with-placementrule",
                f"hub.{key} has no effect with placementKind PlacementRule: {effect}; use "
                "placementKind Placement, or remove it",
                "warning",
            )


def _git_url(git: Node) -> Iterator[Diagnostic]:
    problem = git_url_problem(git.data["url"])
    if problem is not None:
        yield finding(git.at("url"), *problem)


def _git_location(git: Node) -> Iterator[Diagnostic]:
    """R234: what `publish` refuses (exit 2) as --branch or --path, checked before it is
    written into every Subscription's git-branch and git-path: a name git refuses, a
    folder outside the repository (RHACM refuses a git-path leaving its root), `.` or
    empty parts. A leading '/' is the root, as RHACM reads it."""
    branch, path = git.data.get("branch"), git.data.get("path")
    problems = {
        "branch: ": git_branch_problem(branch) if isinstance(branch, str) else None,
        "path ": repo_folder_problem(path, absolute_ok=True) if isinstance(path, str) else None,
    }
    for key, problem in problems.items():
        if problem is not None:
            yield finding(
                git.at(key.rstrip(": ")),
                "R234",
                "invalid-git-location",
                f"spec.git.{key}{problem}: publish would refuse it (exit 2), and it is written"
                " into every Subscription",
            )


def git_url_problem(url: str) -> tuple[str, str, str] | None:
    """(code, name, message) when the deploy repository's URL is refused (R209, R210);
    `edgemodels init` asks before writing anything."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced '[' (IPv6 literal) used to crash check: R210 below
        parts = urlsplit("")
    # Before the ssh early return: `ssh://user:password@host` carries a password too.
    if parts.password is not None or (parts.username and parts.scheme in ("http", "https")):
        return (
            "R209",
            "credentials-in-url",
            "git url carries credentials; remove them and name a Secret in credentialsSecret",
        )
    if url.startswith(("git@", "ssh://", "file://")):
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        # A folder is what a first trial has at hand; it is where publish pushes, not what
        # the hub clones, so the message says where a folder goes.
        folder = not parts.scheme and url.startswith(("/", ".", "~"))
        return (
            "R210",
            "invalid-git-url",
            "git url must be https://host/path, ssh://host/path or git@host:path"
            + (
                " (the URL RHACM clones goes here; to push to a repository in a folder, "
                f"run: edgemodels publish --repo {url})"
                if folder
                else ""
            ),
        )
    return None


def _arch_overrides(merged: Merged) -> Iterator[Diagnostic]:
    """R228: `overrides.arch` picks a model's image for that architecture (`images`) on the
    target; a selector that no site of that architecture can meet deploys it to sites of
    another, where the image cannot run. Target overrides, then each model's own."""
    overrides: list[tuple[str, str, Node, tuple[str | int, ...]]] = []
    for t, node in merged.targets.items():
        arch = (node.get("overrides") or {}).get("arch")
        if isinstance(arch, str):
            overrides.append((t, arch, node, ("overrides", "arch")))
    for model in merged.models:
        for t, over in (model.get("overrides") or {}).items():
            if isinstance(over, Mapping) and isinstance(over.get("arch"), str):
                overrides.append((t, over["arch"], model, ("overrides", t, "arch")))
    for t, arch, node, steps in overrides:
        if arch not in GOARCH:
            continue  # R233: no node carries it, whatever the selector says
        target = merged.targets.get(t)
        why = _excluded(target.data, arch) if target is not None else None
        if why is not None:
            yield finding(
                node.at(*steps),
                "R228",
                "arch-override-excluded",
                f"target '{t}' is given arch {arch}, but its selector {why}: its sites would "
                f"get the {arch} image; remove the override or fix the selector",
            )


def _excluded(target: Mapping[str, Any], arch: str) -> str | None:
    """How `target`'s selector leaves out every site labelled kubernetes.io/arch=`arch`."""
    labels = target.get("matchLabels") or {}
    if ARCH_LABEL in labels and str(labels[ARCH_LABEL]) != arch:
        return f"requires {ARCH_LABEL}={labels[ARCH_LABEL]}"
    for req in target.get("matchExpressions") or ():
        if not isinstance(req, Mapping) or req.get("key") != ARCH_LABEL:
            continue
        op, values = req.get("operator"), [str(v) for v in req.get("values") or ()]
        if (op == "In" and arch not in values) or (op == "NotIn" and arch in values):
            return f"requires {ARCH_LABEL} {op} [{', '.join(values)}]"
        if op == "DoesNotExist":
            return f"requires no {ARCH_LABEL} label"
    return None
