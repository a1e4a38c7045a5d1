"""Assemble the rules of a run: the shipped pack, the repository's files, the config."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from edgemodels.codes import CODES, IGNORABLE_FINDINGS
from edgemodels.data import data_path
from edgemodels.diagnostics import Diagnostic, Location, Severity, sort_diagnostics
from edgemodels.errors import InputError
from edgemodels.policy.config import CONFIG_CODE, Setting, find_config, load_config
from edgemodels.policy.files import load_policy_file
from edgemodels.policy.model import Ignore, PolicySet, Rule
from edgemodels.suggest import did_you_mean


def shown(path: Path) -> str:
    """How a policy or config file is named in findings: relative to the working folder."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def refuse_invalid_config(policies: PolicySet) -> PolicySet:
    """A policy config with errors (P006) stops the run (exit 2): running the default rules
    past a config that meant to change them would report what the repository turned off,
    or pass what it made strict."""
    bad = [d for d in policies.diagnostics if d.code == CONFIG_CODE[0] and d.severity == "error"]
    if bad:
        lines = "\n".join(d.render() for d in sort_diagnostics(bad))
        raise InputError(f"the policy config is invalid, nothing was checked:\n{lines}")
    return policies


def default_pack_files() -> list[Path]:
    return sorted(data_path("policies").glob("*.yaml"))


def load_policies(config_path: Path | None, catalogue_dir: Path | None) -> PolicySet:
    """Every rule of this run, compiled once, with findings on broken policies and config.

    `config_path` None: look for `.edgemodels-policy.yaml` next to the catalogue (or in a
    parent folder up to the repository root). A rule that cannot be used is left out and
    reported; the others still run.
    """
    found = config_path
    if found is None and catalogue_dir is not None:
        found = find_config(catalogue_dir)
    config, diags = load_config(found, shown(found) if found else None)
    rules: list[Rule] = []
    sources = [(p, "default") for p in default_pack_files()] if config.use_default_pack else []
    sources += [(p, shown(p)) for p, _ in config.policy_files]
    for path, origin in sources:
        loaded, problems = load_policy_file(path, shown(path), origin)
        rules += loaded
        diags += problems
    rules, problems = _unique(rules)
    diags += problems
    rules, problems = _apply_settings(rules, config.settings)
    diags += problems + _unknown_ignored(rules, config.ignores)
    return PolicySet(
        tuple(sorted(rules, key=lambda r: r.code)),
        tuple(diags),
        config.params,
        config.ignores,
        config.base_dir,
        config.path,
    )


def _unique(rules: list[Rule]) -> tuple[list[Rule], list[Diagnostic]]:
    """Codes and names are identities: a second rule with either is refused."""
    seen: dict[str, Rule] = {}
    kept, diags = [], []
    for rule in rules:
        clash = seen.get(rule.code) or seen.get(rule.name)
        if clash is not None:
            what = "code" if clash.code == rule.code else "name"
            diags.append(
                Diagnostic(
                    rule.location,
                    "P005",
                    f"rule {what} '{getattr(rule, what)}' is already used by {clash.code} "
                    f"{clash.name} at {clash.location}; pick another {what}",
                    "error",
                    "duplicate-rule",
                )
            )
            continue
        seen[rule.code] = seen[rule.name] = rule
        kept.append(rule)
    return kept, diags


def _apply_settings(
    rules: list[Rule], settings: tuple[Setting, ...]
) -> tuple[list[Rule], list[Diagnostic]]:
    """The config's `rules:` on the rules. An unknown rule, or one rule given two different
    settings (by code and by name), is a config error (P006): which was meant is unknown."""
    by_key = {key: i for i, r in enumerate(rules) for key in (r.code, r.name)}
    diags = []
    chosen: dict[int, Setting] = {}
    for s in settings:
        index = by_key.get(s.rule)
        earlier = chosen.get(index) if index is not None else None
        if index is None:
            message = f"rules: no rule with code or name '{s.rule}'" + did_you_mean(s.rule, by_key)
            diags.append(_config_error(s.location, message))
        elif earlier is not None and earlier.value != s.value:
            rule = rules[index]
            diags.append(
                _config_error(
                    s.location,
                    f"rules: {s.rule}: {s.value} contradicts {earlier.rule}: {earlier.value} "
                    f"at {earlier.location} (both are {rule.code} {rule.name})",
                )
            )
        else:
            chosen[index] = s
    for index, s in chosen.items():
        rules[index] = _with_setting(rules[index], s.value)
    return rules, diags


def ignorable_findings() -> set[str]:
    """The codes and names of the catalogue's findings besides the rules' that `ignore:`
    takes: the link warnings (IGNORABLE_FINDINGS)."""
    return {key for code in IGNORABLE_FINDINGS for key in (code, CODES[code].name)}


def _unknown_ignored(rules: list[Rule], ignores: tuple[Ignore, ...]) -> list[Diagnostic]:
    """`ignore:` entries naming no rule nor link warning: an error, as in `rules:` (a typo
    would leave the rule meant running on the files it was to skip)."""
    known = {key for r in rules for key in (r.code, r.name)} | ignorable_findings()
    return [
        _config_error(ig.location, _not_ignorable(name, known))
        for ig in ignores
        for name in sorted(ig.rules - known)
    ]


def _not_ignorable(name: str, known: set[str]) -> str:
    named = {code: c.name for code, c in CODES.items()}
    code = (
        name.upper()
        if name.upper() in named
        else next((k for k, v in named.items() if v == name), None)
    )
    if code is None or code in IGNORABLE_FINDINGS:  # none, or `y017` for Y017
        return f"ignore: no rule with code or name '{name}'" + did_you_mean(name, known)
    return (
        f"ignore: {code} ({named[code]}) is not a rule: of the other findings, only the "
        f"link warnings {', '.join(IGNORABLE_FINDINGS)} can be ignored by path; suppress a "
        f"finding on its line with '# edgemodels: ignore[{code}]' where it can be"
    )


def _config_error(where: Location, message: str) -> Diagnostic:
    return Diagnostic(where, CONFIG_CODE[0], message, "error", CONFIG_CODE[1])


def _with_setting(rule: Rule, value: str) -> Rule:
    if value == "off":
        return dataclasses.replace(rule, enabled=False)
    if value == "on":
        return dataclasses.replace(rule, enabled=True)
    severity: Severity = value  # type: ignore[assignment]  # checked by config
    return dataclasses.replace(rule, enabled=True, severity=severity, severity_overridden=True)
