"""Grounding: tying every extracted item to a verbatim span of the article.

:func:`verify` is the one checkpoint every extraction passes before it becomes a record (each
strategy's output in :meth:`summarizer.pipeline.Summarizer.summarize`, gold files when the eval
loads them): an item whose evidence offsets do not slice the article to its text, whose figure is
not stated by its evidence, or whose quote does not occur in the article is dropped and counted.
The schema's own validators are structural only, so a stored record or gold file loads without
running the figure reader; grounding needs the article, which only the caller has.

News text and model output disagree on typography (curly vs straight quotes, non-breaking
spaces, line breaks inside a quote), so matching happens on a *normalised* view of both; the
offsets returned always refer to the original article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Optional, TypeVar, Union

from summarizer.figures import find_figures, parse_figure
from summarizer.schema import CasualtyReport, DisputedClaim, Dropped, Evidence, Extraction, Figure, Quote

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


def find_span(needle: str, article: str, near: int = 0, *, prefer_same_case: bool = False) -> Optional[tuple[int, int]]:
    """Offsets of ``needle`` in ``article`` after normalisation, or None.

    Of several occurrences, the one starting nearest to ``near`` wins; with ``prefer_same_case``
    an occurrence written exactly as ``needle`` (case included) wins first: a model citing
    "climate change" means the sentence, not the headline's "Climate Change". The span returned
    slices the original article and is trimmed of surrounding whitespace.
    """
    stripped = strip_quote_marks(needle)
    target = normalise(stripped) or normalise(needle)
    if not target:
        return None
    haystack, index = _normalised_article(article)
    best: Optional[tuple[int, int]] = None
    best_rank: tuple[int, int] = (2, 0)
    position = haystack.find(target)
    while position != -1:
        start = index[position]
        end = index[position + len(target) - 1] + 1
        rank = (int(prefer_same_case and article[start:end] != stripped), abs(start - near))
        if best is None or rank < best_rank:
            best, best_rank = (start, end), rank
        position = haystack.find(target, position + 1)
    return best


def figure_supported(figure: Figure, evidence_text: str) -> bool:
    """Does ``evidence_text`` state ``figure``? Digits or number words must be there, and the
    value read from the evidence must agree with the figure's interval."""
    if normalise(figure.text) in normalise(evidence_text):
        stated = parse_figure(figure.text)
        return stated is None or _same_interval(stated, figure) or stated.low == figure.low or stated.high == figure.high
    for found in find_figures(evidence_text):
        if _same_interval(found.figure, figure):
            return True
    return False


def _same_interval(a: Figure, b: Figure) -> bool:
    return (a.low, a.high) == (b.low, b.high)


# --------------------------------------------------------------------------- the checkpoint

ItemKind = Literal["casualties", "quotes", "claims"]
Item = Union[CasualtyReport, Quote, DisputedClaim]
#: Item lists of an extraction and the field that points at another item of the same list.
_LINKS: dict[ItemKind, Optional[str]] = {"casualties": "subset_of", "quotes": "nested_in", "claims": None}

E = TypeVar("E", bound=Extraction)


@dataclass(frozen=True)
class Problem:
    """Why one item is not grounded: ``kind[index]`` of the extraction checked."""

    kind: ItemKind
    index: int
    reason: str


def evidence_problem(evidence: Evidence, article: str) -> Optional[str]:
    """Why ``evidence`` is not a verbatim span of ``article`` (None: it is)."""
    if article[evidence.start : evidence.end] != evidence.text:
        return f"evidence offsets {evidence.start}:{evidence.end} do not slice the article to {evidence.text!r}"
    return None


def quote_problem(quote: Quote, article: str) -> Optional[str]:
    """Why ``quote``'s words are not the article's (None: they occur, typography aside)."""
    if find_span(quote.text, article) is None:
        return f"quote text does not occur in the article: {quote.text[:80]!r}"
    return None


def item_problem(item: Item, article: str) -> Optional[str]:
    """The first reason ``item`` is not grounded in ``article``, or None."""
    problem = evidence_problem(item.evidence, article)
    if problem is None and isinstance(item, CasualtyReport):
        problem = derivation_problem(item, article) if item.derivation is not None else (
            None if figure_supported(item.figure, item.evidence.text)
            else f"figure {item.figure.text!r} is not supported by its evidence {item.evidence.text!r}")
    if problem is None and isinstance(item, Quote):
        problem = quote_problem(item, article)
    return problem


def derivation_problem(report: CasualtyReport, article: str) -> Optional[str]:
    """Why a derived figure is not grounded (None: it is): every term must be a span of the
    article, a term's figure must be stated by its span, and the report's evidence must be one of
    the terms (the schema has checked that the terms add up to the figure)."""
    assert report.derivation is not None
    spans = set()
    for term in report.derivation.terms:
        problem = evidence_problem(term.evidence, article)
        if problem is not None:
            return f"derived figure term: {problem}"
        if term.figure is not None and not figure_supported(term.figure, term.evidence.text):
            return f"derived figure term {term.figure.text!r} is not supported by {term.evidence.text!r}"
        spans.add((term.evidence.start, term.evidence.end))
    if (report.evidence.start, report.evidence.end) not in spans:
        return "a derived figure's evidence must be one of its terms"
    return None


def find_problems(extraction: Extraction, article: str) -> list[Problem]:
    """Every ungrounded item of ``extraction``, in order (empty: all are grounded)."""
    problems = []
    for kind in _LINKS:
        for index, item in enumerate(getattr(extraction, kind)):
            reason = item_problem(item, article)
            if reason is not None:
                problems.append(Problem(kind, index, reason))
    return problems


def verify(extraction: E, article: str) -> tuple[E, Dropped]:
    """The grounding checkpoint: ``extraction`` without its ungrounded items, and those counted.

    Returns a copy of the same type (an :class:`~summarizer.schema.ArticleRecord` stays one);
    ``subset_of`` / ``nested_in`` indexes are remapped to the kept items, and a link to a dropped
    item becomes None. ``Dropped.reasons`` says, per item, why (a re-ask can quote them).
    """
    dropped = Dropped()
    problems = find_problems(extraction, article)
    if not problems:
        return extraction, dropped
    failing = {(p.kind, p.index) for p in problems}
    update: dict[str, list[Item]] = {}
    for kind, link in _LINKS.items():
        items = getattr(extraction, kind)
        new_index = {}
        for old in range(len(items)):
            if (kind, old) not in failing:
                new_index[old] = len(new_index)
        kept = []
        for old, item in enumerate(items):
            if old not in new_index:
                continue
            if link is not None and getattr(item, link) is not None:
                item = item.model_copy(update={link: new_index.get(getattr(item, link))})
            kept.append(item)
        update[kind] = kept
    for problem in problems:
        setattr(dropped, problem.kind, getattr(dropped, problem.kind) + 1)
        dropped.reasons.append(f"{problem.kind}: {problem.reason}")
    return extraction.model_copy(update=update), dropped


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
