"""The review strategy: a capable model checks every field of the rules' candidates in one request.

The hybrid strategy asks narrow questions a 135M model can answer, so the model can never correct a
casualty's figure, group or source, nor add a casualty the rules missed. A capable model can do
more: it is shown the fenced article once, with the rules' candidates numbered and quoted, and
answers for each candidate keep or drop and the fields it corrects, plus the items the rules
missed (of every kind) with verbatim evidence, plus a summary.

Nothing the model says is taken on trust. A corrected candidate and a missed item pass the same
grounding as any model item (evidence found in the article, figure stated by its evidence, names
the article's, schema validators); what fails is re-asked once with the errors, then dropped and
counted in ``Dropped``. A failing correction leaves the rules' candidate as the rules made it. Items
inside instruction-shaped text are kept out by the injection guard, as for every strategy.

Every item says where it came from: ``origin`` "rules" (no verdict), "both" (the model kept or
corrected a rules candidate) or "model" (a missed item), and ``model_changed`` lists the fields the
model corrected. One request per article, plus at most one re-ask.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from pydantic import BaseModel, Field, ValidationError
from spacy.tokens import Doc

from summarizer.drafts import AnswerModel, DraftCasualty, DraftClaim, DraftQuote, check_names, place_casualty, place_claim, place_quote
from summarizer.figures import parse_figure
from summarizer.grounding import find_span, item_problem, unsupported_terms
from summarizer.prompting import messages_for
from summarizer.rules.injection import InstructionGuard
from summarizer.schema import (
    CasualtyReport,
    DisputedClaim,
    Dropped,
    Extraction,
    Outcome,
    Quote,
    QuoteMode,
    TimeScope,
    Usage,
    VictimGroup,
)
from summarizer.strategies import StrategyJob, StrategyResult
from summarizer.strategies.rules import gather_candidates
from summarizer.summary import extractive_summary

PROMPTS = {"system", "review"}

_UNCHANGED = "null: the candidate's value is right"
_CLEAR = '"": the candidate has a value and the article gives none'


def _correction(what: str = "", *, clearable: bool = False, note: str = "") -> Any:
    """A verdict field the model fills only to correct the candidate: null keeps its value, and
    for a ``clearable`` field "" removes a value the article does not give. One convention for
    every field of every verdict, so the model is told it the same way each time."""
    parts = [part for part in (what, _UNCHANGED, _CLEAR if clearable else "") if part]
    return Field(default=None, description="; ".join(parts) + note + ".")


class CasualtyVerdict(AnswerModel):
    """The model's verdict on one casualty candidate: keep or drop, and corrected fields."""

    id: str = Field(description='The candidate\'s id, e.g. "C1".')
    keep: bool = Field(description="False when the candidate is not a report of people harmed.")
    outcome: Optional[Outcome] = _correction("Corrected outcome")
    figure: Optional[str] = _correction("Corrected figure as written")
    victim_group: Optional[VictimGroup] = _correction("Corrected group")
    location: Optional[str] = _correction(clearable=True)
    time_scope: Optional[TimeScope] = _correction()
    period: Optional[str] = _correction(clearable=True)
    source: Optional[str] = _correction(clearable=True, note=" (the article's own voice)")
    perpetrator: Optional[str] = _correction(clearable=True)
    subset_of: Optional[str] = _correction('Id ("C2", "M1") of the figure this one is part of', clearable=True)
    evidence_text: Optional[str] = _correction("Corrected exact words of the article")


class QuoteVerdict(AnswerModel):
    """The model's verdict on one quote candidate."""

    id: str = Field(description='The candidate\'s id, e.g. "Q1".')
    keep: bool = Field(description="False when the words are not a quote of someone.")
    text: Optional[str] = _correction("Corrected exact quoted words")
    speaker: Optional[str] = _correction(clearable=True)
    speaker_role: Optional[str] = _correction(clearable=True)
    mode: Optional[QuoteMode] = _correction()


class ClaimVerdict(AnswerModel):
    """The model's verdict on one disputed-claim candidate."""

    id: str = Field(description='The candidate\'s id, e.g. "K1".')
    keep: bool = Field(description="False when nobody (and not the article) disputes the statement.")
    claim: Optional[str] = _correction()
    claimant: Optional[str] = _correction(clearable=True)
    disputant: Optional[str] = _correction(clearable=True)
    counter_claim: Optional[str] = _correction(clearable=True)
    evidence_text: Optional[str] = _correction("Corrected exact sentence")


class MissedCasualty(DraftCasualty):
    """A casualty report the rules missed; ``subset_of`` names a candidate or missed id."""

    subset_of: Optional[str] = Field(  # type: ignore[assignment]
        default=None, description='Id of the figure this one is part of: "C2" (a candidate) or "M1" (first missed).'
    )


class ReviewAnswer(AnswerModel):
    """One answer per article: verdicts on the numbered candidates, the missed items, a summary."""

    casualties: list[CasualtyVerdict] = Field(default_factory=list, description="One verdict per C candidate.")
    quotes: list[QuoteVerdict] = Field(default_factory=list, description="One verdict per Q candidate.")
    claims: list[ClaimVerdict] = Field(default_factory=list, description="One verdict per K candidate.")
    missed_casualties: list[MissedCasualty] = Field(default_factory=list)
    missed_quotes: list[DraftQuote] = Field(default_factory=list)
    missed_claims: list[DraftClaim] = Field(default_factory=list)
    summary: str = Field(default="", description="One or two sentences with only the article's names and numbers.")


# --------------------------------------------------------------------------- the question


def _json_line(values: dict[str, Any]) -> str:
    # "<" escaped: article text inside a candidate can never pose as a fence marker
    return json.dumps(values, ensure_ascii=False).replace("<", "\\u003c")


def candidate_lines(casualties: list[CasualtyReport], quotes: list[Quote], claims: list[DisputedClaim]) -> str:
    """The rules' candidates, numbered (C casualties, Q quotes, K claims), one JSON object a line."""
    lines = []
    for i, c in enumerate(casualties, 1):
        lines.append(f"C{i} " + _json_line({
            "outcome": c.outcome, "figure": c.figure.text, "victim_group": c.victim_group, "location": c.location,
            "time_scope": c.time_scope, "period": c.period, "source": c.source, "perpetrator": c.perpetrator,
            "subset_of": f"C{c.subset_of + 1}" if c.subset_of is not None else None, "evidence": c.evidence.text,
        }))
    for i, q in enumerate(quotes, 1):
        lines.append(f"Q{i} " + _json_line({"text": q.text, "speaker": q.speaker, "speaker_role": q.speaker_role,
                                             "mode": q.mode}))
    for i, k in enumerate(claims, 1):
        lines.append(f"K{i} " + _json_line({"claim": k.claim, "claimant": k.claimant, "disputant": k.disputant,
                                             "counter_claim": k.counter_claim, "evidence": k.evidence.text}))
    return "\n".join(lines) if lines else "(none)"


def review_messages(article: str, casualties: list[CasualtyReport], quotes: list[Quote],
                    claims: list[DisputedClaim]) -> list[dict[str, str]]:
    """The one request of the review strategy: instructions, the fenced article, the candidates."""
    return messages_for("review", article, "<candidates>\n" + candidate_lines(casualties, quotes, claims) + "\n</candidates>")


# --------------------------------------------------------------------------- grounding the answer

_CASUALTY_FIELDS = ("outcome", "figure", "victim_group", "location", "time_scope", "period", "source", "perpetrator")
_QUOTE_FIELDS = ("text", "speaker", "speaker_role", "mode")
_CLAIM_FIELDS = ("claim", "claimant", "disputant", "counter_claim")


def _corrections(verdict: BaseModel, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields a verdict sets: None is "unchanged", "" is "clear"."""
    changes = {}
    for name in names:
        value = getattr(verdict, name)
        if value is None:
            continue
        changes[name] = None if isinstance(value, str) and not value.strip() else value
    return changes


def _with_evidence(values: dict[str, Any], evidence_text: Optional[str], article: str, near: int) -> None:
    if evidence_text is None or not evidence_text.strip():
        return
    span = find_span(evidence_text, article, near=near, prefer_same_case=True)
    if span is None:
        raise ValueError(f"corrected evidence is not in the article: {evidence_text[:80]!r}")
    values["evidence"] = {"start": span[0], "end": span[1], "text": article[span[0]:span[1]]}


def _changed(before: BaseModel, after: BaseModel, names: tuple[str, ...]) -> list[str]:
    changed = [n for n in names if n != "figure" and getattr(before, n) != getattr(after, n)]
    if "figure" in names and (before.figure.low, before.figure.high, before.figure.text) != (
            after.figure.low, after.figure.high, after.figure.text):  # type: ignore[attr-defined]
        changed.append("figure")
    if (before.evidence.start, before.evidence.end) != (after.evidence.start, after.evidence.end):  # type: ignore[attr-defined]
        changed.append("evidence")
    return sorted(changed)


def _corrected_casualty(rules: CasualtyReport, verdict: CasualtyVerdict, article: str) -> CasualtyReport:
    changes = _corrections(verdict, _CASUALTY_FIELDS)
    values = rules.model_dump()
    if "figure" in changes:
        figure = parse_figure(changes.pop("figure"))
        if figure is None:
            raise ValueError(f"corrected figure {verdict.figure!r} is not a number")
        values["figure"] = figure.model_dump()
    values.update(changes)
    _with_evidence(values, verdict.evidence_text, article, rules.evidence.start)
    check_names(changes, article)
    return _grounded(CasualtyReport.model_validate(values), article)


def _corrected_quote(rules: Quote, verdict: QuoteVerdict, article: str) -> Quote:
    changes = _corrections(verdict, _QUOTE_FIELDS)
    values = rules.model_dump()
    if changes.get("text"):
        span = find_span(changes["text"], article, near=rules.evidence.start, prefer_same_case=True)
        if span is None:
            raise ValueError(f"corrected quote is not in the article: {changes['text'][:80]!r}")
        changes["text"] = article[span[0]:span[1]]
        values["evidence"] = {"start": span[0], "end": span[1], "text": article[span[0]:span[1]]}
    elif "text" in changes:
        raise ValueError("a kept quote needs its words")
    values.update(changes)
    check_names(changes, article)
    return _grounded(Quote.model_validate(values), article)


def _corrected_claim(rules: DisputedClaim, verdict: ClaimVerdict, article: str) -> DisputedClaim:
    changes = _corrections(verdict, _CLAIM_FIELDS)
    values = rules.model_dump()
    if "claim" in changes and not changes["claim"]:
        raise ValueError("a kept claim needs its statement")
    values.update(changes)
    _with_evidence(values, verdict.evidence_text, article, rules.evidence.start)
    check_names(changes, article)
    return _grounded(DisputedClaim.model_validate(values), article)


def _grounded(item: Any, article: str) -> Any:
    """``item`` if the grounding checkpoint's item check passes; else ValueError with its reason
    (the review re-asks with it before the item is dropped)."""
    problem = item_problem(item, article)
    if problem is not None:
        raise ValueError(problem)
    return item


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return str(exc.errors()[0].get("msg", exc)).removeprefix("Value error, ")
    return str(exc).splitlines()[0]


class _Grounded:
    """An answer after grounding: the items, their id links, and each failure (for the re-ask)."""

    def __init__(self) -> None:
        self.casualties: list[CasualtyReport] = []
        self.quotes: list[Quote] = []
        self.claims: list[DisputedClaim] = []
        self.casualty_ids: list[str] = []  # the id each kept casualty answers to ("C2", "M1")
        self.subset_ids: list[Optional[str]] = []  # the id of its parent, if any
        self.quote_candidate: list[Optional[int]] = []  # the candidate index each quote came from
        self.errors: list[str] = []
        self.failed: Dropped = Dropped()

    def fail(self, kind: str, label: str, exc: Exception) -> None:
        message = _first_line(exc)
        self.errors.append(f"{label}: {message}")
        setattr(self.failed, kind, getattr(self.failed, kind) + 1)
        self.failed.reasons.append(f"{kind}: review {label}: {message}")


def _verdicts_by_id(verdicts: list, prefix: str, count: int, grounded: _Grounded, kind: str) -> dict[int, Any]:
    by_index: dict[int, Any] = {}
    for verdict in verdicts:
        ident = verdict.id.strip().upper()
        number = ident[len(prefix):] if ident.startswith(prefix) else ""
        if not number.isdigit() or not 1 <= int(number) <= count:
            grounded.errors.append(f"verdict {verdict.id!r}: there is no candidate with that id")
            continue
        by_index[int(number) - 1] = verdict
    return by_index


def _reviewed(candidates: list, verdicts: dict, correct, fields: tuple[str, ...], kind: str, prefix: str,
              article: str, grounded: "_Grounded"):
    """The candidates the model kept, as ``(index, item, verdict)``: each corrected where the model
    corrected it and the correction grounds; a failing correction is counted and the rules'
    candidate stays as made. One loop for the three item kinds."""
    for i, rules in enumerate(candidates):
        verdict = verdicts.get(i)
        item = rules
        if verdict is not None:
            if not verdict.keep:
                continue
            try:
                item = correct(rules, verdict, article)
                item.model_changed = _changed(rules, item, fields)
                item.origin = "both"
            except (ValueError, ValidationError) as exc:
                grounded.fail(kind, f"correction of {prefix}{i + 1}", exc)
                item = rules
        yield i, item, verdict


def _placed(missed: list, place, kind: str, article: str, grounded: "_Grounded", describe=lambda draft: ""):
    """The items the rules missed, as ``(index, draft, item)``: each placed in the article and
    grounded; one that fails is counted (labelled ``missed_<kind>[j]`` plus ``describe(draft)``)
    and left out. One loop for the three item kinds."""
    for j, draft in enumerate(missed):
        try:
            item = _grounded(place(draft, article), article)
        except (ValueError, ValidationError) as exc:
            grounded.fail(kind, f"missed_{kind}[{j}]{describe(draft)}", exc)
            continue
        yield j, draft, item


def ground_review(article: str, answer: ReviewAnswer, candidates: tuple[list, list, list]) -> _Grounded:
    """Apply an answer to the rules' candidates; every corrected or new item grounded or failed."""
    rules_casualties, rules_quotes, rules_claims = candidates
    grounded = _Grounded()

    verdicts = _verdicts_by_id(answer.casualties, "C", len(rules_casualties), grounded, "casualties")
    for i, item, verdict in _reviewed(rules_casualties, verdicts, _corrected_casualty, _CASUALTY_FIELDS,
                                      "casualties", "C", article, grounded):
        rules = rules_casualties[i]
        parent = f"C{rules.subset_of + 1}" if rules.subset_of is not None else None
        if verdict is not None and verdict.subset_of is not None:
            parent = verdict.subset_of.strip().upper() or None
        grounded.casualties.append(item.model_copy(update={"subset_of": None}))
        grounded.casualty_ids.append(f"C{i + 1}")
        grounded.subset_ids.append(parent)
    for j, missed, item in _placed(answer.missed_casualties, place_casualty, "casualties", article, grounded,
                                   describe=lambda draft: f" ({draft.figure!r})"):
        if any(_same_casualty(item, kept) for kept in grounded.casualties):
            continue  # a kept candidate restated as missed is the same report
        grounded.casualties.append(item)
        grounded.casualty_ids.append(f"M{j + 1}")
        grounded.subset_ids.append(missed.subset_of.strip().upper() if missed.subset_of else None)
    index_of = {ident: k for k, ident in enumerate(grounded.casualty_ids)}
    for k, parent in enumerate(grounded.subset_ids):
        target = index_of.get(parent) if parent else None
        grounded.casualties[k].subset_of = target if target != k else None

    verdicts = _verdicts_by_id(answer.quotes, "Q", len(rules_quotes), grounded, "quotes")
    for i, item, _ in _reviewed(rules_quotes, verdicts, _corrected_quote, _QUOTE_FIELDS, "quotes", "Q", article, grounded):
        grounded.quotes.append(item.model_copy(update={"nested_in": None}))
        grounded.quote_candidate.append(i)
    for _, _, item in _placed(answer.missed_quotes, place_quote, "quotes", article, grounded):
        if any(_same_span(item, kept) for kept in grounded.quotes):
            continue
        grounded.quotes.append(item)
        grounded.quote_candidate.append(None)
    kept_at = {c: k for k, c in enumerate(grounded.quote_candidate) if c is not None}
    for k, c in enumerate(grounded.quote_candidate):  # the rules' nesting, where both quotes stayed
        parent = rules_quotes[c].nested_in if c is not None else None
        if parent is not None and parent in kept_at:
            grounded.quotes[k].nested_in = kept_at[parent]

    verdicts = _verdicts_by_id(answer.claims, "K", len(rules_claims), grounded, "claims")
    for _, item, _ in _reviewed(rules_claims, verdicts, _corrected_claim, _CLAIM_FIELDS, "claims", "K", article, grounded):
        grounded.claims.append(item)
    for _, _, item in _placed(answer.missed_claims, place_claim, "claims", article, grounded):
        if not any(_same_span(item, kept) and item.claimant == kept.claimant for kept in grounded.claims):
            grounded.claims.append(item)
    return grounded


def _same_span(a: Any, b: Any) -> bool:
    return (a.evidence.start, a.evidence.end) == (b.evidence.start, b.evidence.end)


def _same_casualty(a: CasualtyReport, b: CasualtyReport) -> bool:
    return _same_span(a, b) and a.outcome == b.outcome and a.figure.interval() == b.figure.interval() \
        and a.victim_group == b.victim_group


# --------------------------------------------------------------------------- the strategy


def _reask(messages: list[dict[str, str]], answer: ReviewAnswer, errors: list[str]) -> list[dict[str, str]]:
    return messages + [
        {"role": "assistant", "content": answer.model_dump_json()},
        {"role": "user", "content": "These parts of your answer are not supported by the article:\n- " + "\n- ".join(errors)
         + "\nAnswer again in full. Copy quotes and evidence exactly from the article, state figures as the "
           "evidence writes them, and name only people and places the article names."},
    ]


def review_extraction(client, doc: Doc, attribution: Any = None) -> StrategyResult:
    """The rules' candidates reviewed by the model in one request (plus at most one re-ask)."""
    article = doc.text
    usage = Usage()
    found = gather_candidates(doc, attribution)
    guard = found.guard
    candidates = ([c.report for c in found.casualties], [c.quote for c in found.quotes], [c.claim for c in found.claims])
    for items in candidates:
        for item in items:
            item.origin = "rules"
    messages = review_messages(article, *candidates)
    answer = client.ask(ReviewAnswer, messages)
    usage.add(answer.usage)
    dropped = Dropped()
    if answer.value is None:
        # no usable answer after instructor's re-asks: the rules' candidates stand, and the record says why
        dropped.reasons.append(f"review: no valid answer ({(answer.error or 'unknown')[:160]}); rules' candidates kept")
        grounded = ground_review(article, ReviewAnswer(), candidates)
        value = None
    else:
        value = answer.value
        grounded = ground_review(article, value, candidates)
        if grounded.errors and answer.usage.calls <= 1:  # at most one re-ask in all, instructor's included
            second = client.ask(ReviewAnswer, _reask(messages, value, grounded.errors))
            usage.add(second.usage)
            if second.value is not None:
                value = second.value
                grounded = ground_review(article, value, candidates)
    dropped.add(grounded.failed)

    extraction = Extraction(
        casualties=guard.keep_outside(grounded.casualties, "casualties", link="subset_of"),
        quotes=guard.keep_outside(grounded.quotes, "quotes", link="nested_in"),
        claims=guard.keep_outside(grounded.claims, "claims"),
    )
    guard.clear_injected_names(extraction)  # injection hook: no speaker or source named only by the injection
    extraction.summary = _summary(value, guard, dropped) or extractive_summary(doc, extraction, skip=guard.covers_sentence)
    dropped.add(guard.dropped)
    return StrategyResult(extraction=extraction, dropped=dropped, usage=usage, prompts=set(PROMPTS))


def run(job: StrategyJob) -> StrategyResult:
    """The registry's entry (:class:`summarizer.strategies.Strategy`)."""
    return review_extraction(job.client, job.doc, job.attribution)


def _summary(answer: Optional[ReviewAnswer], guard: InstructionGuard, dropped: Dropped) -> str:
    """The model's summary if every name and figure in it is the article's, outside instruction spans."""
    if answer is None or not answer.summary.strip():
        return ""
    summary = answer.summary.strip()
    echoed = guard.echoed_instruction(summary)
    if echoed:
        dropped.reasons.append(f"summary: model summary repeats instruction-shaped text ({echoed!r}); extractive summary kept")
        return ""
    missing = unsupported_terms(summary, guard.masked_text())
    if missing:
        dropped.reasons.append(f"summary: model summary states {missing} not in the article; extractive summary kept")
        return ""
    return summary
