"""The did-you-mean of findings on a misspelt word: one spelling for the catalogue's schema
messages and the policy config's."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest of `known`, else '': a difference of case first
    ('in' is 'In', though difflib finds them far)."""
    import difflib  # here: only a finding needs it, and a valid input has none

    options = sorted(known)
    same = [k for k in options if k.lower() == word.lower()]
    close = same or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
