"""Event dates: when a casualty happened, resolved from the publication date and the words used.

News dates events relative to the day it is published: AP style names the weekday for anything
in the past week ("was shot Wednesday"), says "yesterday"/"last night" in some outlets and gives
month and day ("on Jan. 27") beyond that. Resolution against the publication date is plain
calendar arithmetic, so it is written here (exact, and ~1 µs a cue) rather than handed to a
general date parser (``dateparser`` reads "Wednesday" as the coming one unless told otherwise and
costs ~1 ms a call, too slow for 100,000 records).

Every resolved date is an inclusive interval ``[start, end]`` with the cue it came from and the id
of the rule that resolved it: "overnight" spans two days, "last week" a week. When the text names
no day the date is unknown (``None``), never guessed from the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional


@dataclass(frozen=True)
class ResolvedDate:
    """An event date as an inclusive interval, the words it was read from and the rule used."""

    start: dt.date
    end: dt.date
    cue: str
    rule: str

    @property
    def exact(self) -> bool:
        return self.start == self.end


@lru_cache(maxsize=1)
def _calendar_words() -> tuple[dict[str, int], dict[str, int]]:
    weekdays: dict[str, int] = {}
    months: dict[str, int] = {}
    text = resources.files("summarizer.incidents").joinpath("data/date_words.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, word, value = line.split("\t")
        (weekdays if kind == "weekday" else months)[word] = int(value)
    return weekdays, months


def parse_publication_date(value: Optional[str]) -> Optional[dt.date]:
    """The calendar day of a record's ``date`` (ISO ``2014-02-11`` or a timestamp), else None."""
    if not value:
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _pattern() -> re.Pattern[str]:
    weekdays, months = _calendar_words()
    weekday = "|".join(sorted(weekdays, key=len, reverse=True))
    # Months are matched capitalised only: "may", "march" and "sat" are also ordinary words.
    month = "(?-i:" + "|".join(
        form for word in sorted(months, key=len, reverse=True) for form in (word.capitalize(), word.upper())
    ) + ")"
    part = r"(?:early|late|mid|in\s+the)?\s*(?:morning|afternoon|evening|night|overnight|hours)"
    return re.compile(
        rf"""
        (?P<month_day>\b(?P<month>{month})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?)
        | (?P<weekday_cue>\b(?P<before>last|this\s+past|past|early|late|on)?\s*(?P<weekday>{weekday})\b
              (?:\s+(?P<weekday_part>{part}))?)
        | (?P<overnight_weekday>\bovernight\s+(?P<weekday2>{weekday})\b)
        | (?P<yesterday>\byesterday\b)
        | (?P<last_night>\blast\s+night\b)
        | (?P<today>\b(?:earlier\s+)?today\b|\bthis\s+(?:morning|afternoon|evening)\b|\btonight\b)
        | (?P<overnight>\bovernight\b)
        | (?P<weekend>\b(?:this|last|over\s+the)\s+(?:past\s+)?weekend\b)
        | (?P<last_week>\blast\s+week\b)
        | (?P<this_week>\b(?:earlier\s+)?this\s+week\b)
        """,
        re.IGNORECASE | re.VERBOSE,
    )


@lru_cache(maxsize=1)
def _compiled() -> re.Pattern[str]:
    return _pattern()


def _previous_weekday(published: dt.date, weekday: int, *, strictly_before: bool) -> dt.date:
    back = (published.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return published - dt.timedelta(days=back)


def _resolve_match(match: re.Match[str], published: dt.date) -> Optional[ResolvedDate]:
    weekdays, months = _calendar_words()
    cue = match.group(0).strip()
    day = dt.timedelta(days=1)
    if match.group("month_day"):
        month = months[match.group("month").lower()]
        number = int(match.group("day"))
        year = int(match.group("year")) if match.group("year") else published.year
        try:
            date = dt.date(year, month, number)
        except ValueError:
            return None
        if not match.group("year") and date > published + day:
            # "on Dec. 30" in a January article is last year's December.
            try:
                date = dt.date(year - 1, month, number)
            except ValueError:
                return None
        return ResolvedDate(date, date, cue, "date.month_day")
    if match.group("weekday_cue"):
        weekday = weekdays[match.group("weekday").lower()]
        before = (match.group("before") or "").lower()
        strictly = before.startswith("last") or "past" in before
        date = _previous_weekday(published, weekday, strictly_before=strictly)
        part = (match.group("weekday_part") or "").lower()
        end = date + day if "night" in part or "overnight" in part else date
        return ResolvedDate(date, end, cue, "date.last_weekday" if strictly else "date.weekday")
    if match.group("overnight_weekday"):
        date = _previous_weekday(published, weekdays[match.group("weekday2").lower()], strictly_before=False)
        return ResolvedDate(date, date + day, cue, "date.overnight_weekday")
    if match.group("yesterday"):
        return ResolvedDate(published - day, published - day, cue, "date.yesterday")
    if match.group("last_night"):
        return ResolvedDate(published - day, published, cue, "date.last_night")
    if match.group("today"):
        return ResolvedDate(published, published, cue, "date.today")
    if match.group("overnight"):
        return ResolvedDate(published - day, published, cue, "date.overnight")
    if match.group("weekend"):
        saturday = _previous_weekday(published, 5, strictly_before=False)
        if "last" in cue.lower() and published.weekday() in (5, 6):
            saturday -= dt.timedelta(days=7)
        return ResolvedDate(saturday, min(saturday + day, published), cue, "date.weekend")
    if match.group("last_week"):
        return ResolvedDate(published - dt.timedelta(days=13), published - day, cue, "date.last_week")
    if match.group("this_week"):
        monday = published - dt.timedelta(days=published.weekday())
        return ResolvedDate(monday, published, cue, "date.this_week")
    return None  # pragma: no cover - every alternative is handled above


def resolve_date_cue(text: Optional[str], published: Optional[dt.date]) -> Optional[ResolvedDate]:
    """The first day-naming cue in ``text`` ("on Wednesday", "Sunday night", "Jan. 27"), resolved.

    ``published`` is the article's publication day; without it only cues that name the month
    *and* year resolve. Returns None when the text names no day.
    """
    if not text:
        return None
    for match in _compiled().finditer(text):
        if published is None:
            if match.group("month_day") and match.group("year"):
                return _resolve_match(match, dt.date(int(match.group("year")), 12, 31))
            continue
        resolved = _resolve_match(match, published)
        if resolved is not None:
            return resolved
    return None


def iter_date_cues(text: str, published: dt.date, *, limit: int = 50) -> list[tuple[int, ResolvedDate]]:
    """Every resolvable cue in ``text`` with its offset (at most ``limit``), in reading order."""
    found: list[tuple[int, ResolvedDate]] = []
    for match in _compiled().finditer(text):
        resolved = _resolve_match(match, published)
        if resolved is not None:
            found.append((match.start(), resolved))
            if len(found) >= limit:
                break
    return found
