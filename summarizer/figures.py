"""Reading counts as news writes them: "118", "more than 1,600", "at least two", "dozens".

:func:`find_figures` finds every count in a text with its offsets; :func:`parse_figure` turns one
written figure into a :class:`~summarizer.schema.Figure` with an inclusive integer interval.
The rules (used identically by the extractor, the grounding check and the gold checker):

=====================================  ==============  ===========================
written                                kind            interval
=====================================  ==============  ===========================
``118``, ``eleven``, ``a dozen``       exact           118..118
``more than 1,600``, ``over 200``      lower_bound     1601..None, 201..None
``at least 20``, ``20 or more``        lower_bound     20..None
``fewer than 10``, ``less than 10``    upper_bound     None..9
``up to 50``, ``at most 50``           upper_bound     None..50
``between 20 and 30``, ``20-30``       range           20..30
``about 50``, ``nearly 50``, ``some``  approximate     50..50
``dozens``                             approximate     24..99
``hundreds`` / ``thousands``           approximate     200..999 / 2000..9999
=====================================  ==============  ===========================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional

from summarizer.schema import Figure

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
#: Vague plurals: nominal interval of the count they stand for.
_VAGUE = {
    "several dozen": (24, 99), "several hundred": (200, 999), "several thousand": (2000, 9999),
    "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "thousands": (2000, 9999),
    "tens of thousands": (20000, 99999), "hundreds of thousands": (200000, 999999),
    "millions": (2_000_000, 9_999_999),
}

_WORD = r"(?:%s)" % "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_NUMBER_WORDS = rf"(?:a\s+)?(?:{_WORD}(?:[\s-]+{_WORD})?(?:\s+dozen|(?:\s+(?:hundred|thousand|million)(?:\s+(?:and\s+)?{_WORD}(?:[\s-]+{_WORD})?)?){{0,2}})|a\s+dozen|a\s+hundred|a\s+thousand|dozen|hundred)"
_DIGITS = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s+(?:million|thousand))?"
_NUM = rf"(?:{_DIGITS}|{_NUMBER_WORDS})"
_VAGUE_RE = r"(?:several\s+(?:dozen|hundred|thousand)|tens\s+of\s+thousands|hundreds\s+of\s+thousands|dozens|scores|hundreds|thousands|millions)"

_LOWER_STRICT = r"more\s+than|over|in\s+excess\s+of|upwards\s+of|above"
_LOWER_INCL = r"at\s+least|a\s+minimum\s+of|no\s+fewer\s+than|no\s+less\s+than|not\s+less\s+than"
_UPPER_STRICT = r"fewer\s+than|less\s+than|under|below"
_UPPER_INCL = r"up\s+to|at\s+most|as\s+many\s+as|no\s+more\s+than|a\s+maximum\s+of"
_APPROX = r"closer\s+to|about|around|roughly|approximately|nearly|almost|some|an\s+estimated|close\s+to|estimated|more\s+or\s+less|circa|an\s+approximate"

_FIGURE_RE = re.compile(
    rf"""
    (?P<range>between\s+(?P<b1>{_NUM})\s+and\s+(?P<b2>{_NUM})(?=\W|$)|(?<!from\s)(?:(?P<r1>{_DIGITS})\s*(?:-|–|—|to)\s*(?P<r2>{_DIGITS})|(?P<w1>{_WORD})\s+to\s+(?P<w2>{_WORD}))(?=\W|$))
    |(?P<qual>(?P<lower_strict>{_LOWER_STRICT})|(?P<lower_incl>{_LOWER_INCL})|(?P<upper_strict>{_UPPER_STRICT})
        |(?P<upper_incl>{_UPPER_INCL})|(?P<approx>{_APPROX}))\s+(?P<qnum>{_NUM}|{_VAGUE_RE})(?=\W|$)
    |(?P<ornum>{_NUM})\s+or\s+more(?=\W|$)
    |(?P<orso>{_NUM})\s+or\s+so(?=\W|$)
    |(?P<vague>{_VAGUE_RE})(?=\W|$)
    |(?P<plain>{_NUM})(?=\W|$)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def words_to_int(text: str) -> Optional[int]:
    """``"twenty-three"`` -> 23, ``"1,600"`` -> 1600, ``"2.5 million"`` -> 2500000; None if not a count."""
    cleaned = text.strip().lower().replace(",", "")
    if not cleaned:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s+(million|thousand))?", cleaned)
    if match:
        value = float(match.group(1)) * (_SCALES[match.group(2)] if match.group(2) else 1)
        return int(round(value))
    tokens = re.split(r"[\s-]+", cleaned)
    if tokens and tokens[0] == "a":
        tokens = ["one"] + tokens[1:]
    if tokens == ["dozen"]:
        return 12
    total, current = 0, 0
    seen = False
    for token in tokens:
        if token == "and":
            continue
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token == "dozen":
            current = max(current, 1) * 12
        elif token in _SCALES:
            current = max(current, 1) * _SCALES[token]
            if _SCALES[token] >= 1000:
                total += current
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


@dataclass(frozen=True)
class FoundFigure:
    """A figure located in a text: ``text[start:end]`` is ``figure.text``."""

    start: int
    end: int
    figure: Figure


def _qualified(kind_group: str, qualifier: str, number_text: str) -> Optional[Figure]:
    qualifier_clean = re.sub(r"\s+", " ", qualifier.lower())
    text = f"{qualifier} {number_text}"
    if re.fullmatch(_VAGUE_RE, number_text, re.IGNORECASE):
        low, high = _VAGUE[re.sub(r"\s+", " ", number_text.lower())]
        return Figure(text=text, kind="approximate", low=low, high=high, qualifier=qualifier_clean)
    value = words_to_int(number_text)
    if value is None:
        return None
    if kind_group == "lower_strict":
        return Figure(text=text, kind="lower_bound", low=value + 1, qualifier=qualifier_clean)
    if kind_group == "lower_incl":
        return Figure(text=text, kind="lower_bound", low=value, qualifier=qualifier_clean)
    if kind_group == "upper_strict":
        return Figure(text=text, kind="upper_bound", high=max(value - 1, 0), qualifier=qualifier_clean)
    if kind_group == "upper_incl":
        return Figure(text=text, kind="upper_bound", high=value, qualifier=qualifier_clean)
    return Figure(text=text, kind="approximate", low=value, high=value, qualifier=qualifier_clean)


def _figure_from_match(match: re.Match[str]) -> Optional[Figure]:
    text = match.group(0)
    if match.group("range"):
        first, second = next(
            (match.group(a), match.group(b)) for a, b in (("b1", "b2"), ("r1", "r2"), ("w1", "w2")) if match.group(a)
        )
        low, high = words_to_int(first), words_to_int(second)
        if low is None or high is None or low >= high:
            return None
        return Figure(text=text, kind="range", low=low, high=high, qualifier=None)
    if match.group("qual"):
        for group in ("lower_strict", "lower_incl", "upper_strict", "upper_incl", "approx"):
            if match.group(group):
                return _qualified(group, match.group(group), match.group("qnum"))
    if match.group("ornum"):
        value = words_to_int(match.group("ornum"))
        if value is None:
            return None
        return Figure(text=text, kind="lower_bound", low=value, qualifier="or more")
    if match.group("orso"):
        value = words_to_int(match.group("orso"))
        if value is None:
            return None
        return Figure(text=text, kind="approximate", low=value, high=value, qualifier="or so")
    if match.group("vague"):
        low, high = _VAGUE[re.sub(r"\s+", " ", text.lower())]
        return Figure(text=text, kind="approximate", low=low, high=high, qualifier=text.lower())
    value = words_to_int(match.group("plain"))
    if value is None:
        return None
    return Figure(text=text, kind="exact", low=value, high=value, qualifier=None)


def find_figures(text: str) -> Iterator[FoundFigure]:
    """Every count in ``text``, left to right, longest reading first (qualifiers included)."""
    for match in _FIGURE_RE.finditer(text):
        start = match.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in ",."):
            continue  # inside a token such as "A320" or "1,6"
        figure = _figure_from_match(match)
        if figure is not None:
            yield FoundFigure(start, match.end(), figure)


def parse_figure(text: str) -> Optional[Figure]:
    """Read one written figure; None when ``text`` holds no count."""
    stripped = text.strip()
    for found in find_figures(stripped):
        if found.start == 0 and found.end == len(stripped):
            return found.figure
    found_all = list(find_figures(stripped))
    return found_all[0].figure if found_all else None


def stated_value(figure: Figure) -> Optional[int]:
    """The number as written, whatever qualifies it: 17 for "17", "at least 17" and "more than 17"
    (whose interval starts at 18); None for vague figures ("dozens") and ranges. This is what
    tells a restated figure ("police confirmed 17 deaths") from a new one."""
    if figure.kind == "range":
        return None
    match = re.search(rf"\b(?:{_VAGUE_RE}|{_NUM})(?=\W|$)", figure.text, re.IGNORECASE)
    if match is None or re.fullmatch(_VAGUE_RE, match.group(0), re.IGNORECASE):
        return None
    return words_to_int(match.group(0))
