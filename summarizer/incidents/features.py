"""What one article says about its event, reduced to the few features grouping compares.

An :class:`ArticleEvent` is small (ints and short strings) so that 100,000 of them fit in memory
and are compared only within a block. It holds:

* ``published`` and the resolved ``event`` date (:mod:`summarizer.incidents.dates`): from the
  casualty reports' ``period`` first, then the sentences the reports' evidence sits in, then the
  article's lead; unknown when none names a day;
* ``places``: the reports' ``location`` and, when the text is at hand, the dateline and "City,
  St." pairs (:mod:`summarizer.incidents.places`);
* ``names``: people's names from the text's lead (victims, witnesses: what makes one shooting
  different from the next in the same town), and ``name_runs``, every run of two or three
  capitalised words there, with the generic words of ``data/not_name_words.txt`` trimmed;
* ``terms``: the content words of the title and lead, compared by TF-IDF cosine (rare words
  shared on the same days: the town, the street, the victim, the kind of shooting);
* ``title_words`` and the article's own toll per outcome (for agreement, never for counting).

Only the first :data:`LEAD_CHARS` characters of a text are read: news puts the who, where and
when first, and it keeps the cost per article bounded whatever the page's length.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Callable, Optional

from summarizer.incidents.dates import ResolvedDate, iter_date_cues, parse_publication_date, resolve_date_cue
from summarizer.incidents.places import Place, find_places, fold, normalise_place, us_states
from summarizer.schema import ArticleRecord, CasualtyReport

#: Characters of the text read for places, names and date cues.
LEAD_CHARS = 6000

#: Characters of title + lead whose words are compared (TF-IDF) between articles.
TERM_CHARS = 3000

#: Characters of the lead's prose searched for towns and counties named in passing.
MENTION_CHARS = 1500

#: Words a line needs to count as prose rather than page furniture.
PROSE_WORDS = 8

#: Characters around a report's evidence searched for its date when ``period`` says nothing.
SENTENCE_WINDOW = 240


@dataclass
class ArticleEvent:
    """One article's event as grouping sees it (see the module doc)."""

    article_id: str
    position: int
    published: Optional[int]  # date.toordinal()
    event: Optional[ResolvedDate]
    places: tuple[Place, ...]
    names: frozenset[str]
    name_runs: frozenset[str]
    title_words: frozenset[str]
    terms: Optional[tuple[str, ...]] = None  # content words of title + lead; the index keeps its rarest
    tolls: dict[str, tuple[int, Optional[int]]] = field(default_factory=dict)
    part: int = 0  # 0: the article's main event; 1, 2...: another event it reports (see describe_events)
    reports: Optional[tuple[int, ...]] = None  # its casualty indexes; None: every one no other part holds

    def holds(self, number: int) -> bool:
        """Whether casualty report ``number`` of the article belongs to this event (an article
        that reports several events gives each part its own reports)."""
        return self.reports is None or number in self.reports

    @property
    def day(self) -> Optional[int]:
        """The day used for blocking: the event's first day, else the publication day."""
        if self.event is not None:
            return self.event.start.toordinal()
        return self.published

    @cached_property
    def place_keys(self) -> frozenset[str]:
        """Keys of the places it names (not of the names it only mentions, see :attr:`mentions`)."""
        return frozenset(place.key for place in self.places if place.key and place.rule != "place.mention")

    @cached_property
    def mentions(self) -> frozenset[str]:
        """Keys of gazetteer names it mentions without evidence that they are its place."""
        return frozenset(place.key for place in self.places if place.rule == "place.mention") - self.place_keys

    @cached_property
    def area_keys(self) -> frozenset[str]:
        """Its places' keys and what they lie within (the city of a part, the county of a town)."""
        return self.place_keys.union(*(place.within for place in self.places if place.rule != "place.mention"))

    @cached_property
    def matchable_keys(self) -> frozenset[str]:
        """What another article's place can match: :attr:`area_keys` and :attr:`mentions` (kept,
        since grouping asks it for every compared pair and every block)."""
        return self.area_keys | self.mentions

    @cached_property
    def states(self) -> frozenset[str]:
        return frozenset(place.state for place in self.places if place.state)


@lru_cache(maxsize=1)
def _not_name_words() -> frozenset[str]:
    text = resources.files("summarizer.incidents").joinpath("data/not_name_words.txt").read_text(encoding="utf-8")
    words = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    # state names too: "Central Florida" and "Northern California" are regions, not people
    words.update(word for form in us_states() if len(form) > 3 for word in fold(form).split())
    return frozenset(words)


_CAPITALISED = re.compile(r"\b(?:[A-Z][a-z]+(?:['\u2019-][A-Z]?[a-z]+)?|Mc[A-Z][a-z]+|[A-Z]\.)(?:[ ](?:[A-Z][a-z]+(?:['\u2019-][A-Z]?[a-z]+)?|Mc[A-Z][a-z]+|[A-Z]\.))+")
_WORD = re.compile(r"[a-z0-9]+")


def _headline_like(line: str) -> bool:
    words = line.split()
    if len(words) < 4:
        return False
    capitalised = sum(1 for word in words if word[:1].isupper())
    return capitalised >= 0.7 * len(words)


#: Words before a name that make it an official's (a police spokesman is named in many incidents).
_ROLE_BEFORE = re.compile(
    r"(?:\b(?:Sgt|Lt|Capt|Cpl|Det|Officer|Chief|Sheriff|Deputy|Detective|Trooper|Mayor|Gov|Judge|Attorney|"
    r"Prosecutor|Coroner|spokesman|spokeswoman|spokesperson|Spokesman|Spokeswoman|Lieutenant|Sergeant|Captain|"
    r"Commissioner|Superintendent|Director|Agent)\.?,?\s*)$"
)


_ROLE_WORDS = frozenset(
    "sgt lt capt cpl det officer chief sheriff deputy detective trooper mayor gov governor judge attorney prosecutor "
    "coroner spokesman spokeswoman spokesperson lieutenant sergeant captain agent".split()
)


def find_names(text: str, *, limit: int = 40) -> frozenset[str]:
    """People's names in ``text`` (see :func:`find_name_candidates`)."""
    return find_name_candidates(text, limit=limit)[0]


def find_name_candidates(text: str, *, limit: int = 40) -> tuple[frozenset[str], frozenset[str]]:
    """(people's names, every name-like run) of two or three words in ``text`` (folded).

    A run of capitalised words counts as a person's name when the text treats it as one: an age
    follows it ("Eddie Holmes, 13,") or its last word recurs alone ("Holmes was a student"). That
    keeps out the institutions, streets and page furniture that are also capitalised ("San
    Francisco General", "View Full Caption"), which many unrelated articles share. Names right
    after a role word ("Sgt. Ed Piago", "spokesman Ken Barnes") are left out too: the officials
    who speak for a town are named in many of its incidents. Headline-like lines are skipped.
    The second set holds every run (people's names included): a follow-up that names a victim
    only once still matches the article that gave the victim's age.
    """
    stop = _not_name_words()
    names: set[str] = set()
    runs: set[str] = set()
    for line in text.splitlines():
        if not line.strip() or _headline_like(line):
            continue
        for match in _CAPITALISED.finditer(line):
            if _ROLE_BEFORE.search(line, max(0, match.start() - 16), match.start()):
                continue
            run: list[str] = []
            after_role = False
            words = match.group(0).split(" ")
            for position, word in enumerate(words + [""]):
                folded = fold(word)
                if not folded or folded in stop or len(folded) == 1:
                    if len(run) >= 2 and not after_role:
                        runs.add(" ".join(run[:3]))
                        ends_match = position == len(words)
                        if _is_person(text, line, match.end() if ends_match else None, words[position - 1]):
                            names.add(" ".join(run[:3]))
                    run = []
                    after_role = folded in _ROLE_WORDS
                else:
                    run.append(folded)
            if len(runs) >= limit:
                return frozenset(names), frozenset(runs)
    return frozenset(names), frozenset(runs)


_AGE_AFTER = re.compile(r",\s*(?:age\s+)?\d{1,3}\b")


def _is_person(text: str, line: str, end: Optional[int], surname: str) -> bool:
    if end is not None and _AGE_AFTER.match(line, end):
        return True
    if len(surname) < 3:
        return False
    position = text.find(surname)
    while position >= 0:
        after = position + len(surname)
        if (position == 0 or not text[position - 1].isalnum()) and (after >= len(text) or not text[after].isalnum()):
            before = text[max(0, position - 24):position].split()
            if not before or not before[-1][:1].isupper() or before[-1].endswith((".", ":", '"', "\u201d")):
                return True
        position = text.find(surname, after)
    return False


_TITLE_STOP = frozenset(
    "a an the of in on at to for from with by and or is are was were be been after before as his her their its "
    "man woman men women boy girl teen people person police say says said".split()
)


def title_words(title: Optional[str]) -> frozenset[str]:
    """Content words of a title, folded."""
    if not title:
        return frozenset()
    return frozenset(word for word in _WORD.findall(fold(title)) if word not in _TITLE_STOP and not word.isdigit())


def prose(text: str, limit: int) -> str:
    """The lines of ``text`` that read as sentences (eight words or more), up to ``limit`` characters.

    Archived pages start with menus, share buttons and sign-in widgets: short lines that many
    unrelated articles of one site share. Sentences are where the event is told.
    """
    kept: list[str] = []
    size = 0
    for line in text.splitlines():
        if len(line.split()) >= PROSE_WORDS:
            kept.append(line)
            size += len(line) + 1
            if size >= limit:
                break
    return "\n".join(kept)[:limit]


def content_terms(text: str) -> tuple[str, ...]:
    """Distinct words of three letters or more, folded, numbers left out, in reading order
    (rarity decides what matters; the order keeps grouping independent of hash seeds)."""
    return tuple(dict.fromkeys(word for word in _WORD.findall(fold(text)) if len(word) > 2 and not word.isdigit()))


def counted(report: CasualtyReport) -> bool:
    """Whether a report's figure can stand for the incident's toll (not cumulative, not a subset)."""
    return report.time_scope != "cumulative" and report.subset_of is None


def article_tolls(record: ArticleRecord, only: Optional[set[int]] = None) -> dict[str, tuple[int, Optional[int]]]:
    """The article's toll per outcome: its largest counted figure (the headline total), of the
    reports in ``only`` when given."""
    tolls: dict[str, tuple[int, Optional[int]]] = {}
    for number, report in enumerate(record.casualties):
        if not counted(report) or (only is not None and number not in only):
            continue
        low, high = report.figure.interval()
        best = tolls.get(report.outcome)
        if best is None or low > best[0]:
            tolls[report.outcome] = (low, high)
    return tolls


def resolve_report_date(
    report: CasualtyReport, published: Optional[dt.date], text: Optional[str]
) -> Optional[ResolvedDate]:
    """A report's event date: from its ``period``, else the words around its evidence."""
    if published is None:
        return resolve_date_cue(report.period, None)
    resolved = resolve_date_cue(report.period, published)
    if resolved is not None or text is None:
        return resolved
    start = max(0, report.evidence.start - SENTENCE_WINDOW)
    end = min(len(text), report.evidence.end + SENTENCE_WINDOW)
    window = text[start:end]
    cues = iter_date_cues(window, published)
    if not cues:
        return None
    anchor = report.evidence.start - start
    return min(cues, key=lambda pair: abs(pair[0] - anchor))[1]


def _body_lead(text: str, title: Optional[str]) -> str:
    lead = text[:LEAD_CHARS]
    if title and lead.startswith(title):
        lead = lead[len(title):]
    return lead


def describe_article(record: ArticleRecord, text: Optional[str], position: int,
                     *, elsewhere: frozenset[int] = frozenset(),
                     date_of: Optional[Callable[[int], Optional[ResolvedDate]]] = None) -> ArticleEvent:
    """The :class:`ArticleEvent` of one ok record (``text``: the article it was made from, if known).

    ``elsewhere``: casualty indexes that belong to another event the article reports (they give
    this event neither its date nor its toll); the event then holds (``reports``) the rest.
    ``date_of``: report number -> its :func:`resolve_report_date`, when the caller has them.
    """
    reports = tuple(n for n in range(len(record.casualties)) if n not in elsewhere) if elsewhere else None
    published_date = parse_publication_date(record.date)
    event: Optional[ResolvedDate] = None
    for number, report in enumerate(record.casualties):
        if counted(report) and number not in elsewhere:
            event = date_of(number) if date_of is not None else resolve_report_date(report, published_date, text)
            if event is not None:
                break
    lead = _body_lead(text, record.title) if text else ""
    if event is None and lead and published_date is not None:
        cues = iter_date_cues(lead[:1500], published_date, limit=1)
        if cues:
            event = cues[0][1]
    if event is not None and published_date is not None and event.start > published_date + dt.timedelta(days=1):
        event = None  # a date after publication is a court date or a vigil, not the event
    names, runs = find_name_candidates(lead) if lead else (frozenset(), frozenset())
    places: list[Place] = []
    if lead:
        places.extend(find_places(lead, prose=f"{record.title or ''}\n{prose(lead, MENTION_CHARS)}", exclude=names))
    context = frozenset(place.state for place in places if place.state)
    for report in record.casualties:
        place = normalise_place(report.location, context=context)
        if place is not None and place.key and all(place.key != seen.key for seen in places):
            places.append(place)
    return ArticleEvent(
        article_id=record.id,
        position=position,
        published=published_date.toordinal() if published_date is not None else None,
        event=event,
        places=tuple(places),
        names=names,
        name_runs=runs,
        title_words=title_words(record.title),
        terms=content_terms(f"{record.title or ''} {prose(lead, TERM_CHARS)}"),
        tolls=article_tolls(record, None if reports is None else set(reports)),
        reports=reports,
    )


#: Days between two explicit dates ("on Jan. 5", "March 3") that make two reports two events.
SPLIT_DAYS = 7


def report_parts(record: ArticleRecord, *, date_of: Callable[[int], Optional[ResolvedDate]],
                 place_of: Callable[[int], Optional[Place]]) -> list[list[int]]:
    """The counted reports of an article grouped by the event they describe, the main one first.

    News that reports several shootings (a roundup, a follow-up that recalls an earlier one) gives
    each its own date or place. Two reports are kept apart only on firm evidence: both dated by
    a month and day (``date.month_day``) more than :data:`SPLIT_DAYS` apart, or both placed, in
    different states. Anything less (a weekday, one side unknown) keeps them together: per-report
    dates and places are often misread, and a wrong split costs more than a missed one.
    ``date_of`` / ``place_of``: report number -> its date (:func:`resolve_report_date`) and place
    (:func:`~summarizer.incidents.places.normalise_place`), as :func:`describe_events` keeps them.
    """
    published = parse_publication_date(record.date)
    parts: list[tuple[list[int], list[ResolvedDate], set[str]]] = []
    for number, report in enumerate(record.casualties):
        if not counted(report):
            continue
        date = date_of(number) if published is not None else None
        explicit = date if date is not None and date.rule == "date.month_day" else None
        place = place_of(number)
        state = place.state if place is not None else None
        for members, dates, states in parts:
            far = explicit is not None and dates and all(abs((explicit.start - other.start).days) > SPLIT_DAYS for other in dates)
            apart = state is not None and states and state not in states
            if not far and not apart:
                members.append(number)
                if explicit is not None:
                    dates.append(explicit)
                if state is not None:
                    states.add(state)
                break
        else:
            parts.append(([number], [explicit] if explicit is not None else [], {state} if state else set()))
    return [members for members, _, _ in parts]


def describe_events(record: ArticleRecord, text: Optional[str], position: int) -> list[ArticleEvent]:
    """The events an article reports: its main one (:func:`describe_article`) and one more per
    group of reports that :func:`report_parts` sets apart, each with its own date, place, toll
    and the names and words around its reports' evidence. Each report's date and place are
    worked out once, for all three."""
    published = parse_publication_date(record.date)

    @cache
    def date_of(number: int) -> Optional[ResolvedDate]:
        return resolve_report_date(record.casualties[number], published, text)

    @cache
    def place_of(number: int) -> Optional[Place]:
        return normalise_place(record.casualties[number].location)

    parts = report_parts(record, date_of=date_of, place_of=place_of)
    if len(parts) <= 1:
        return [describe_article(record, text, position, date_of=date_of)]
    others = {number for members in parts[1:] for number in members}
    main = describe_article(record, text, position, elsewhere=frozenset(others), date_of=date_of)
    events = [main]
    for part, members in enumerate(parts[1:], start=1):
        reports = [record.casualties[number] for number in members]
        date = next((d for number in members if (d := date_of(number)) is not None), None)
        window = ""
        if text:
            window = "\n".join(
                text[max(0, r.evidence.start - SENTENCE_WINDOW):r.evidence.end + SENTENCE_WINDOW] for r in reports)
        names, runs = find_name_candidates(window) if window else (frozenset(), frozenset())
        places = [place for number in members if (place := place_of(number)) is not None and place.key]
        events.append(ArticleEvent(
            article_id=record.id, position=position,
            published=published.toordinal() if published is not None else None,
            event=date, places=tuple(dict.fromkeys(places)), names=names, name_runs=runs,
            title_words=frozenset(), terms=content_terms(window),
            tolls=article_tolls(record, set(members)), part=part, reports=tuple(members),
        ))
    return events
