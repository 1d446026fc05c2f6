"""Quotation marks: the characters that open and close a quote, and the passages they enclose.

One reading of the marks answers "are these words inside quotation marks?" for every caller that
asks it: the speaker index (a name inside a quote is no antecedent), the attribution tagger (a
tagged content is a direct quote or an indirect one) and the PolNeAR mapping (a gold content is
direct when at least half of it is inside marks, ``evals/POLNEAR.md``). The quote finder
(:mod:`summarizer.rules.quotes`) reads the same characters with finer rules of its own (which
straight marks open a quote, apostrophes told from single marks, quotes over paragraphs).

What counts as a quoted passage (:func:`quoted_spans`), line by line:

* double marks: an opening mark (``“ „ «``, a straight ``"``, or two backticks as TeX typesets
  one) opens a passage when none is open, and the next closing mark (``” »`` or a straight
  ``"``) closes it; mixed pairs (``"…”``, ``“…"``) are pairs too, as typed copy has them;
* two apostrophes (``''…''``, New York Times style) are double marks (:func:`paired_apostrophes_as_marks`);
* a passage left open runs to the end of its line: a quote over several paragraphs leaves each
  paragraph open and reopens at the next one;
* single curly marks (``‘…’``) enclose a passage when at least :data:`MIN_SINGLE_QUOTED`
  characters lie between them; shorter ones are mostly scare quotes and elisions.
"""

from __future__ import annotations

import re

OPENING_DOUBLE = "\u201c\u201e\u00ab"
CLOSING_DOUBLE = "\u201d\u00bb"
OPENING_SINGLE = "\u2018"
CLOSING_SINGLE = "\u2019"

#: Share of a passage's non-space characters inside quotation marks that makes it a direct quote.
DIRECT_SHARE = 0.5

#: Fewest characters between single curly marks for the passage to count as quoted.
MIN_SINGLE_QUOTED = 8

_PAIRED_APOSTROPHES = re.compile(r"(?<!['\u2019])(?:''|\u2019\u2019)(?!['\u2019])")
_LINES = re.compile(r"[^\n]+")
_SINGLE_QUOTED = re.compile(f"{OPENING_SINGLE}[^{CLOSING_SINGLE}\\n]{{{MIN_SINGLE_QUOTED},}}{CLOSING_SINGLE}")
#: Two backticks open a quote in text typeset for TeX (closed by two apostrophes).
_BACKTICKS = "``"


def paired_apostrophes_as_marks(text: str) -> str:
    """``text`` with each ``''`` that opens or closes a quote written as one curly mark and a
    space (opening: ``“`` then the space; closing: the space then ``”``), every offset kept.

    Some newspapers (the New York Times house style, and text converted from it) open and close
    quotes with two apostrophes: ``''This isn't reform,'' said X``; the readers of marks know
    one-character marks.
    """
    if "''" not in text and "\u2019\u2019" not in text:
        return text
    chars = list(text)
    for match in _PAIRED_APOSTROPHES.finditer(text):
        i = match.start()
        before = text[i - 1] if i > 0 else " "
        after = text[i + 2] if i + 2 < len(text) else " "
        if (before.isspace() or before in "([{\u2014\u2013-:;,") and not after.isspace():
            chars[i], chars[i + 1] = "\u201c", " "
        elif not before.isspace():
            chars[i], chars[i + 1] = " ", "\u201d"
    return "".join(chars)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The passages of ``text`` inside quotation marks as (start, end) offsets, the marks
    included (``text[start:end]`` is the mark, the words, the closing mark), in text order; a
    single-marked passage inside a double-marked one is listed too."""
    text = paired_apostrophes_as_marks(text).replace(_BACKTICKS, "\u201c ")
    spans: list[tuple[int, int]] = []
    for line in _LINES.finditer(text):
        open_at = None
        for i in range(line.start(), line.end()):
            char = text[i]
            if open_at is None:
                if char in OPENING_DOUBLE or char == '"':
                    open_at = i
            elif char in CLOSING_DOUBLE or char == '"':
                spans.append((open_at, i + 1))
                open_at = None
        if open_at is not None:
            spans.append((open_at, line.end()))
        spans.extend(m.span() for m in _SINGLE_QUOTED.finditer(text, line.start(), line.end()))
    return sorted(spans)


def quoted_share(text: str) -> float:
    """Share of ``text``'s non-space characters inside quotation marks (:func:`quoted_spans`,
    the marks counted in); 0.0 for a text of spaces."""
    inside = bytearray(len(text))
    for start, end in quoted_spans(text):
        inside[start:end] = b"\1" * (end - start)
    total = quoted = 0
    for char, flag in zip(text, inside):
        if not char.isspace():
            total += 1
            quoted += flag
    return quoted / total if total else 0.0


def mostly_quoted(text: str) -> bool:
    """Whether ``text`` is a direct quote: at least :data:`DIRECT_SHARE` of it inside marks."""
    return quoted_share(text) >= DIRECT_SHARE
