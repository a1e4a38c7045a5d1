"""R232: with Argo CD delivery, a placement whose Applications' names pass 63 characters
whatever the cluster's name (under Argo CD's label tracking, every sync fails)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import BASE, findings, messages, sub

ARGOCD = sub(
    "    namespace: i4q-lrt\n  defaults:",
    "    namespace: i4q-lrt\n    delivery: argocd\n  defaults:",
)


def named(name: str, text: str = ARGOCD) -> str:
    return sub("  name: lrt\n", f"  name: {name}\n", text)


def tracked(method: str, text: str) -> str:
    """`text` declaring the Argo CD's resource tracking method, a line above the models."""
    return sub(
        "    delivery: argocd\n",
        f"    delivery: argocd\n    argocd: {{resourceTrackingMethod: '{method}'}}\n",
        text,
    )


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


@pytest.mark.parametrize("method", ["annotation", "annotation+label"])
def test_silent_where_argo_cd_tracks_by_annotation(tmp_path: Path, method: str) -> None:
    """The name is then no label (annotation), or a label Argo CD cuts (annotation+label)."""
    assert findings(tmp_path, tracked(method, named("c" * 51))) == []


def test_still_warns_with_label_tracking_declared(tmp_path: Path) -> None:
    assert findings(tmp_path, tracked("label", named("c" * 51))) == [(24, 17, "R232")]


def test_the_message_says_where_to_declare_annotation_tracking(tmp_path: Path) -> None:
    (message,) = messages(tmp_path, named("c" * 51))
    assert message.endswith("say so in spec.hub.argocd.resourceTrackingMethod")


def test_an_unknown_tracking_method_is_a_schema_error_at_its_value(tmp_path: Path) -> None:
    text = tracked("labels", named("c" * 51))
    assert findings(tmp_path, text) == [(12, 38, "S004")]
    (message,) = messages(tmp_path, text)
    assert message == (
        "catalogue.yaml:12:38: S004 spec.hub.argocd.resourceTrackingMethod: 'labels' is not "
        "one of label, annotation, annotation+label; did you mean 'label'?"
    )
