"""HTML views: extractions and eval differences shown inside the article they came from.

A reviewer checks an extraction by reading the words it rests on, so both views print the
article with every item's evidence span highlighted and the item's structured fields beside it.
Each page is one self-contained file (inline CSS and JS, no network) that can be attached to an
issue or opened from a CI artefact.

Highlights are built by interval splitting (:func:`mark_up`): spans that nest (a casualty inside a
quote, a quote inside a block quote) become nested elements; a span that *crosses* another one's
boundary is closed and reopened around it. The first piece of every item is a ``<mark>`` carrying
its ``id``/``data-item``; any further pieces are ``<span class="hl hl-cont">`` elements carrying
``data-continues``. So a page holds exactly one ``<mark>`` per item located in the text, whatever
the overlaps.

The eval view draws :class:`summarizer.evaluation.diff.ArticleDiff` (the eval's data model, which
knows nothing of HTML).

Everything that comes from an article or a model is untrusted and goes through
:func:`html.escape`; the only markup on the page is the markup written here.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from summarizer.evaluation.diff import KIND_FIELDS, ArticleDiff, Item, ItemKind, MatchStatus
from summarizer.grounding import find_span
from summarizer.schema import (
    ArticleRecord,
    CasualtyReport,
    Evidence,
    Extraction,
    Figure,
    Quote,
)

_KIND_LABELS: dict[ItemKind, str] = {"casualty": "casualty report", "quote": "quote", "claim": "disputed claim"}
_NONE = "\u2014"
_DOT = " \u00b7 "
_NOT_FOUND = '<p class="note">evidence not found in the text</p>'

_STATUS_LABELS: dict[MatchStatus, str] = {
    "matched": "matched",
    "missed": "missed (gold only)",
    "extra": "extra (predicted only)",
}


# --------------------------------------------------------------------------------------------
# Highlighting: evidence spans to nested, escaped markup


@dataclass(frozen=True)
class Highlight:
    """One span of the text to mark, ``text[start:end]``, as the element that will carry it."""

    start: int
    end: int
    item_id: str
    classes: tuple[str, ...] = ()
    data: tuple[tuple[str, str], ...] = ()
    title: Optional[str] = None


def mark_up(text: str, highlights: Sequence[Highlight]) -> str:
    """``text`` HTML-escaped, with each highlight wrapped in a ``<mark>`` (see the module doc).

    Spans are opened outermost first (earlier start, then later end, then input order), so a
    span that contains another becomes its ancestor. When a span ends while spans opened inside
    it are still open, those are closed with it and reopened straight after as continuation
    pieces: the markup stays well formed and every character keeps every highlight it belongs to.

    Item ids must be unique. Raises ``ValueError`` for a span outside the text or an empty one
    (locate spans first) and for a repeated id.
    """
    if len({light.item_id for light in highlights}) != len(highlights):
        raise ValueError("highlight ids must be unique")
    for light in highlights:
        if not 0 <= light.start < light.end <= len(text):
            raise ValueError(f"highlight {light.item_id} {light.start}:{light.end} is outside a text of {len(text)}")
    starting: dict[int, list[tuple[int, Highlight]]] = {}
    for order, light in enumerate(highlights):
        starting.setdefault(light.start, []).append((order, light))
    boundaries = sorted({0, len(text)} | {h.start for h in highlights} | {h.end for h in highlights})

    out: list[str] = []
    stack: list[tuple[int, Highlight, bool]] = []  # open pieces, innermost last; bool: is the <mark>
    for position, following in zip(boundaries, boundaries[1:] + [len(text)]):
        ending = [depth for depth, (_, light, _) in enumerate(stack) if light.end == position]
        to_open = list(starting.get(position, []))
        if ending:
            while len(stack) > ending[0]:
                order, light, is_mark = stack.pop()
                out.append("</mark>" if is_mark else "</span>")
                if light.end > position:
                    to_open.append((order, light))
        to_open.sort(key=lambda pair: (-pair[1].end, pair[0]))
        for order, light in to_open:
            is_mark = light.start == position  # the first piece; reopened pieces start later
            out.append(_open_tag(light, is_mark=is_mark))
            stack.append((order, light, is_mark))
        out.append(html.escape(text[position:following], quote=False))
    return "".join(out)


def _open_tag(light: Highlight, *, is_mark: bool) -> str:
    if is_mark:
        attributes = [("id", light.item_id), ("class", " ".join(("hl",) + light.classes)), ("data-item", light.item_id)]
        attributes += list(light.data)
        if light.title:
            attributes.append(("title", light.title))
        return f"<mark{_attrs(attributes)}>"
    classes = " ".join(("hl", "hl-cont") + light.classes)
    return f"<span{_attrs([('class', classes), ('data-continues', light.item_id), *light.data])}>"


def _attrs(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in pairs)


def locate(evidence: Evidence, text: str) -> Optional[tuple[int, int]]:
    """Where ``evidence`` sits in ``text``: its own offsets when they slice ``text`` to its
    words, else the nearest normalised occurrence of its words, else None.

    A record's offsets refer to the text it was made from; the caller may hand over a copy
    whose typography or whitespace differs, and the view should still point at the right words.
    """
    if text[evidence.start : evidence.end] == evidence.text:
        return evidence.start, evidence.end
    return find_span(evidence.text, text, near=evidence.start)


# --------------------------------------------------------------------------------------------
# What an item says: the fields both views print


def item_fields(item: Item) -> list[tuple[str, Optional[str]]]:
    """The item's fields as (label, value) pairs, ``None`` for unset; the same labels for
    every item of a kind, so that a gold and a predicted item can be compared row by row."""
    if isinstance(item, CasualtyReport):
        scope = ", ".join(part for part in (item.time_scope, item.period) if part)
        return [
            ("outcome", item.outcome),
            ("figure", describe_figure(item.figure)),
            ("group", item.victim_group.replace("_", " ")),
            ("part of", None if item.subset_of is None else f"casualty #{item.subset_of + 1}"),
            ("location", item.location),
            ("scope", scope),
            ("source", item.source),
            ("perpetrator", item.perpetrator),
        ]
    if isinstance(item, Quote):
        return [
            ("text", item.text),
            ("speaker", item.speaker),
            ("role", item.speaker_role),
            ("mode", item.mode),
            ("nested in", None if item.nested_in is None else f"quote #{item.nested_in + 1}"),
        ]
    return [
        ("claim", item.claim),
        ("claimant", item.claimant),
        ("disputant", item.disputant),
        ("counter-claim", item.counter_claim),
    ]


def describe_figure(figure: Figure) -> str:
    """``"more than 1,600 (lower bound, 1,601 or more)"``: the words and the interval read."""
    low, high = figure.low, figure.high
    if low is not None and low == high:
        interval = f"{low:,}"
    elif high is None:
        interval = f"{(low or 0):,} or more"
    elif low is None:
        interval = f"up to {high:,}"
    else:
        interval = f"{low:,}\u2013{high:,}"
    return f"{figure.text} ({figure.kind.replace('_', ' ')}, {interval})"


def item_headline(item: Item, limit: int = 110) -> str:
    """One line naming the item: ``"more than 1,600 civilians killed"``, a quote's opening words."""
    if isinstance(item, CasualtyReport):
        group = "" if item.victim_group == "people" else f" {item.victim_group.replace('_', ' ')}"
        return f"{item.figure.text}{group} {item.outcome}"
    words = item.text if isinstance(item, Quote) else item.claim
    words = " ".join(words.split())
    clipped = words if len(words) <= limit else words[: limit - 1].rstrip() + "\u2026"
    return f"\u201c{clipped}\u201d" if isinstance(item, Quote) else clipped


def _items(extraction: Extraction) -> list[tuple[ItemKind, int, Item]]:
    return [
        (kind, index, item)
        for kind, name in KIND_FIELDS.items()
        for index, item in enumerate(getattr(extraction, name))
    ]


# --------------------------------------------------------------------------------------------
# The extraction view


def render_records(
    records: Sequence[ArticleRecord],
    articles: Mapping[str, str],
    *,
    title: str = "Extractions",
) -> str:
    """One self-contained HTML page showing ``records``, each over its article's text.

    ``articles`` maps a record's ``id`` to the text it was made from (records carry no text).
    Items whose evidence cannot be located in the text are listed, flagged, and not marked;
    every other item has exactly one ``<mark>`` (``id`` = ``data-item``), and clicking its entry
    in the side panel scrolls to it and flashes it.
    """
    sections = [_record_section(f"a{n}", record, articles.get(record.id)) for n, record in enumerate(records)]
    item_count = sum(len(_items(record)) for record in records)
    errors = sum(record.status == "error" for record in records)
    summary = f"{_plural(len(records), 'article')} \u00b7 {_plural(item_count, 'item')}"
    if errors:
        summary += f" \u00b7 {errors} with errors"
    legend = _legend([(f"hl-{kind}", _KIND_LABELS[kind]) for kind in KIND_FIELDS])
    return _page(title, f'<p class="counts">{_esc(summary)}</p>{legend}', _toc(records), sections)


def _record_section(anchor: str, record: ArticleRecord, text: Optional[str]) -> str:
    entries: list[str] = []
    highlights: list[Highlight] = []
    for kind, index, item in _items(record):
        item_id = f"{anchor}-{kind}-{index}"
        span = locate(item.evidence, text) if text is not None else None
        if span is not None:
            highlights.append(
                Highlight(
                    span[0], span[1], item_id,
                    classes=(f"hl-{kind}",),
                    data=(("data-kind", kind),),
                    title=f"{_KIND_LABELS[kind]} #{index + 1}: {item_headline(item, 80)}",
                )
            )
        entries.append(_record_entry(kind, index, item, item_id, located=span is not None, has_text=text is not None))

    heading = record.title or record.id
    parts = [
        f'<section class="article" id="{anchor}" data-article-id="{_esc(record.id)}" data-status="{_esc(record.status)}">',
        '<header class="article-head">',
        f"<h2>{_esc(heading)}</h2>",
        '<p class="meta">',
        f'<span class="status status-{_esc(record.status)}">{_esc(record.status)}</span> ',
        f'<code>{_esc(record.id)}</code>',
        f" \u00b7 {record.chars:,} chars" if record.chars else "",
        "</p></header>",
    ]
    if record.error is not None:
        parts.append(
            f'<p class="error"><strong>{_esc(record.error.kind)}</strong>: {_esc(record.error.message)}</p>'
        )
    if record.summary:
        parts.append(f'<p class="summary">{_esc(record.summary)}</p>')
    parts.append(_facts(record))
    parts.append(_body(text, highlights, "".join(entries) or '<p class="empty">No items.</p>'))
    parts.append("</section>")
    return "".join(parts)


def _facts(record: ArticleRecord) -> str:
    """Dropped counts and provenance as a compact definition list."""
    facts: list[tuple[str, str]] = []
    dropped = record.dropped
    if dropped.total or dropped.reasons:
        facts.append(
            ("dropped", f"{dropped.casualties} casualties, {dropped.quotes} quotes, {dropped.claims} claims")
        )
    else:
        facts.append(("dropped", "none"))
    source = record.provenance
    if source is not None:
        facts.append(("strategy", source.strategy))
        facts.append(("model", f"{source.model or _NONE} ({source.backend})"))
        facts.append(("prompt", source.prompt_version or _NONE))
        usage = source.usage
        facts.append(
            (
                "tokens",
                f"{usage.prompt_tokens:,} in + {usage.completion_tokens:,} out, "
                f"{usage.calls} call{'s' * (usage.calls != 1)} ({usage.cached_calls} cached)",
            )
        )
        facts.append(("time", f"{source.latency_s:.2f} s"))
        facts.append(("version", f"summarizer {source.summarizer_version}, schema {source.schema_version}"))
    listed = "".join(f"<dt>{_esc(name)}</dt><dd>{_esc(value)}</dd>" for name, value in facts)
    reasons = ""
    if dropped.reasons:
        items = "".join(f"<li>{_esc(reason)}</li>" for reason in dropped.reasons)
        reasons = f'<details class="reasons"><summary>Why items were dropped</summary><ul>{items}</ul></details>'
    return f'<dl class="facts">{listed}</dl>{reasons}'


def _record_entry(kind: ItemKind, index: int, item: Item, item_id: str, *, located: bool, has_text: bool) -> str:
    fields = "".join(
        f"<dt>{_esc(label)}</dt><dd>{_esc(value)}</dd>" for label, value in item_fields(item) if value
    )
    note = "" if located or not has_text else _NOT_FOUND
    evidence = "" if located else f'<p class="evidence">{_esc(item.evidence.text)}</p>'
    return (
        f'<li class="entry entry-{kind}"{_target_attrs([item_id] if located else [])}>'
        f'<p class="entry-head"><span class="tag tag-{kind}">{_esc(_KIND_LABELS[kind])} #{index + 1}</span> '
        f"<strong>{_esc(item_headline(item))}</strong></p>"
        f'<dl class="fields">{fields}</dl>{evidence}{note}</li>'
    )


def _target_attrs(item_ids: Sequence[str]) -> str:
    if not item_ids:
        return ""
    return f' data-target="{_esc(" ".join(item_ids))}" tabindex="0" role="button"'


# --------------------------------------------------------------------------------------------
# The eval view


def render_eval(
    per_article_diffs: Sequence[ArticleDiff],
    scores: Mapping[str, Any],
    articles: Mapping[str, str],
    *,
    title: str = "Evaluation",
) -> str:
    """One self-contained HTML page: the per-field score table, then each article's text with
    gold items (underlined) and predicted items (overlined) coloured matched / missed / extra.

    ``scores`` is the scorer's ``EvalScores`` (or its ``model_dump()``): a table of its
    ``fields`` (tp, fp, fn, precision, recall, f1), one of its ``secondary`` accuracies, and its
    other numbers listed below them. A plain mapping of field name to metrics
    (``{"casualties": {"precision": 0.8, ...}}``) is shown as a single table.
    """
    sections = [_diff_section(f"a{n}", diff, articles.get(diff.id)) for n, diff in enumerate(per_article_diffs)]
    totals = {status: 0 for status in _STATUS_LABELS}
    for diff in per_article_diffs:
        for _, kind_diff in diff.by_kind():
            for status, count in kind_diff.counts().items():
                totals[status] += count
    counts = " \u00b7 ".join(f"{count} {status}" for status, count in totals.items())
    legend = _legend(
        [(f"hl-{status}", _STATUS_LABELS[status]) for status in _STATUS_LABELS]
        + [("hl-gold", "gold (underlined)"), ("hl-predicted", "predicted (overlined)")]
    )
    head = (
        f'<p class="counts">{_plural(len(per_article_diffs), "article")} \u00b7 {_esc(counts)}</p>'
        f"{legend}{_score_summary(scores)}"
    )
    return _page(title, head, _toc(per_article_diffs), sections)


def _score_summary(scores: Any) -> str:
    dumped = _as_mapping(scores)
    fields = dumped.get("fields")
    if not isinstance(fields, Mapping):
        return score_table(dumped)
    secondary = {
        name: {key: _as_mapping(accuracy).get(key) for key in ("accuracy", "right", "total")}
        for name, accuracy in _as_mapping(dumped.get("secondary") or {}).items()
    }
    others = [
        (key.replace("_", " "), value)
        for key, value in dumped.items()
        if key not in ("fields", "secondary") and not isinstance(value, (Mapping, list, tuple))
    ]
    return (
        f'<div class="score-tables">{score_table(fields)}{score_table(secondary, first="secondary field")}</div>'
        f"{_stats(others)}"
    )


def _stats(values: Iterable[tuple[str, Any]]) -> str:
    """Named numbers as one wrapping line of label/value pairs."""
    pairs = "".join(f"<div><dt>{_esc(key)}</dt><dd>{_esc(_format_metric(value))}</dd></div>" for key, value in values)
    return f'<dl class="stats">{pairs}</dl>' if pairs else ""


def score_table(scores: Mapping[str, Any], *, first: str = "field") -> str:
    """The per-field metrics as an HTML table (empty string when there are none)."""
    rows = {name: _as_mapping(metrics) for name, metrics in scores.items()}
    columns: list[str] = []
    for metrics in rows.values():
        columns += [column for column in metrics if column not in columns]
    if not rows:
        return ""
    head = "".join(f'<th scope="col">{_esc(column)}</th>' for column in columns)
    body = "".join(
        f'<tr><th scope="row">{_esc(name)}</th>'
        + "".join(f"<td>{_esc(_format_metric(metrics.get(column)))}</td>" for column in columns)
        + "</tr>"
        for name, metrics in rows.items()
    )
    return (
        f'<table class="scores"><thead><tr><th scope="col">{_esc(first)}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _as_mapping(metrics: Any) -> Mapping[str, Any]:
    """Metrics as a mapping, whether given as one, as a pydantic model or as a dataclass."""
    if isinstance(metrics, Mapping):
        return metrics
    if hasattr(metrics, "model_dump"):
        return metrics.model_dump()
    if hasattr(metrics, "__dataclass_fields__"):
        return {name: getattr(metrics, name) for name in metrics.__dataclass_fields__}
    return {"value": metrics}


def _format_metric(value: Any) -> str:
    if value is None:
        return _NONE
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _diff_section(anchor: str, diff: ArticleDiff, text: Optional[str]) -> str:
    highlights: list[Highlight] = []
    entries: list[str] = []
    located: dict[str, bool] = {}

    def highlight(side: str, kind: ItemKind, index: int, item: Item, status: MatchStatus) -> str:
        item_id = f"{anchor}-{side}-{kind}-{index}"
        span = locate(item.evidence, text) if text is not None else None
        located[item_id] = span is not None
        if span is not None:
            highlights.append(
                Highlight(
                    span[0], span[1], item_id,
                    classes=(f"hl-{status}", f"hl-{side}"),
                    data=(("data-kind", kind), ("data-side", side), ("data-status", status)),
                    title=f"{side} {_KIND_LABELS[kind]}, {_STATUS_LABELS[status]}: {item_headline(item, 80)}",
                )
            )
        return item_id

    counts_line: list[str] = []
    for kind, kind_diff in diff.by_kind():
        kind_entries: list[str] = []
        for n, (g, p) in enumerate(kind_diff.matches):
            gold_id = highlight("gold", kind, g, kind_diff.gold[g], "matched")
            predicted_id = highlight("predicted", kind, p, kind_diff.predicted[p], "matched")
            notes = kind_diff.mismatches[n] if kind_diff.mismatches else ()
            kind_entries.append(
                _matched_entry(kind, kind_diff.gold[g], kind_diff.predicted[p], [gold_id, predicted_id], located, notes)
            )
        for g, item in enumerate(kind_diff.gold):
            if kind_diff.gold_status(g) == "missed":
                item_id = highlight("gold", kind, g, item, "missed")
                kind_entries.append(_single_entry(kind, item, "missed", item_id, located[item_id]))
        for p, item in enumerate(kind_diff.predicted):
            if kind_diff.predicted_status(p) == "extra":
                item_id = highlight("predicted", kind, p, item, "extra")
                kind_entries.append(_single_entry(kind, item, "extra", item_id, located[item_id]))
        counts = kind_diff.counts()
        counts_line.append(
            f"{KIND_FIELDS[kind]}: " + ", ".join(f"{n} {status}" for status, n in counts.items())
        )
        if kind_entries:
            entries.append(f'<h3 class="panel-kind">{_esc(KIND_FIELDS[kind])}</h3><ul class="entries">{"".join(kind_entries)}</ul>')

    parts = [
        f'<section class="article" id="{anchor}" data-article-id="{_esc(diff.id)}">',
        '<header class="article-head">',
        f"<h2>{_esc(diff.title or diff.id)}</h2>",
        f'<p class="meta"><code>{_esc(diff.id)}</code> \u00b7 {_esc(_DOT.join(counts_line))}</p>',
        "</header>",
    ]
    parts.append(_stats(diff.scores.items()))
    if diff.gold_summary or diff.predicted_summary:
        parts.append(
            '<dl class="summaries">'
            f"<dt>gold summary</dt><dd>{_esc(diff.gold_summary or _NONE)}</dd>"
            f"<dt>predicted summary</dt><dd>{_esc(diff.predicted_summary or _NONE)}</dd></dl>"
        )
    parts.append(_body(text, highlights, "".join(entries) or '<p class="empty">No items.</p>', grouped=True))
    parts.append("</section>")
    return "".join(parts)


def _matched_entry(
    kind: ItemKind,
    gold: Item,
    predicted: Item,
    item_ids: list[str],
    located: Mapping[str, bool],
    mismatches: Sequence[str],
) -> str:
    rows = []
    for (label, gold_value), (_, predicted_value) in zip(item_fields(gold), item_fields(predicted)):
        if not gold_value and not predicted_value:
            continue
        row_class = ' class="differs"' if (gold_value or "") != (predicted_value or "") else ""
        rows.append(
            f'<tr{row_class}><th scope="row">{_esc(label)}</th>'
            f"<td>{_esc(gold_value or _NONE)}</td><td>{_esc(predicted_value or _NONE)}</td></tr>"
        )
    targets = [item_id for item_id in item_ids if located[item_id]]
    note = "" if len(targets) == len(item_ids) else _NOT_FOUND
    if mismatches:
        note += '<ul class="mismatches">' + "".join(f"<li>{_esc(m)}</li>" for m in mismatches) + "</ul>"
    return (
        f'<li class="entry entry-matched" data-kind="{kind}" data-status="matched"{_target_attrs(targets)}>'
        f'<p class="entry-head"><span class="tag tag-matched">{_esc(_STATUS_LABELS["matched"])}</span> '
        f"<strong>{_esc(item_headline(gold))}</strong></p>"
        '<table class="compare"><thead><tr><th></th><th scope="col">gold</th><th scope="col">predicted</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
        f"{note}</li>"
    )


def _single_entry(kind: ItemKind, item: Item, status: MatchStatus, item_id: str, located: bool) -> str:
    fields = "".join(
        f"<dt>{_esc(label)}</dt><dd>{_esc(value)}</dd>" for label, value in item_fields(item) if value
    )
    evidence = "" if located else f'<p class="evidence">{_esc(item.evidence.text)}</p>{_NOT_FOUND}'
    return (
        f'<li class="entry entry-{status}" data-kind="{kind}" data-status="{status}"{_target_attrs([item_id] if located else [])}>'
        f'<p class="entry-head"><span class="tag tag-{status}">{_esc(_STATUS_LABELS[status])}</span> '
        f"<strong>{_esc(item_headline(item))}</strong></p>"
        f'<dl class="fields">{fields}</dl>{evidence}</li>'
    )


# --------------------------------------------------------------------------------------------
# Page furniture shared by both views


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _body(text: Optional[str], highlights: Sequence[Highlight], entries: str, *, grouped: bool = False) -> str:
    if text is None:
        article = '<div class="text missing">Article text not supplied: items are listed with their evidence.</div>'
    else:
        article = f'<div class="text">{mark_up(text, highlights)}</div>'
    panel = entries if grouped else f'<ul class="entries">{entries}</ul>'
    return f'<div class="body">{article}<aside class="panel">{panel}</aside></div>'


def _legend(swatches: Iterable[tuple[str, str]]) -> str:
    # Spans, not <mark>s: the page's <mark>s are exactly its located items.
    keys = "".join(f'<li><span class="swatch {css}">{_esc(label)}</span></li>' for css, label in swatches)
    return f'<ul class="legend" aria-label="legend">{keys}</ul>'


def _toc(entries: Sequence[Union[ArticleRecord, ArticleDiff]]) -> str:
    if len(entries) < 2:
        return ""
    links = "".join(f'<li><a href="#a{n}">{_esc(entry.title or entry.id)}</a></li>' for n, entry in enumerate(entries))
    return f'<nav class="toc" aria-label="articles"><ol>{links}</ol></nav>'


def _page(title: str, head: str, toc: str, sections: Sequence[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CONTENT_SECURITY_POLICY}">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head>"
        f'<body><header class="page-head"><h1>{_esc(title)}</h1>{head}</header>{toc}'
        f'<main>{"".join(sections)}</main><script>{_JS}</script></body></html>\n'
    )


# --------------------------------------------------------------------------------------------
# Inline assets. The page is a single file, so CSS and JS live here rather than in templates.

_CSS = """
:root {
  --ink: #1a202c; --muted: #5a6474; --rule: #e2e8f0; --paper: #fff; --page: #f6f6f3;
  --casualty: #c53030; --quote: #2b6cb0; --claim: #b7791f;
  --matched: #2f855a; --missed: #c05621; --extra: #6b46c1;
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--page);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.page-head { padding: 1.25rem 2rem 1rem; background: var(--paper); border-bottom: 1px solid var(--rule); }
h1 { margin: 0 0 .25rem; font-size: 1.5rem; letter-spacing: -.01em; }
.counts { margin: 0 0 .5rem; color: var(--muted); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .375rem 1rem; margin: 0; padding: 0; font-size: .85rem; }
.swatch { padding: 0 .375rem 2px; border-radius: 2px; }
.toc { max-width: 84rem; margin: 1rem auto 0; padding: 0 2rem; font-size: .875rem; }
.toc ol { margin: 0; padding-left: 1.25rem; columns: 2; }
.toc a { color: var(--quote); }
main { max-width: 84rem; margin: 0 auto; padding: .5rem 2rem 4rem; }
.article { background: var(--paper); border: 1px solid var(--rule); border-radius: 8px; padding: 1.25rem 1.5rem; margin: 1.25rem 0; }
.article-head h2 { margin: 0; font-size: 1.2rem; }
.meta { margin: .25rem 0 .5rem; color: var(--muted); font-size: .85rem; }
.status { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .7rem; font-weight: 700;
  text-transform: uppercase; letter-spacing: .04em; vertical-align: 1px; }
.status-ok { background: #c6f6d5; color: #22543d; }
.status-error { background: #fed7d7; color: #742a2a; }
.error { background: #fff5f5; border-left: 4px solid var(--casualty); padding: .5rem .75rem; margin: .5rem 0; }
.summary { font-size: 1.05rem; border-left: 4px solid var(--rule); padding-left: .75rem; margin: .75rem 0; }
.facts, .summaries { display: grid; grid-template-columns: max-content 1fr; gap: .125rem 1rem; font-size: .85rem; margin: .5rem 0 1rem; }
.facts dt, .summaries dt, .fields dt { color: var(--muted); }
.facts dd, .summaries dd, .fields dd { margin: 0; overflow-wrap: anywhere; }
.reasons { font-size: .85rem; margin: -.5rem 0 1rem; color: var(--muted); }
.body { display: grid; grid-template-columns: minmax(0, 3fr) minmax(17rem, 2fr); gap: 1.5rem; align-items: start; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; font: 1.05rem/1.8 Georgia, "DejaVu Serif", serif; }
.text.missing { font: italic .95rem/1.5 inherit; color: var(--muted); }
.panel { position: sticky; top: 1rem; max-height: calc(100vh - 2rem); overflow: auto; font-size: .85rem;
  border-left: 1px solid var(--rule); padding-left: 1rem; }
.panel-kind { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: .75rem 0 .375rem; }
.panel-kind:first-child { margin-top: 0; }
.entries { list-style: none; margin: 0; padding: 0; }
.entry { padding: .5rem .625rem; margin: 0 0 .5rem; border: 1px solid var(--rule); border-left-width: 4px; border-radius: 6px; }
.entry[data-target] { cursor: pointer; }
.entry[data-target]:hover, .entry[data-target]:focus-visible { background: #f7fafc; outline: none; box-shadow: 0 0 0 2px #cbd5e0; }
.entry-casualty { border-left-color: var(--casualty); }
.entry-quote { border-left-color: var(--quote); }
.entry-claim { border-left-color: var(--claim); }
.entry-matched { border-left-color: var(--matched); }
.entry-missed { border-left-color: var(--missed); }
.entry-extra { border-left-color: var(--extra); }
.entry-head { margin: 0 0 .25rem; }
.tag { display: inline-block; font-size: .65rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em;
  padding: 0 .375rem; border-radius: 4px; color: #fff; vertical-align: 1px; }
.tag-casualty { background: var(--casualty); } .tag-quote { background: var(--quote); } .tag-claim { background: var(--claim); }
.tag-matched { background: var(--matched); } .tag-missed { background: var(--missed); } .tag-extra { background: var(--extra); }
.fields { display: grid; grid-template-columns: max-content 1fr; gap: 0 .75rem; margin: 0; }
.evidence { font-family: Georgia, "DejaVu Serif", serif; color: var(--muted); border-left: 2px solid var(--rule); padding-left: .5rem; margin: .25rem 0 0; }
.note { color: var(--missed); font-size: .8rem; margin: .25rem 0 0; }
.mismatches { margin: .25rem 0 0; padding-left: 1.1rem; color: #9c4221; font-size: .8rem; }
.stats { display: flex; flex-wrap: wrap; gap: .125rem 1.5rem; margin: .5rem 0; font-size: .85rem; }
.stats div { display: flex; gap: .375rem; }
.stats dt { color: var(--muted); }
.stats dd { margin: 0; font-variant-numeric: tabular-nums; }
.score-tables { display: flex; flex-wrap: wrap; gap: 0 2rem; align-items: flex-start; }
.empty { color: var(--muted); font-style: italic; }
.compare, .scores { border-collapse: collapse; width: 100%; }
.compare th, .compare td { text-align: left; padding: .125rem .375rem; vertical-align: top; border-bottom: 1px solid var(--rule); font-weight: normal; }
.compare thead th { color: var(--muted); font-size: .75rem; }
.compare tbody th { color: var(--muted); }
.compare tr.differs td { background: #fffaf0; color: #9c4221; font-weight: 600; }
.scores { width: auto; margin: .75rem 0 0; font-size: .875rem; font-variant-numeric: tabular-nums; }
.scores th, .scores td { padding: .25rem .75rem; border-bottom: 1px solid var(--rule); text-align: right; }
.scores th[scope="row"], .scores thead th:first-child { text-align: left; }
.scores thead th { color: var(--muted); font-weight: 600; }
.hl { color: inherit; background: transparent; padding: 0 0 3px; border-radius: 2px; cursor: pointer; }
.hl .hl { padding-bottom: 0; }
.hl-casualty { background: rgba(229, 62, 62, .15); border-bottom: 2px solid var(--casualty); }
.hl-quote { background: rgba(66, 153, 225, .15); border-bottom: 2px solid var(--quote); }
.hl-claim { background: rgba(236, 201, 75, .28); border-bottom: 2px solid var(--claim); }
.hl-matched { background: rgba(72, 187, 120, .2); --edge: var(--matched); }
.hl-missed { background: rgba(237, 137, 54, .24); --edge: var(--missed); }
.hl-extra { background: rgba(159, 122, 234, .22); --edge: var(--extra); }
.hl-gold { border-bottom: 2px solid var(--edge, var(--ink)); }
.hl-predicted { border-top: 2px dashed var(--edge, var(--ink)); }
@keyframes flash {
  0%, 100% { box-shadow: 0 0 0 0 rgba(236, 201, 75, 0); }
  40% { box-shadow: 0 0 0 4px rgba(236, 201, 75, .95); background-color: rgba(236, 201, 75, .55); }
}
.flash { animation: flash .45s ease-in-out 3; }
@media (max-width: 900px) {
  .body { grid-template-columns: 1fr; }
  .panel { position: static; max-height: none; border-left: 0; padding-left: 0; }
}
@media (prefers-reduced-motion: reduce) { .flash { animation-duration: .01s; } }
"""

_JS = """
(() => {
  "use strict";
  const motion = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
  const pieces = (id) => {
    const head = document.getElementById(id);
    if (!head) return [];
    return [head, ...document.querySelectorAll('[data-continues="' + CSS.escape(id) + '"]')];
  };
  const flash = (element) => {
    element.classList.remove("flash");
    void element.offsetWidth;
    element.classList.add("flash");
  };
  const show = (entry) => {
    const targets = entry.dataset.target.split(" ").flatMap(pieces);
    if (!targets.length) return;
    targets[0].scrollIntoView({ block: "center", behavior: motion });
    targets.forEach(flash);
  };
  document.addEventListener("animationend", (event) => event.target.classList.remove("flash"));
  document.addEventListener("click", (event) => {
    const entry = event.target.closest(".entry[data-target]");
    if (entry) {
      show(entry);
      return;
    }
    const piece = event.target.closest("[data-item], [data-continues]");
    if (!piece) return;
    const id = piece.dataset.item || piece.dataset.continues;
    const listed = document.querySelector('.entry[data-target~="' + CSS.escape(id) + '"]');
    if (listed) {
      listed.scrollIntoView({ block: "nearest", behavior: motion });
      flash(listed);
    }
  });
  document.addEventListener("keydown", (event) => {
    const entry = event.target.closest && event.target.closest(".entry[data-target]");
    if (entry && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      show(entry);
    }
  });
})();
"""

#: Only the page's own script may run: an injected ``<script>`` or ``onerror=`` would be
#: blocked even if escaping were ever missed somewhere. Nothing may be fetched.
_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()}'"
)
