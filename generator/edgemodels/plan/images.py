"""D124 version-without-new-image: a model's version changes, its image reference does not.

Only a new image reference makes a site run other bytes. Every container and image volume
edgemodels generates pulls `IfNotPresent` (render/site.py; a tag other than `latest` gets
that from Kubernetes by default too): a node that has the reference never asks the
registry again. So new bytes pushed under the same tag reach no site that has it:

- an HTTP model's Deployment does not name the version, so nothing in it changes and no
  pod restarts (Helm upgrades the release to the new chart version, with the same
  Deployment); a pod restarted later starts from its node's copy, while a node without
  one pulls whatever the tag names then, so a site can run two builds under one version;
- a copy-delivered container model gets a new copy Job (the files' folder name hashes the
  version), whose pod starts from the image its node already has: the old files are
  copied into the new version's folder, and the descriptor announces the new version;
- an image volume (the `<m>-prefetch` Deployment, and the workloads' own) names the same
  reference, so it keeps the bytes its node has.

With a tag this is an error: the plan reports an upgrade that does not reach the sites, or
reaches some nodes and not others. With a digest the bytes are certain, and the same as
before, so the new version names the old model: a warning (a rename of the version alone
is suppressed on its line). Sites are those that keep the model with the same reference,
moved or not (a redeploy restarts the pods on the same nodes, which still have the image).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic
from edgemodels.output import plural
from edgemodels.plan.diff import ModelDiff
from edgemodels.plan.evaluate import PlacedModel
from edgemodels.plan.sitelist import about, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.render.common import image_digest
from edgemodels.selectors import Mask, count

CODE, NAME = "D124", "version-without-new-image"


def unchanged_images(before: PlacedModel, after: PlacedModel) -> dict[str, Mask]:
    """Image reference -> the sites that keep the model with that same reference."""
    found: dict[str, Mask] = {}
    for old in before.routes():
        for new in after.routes():
            same = old.sites & new.sites
            if same and old.image == new.image:
                found[new.image] = found.get(new.image, 0) | same
    return found


def version_image_findings(
    diffs: Iterable[ModelDiff], after: Catalogue, sites: Sites
) -> list[Diagnostic]:
    """One D124 per model whose version changes where its image reference stays."""
    found = []
    for d in diffs:
        if d.before is None or d.after is None or d.before.version == d.after.version:
            continue
        images = unchanged_images(d.before, d.after)
        if images:
            found.append(_finding(after, d.before, d.after, images, sites))
    return found


def _finding(
    catalogue: Catalogue,
    before: PlacedModel,
    after: PlacedModel,
    images: dict[str, Mask],
    sites: Sites,
) -> Diagnostic:
    model = catalogue.model(after.name)
    where = model.location_of("version")
    # A tag decides: its sites are the ones that may run other bytes than announced.
    tags = {image: mask for image, mask in images.items() if not image_digest(image)}
    named = tags or images
    mask = 0
    for sites_of in named.values():
        mask |= sites_of
    one = len(named) == 1
    one_site = count(mask) == 1
    head = (
        f"model {after.name}: version {before.version} -> {after.version}, but "
        f"{'its image' if one else 'its images'} {', '.join(named)} "
        f"{'stays' if one else 'stay'} the same on "
        f"{plural(count(mask), 'site')} that {'keeps' if one_site else 'keep'} it "
        f"({name_list(sites, mask)})"
    )
    if not tags:
        those = "that site gets" if one_site else "those sites get"
        message = (
            f"{head}: pinned by digest, so {those} exactly the bytes of version "
            f"{before.version} under the new version; name the new version's image (a new "
            "digest), or, if only the version's name changes, suppress this on its line"
        )
        return about(Diagnostic(where, CODE, message, "warning", NAME), sites, mask)
    deliveries = {r.deployed.delivery for r in after.routes() if r.sites & mask}
    consequence = _consequence(after.name, deliveries, after.version, one_site)
    message = f"{head}: {consequence}; {_remedy(after.version)}"
    return about(Diagnostic(where, CODE, message, "error", NAME), sites, mask)


def _consequence(name: str, deliveries: set[str | None], version: str, one_site: bool) -> str:
    """What the sites do with the same reference, by how the model reaches them."""
    pulls = (
        "a node that has a tag never pulls it again (every generated container and image "
        "volume pulls IfNotPresent)"
    )
    if None in deliveries:  # an HTTP model
        keeps = (
            "the site keeps running the image it has"
            if one_site
            else "the sites keep running the image they have"
        )
        return (
            "its Deployment does not name the version, so it does not change and no pod "
            f"restarts: {keeps}; {pulls}, so a restarted "
            "pod starts from its node's copy while a new node pulls whatever the tag names "
            "then"
        )
    kept = []
    if "copy" in deliveries:
        kept.append(
            f"the new copy Job copies the files its node already has into version {version}'s "
            "folder"
        )
    if "imageVolume" in deliveries:
        kept.append("the image volumes keep the files their nodes have")
    return f"{pulls}, so {' and '.join(kept)}, while ConfigMap {name}-model announces {version}"


_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")  # what a registry accepts as a tag


def _remedy(version: str) -> str:
    example = f" (:{version})" if _TAG.fullmatch(version) else ""
    return (
        f"name version {version}'s image by a new tag{example} or pin its digest "
        "(@sha256:<digest>): a new reference is pulled on every site; if the image did not "
        "change, keep the version"
    )
