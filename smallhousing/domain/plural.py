"""Counts in words: "1 request", "2 requests". Every report says its counts through ``count``."""

from __future__ import annotations

_VOWELS = "aeiou"


def plural(word: str) -> str:
    """The plural of a (last) English noun as the reports use them: remedy -> remedies."""
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def noun(n: int, one: str, many: str | None = None) -> str:
    """The words that go after the number ``n``: ``one`` for 1, else ``many`` (by default the
    plural of ``one``'s last word; pass ``many`` for phrases such as "complaint was")."""
    if n == 1:
        return one
    if many is None:
        head, _, last = one.rpartition(" ")
        many = f"{head} {plural(last)}" if head else plural(last)
    return many


def count(n: int, one: str, many: str | None = None, *, zero: str | None = None) -> str:
    """``n`` and the noun (or phrase) that agrees with it: ``one`` for 1, ``many`` otherwise (the
    plural of ``one``'s last word when not given); ``zero`` (such as "no") in place of 0."""
    return f"{zero if n == 0 and zero else format(n, ',')} {noun(n, one, many)}"
