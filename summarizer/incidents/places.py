"""Places: where an event happened, as written and as a key that different spellings share.

"Deir ez-Zor Province", "Deir ez-Zor" and "deir ez zor" are one place; "Rocky Mount, N.C.",
"Rocky Mount, North Carolina" and "ROCKY MOUNT, N.C. —" (a dateline) are one place in one state.
A key is the name folded to ASCII lower case with the administrative words writers add or drop
(``data/place_suffixes.txt``) and a trailing state (``data/us_states.tsv``: full name, USPS code,
AP abbreviation) taken off; the state is kept beside it.

Local news names its town mostly in the dateline ("PUYALLUP, Wash. —") and in "City, St." pairs,
so :func:`find_places` reads those from the text; a casualty report's ``location`` is normalised
the same way by :func:`normalise_place`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional


@dataclass(frozen=True)
class Place:
    """A place as written, its matching key, the US state (USPS code) when given, and the rule."""

    text: str
    key: str
    state: Optional[str]
    rule: str


def _data(name: str) -> list[str]:
    text = resources.files("summarizer.incidents").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def us_states() -> dict[str, str]:
    """Every way of writing a US state (lower case: name, code, AP abbreviation) -> USPS code."""
    forms: dict[str, str] = {}
    for line in _data("us_states.tsv"):
        name, postal, ap = line.split("\t")
        forms[name.lower()] = postal
        forms[postal.lower()] = postal
        if ap != "-":
            forms[ap.lower()] = postal
            forms[ap.lower().replace(".", "")] = postal
    return forms


@lru_cache(maxsize=1)
def _suffix_pattern() -> re.Pattern[str]:
    words = sorted(_data("place_suffixes.txt"), key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"^(?:the\s+)?(?:(?:{alternatives})\s+of\s+)?(?P<name>.+?)(?:\s+(?:{alternatives}))?$")


@lru_cache(maxsize=1)
def _state_written() -> str:
    forms = set()
    for line in _data("us_states.tsv"):
        name, postal, ap = line.split("\t")
        forms.add(re.escape(name))
        forms.add(postal)
        if ap != "-":
            forms.add(re.escape(ap).replace(r"\.", r"\.?"))
    return "|".join(sorted(forms, key=len, reverse=True))


_NOT_WORD = re.compile(r"[^a-z0-9]+")
_PUNCTUATION = re.compile(r"[\u00a0\u2000-\u206f\u3000]")


def fold(text: str) -> str:
    """ASCII lower case, accents dropped, punctuation and hyphens read as spaces."""
    if text.isascii():
        ascii_text = text.lower()
    else:
        # accents come off with NFKD; dashes, curly quotes and spaces of other kinds separate words
        spaced = _PUNCTUATION.sub(" ", text.replace("\u2019", "'"))
        ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(_NOT_WORD.sub(" ", ascii_text.replace("'", "")).split())


def split_state(text: str) -> tuple[str, Optional[str]]:
    """("Rocky Mount", "NC") from "Rocky Mount, N.C."; the text unchanged and None without a state."""
    head, sep, tail = text.rpartition(",")
    if sep:
        state = us_states().get(tail.strip().lower().rstrip(" \u2014-"))
        if state is None:
            state = us_states().get(tail.strip().lower().rstrip(".") + ".") or us_states().get(tail.strip().lower().rstrip("."))
        if state is not None:
            return head.strip(), state
    return text.strip(), None


def normalise_place(text: Optional[str], *, rule: str = "place.location") -> Optional[Place]:
    """The :class:`Place` for a name as written, or None when nothing of a name is left."""
    if not text or not text.strip():
        return None
    name, state = split_state(text.strip())
    folded = fold(name)
    match = _suffix_pattern().match(folded)
    key = match.group("name") if match else folded
    if not key or key.isdigit():
        return None
    if state is None and key in us_states():
        # A bare state ("Texas", "in N.C.") is a region, not the place itself.
        return Place(text.strip(), "", us_states()[key], rule)
    return Place(text.strip(), key, state, rule)


_CITY = r"[A-Z][A-Za-z.'\u2019-]+(?: [A-Z][A-Za-z.'\u2019-]+){0,3}"


@lru_cache(maxsize=1)
def _dateline() -> re.Pattern[str]:
    # "PUYALLUP, Wash. —", "DALLAS (AP) —", "ROCKY MOUNT, N.C. (WNCN) --"
    return re.compile(
        rf"(?m)^\s*(?P<city>[A-Z][A-Z.'\u2019-]+(?: [A-Z][A-Z.'\u2019-]+){{0,3}})"
        rf"(?:,\s*(?P<state>{_state_written()}|[A-Z][a-z]+\.?))?\s*(?:\([^)\n]{{1,40}}\))?\s*(?:\u2014|\u2013|--|-)\s"
    )


@lru_cache(maxsize=1)
def _city_state() -> re.Pattern[str]:
    return re.compile(rf"\b(?P<city>{_CITY}),\s+(?P<state>{_state_written()})(?![A-Za-z])")


def find_places(text: str, *, limit: int = 8) -> list[Place]:
    """Places the text names the local way: its dateline and "City, St." pairs, in reading order."""
    found: list[Place] = []
    match = _dateline().search(text)
    if match is not None:
        written = match.group("city").title() + (f", {match.group('state')}" if match.group("state") else "")
        place = normalise_place(written, rule="place.dateline")
        if place is not None and place.key:
            found.append(place)
    for match in _city_state().finditer(text):
        place = normalise_place(f"{match.group('city')}, {match.group('state')}", rule="place.city_state")
        if place is not None and place.key and all(place.key != seen.key for seen in found):
            found.append(place)
            if len(found) >= limit:
                break
    return found
