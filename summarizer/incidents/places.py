"""Places: where an event happened, as written and as a key that different spellings share.

"Deir ez-Zor Province", "Deir ez-Zor" and "deir ez zor" are one place; "Rocky Mount, N.C.",
"Rocky Mount, North Carolina" and "ROCKY MOUNT, N.C. —" (a dateline) are one place in one state.
A key is the name folded to ASCII lower case with the administrative words writers add or drop
(``data/place_suffixes.txt``) and a trailing state (``data/us_states.tsv``: full name, USPS code,
AP abbreviation) taken off; the state is kept beside it.

Local news names its town mostly in the dateline ("PUYALLUP, Wash. —") and in "City, St." pairs,
so :func:`find_places` reads those from the text; a casualty report's ``location`` is normalised
the same way by :func:`normalise_place`. It also reads the towns and counties the title and lead
name in prose ("in Larose shooting", "Madison County deputies said") by looking capitalised words
up in a gazetteer of US places (the ``zipcodes`` package's USPS city, county and state table),
kept when the article's state has such a place or a locative word ("in", "near") precedes it.

Containment: a place knows what it lies *within* (:attr:`Place.within`): the city of "West
Baltimore" (a capitalised part keeps its own key; a lower-case one, "downtown Dallas", is just the
city), the county of a town (Carlton, Ga. lies in Madison County, from the gazetteer when the
state is known or the name is in one state only). Grouping counts "Carlton" and "Madison County"
as the same place, but not "West Baltimore" and "East Baltimore".
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
    within: tuple[str, ...] = ()


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


def normalise_place(text: Optional[str], *, rule: str = "place.location", context: frozenset[str] = frozenset()) -> Optional[Place]:
    """The :class:`Place` for a name as written, or None when nothing of a name is left.

    ``context``: the states the article names, to find a town's county when the name is not
    followed by its state.
    """
    if not text or not text.strip():
        return None
    name, state = split_state(text.strip())
    folded = fold(name)
    match = _suffix_pattern().match(folded)
    key = match.group("name") if match else folded
    if not key or key.isdigit() or key in _not_place_words():
        return None
    if state is None and key in us_states():
        # A bare state ("Texas", "in N.C.") is a region, not the place itself.
        return Place(text.strip(), "", us_states()[key], rule)
    within: list[str] = []
    words = key.split()
    for size in (2, 1):
        if len(words) > size and " ".join(words[:size]) in _directions():
            rest = " ".join(words[size:])
            if name.strip()[:1].islower():
                key = rest  # "downtown Dallas", "west Houston": the city itself
            else:
                within.append(rest)  # "West Baltimore": a part with its own name, inside the city
            break
    key = _saint(key)
    if state is None:
        states = gazetteer().get(key)
        if states and len(states) == 1:
            state = next(iter(states))
        elif states and context:
            inside = [candidate for candidate in states if candidate in context]
            state = inside[0] if len(inside) == 1 else None
        if state is None:
            state = big_cities().get(key)
    for part in [key, *within]:
        county = gazetteer().get(part, {}).get(state) if state else None
        if county and county != key and county not in within:
            within.append(county)
    return Place(text.strip(), key, state, rule, tuple(within))


def _saint(key: str) -> str:
    """"saint louis" and "st louis" as one key (the USPS writes Saint, news writes St.)."""
    return "st " + key[6:] if key.startswith("saint ") else key


@lru_cache(maxsize=1)
def _directions() -> frozenset[str]:
    """Folded as the place's words are ("north-east" reads "north east"), so that the two-word
    directions match."""
    return frozenset(fold(line) for line in _data("place_directions.txt"))


@lru_cache(maxsize=1)
def _not_place_words() -> frozenset[str]:
    return frozenset(_data("not_place_words.txt"))


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, dict[str, str]]:
    """Folded US place name -> {USPS state: folded county} for every USPS city and county name.

    Read once from the ``zipcodes`` package (42,000 ZIP codes with their city, other accepted
    city names, county and state). A county maps to itself.
    """
    import zipcodes

    places: dict[str, dict[str, str]] = {}
    for row in zipcodes.list_all():
        state, county = row["state"], fold(row.get("county") or "")
        for city in [row["city"], *row.get("acceptable_cities", ())]:
            places.setdefault(_saint(fold(city)), {}).setdefault(state, county)
        if county:
            places.setdefault(county, {}).setdefault(state, county)
    return places


@lru_cache(maxsize=1)
def big_cities() -> dict[str, str]:
    """Folded name -> USPS state of the cities a bare name means: the (city, state) with at least
    :data:`BIG_CITY_ZIPS` ZIP codes and ten times as many as any other place of that name. ZIP codes
    follow population, so "Houston" is Houston, Texas (over 100 codes), not Houston, Miss. (one)."""
    import zipcodes

    counts: dict[str, dict[str, int]] = {}
    for row in zipcodes.list_all():
        if row.get("zip_code_type") == "STANDARD":
            by_state = counts.setdefault(_saint(fold(row["city"])), {})
            by_state[row["state"]] = by_state.get(row["state"], 0) + 1
    cities: dict[str, str] = {}
    for name, by_state in counts.items():
        ranked = sorted(by_state.items(), key=lambda item: -item[1])
        if ranked[0][1] >= BIG_CITY_ZIPS and (len(ranked) == 1 or ranked[0][1] >= 10 * ranked[1][1]):
            cities[name] = ranked[0][0]
    return cities


#: ZIP codes a city needs for its bare name to mean it (see :func:`big_cities`).
BIG_CITY_ZIPS = 8


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


def find_places(text: str, *, limit: int = 8, prose: Optional[str] = None,
                exclude: frozenset[str] = frozenset()) -> list[Place]:
    """Places the text names: its dateline, "City, St." pairs, then towns and counties of the
    gazetteer named in ``prose`` (the title and the lead's sentences, see the module doc). A
    gazetteer name without the evidence of a state, a big city or a locative word ("Alturas shooting
    victims identified") is kept with rule ``place.mention``: grouping matches it only against
    another article's place, never against another mention.

    ``exclude``: folded people's names (a "Tyler" or "Austin" inside one is a person, not a town).
    """
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
                return found
    context = frozenset(place.state for place in found if place.state) | _states_named(text)
    for written, key, strong in _gazetteer_mentions(prose or "", context, exclude):
        if len(found) >= limit:
            break
        if all(key != seen.key for seen in found):
            place = normalise_place(written, rule="place.gazetteer" if strong else "place.mention", context=context)
            if place is not None and place.key:
                found.append(place)
    return found


#: Prepositions before a town that make it a place reference in prose besides the rules' locative
#: ones (``rules/lexicons/places.toml``): motion ends at a place too ("taken to Houston", "drove
#: into Dallas"). Measured on GVA dev: without them 109 gazetteer places read weak, evaluate score
#: the same.
_LOCATIVE_ADDED = ("into", "to")
#: The rules' locative prepositions not read here: "on" precedes days and holidays ("on
#: Christmas"), which the gazetteer has as towns (GVA dev: 37 more read strong with it, evaluate
#: score the same).
_LOCATIVE_LEFT_OUT = ("on",)


@lru_cache(maxsize=1)
def _locative() -> re.Pattern[str]:
    """Words before a town that make it a place reference in prose ("in Larose", "near Alturas",
    "in SW Houston", "in north-east Harris County"): a locative preposition, then perhaps one of
    ``data/place_directions.txt``."""
    from summarizer.rules import lexicon

    prepositions = (lexicon.words("places", "prepositions.locative") | set(_LOCATIVE_ADDED)) - set(_LOCATIVE_LEFT_OUT)

    def alternation(words) -> str:
        return "|".join(re.escape(word) for word in sorted(words, key=lambda w: (-len(w), w)))

    return re.compile(rf"\b(?:{alternation(prepositions)})\s+(?:(?:{alternation(_data('place_directions.txt'))})\s+)?$",
                      re.IGNORECASE)

_CAPITAL_RUN = re.compile(r"\b(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?|St\.|Ft\.|Mt\.)(?:\s(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?|St\.|Ft\.|Mt\.))*")


@lru_cache(maxsize=1)
def _state_names() -> re.Pattern[str]:
    names = sorted((line.split("\t")[0] for line in _data("us_states.tsv")), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(name) for name in names) + r")\b")


def _states_named(text: str) -> frozenset[str]:
    """USPS codes of the states spelled out in ``text`` ("Louisiana State Police")."""
    return frozenset(us_states()[match.group(0).lower()] for match in _state_names().finditer(text))


def _gazetteer_mentions(text: str, context: frozenset[str], exclude: frozenset[str]) -> list[tuple[str, str, bool]]:
    """(as written, folded key, strong) of the gazetteer's places in ``text``, longest name first at
    each word; *strong* when the article's state has such a place, the name is a big city's or a
    locative word precedes it."""
    places = gazetteer()
    stop = _mention_stop()
    streets = _street_words()
    # a place that is a person's name, or a word of one ("Dallas" of "Dallas Smith"), is no mention
    excluded = set(exclude).union(*(name.split() for name in exclude))
    found: list[tuple[str, str, bool]] = []
    for run in _CAPITAL_RUN.finditer(text):
        words = run.group(0).split()
        folded_words = [fold(word) for word in words]
        position = 0
        while position < len(words):
            for size in range(min(4, len(words) - position), 0, -1):
                span = words[position:position + size]
                written = " ".join(span)
                key = _saint(fold(written))
                states = places.get(key)
                if not states or key in stop or key in excluded:
                    continue
                before = folded_words[position - 1] if position else None
                after = folded_words[position + size] if position + size < len(words) else None
                if (before is not None and before not in stop) or (after is not None and (after not in stop or after in streets)):
                    continue  # "Marcus Tillery", "Dana Whitfield", "Sunset Avenue": part of another name
                offset = run.start() + len(" ".join(words[:position])) + (1 if position else 0)
                strong = bool(set(states) & context) or key in big_cities() or bool(
                    _locative().search(text, max(0, offset - 24), offset))
                found.append((written, key, strong))
                position += size - 1
                break
            position += 1
    return found


@lru_cache(maxsize=1)
def _street_words() -> frozenset[str]:
    return frozenset(_data("street_words.txt"))


@lru_cache(maxsize=1)
def _mention_stop() -> frozenset[str]:
    """Folded words that are also some town's name but in news mostly something else."""
    from summarizer.incidents.features import _not_name_words  # words that make no proper name

    return _not_name_words() | _not_place_words() | frozenset(us_states())
