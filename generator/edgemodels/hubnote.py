"""The note on changed hub/ files that nothing on the hub applies by itself: the commit
message carries it (commitmessage.py) so the branch's history says it, and publish warns
of it as well, so the user sees it without reading the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

import yaml

from edgemodels.render.common import ARGOCD_SYNCED, HUB_SYNCED, SYNCED_FOLDERS

APPLY_HUB = "kubectl apply -k hub/ from the deploy branch's folder"


SYNCED = tuple(f"{folder}/" for folder in SYNCED_FOLDERS)


_APPLIER = {HUB_SYNCED: "RHACM", ARGOCD_SYNCED: "the hub Application"}


def hub_note(
    by_hand: Sequence[str],
    added: Collection[str],
    tree: Iterable[str],
    objects: Mapping[str, str] | None = None,
) -> str:
    """What to do on the hub about `by_hand`, the hand-applied hub/ files this publish
    adds, changes or removes ("" when none). On the branch's first hub/ (its kustomization
    is added) that is applying hub/ once; afterwards, applying it again, and deleting the
    objects of the files removed (`objects`: path -> `kubectl delete` argument, of the
    files as the branch had them: hub_objects)."""
    if not by_hand:
        return ""
    paths = list(tree)
    folders = [f for f in SYNCED_FOLDERS if any(p.startswith(f"{f}/") for p in paths)]
    who = " and ".join(f"{_APPLIER[f]} applies {f}/" for f in folders) or "nothing applies hub/"
    if "hub/kustomization.yaml" in added:
        return (
            f"hub/ is new on this branch: apply it on the hub once ({APPLY_HUB}); from then "
            f"on {who} by itself, and publish says when hub/ must be applied again"
        )
    only = who.replace(" applies ", " applies only ", 1) if folders else who
    tree = set(paths)
    note = (
        f"{_by_verb(by_hand, added, tree)}: {only}, so apply hub/ on the hub again "
        f"({APPLY_HUB}) for the change to take effect"
    )
    if any(p not in tree for p in by_hand):
        # Applying hub/ again creates and updates, never deletes: what left it stays.
        note += "; kubectl apply deletes nothing, so delete the removed files' objects by hand"
        known = objects or {}
        gone = [known[p] for p in by_hand if p not in tree and p in known]
        if gone:
            note += "".join(f" (kubectl delete {g})" for g in gone)
    return note


def hub_objects(paths: Iterable[str], read: Callable[[str], bytes | None]) -> dict[str, str]:
    """path -> `-n NS KIND.GROUP/NAME` of each hand-applied hub/ file of `paths` (a tree's,
    before the publish writes over it) that defines one namespaced object, for the note to
    say what to delete when the file goes. The group names the kind unambiguously (a
    Subscription of OLM is another). Never a Namespace: deleting one deletes all in it."""
    found = {}
    for path in hand_applied(paths):
        meta, api, kind = _object(read(path))
        namespace, name = meta.get("namespace"), meta.get("name")
        if not (isinstance(namespace, str) and isinstance(name, str) and "/" in api):
            continue
        found[path] = f"-n {namespace} {kind.lower()}.{api.split('/')[0]}/{name}"
    return found


def _object(data: bytes | None) -> tuple[dict[str, object], str, str]:
    try:
        obj = yaml.load(data, Loader=yaml.CSafeLoader) if data else None
    except yaml.YAMLError:
        obj = None  # a hand-broken file names nothing to delete
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return {}, "", ""
    api, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str):
        return {}, "", ""
    return obj["metadata"], api, kind


def _by_verb(paths: Sequence[str], added: Collection[str], tree: Collection[str]) -> str:
    """`hub/a.yaml, hub/b.yaml added, hub/kustomization.yaml changed`."""
    verbs = [
        ("added", [p for p in paths if p in added]),
        ("changed", [p for p in paths if p not in added and p in tree]),
        ("removed", [p for p in paths if p not in tree]),
    ]
    return ", ".join(f"{', '.join(some)} {verb}" for verb, some in verbs if some)


def hand_applied(paths: Iterable[str]) -> tuple[str, ...]:
    """The files of hub/ that an admin applies by hand (everything but the synced folders)."""
    return tuple(p for p in paths if p.startswith("hub/") and not p.startswith(SYNCED))
