"""R232: with Argo CD delivery, a placement whose Applications' names pass 63 characters
whatever the cluster's name (under Argo CD's label tracking, every sync fails)."""

from __future__ import annotations

from pathlib import Path

from .helpers import BASE, findings, messages, sub

ARGOCD = sub(
    "    namespace: i4q-lrt\n  defaults:",
    "    namespace: i4q-lrt\n    delivery: argocd\n  defaults:",
)


def named(name: str, text: str = ARGOCD) -> str:
    return sub("  name: lrt\n", f"  name: {name}\n", text)


def test_no_room_for_any_cluster_name(tmp_path: Path) -> None:
    """`<catalogue>-sktime-lrt` of 62 characters: with '-' and a one-letter cluster, 64."""
    text = named("c" * 51)
    assert findings(tmp_path, text) == [(23, 17, "R232")]
    (message,) = messages(tmp_path, text)
    assert message.startswith(
        f"catalogue.yaml:23:17: R232 [warning] model 'sktime' on placement 'lrt': its Argo CD "
        f"Applications are named '{'c' * 51}-sktime-lrt-<cluster>', 63 characters before the "
        "cluster's name, so every one is longer than 63: under Argo CD's label tracking"
    )
    assert "spec.resourceTrackingMethod: annotation" in message


def test_a_name_cut_to_63_leaves_no_room_either(tmp_path: Path) -> None:
    assert findings(tmp_path, named("c" * 60)) == [(23, 17, "R232")]


def test_room_for_one_letter_is_left_to_plan(tmp_path: Path) -> None:
    assert findings(tmp_path, named("c" * 50)) == []


def test_only_with_argocd_delivery(tmp_path: Path) -> None:
    assert findings(tmp_path, named("c" * 51, BASE)) == []


def test_suppressed_on_its_line(tmp_path: Path) -> None:
    text = named("c" * 51).replace("targets: [lrt]", "targets: [lrt]  # edgemodels: ignore[R232]")
    assert findings(tmp_path, text) == []
