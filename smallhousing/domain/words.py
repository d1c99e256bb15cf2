"""Whether a piece of text says anything: the test every mandatory text item must pass.

Text made only of punctuation, spaces, symbols, zero-width or other format characters says
nothing, however long it is. Two texts say the same when their words are the same, whatever the
punctuation, spacing and case.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str | None) -> list[str]:
    """The words of a text, lower case, with format characters (zero-width and the like) dropped."""
    cleaned = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text or "")
        if unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cn", "Cs")
    )
    return [
        w.casefold() for w in _WORD.findall(cleaned) if any(ch.isalnum() for ch in w) and not set(w) <= {"_"}
    ]


def has_words(text: str | None) -> bool:
    """True when the text holds at least one real word: one with a letter in it (a lone number
    such as "0" says nothing)."""
    if text and text.isascii():
        # the same answer, quicker (a log's import asks this of every response): an ASCII text is
        # its own NFKC form, and a letter is always part of a word, so it holds a real word exactly
        # when it holds a letter
        return _ASCII_LETTER.search(text) is not None
    return any(any(ch.isalpha() for ch in w) for w in words(text))


_ASCII_LETTER = re.compile(r"[A-Za-z]")


def same_words(a: str | None, b: str | None) -> bool:
    """True when both texts hold the same words in the same order (and at least one)."""
    wa = words(a)
    return bool(wa) and wa == words(b)
