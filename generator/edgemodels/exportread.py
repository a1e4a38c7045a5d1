"""A hub export (`kubectl get managedclusters -o yaml`, or `-o json`) read fast, without a
position for every value, where nothing in it can read differently from the positioned
tree (yamltree.py); None where it might, for the caller to read it that way.

A 3,000-cluster export is some 17 MB of YAML (27 MB as JSON) of which a plan reads a
tenth (names, labels, taints, the Available condition, times); building its positioned
tree took about 3 s and 450 MB. Here:

- JSON goes to `json` item by item, each one's place taken from where it starts. It reads
  as YAML 1.1 reads it except for what is refused: a number with an exponent (`1e3` is
  text to YAML 1.1), `NaN` and `Infinity`, a duplicate key, an escaped surrogate (libyaml
  refuses one), a key long enough that YAML would not take it as a key (1,024 characters
  as written). Tabs between its tokens (`jq --tab`) are white space to both; one in a
  string is refused by `json`.
- YAML is cut into its items at the lines of the `items:` list (a `- ` at the list's
  column), each read by yaml-rs when validate/quickyaml.py's guard finds nothing that YAML
  1.1 could read differently, by the positioned loader otherwise (an anchor, a `yes`, a
  date...); what is around the items (apiVersion, kind, metadata) is read positioned.
- A tab is a risky token: the item holding one is looked at alone, and read positioned
  where it matters; the other items are read fast.
- Line ends of `\r\n` (an export saved on Windows) are read as `\n`, as libyaml reads them,
  in values too; a `\r` alone is left to the positioned tree.
- One ManagedCluster on its own (`kubectl get managedcluster NAME -o yaml`) is read
  positioned: some 5 KB, 1.6 ms.
- Only what the plan reads of an item is kept (READ); an item with a finding is read
  again with positions (`positioned`), so the finding names its line and column.
- Anything unusual (no `items:` list of its own lines, a list empty, a value nested near
  MAX_DEPTH, a text that may hold near MAX_NODES values, an item that does not read) is
  left to the positioned tree, which says what is wrong as it always has.
"""

from __future__ import annotations

from edgemodels.exportitems import Export
from edgemodels.exportjson import json_export
from edgemodels.exportyaml import yaml_export
from edgemodels.validate.quickyaml import odd_characters
from edgemodels.yamltree import MAX_ALIAS_NODES, MAX_NODES, collector_paused


def read_export(text: str, name: str) -> Export | None:
    with collector_paused():  # a fifth of the time otherwise, as for the positioned tree
        return _read_export(text, name)


def _read_export(text: str, name: str) -> Export | None:
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None  # a line ended by `\r` alone
        # libyaml reads `\r\n` as `\n`, in values too, and counts lines and columns alike
        text = text.replace("\r\n", "\n")
    if odd_characters(text):
        return None
    if text.lstrip(" \n").startswith("{"):
        return json_export(text, name) if _json_nodes(text) <= MAX_NODES else None
    return yaml_export(text, name) if _yaml_nodes(text) <= MAX_NODES else None


def _json_nodes(text: str) -> int:
    """At least as many values as the JSON holds: two a member (a `:`), one an element."""
    return 2 * text.count(":") + text.count(",") + text.count("[") + 1


def _yaml_nodes(text: str) -> int:
    """At least as many values as the YAML holds: every key has a `:` or a `?` (a flow
    entry may have neither: commas and brackets count for those), every block item a
    `- `; aliases add at most MAX_ALIAS_NODES."""
    marks = text.count(":") + text.count("?") + text.count("- ") + text.count("-\n")
    marks += text.count(",") + text.count("[") + text.count("{") + 1
    return 3 * marks + MAX_ALIAS_NODES
