"""From article records to incidents: check the input, describe, group, and assemble.

:func:`group_incidents` is the Python API. It reads records once, keeps one record per article id
(a second copy's reports go to ``unassigned``, so nothing is counted twice), reports error
records and mixed runs as :class:`~summarizer.incidents.model.InputProblem`, groups the articles
(:mod:`summarizer.incidents.grouping`) and assembles each group into an
:class:`~summarizer.incidents.model.Incident` with its tolls.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Optional

from summarizer.incidents.dates import ResolvedDate, parse_publication_date
from summarizer.incidents.features import ArticleEvent, counted, describe_events, resolve_report_date
from summarizer.incidents.grouping import IncidentIndex, LinkRules
from summarizer.incidents.model import (
    ArticleRef,
    EventDateModel,
    Incident,
    IncidentSet,
    InputProblem,
    OutcomeToll,
    PlaceModel,
    SourceFigure,
    TollRule,
    Unassigned,
)
from summarizer.schema import ArticleRecord

TextLookup = Callable[[ArticleRecord], Optional[str]]


def run_label(record: ArticleRecord) -> str:
    """What made a record: strategy, backend, model and prompt version (for mixed-run checks)."""
    source = record.provenance
    if source is None:
        return "unknown run"
    parts = [source.strategy, source.backend]
    if source.model:
        parts.append(source.model)
    if source.prompt_version:
        parts.append(f"prompts {source.prompt_version[:12]}")
    return "/".join(parts)


@dataclass
class CheckedInput:
    """Records kept (one per article id, ok status) and what was set aside, in input order."""

    records: list[ArticleRecord]
    unassigned: list[Unassigned]
    problems: list[InputProblem]
    articles: int
    reports: int


def check_records(records: Iterable[ArticleRecord]) -> CheckedInput:
    """One ok record per article id; duplicates' reports unassigned; errors and mixed runs reported."""
    kept: dict[str, ArticleRecord] = {}
    order: list[str] = []
    unassigned: list[Unassigned] = []
    problems: list[InputProblem] = []
    runs: Counter[str] = Counter()
    reports = 0
    seen_ids: set[str] = set()
    for record in records:
        reports += len(record.casualties)
        if record.provenance is not None:
            runs[run_label(record)] += 1
        first = kept.get(record.id)
        if record.id in seen_ids:
            same = first is not None and first.model_dump(exclude={"provenance"}) == record.model_dump(exclude={"provenance"})
            reason = "duplicate_article" if same else "conflicting_duplicate"
            message = (
                f"article {record.id!r} appears again ({run_label(record)}); the first record is kept"
                + ("" if same else ", and this one differs from it")
            )
            for index in range(len(record.casualties)):
                unassigned.append(Unassigned(article_id=record.id, casualty_index=index, reason=reason, message=message))
            if not record.casualties:
                problems.append(InputProblem(article_id=record.id, kind=reason, message=message))
            continue
        seen_ids.add(record.id)
        if record.status == "error":
            kind = record.error.kind if record.error is not None else "error"
            detail = record.error.message if record.error is not None else "no detail"
            problems.append(InputProblem(article_id=record.id, kind="error_record", message=f"{kind}: {detail}"))
            continue
        kept[record.id] = record
        order.append(record.id)
    if len(runs) > 1:
        listed = ", ".join(f"{label} ({count})" for label, count in runs.most_common())
        problems.append(InputProblem(
            kind="mixed_runs",
            message=f"the input mixes records of {len(runs)} runs: {listed}; each article is used once "
                    "(its first record), so tolls may compare figures extracted differently",
        ))
    return CheckedInput([kept[article_id] for article_id in order], unassigned, problems, len(seen_ids), reports)


def group_incidents(
    records: Iterable[ArticleRecord],
    texts: Optional[Mapping[str, str] | TextLookup] = None,
    *,
    rules: Optional[LinkRules] = None,
    toll_rule: TollRule = "median",
) -> IncidentSet:
    """Group article records into incidents (see the module doc).

    ``texts`` gives the articles' texts (a mapping by id, or a function of the record): with them
    the dateline, places and names in the text join the grouping; without, only the records'
    fields do. ``toll_rule`` chooses the ``toll()`` shown first ("median", "latest" or "max"); all are kept.
    """
    checked = check_records(records)
    lookup = _lookup(texts)
    events: list[ArticleEvent] = []
    result = IncidentSet(
        unassigned=checked.unassigned, problems=checked.problems, articles=checked.articles,
        reports=checked.reports, toll_rule=toll_rule,
    )
    grouped: list[ArticleRecord] = []
    positions: dict[str, int] = {}
    for position, record in enumerate(checked.records):
        positions[record.id] = position
        if record.date and parse_publication_date(record.date) is None:
            result.problems.append(InputProblem(
                article_id=record.id, kind="unparsable_date",
                message=f"publication date {record.date!r} is not an ISO date; event dates from the text are not resolved",
            ))
        described = describe_events(record, lookup(record), position)
        if described[0].day is None:
            message = "no publication date and no day named in the text: it cannot be placed in time"
            for index in range(len(record.casualties)):
                result.unassigned.append(Unassigned(article_id=record.id, casualty_index=index, reason="no_date", message=message))
            if not record.casualties:
                result.problems.append(InputProblem(article_id=record.id, kind="no_date", message=message))
            continue
        for event in described:  # a part has the article's publication day at least
            events.append(event)
            grouped.append(record)
    # in day order, as a store grows: the index holds only a window of days (memory bounded by
    # the records in it), and each record sees every one it could be linked to
    order = sorted(range(len(events)), key=lambda i: (events[i].day, i))
    index = IncidentIndex(rules)
    index.add(events[i] for i in order)
    for members in index.groups():
        result.incidents.append(assemble_incident(
            [(events[order[i]], grouped[order[i]], index.linked_by(i)) for i in sorted(members, key=lambda m: order[m])],
            lookup,
        ))
    result.incidents.sort(key=lambda incident: (incident.date_start or incident.published_first or dt.date.min, incident.id))
    return result


def _lookup(texts: Optional[Mapping[str, str] | TextLookup]) -> TextLookup:
    if texts is None:
        return lambda record: None
    if callable(texts):
        return texts
    mapping = texts
    return lambda record: mapping.get(record.id)


def _date_model(date: Optional[ResolvedDate]) -> Optional[EventDateModel]:
    if date is None:
        return None
    return EventDateModel(start=date.start, end=date.end, cue=date.cue, rule=date.rule)


def assemble_incident(
    members: list[tuple[ArticleEvent, ArticleRecord, Optional[str]]], lookup: TextLookup
) -> Incident:
    """One :class:`Incident` from its articles' events and records (ordered by publication)."""
    members = sorted(members, key=lambda member: (member[0].published or 0, member[0].position))
    articles: list[ArticleRef] = []
    reports: list[SourceFigure] = []
    cumulative: list[SourceFigure] = []
    place_votes: Counter[str] = Counter()
    place_text: dict[str, tuple[str, Optional[str]]] = {}
    dates: Counter[tuple[dt.date, dt.date]] = Counter()
    cues: list[str] = []
    for event, record, linked_by in members:
        published = parse_publication_date(record.date)
        for place in event.places:
            if place.key:
                place_votes[place.key] += 2 if place.rule == "place.dateline" else 1
                place_text.setdefault(place.key, (place.text, place.state))
        if event.event is not None:
            dates[(event.event.start, event.event.end)] += 1
            if event.event.cue not in cues:
                cues.append(event.event.cue)
        articles.append(ArticleRef(
            id=record.id, title=record.title, url=record.url, published=published,
            run=run_label(record), event_date=_date_model(event.event),
            places=[PlaceModel(text=p.text, key=p.key, state=p.state, rule=p.rule) for p in event.places],
            tolls={outcome: [low, high] for outcome, (low, high) in event.tolls.items()},
            linked_by=linked_by, view_anchor=f"a{event.position}", part=event.part,
        ))
        text = lookup(record)
        for number, report in enumerate(record.casualties):
            if not event.holds(number):
                continue  # another event the article reports holds it
            is_counted = counted(report)
            figure = SourceFigure(
                article_id=record.id, casualty_index=number, outcome=report.outcome,
                figure_text=report.figure.text, figure_kind=report.figure.kind,
                low=report.figure.low, high=report.figure.high, qualifier=report.figure.qualifier,
                victim_group=report.victim_group, time_scope=report.time_scope, source=report.source,
                perpetrator=report.perpetrator, location=report.location, period=report.period,
                evidence=report.evidence, rule=report.rule,
                event_date=_date_model(resolve_report_date(report, published, text)),
                counted=is_counted,
                not_counted_because=None if is_counted else ("cumulative" if report.time_scope == "cumulative" else "subset"),
                view_anchor=f"a{event.position}-casualty-{number}",
            )
            (reports if is_counted else cumulative).append(figure)
    tolls, disagreements = _tolls(members)
    place_key = place_votes.most_common(1)[0][0] if place_votes else None
    date_start = date_end = None
    if dates:
        (date_start, date_end), _ = dates.most_common(1)[0]
    ids = sorted(event.article_id + (f"#{event.part}" if event.part else "") for event, _, _ in members)
    published_days = [article.published for article in articles if article.published is not None]
    return Incident(
        id="inc-" + hashlib.sha1("\n".join(ids).encode("utf-8")).hexdigest()[:12],
        date_start=date_start, date_end=date_end, date_cues=cues,
        published_first=min(published_days) if published_days else None,
        published_last=max(published_days) if published_days else None,
        place=place_text[place_key][0] if place_key else None, place_key=place_key,
        state=place_text[place_key][1] if place_key else None,
        places=[place_text[key][0] for key, _ in place_votes.most_common()],
        articles=articles,
        sources=sorted({figure.source for figure in reports + cumulative if figure.source}),
        reports=reports, cumulative=cumulative, tolls=tolls, disagreements=disagreements,
        link_rules=sorted({rule for _, _, rule in members if rule}),
    )


def _tolls(members: list[tuple[ArticleEvent, ArticleRecord, Optional[str]]]) -> tuple[dict[str, OutcomeToll], list[str]]:
    by_outcome: dict[str, list[tuple[str, int, Optional[int], int]]] = {}
    for event, record, _ in members:
        for outcome, (low, high) in event.tolls.items():
            reports = sum(1 for number, report in enumerate(record.casualties)
                          if report.outcome == outcome and counted(report) and event.holds(number))
            by_outcome.setdefault(outcome, []).append((record.id, low, high, reports))
    silent_injured = [0 for event, _, _ in members if "killed" in event.tolls and "injured" not in event.tolls]
    tolls: dict[str, OutcomeToll] = {}
    disagreements: list[str] = []
    for outcome, figures in by_outcome.items():
        lows = sorted([low for _, low, _, _ in figures] + (silent_injured if outcome == "injured" else []))
        highs = [high for _, _, high, _ in figures]
        disagree = any(
            (a_high is not None and b_low > a_high) or (b_high is not None and a_low > b_high)
            for i, (_, a_low, a_high, _) in enumerate(figures)
            for (_, b_low, b_high, _) in figures[i + 1:]
        )
        latest = figures[-1]
        tolls[outcome] = OutcomeToll(
            outcome=outcome,  # type: ignore[arg-type]
            min=min(low for _, low, _, _ in figures),
            max=None if any(high is None for high in highs) else max(h for h in highs if h is not None),
            max_low=max(low for _, low, _, _ in figures),
            latest=latest[1], latest_article=latest[0], median=lows[(len(lows) - 1) // 2],
            articles=len(figures), reports=sum(count for *_, count in figures), disagree=disagree,
        )
        if disagree:
            values = Counter(_interval_text(low, high) for _, low, high, _ in figures)
            disagreements.append(f"{outcome}: " + " vs ".join(f"{value} ({count} article{'s' * (count != 1)})" for value, count in values.items()))
    return tolls, disagreements


def _interval_text(low: int, high: Optional[int]) -> str:
    if high is None:
        return f"at least {low}"
    return str(low) if low == high else f"{low}-{high}"
