"""Per-rule eval report: which rule made each true and false positive, and what each miss was nearest.

Every item carries the id of the rule that made it (``rule``) and, for quotes, of the rule that
chose the speaker (``speaker_rule``; :class:`~summarizer.schema.ItemProvenance`); items without
one are grouped under ``(no rule)``. For a miss the report names the rule of the *nearest*
prediction, so that a real-text miss points at the rule to change:

* quotes: the prediction whose text overlaps the gold span most (characters), else the one with
  the best token overlap if at least 0.2;
* casualties: a prediction with the same outcome, nearest by evidence offset (within
  :data:`NEAR_CHARS`) when the gold has evidence, else any with the same outcome (GVA, MUC-4);
* claims: the best content-word overlap, if at least 0.2;
* otherwise "no candidate": no rule fired near it.

:func:`write_rule_report` writes ``rules.json`` and ``rules.md`` (tables), appends the tables to
``report.md``, and writes ``samples.md`` with concrete misses and false positives in context
for a rules developer. The samples hold article text: they go to the report directory, never
into the repository.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from summarizer.evaluation.scoring import content_word_overlap, quote_overlap
from summarizer.grounding import find_span

NO_RULE = "(no rule)"
NO_CANDIDATE = "no candidate"

#: How far (characters) a same-outcome casualty prediction may be from a missed gold item's
#: evidence to count as its nearest rule.
NEAR_CHARS = 400

#: How many misses and false positives per field go into ``samples.md``.
SAMPLES = 40


@dataclass
class RuleRow:
    """One rule's items on one field: made, true positives, false positives, misses nearest it."""

    rule: str
    items: int = 0
    tp: int = 0
    fp: int = 0
    misses_nearest: int = 0


@dataclass
class SpeakerRow:
    """One speaker rule on matched quotes whose speaker can be scored."""

    rule: str
    scored: int = 0
    right: int = 0


@dataclass
class Sample:
    """A concrete miss or false positive with its context."""

    article: str
    field: str
    kind: str
    rule: str
    item: str
    context: str


@dataclass
class RuleBreakdown:
    """The per-rule tables of one eval run and the samples behind them."""

    fields: dict[str, dict[str, RuleRow]] = field(default_factory=dict)
    speakers: dict[str, SpeakerRow] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "fields": {name: [asdict(r) for r in _sorted(rows)] for name, rows in self.fields.items()},
            "speaker_rules": [asdict(r) for r in sorted(self.speakers.values(), key=lambda r: (-r.scored, r.rule))],
        }


def _sorted(rows: dict[str, RuleRow]) -> list[RuleRow]:
    return sorted(rows.values(), key=lambda r: (r.rule in (NO_CANDIDATE,), -(r.items + r.misses_nearest), r.rule))


def _rule(item: Any, attribute: str = "rule") -> str:
    return getattr(item, attribute, None) or NO_RULE


def _span(item: Any, article: str) -> Optional[tuple[int, int]]:
    evidence = getattr(item, "evidence", None)
    text = getattr(item, "text", None)
    if text and evidence is not None:
        found = find_span(text, article, near=evidence.start)
        if found:
            return found
    if evidence is not None:
        return evidence.start, evidence.end
    return None


def nearest_prediction(field_name: str, gold: Any, predicted: Sequence[Any], article: str) -> Optional[int]:
    """Index of the prediction nearest a missed gold item (see the module docstring), or None."""
    if not predicted:
        return None
    if field_name == "quotes":
        gold_span = _span(gold, article)
        best, best_overlap = None, 0
        if gold_span is not None:
            for j, item in enumerate(predicted):
                span = _span(item, article)
                if span is None:
                    continue
                overlap = min(gold_span[1], span[1]) - max(gold_span[0], span[0])
                if overlap > best_overlap:
                    best, best_overlap = j, overlap
        if best is not None:
            return best
        scored = [(quote_overlap(gold.text, item.text), j) for j, item in enumerate(predicted)]
        value, j = max(scored)
        return j if value >= 0.2 else None
    if field_name == "casualties":
        same = [j for j, item in enumerate(predicted) if item.outcome == gold.outcome]
        if not same:
            return None
        evidence = getattr(gold, "evidence", None)
        if evidence is None:
            return same[0]
        distance, j = min((abs(predicted[j].evidence.start - evidence.start), j) for j in same)
        return j if distance <= NEAR_CHARS else None
    scored = [(content_word_overlap(gold.claim, item.claim), j) for j, item in enumerate(predicted)]
    value, j = max(scored)
    return j if value >= 0.2 else None


def _speaker_scored(gold: Any) -> bool:
    attribution = getattr(gold, "attribution", None)
    return attribution.named_source if attribution is not None else True


def _context(article: str, start: int, end: int, width: int = 160) -> str:
    left, right = max(0, start - width), min(len(article), end + width)
    text = article[left:start] + "[[" + article[start:end] + "]]" + article[end:right]
    return ("…" if left else "") + " ".join(text.split()) + ("…" if right < len(article) else "")


_CASUALTY_WORDS = re.compile(
    r"\b(kill\w*|dead|died|dies|death\w*|fatal\w*|slain|shot|shoot\w*|wound\w*|injur\w*|hurt|victim\w*|hospital\w*|murder\w*|homicide)\b",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")


def casualty_sentences(article: str, limit: int = 4) -> list[str]:
    """The first sentences of ``article`` that use a casualty word: what a GVA miss looks like."""
    found = []
    for match in _SENTENCE_RE.finditer(article):
        sentence = " ".join(match.group(0).split())
        if _CASUALTY_WORDS.search(sentence) and sentence not in found:
            found.append(sentence[:240])
        if len(found) >= limit:
            break
    return found


def _item_label(field_name: str, item: Any) -> str:
    if field_name == "casualties":
        figure = item.figure
        return f"{item.outcome} {figure.text!r} ({figure.low}..{figure.high})"
    if field_name == "quotes":
        text = " ".join(item.text.split())
        return f"{getattr(item, 'mode', '?')} quote by {item.speaker or '?'}: {text[:150]}"
    return f"claim by {item.claimant or '?'}: {' '.join(item.claim.split())[:150]}"


def _miss_sample(article_id: str, field_name: str, gold: Any, predicted: Sequence[Any], text: str, rule: str) -> Sample:
    attribution = getattr(gold, "attribution", None)
    if attribution is not None:
        cue = attribution.cue.text if attribution.cue else "-"
        source = attribution.source.text if attribution.source else "-"
        item = f"{gold.mode} speech attribution, source {source!r}, cue {cue!r}"
        context = _context(text, gold.evidence.start, gold.evidence.end)
    elif getattr(gold, "evidence", None) is not None:
        item = _item_label(field_name, gold)
        context = _context(text, gold.evidence.start, gold.evidence.end)
    else:  # GVA / MUC-4: the toll has no span; show what we said and where the article speaks of it
        ours = [p for p in predicted if p.outcome == gold.outcome]
        stated = "; ".join(f"{_item_label(field_name, p)} from {' '.join(p.evidence.text.split())[:100]!r}" for p in ours[:3])
        item = f"{_item_label(field_name, gold)} (final toll); ours: {stated or 'none'}"
        context = " | ".join(casualty_sentences(text))
    return Sample(article=article_id, field=field_name, kind="miss", rule=rule, item=item, context=context)


def _fp_sample(article_id: str, field_name: str, item: Any, text: str, extra_note: str = "") -> Sample:
    span = _span(item, text) or (0, 0)
    return Sample(
        article=article_id, field=field_name, kind="false positive", rule=_rule(item),
        item=_item_label(field_name, item) + extra_note, context=_context(text, *span),
    )


def breakdown(dataset: Any, golds: Sequence[Any], run: Any) -> RuleBreakdown:
    """The per-rule tables of ``run`` (an :class:`~summarizer.evaluation.report.EvalRun`) over
    ``golds`` of ``dataset`` (an :class:`~summarizer.evaluation.datasets.EvalDataset`)."""
    result = RuleBreakdown()
    misses: dict[str, list[Sample]] = defaultdict(list)
    extras: dict[str, list[Sample]] = defaultdict(list)
    for gold, score, predicted in zip(golds, run.per_article, run.predictions):
        compared = dataset.compared(gold, predicted)
        for field_name, (gold_items, predicted_items) in compared.items():
            diff = score.diffs.get(field_name)
            if diff is None:
                continue
            rows = result.fields.setdefault(field_name, {})

            def row(rule: str) -> RuleRow:
                return rows.setdefault(rule, RuleRow(rule))

            for item in predicted_items:
                row(_rule(item)).items += 1
            for pair in diff.matched:
                row(_rule(predicted_items[pair.predicted])).tp += 1
                if field_name == "quotes" and "fragment" not in pair.mismatches and _speaker_scored(gold_items[pair.gold]):
                    speaker_rule = _rule(predicted_items[pair.predicted], "speaker_rule")
                    speaker_row = result.speakers.setdefault(speaker_rule, SpeakerRow(speaker_rule))
                    speaker_row.scored += 1
                    speaker_row.right += int(not any(m.startswith("speaker") for m in pair.mismatches))
            for ref in diff.extra:
                item = predicted_items[ref.index]
                row(_rule(item)).fp += 1
                extras[field_name].append(_fp_sample(score.article_id, field_name, item, gold.text))
            for ref in diff.missed:
                gold_item = gold_items[ref.index]
                j = nearest_prediction(field_name, gold_item, predicted_items, gold.text)
                rule = NO_CANDIDATE if j is None else _rule(predicted_items[j])
                row(rule).misses_nearest += 1
                misses[field_name].append(
                    _miss_sample(score.article_id, field_name, gold_item, predicted_items, gold.text, rule)
                )
    chooser = random.Random(0)
    for field_name in sorted(set(misses) | set(extras)):
        for pool in (misses[field_name], extras[field_name]):
            picked = sorted(chooser.sample(range(len(pool)), min(SAMPLES, len(pool))))
            result.samples += [pool[i] for i in picked]
    return result


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]


def markdown_tables(result: RuleBreakdown) -> str:
    """The per-rule tables as Markdown (no article text)."""
    out = ["## By rule", ""]
    for field_name, rows in result.fields.items():
        out += [f"### {field_name}", ""]
        out += _table(
            ["rule", "items", "TP", "FP", "precision", "misses nearest this rule"],
            [[r.rule, str(r.items), str(r.tp), str(r.fp), f"{r.tp / r.items:.3f}" if r.items else "–", str(r.misses_nearest)]
             for r in _sorted(rows)],
        )
        out.append("")
    if result.speakers:
        out += ["### speaker rules (matched quotes whose speaker is scored)", ""]
        out += _table(
            ["speaker rule", "scored", "right", "accuracy"],
            [[r.rule, str(r.scored), str(r.right), f"{r.right / r.scored:.3f}" if r.scored else "–"]
             for r in sorted(result.speakers.values(), key=lambda r: (-r.scored, r.rule))],
        )
        out.append("")
    return "\n".join(out)


def markdown_samples(result: RuleBreakdown) -> str:
    """Concrete misses and false positives in context ([[...]] marks the item's span)."""
    out = ["# Sample misses and false positives", "",
           f"Up to {SAMPLES} of each per field, drawn reproducibly. Article text: keep out of the repository.", ""]
    for sample in result.samples:
        out += [f"- **{sample.field} {sample.kind}** `{sample.article}` rule `{sample.rule}`: {sample.item}",
                f"  > {sample.context}", ""]
    return "\n".join(out)


def write_rule_report(dataset: Any, golds: Sequence[Any], run: Any, directory: Path) -> RuleBreakdown:
    """Write ``rules.json``, ``rules.md`` and ``samples.md`` into ``directory`` and append the
    tables to its ``report.md`` (when there)."""
    result = breakdown(dataset, golds, run)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rules.json").write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    tables = markdown_tables(result)
    (directory / "rules.md").write_text(tables, encoding="utf-8")
    (directory / "samples.md").write_text(markdown_samples(result), encoding="utf-8")
    report = directory / "report.md"
    if report.exists():
        report.write_text(report.read_text(encoding="utf-8").rstrip() + "\n\n" + tables, encoding="utf-8")
    return result
