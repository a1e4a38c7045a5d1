"""Cache keys for model renders: a digest of everything one model's render reads.

A model's files depend on the model, where it is defined (banners cite the file), the
rest of the catalogue (hub, git, defaults, targets, workloads: read by every model's
render and by `plan_model`, which derives the model's settings per placement from the
model and the rest alone), the render options, where the catalogue sits relative to the
banners' base, and edgemodels' own code. The key digests the repr of all of it: the
catalogue types are frozen dataclasses of strings, numbers and tuples, whose repr spells
every field. A field left out of a repr would make a stale render reachable, so
tests/unit/render/test_memo.py checks that no catalogue type hides a field from it.
"""

from __future__ import annotations

from dataclasses import replace
from hashlib import sha256

from edgemodels.catalogue.model import Catalogue, Model
from edgemodels.render.common import RenderOptions, SourceInfo
from edgemodels.treecache import code_digest


def context_key(catalogue: Catalogue, source: SourceInfo, options: RenderOptions) -> bytes:
    """What every model's render reads besides the model: digested once per run. The
    catalogue digest is left out: it changes with every edit of any model."""
    rest = replace(catalogue, models=())
    where = (source.catalogue_path, source.base_dir, source.shown_from)
    return sha256(repr((code_digest(), rest, where, options)).encode()).digest()


def model_key(context: bytes, model: Model, origin: str) -> str:
    """The model itself stands for its plan: a third of the cost of spelling the plan."""
    return sha256(context + repr((model, origin)).encode()).hexdigest()
