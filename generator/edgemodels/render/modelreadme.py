"""models/<m>/README.md: where one model's files are, how it runs, what each placement
changes and what its pods read on the sites (the tree's own README is readme.py's)."""

from __future__ import annotations

from edgemodels.catalogue.envvars import EnvRef, site_reads
from edgemodels.catalogue.model import Catalogue
from edgemodels.render.common import banner_text, git_path
from edgemodels.render.readme import keeps_subscriptions, lf_only, uses_argocd
from edgemodels.render.settings import ModelPlan, Placed, differences


def render_model_readme(catalogue: Catalogue, plan: ModelPlan, origin: str) -> bytes:
    """models/<m>/README.md: its section, under the do-not-edit banner that names the
    model's entry (as its other files' banners do)."""
    back = (
        f"A model of catalogue `{catalogue.name}`: the tree's [README.md](../../README.md) lists "
        "them all. Paths are from the tree's root; a placement's folder, from the branch's.\n"
    )
    section = _model_section(catalogue, plan)
    head, _, rest = section.partition("\n")
    return f"<!-- {banner_text(origin)} -->\n\n{head}\n\n{back}{rest}".encode()


def _model_section(catalogue: Catalogue, plan: ModelPlan) -> str:
    m = plan.model
    folder = f"models/{m.name}/chart/" if m.packaging == "helm" else f"models/{m.name}/base/"
    lines = [f"# Model `{m.name}` {m.version}\n"]
    if m.description:
        lines.append(f"{lf_only(m.description)}\n")
    values_from = (
        "their ApplicationSet's `helm.valuesObject`"
        if uses_argocd(catalogue)
        else "their Subscription's `packageOverrides`"
    )
    lines.append(
        f"- Site objects: `{folder}`"
        + (
            f" (Helm chart; placements change its values through {values_from})"
            if m.packaging == "helm"
            else f" (kustomize base; each placement has an overlay in `models/{m.name}/overlays/`)"
        )
    )
    hub_files = []
    if keeps_subscriptions(catalogue):
        hub_files += [
            f"hub/synced/applications/{m.name}.yaml",
            f"hub/synced/subscriptions/{m.name}--*.yaml",
        ]
    if uses_argocd(catalogue):
        hub_files.append(f"hub/argocd/synced/applicationsets/{m.name}--*.yaml")
    lines.append("- Hub objects: " + ", ".join(f"`{f}`" for f in hub_files))
    if m.wrapper == "http" and m.http:
        path = m.http.ingress_path
        ingress = f"; answers under `http://SITE{path}` on every site" if path else ""
        lines.append(f"- Runs as Deployment and Service `{m.name}` (port 80){ingress}")
    else:
        lines.append(f"- Files delivered on each site, described by ConfigMap `{m.name}-model`")
    loosened = [
        text
        for flag, text in (
            (m.security.run_as_root, "runs as root"),
            (m.security.writable_root_filesystem, "writable root filesystem"),
        )
        if flag
    ]
    if loosened:
        lines.append(f"- Security exception: {', '.join(loosened)} ({m.security.reason})")
    if reads := _site_objects(plan):
        lines.append(
            f"- Reads on each site, in namespace `{catalogue.defaults.namespace}`: {reads}."
            " Make them there before the model arrives: until then its pods wait"
            " (CreateContainerConfigError); an optional one they start without"
        )
    for placed in plan.placed:
        changed = differences(m, plan.base, placed.settings)
        note = ", ".join(f"{k} {_short(v)}" for k, v in changed.items()) or "model defaults"
        path = _placement_path(catalogue, plan, placed)
        lines.append(f"- On `{placed.placement.name}`: {note} (folder `{path}`)")
    for tp in plan.empty:
        lines.append(
            f"- `{tp.name}`: not deployed anywhere (no workload that uses it has a selector)"
        )
    return "\n".join(lines) + "\n"


def _site_objects(plan: ModelPlan) -> str:
    """The Secrets' and ConfigMaps' keys the model's env reads, and on which placements
    when not on all of them."""
    where: dict[str, list[str]] = {}
    for placed in plan.placed:
        for _, ref in site_reads(placed.settings.env, plan.model.env_from):
            read = f"{ref.kind} `{ref.name}`" + (
                f" key `{ref.key}`" if isinstance(ref, EnvRef) else ", every key"
            )
            optional = " (optional)" if ref.optional else ""
            where.setdefault(read + optional, []).append(placed.placement.name)
    return ", ".join(
        read + ("" if len(on) == len(plan.placed) else " on " + ", ".join(f"`{p}`" for p in on))
        for read, on in sorted(where.items())
    )


def _placement_path(catalogue: Catalogue, plan: ModelPlan, placed: Placed) -> str:
    m = plan.model
    if m.packaging == "helm":
        return git_path(catalogue, "models", m.name, "chart")
    return git_path(catalogue, "models", m.name, "overlays", placed.placement.name)


def _short(value: object) -> str:
    if isinstance(value, tuple):
        pairs = (f"{k}={v}" if isinstance(v, str) else f"{k} {v}" for k, v in value)
        return ", ".join(pairs) if value else "none"
    if hasattr(value, "requests"):
        res = value
        req = ", ".join(f"{k}={v}" for k, v in getattr(res, "requests", ()))
        lim = ", ".join(f"{k}={v}" for k, v in getattr(res, "limits", ()))
        return f"requests {req or '-'} / limits {lim or '-'}"
    return f"`{value}`"
