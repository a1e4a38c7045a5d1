"""Where a manifest rule's finding lands on a rendered object: on its template's line, as
a schema finding does, and on the field the rule is about when the object has it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from edgemodels.diagnostics import Location
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import col_of, edit, line_of

TEMPLATE = "models/web/chart/templates/deployment.yaml"
HELPERS = "models/web/chart/templates/_helpers.tpl"
IMAGE = "          image: {{ .Values.image | quote }}\n"


def _p125(tree: Path, options: ValidateOptions) -> list[Location]:
    found = validate_tree(tree, replace(options, policies=True))
    return [d.location for d in found if d.code == "P125" and d.path == TEMPLATE]


def test_a_field_the_template_writes_is_where_the_rule_points(
    tree: Path, options: ValidateOptions
) -> None:
    edit(
        tree,
        TEMPLATE,
        IMAGE,
        IMAGE + "          securityContext: {readOnlyRootFilesystem: false}\n",
    )
    at = Location(TEMPLATE, line_of(tree, TEMPLATE, "false}"), col_of(tree, TEMPLATE, "false}"))
    assert _p125(tree, options) == [at]


def test_a_field_a_helper_writes_is_on_the_template_line_that_includes_it(
    tree: Path, options: ValidateOptions
) -> None:
    """The helper's line is in _helpers.tpl, which no rendered line can be told from: the
    finding goes on the nearest field above it in the template, `securityContext:`."""
    helper = '{{- define "web.security" -}}\nreadOnlyRootFilesystem: false\n{{- end }}\n'
    edit(tree, HELPERS, "{{- end }}\n", "{{- end }}\n" + helper)
    include = (
        '          securityContext:\n            {{- include "web.security" . | nindent 12 }}\n'
    )
    edit(tree, TEMPLATE, IMAGE, IMAGE + include)
    at = Location(TEMPLATE, line_of(tree, TEMPLATE, "securityContext:"), 11)
    assert _p125(tree, options) == [at]


@pytest.mark.parametrize("banner_lines", [0, 3])
def test_a_container_without_the_field_is_on_its_template_line(
    tree: Path, options: ValidateOptions, banner_lines: int
) -> None:
    """Not on a line of the template read as YAML (it is a Go template): the line that
    wrote the container, wherever the rendered output's lines fall."""
    edit(
        tree,
        TEMPLATE,
        "apiVersion: apps/v1\n",
        "{{/* a */}}\n" * banner_lines + "apiVersion: apps/v1\n",
    )
    assert _p125(tree, options) == [
        Location(TEMPLATE, line_of(tree, TEMPLATE, "- name: model"), 11)
    ]
