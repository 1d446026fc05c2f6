"""Grounding: tying every extracted item to a verbatim span of the article.

News text and model output disagree on typography (curly vs straight quotes, non-breaking
spaces, line breaks inside a quote), so matching happens on a *normalised* view of both; the
offsets returned always refer to the original article. Validation context for the schema is
``{"article": text}``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from summarizer.schema import Figure

_QUOTE_MARKS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"',
    "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...",
}


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Normalised ``text`` (quote marks and dashes unified, runs of whitespace as one space,
    lower case) and, for each normalised character, the index of the original character."""
    out: list[str] = []
    index: list[int] = []
    previous_space = False
    for i, char in enumerate(text):
        if char.isspace():
            if previous_space:
                continue
            out.append(" ")
            index.append(i)
            previous_space = True
            continue
        previous_space = False
        replacement = _QUOTE_MARKS.get(char, char)
        for piece in replacement.lower():
            out.append(piece)
            index.append(i)
    return "".join(out), index


def normalise(text: str) -> str:
    """The matching form of ``text``: see :func:`normalise_with_map`; also trims the ends."""
    return normalise_with_map(text)[0].strip()


def strip_quote_marks(text: str) -> str:
    """``"We proposed ..."`` -> ``We proposed ...`` (outer marks and spaces only)."""
    return text.strip().strip("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb").strip()


@lru_cache(maxsize=8)
def _normalised_article(article: str) -> tuple[str, list[int]]:
    """:func:`normalise_with_map` of an article, kept for the next lookup: validating a record
    looks up every quote in the same article, which was quadratic in its length."""
    return normalise_with_map(article)


def find_span(needle: str, article: str, near: int = 0) -> Optional[tuple[int, int]]:
    """Offsets of ``needle`` in ``article`` after normalisation, or None.

    Of several occurrences, the one starting nearest to ``near`` wins. The span returned
    slices the original article and is trimmed of surrounding whitespace.
    """
    target = normalise(strip_quote_marks(needle)) or normalise(needle)
    if not target:
        return None
    haystack, index = _normalised_article(article)
    best: Optional[tuple[int, int]] = None
    position = haystack.find(target)
    while position != -1:
        start = index[position]
        end = index[position + len(target) - 1] + 1
        if best is None or abs(start - near) < abs(best[0] - near):
            best = (start, end)
        position = haystack.find(target, position + 1)
    return best


def figure_supported(figure: Figure, evidence_text: str) -> bool:
    """Does ``evidence_text`` state ``figure``? Digits or number words must be there, and the
    value read from the evidence must agree with the figure's interval."""
    from summarizer.figures import find_figures, parse_figure

    if normalise(figure.text) in normalise(evidence_text):
        stated = parse_figure(figure.text)
        return stated is None or _same_interval(stated, figure) or stated.low == figure.low or stated.high == figure.high
    for found in find_figures(evidence_text):
        if _same_interval(found.figure, figure):
            return True
    return False


def _same_interval(a: Figure, b: Figure) -> bool:
    return (a.low, a.high) == (b.low, b.high)


_NAME_RE = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of|al|el|de|bin|ibn|the|-)?\s*[A-Z][\w'’.-]*)*")
_NUMBER_RE = re.compile(r"\d[\d,.]*")


def unsupported_terms(summary: str, article: str) -> list[str]:
    """Figures and capitalised names in ``summary`` that do not occur in ``article``.

    A faithful summary returns []: every number and name it states is in the article.
    Sentence-initial capitalised function words are ignored.
    """
    article_norm = normalise(article)
    article_numbers = {n.replace(",", "").rstrip(".,") for n in _NUMBER_RE.findall(article)}
    missing: list[str] = []
    for number in _NUMBER_RE.findall(summary):
        cleaned = number.replace(",", "").rstrip(".,")
        if cleaned and cleaned not in article_numbers:
            missing.append(number.rstrip(".,"))
    for match in _NAME_RE.finditer(summary):
        name = re.sub(r"['’]s\b", "", match.group(0)).rstrip(".'’")
        for part in re.split(r"\s+", name):
            token = normalise(part).strip(".,'\"")
            if len(token) < 2 or token in _COMMON_CAPITALISED:
                continue
            if not re.search(rf"(?<![\w]){re.escape(token)}", article_norm):
                missing.append(part)
    return sorted(set(missing), key=missing.index)


_COMMON_CAPITALISED = {
    "the", "a", "an", "in", "on", "at", "of", "and", "but", "as", "after", "before", "it", "its",
    "this", "that", "these", "those", "they", "he", "she", "we", "i", "his", "her", "their",
    "there", "meanwhile", "also", "according", "while", "when", "with", "by", "for", "from",
    "to", "more", "at least", "some", "another", "among", "most", "other", "since", "during",
    "al", "el", "de", "bin", "ibn",
}
