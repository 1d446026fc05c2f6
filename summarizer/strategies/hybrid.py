"""The hybrid strategy: rules' candidates, then narrow questions a model can answer.

A 135M model cannot fill a schema, but it can often pick one of three names. So the model is
only ever asked closed questions whose answers are grammar-constrained to the options the rules
found in the text (``Literal`` types under instructor's TOOLS mode), and only about the fields
where the eval shows it helps (``questions``). A capable model is also asked, with the article,
for quotes and claims the rules missed (``additions``); those pass the same grounding.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, Field, create_model
from spacy.tokens import Doc

from summarizer.drafts import AnswerModel, DraftAdditions, ground_drafts
from summarizer.grounding import unsupported_terms
from summarizer.prompting import messages_for
from summarizer.rules.casualties import GRAMMATICAL_LINK
from summarizer.rules.injection import InstructionGuard
from summarizer.rules.nlp import doc_text
from summarizer.schema import Extraction, Usage
from summarizer.strategies import StrategyJob, StrategyResult
from summarizer.strategies.rules import gather_candidates
from summarizer.summary import extractive_summary

_NOT_LISTED = "none of these"
_CONTEXT_BEFORE = 400
_CONTEXT_AFTER = 200


class CasualtyCheck(AnswerModel):
    is_casualty_report: bool = Field(description="True only if the number counts people harmed.")


class SummaryAnswer(AnswerModel):
    summary: str = Field(description="One or two sentences, only names and numbers from the article.")


def _window(article: str, start: int, end: int) -> str:
    return article[max(0, start - _CONTEXT_BEFORE) : min(len(article), end + _CONTEXT_AFTER)]


def _choice_model(options: list[str]) -> type[BaseModel]:
    choices = tuple(dict.fromkeys(options + [_NOT_LISTED]))
    return create_model("SpeakerChoice", __base__=AnswerModel, speaker=(Literal[choices], ...))  # type: ignore[valid-type]


def run(job: StrategyJob) -> StrategyResult:
    """The registry's entry (:class:`summarizer.strategies.Strategy`); the questions it may ask
    are :data:`summarizer.strategies.QUESTIONS`."""
    return hybrid_extraction(job.client, job.doc, job.questions, job.attribution)


def hybrid_extraction(client, doc: Doc, questions: frozenset[str], attribution: Any = None) -> StrategyResult:
    article = doc_text(doc)
    usage = Usage()
    prompts = {"system"}
    # the rules' candidates, none from text that addresses a model (counted in ``dropped``)
    found = gather_candidates(doc, attribution)
    guard = found.guard
    casualty_candidates, quote_candidates, claim_candidates = found.casualties, found.quotes, found.claims

    casualties = []
    index_map: dict[int, Optional[int]] = {}
    for i, candidate in enumerate(casualty_candidates):
        keep = True
        if "casualty_check" in questions and candidate.confidence < GRAMMATICAL_LINK:
            prompts.add("check_casualty")
            evidence = candidate.report.evidence
            answer = client.ask(CasualtyCheck, messages_for(
                "check_casualty", _window(article, evidence.start, evidence.end),
                f"Number: {candidate.report.figure.text}\nSentence: {evidence.text}",
            ))
            usage.add(answer.usage)
            keep = answer.value is None or answer.value.is_casualty_report
        index_map[i] = len(casualties) if keep else None
        if keep:
            casualties.append(candidate.report)
    for report in casualties:
        if report.subset_of is not None:
            report.subset_of = index_map.get(report.subset_of)

    quotes = []
    for candidate in quote_candidates:
        quote = candidate.quote
        ambiguous = candidate.speaker_cue in ("nearest_entity", "none", "pronoun_antecedent")
        if "speaker" in questions and ambiguous and len(candidate.speaker_options) >= 2:
            prompts.add("pick_speaker")
            options = candidate.speaker_options[:4]
            answer = client.ask(_choice_model(options), messages_for(
                "pick_speaker", _window(article, quote.evidence.start, quote.evidence.end),
                f"Quoted words: \"{quote.text[:300]}\"\nOptions: " + "; ".join(options),
            ))
            usage.add(answer.usage)
            if answer.value is not None and answer.value.speaker != _NOT_LISTED:
                quote.speaker = answer.value.speaker
        quotes.append(quote)

    extraction = Extraction(casualties=casualties, quotes=quotes, claims=[c.claim for c in claim_candidates])
    result = StrategyResult(extraction=extraction, usage=usage, prompts=prompts)
    if "additions" in questions:
        _add_missed_items(client, article, result, guard)
    guard.clear_injected_names(extraction)  # injection hook: no speaker or source named only by the injection
    extraction.summary = extractive_summary(doc, extraction, skip=guard.covers_sentence)
    if "summary" in questions:
        _model_summary(client, article, result, guard)
    result.dropped.add(guard.dropped)  # injection hook: what the guard kept out, next to the grounding drops
    return result


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _add_missed_items(client, article: str, result: StrategyResult, guard: InstructionGuard) -> None:
    """Ask for quotes and claims the rules missed; keep only grounded, new ones."""
    result.prompts.add("add_items")
    extraction = result.extraction
    known = "\n".join(f"- quote: {q.text[:120]}" for q in extraction.quotes) + "\n" + "\n".join(
        f"- claim: {c.claim[:120]}" for c in extraction.claims
    )
    answer = client.ask(DraftAdditions, messages_for("add_items", article, "Already found:\n" + known))
    result.usage.add(answer.usage)
    if answer.value is None:
        return
    added, dropped = ground_drafts(article, quotes=answer.value.quotes, claims=answer.value.claims)
    # injection hook: a grounded addition copied from an instruction span is still not content
    added.quotes = guard.keep_outside(added.quotes, "quotes")
    added.claims = guard.keep_outside(added.claims, "claims")
    quote_spans = [(q.evidence.start, q.evidence.end) for q in extraction.quotes]
    claim_spans = [(c.evidence.start, c.evidence.end) for c in extraction.claims]
    extraction.quotes.extend(q for q in added.quotes if not _overlaps(q.evidence.start, q.evidence.end, quote_spans))
    extraction.claims.extend(c for c in added.claims if not _overlaps(c.evidence.start, c.evidence.end, claim_spans))
    result.dropped.add(dropped)


def _model_summary(client, article: str, result: StrategyResult, guard: InstructionGuard) -> None:
    """A model-written summary, kept only if every name and figure in it is in the article
    outside instruction spans (an injected "500 killed" is in the article, but is not news)."""
    result.prompts.add("summary")
    messages = messages_for("summary", article)
    news_text = guard.masked_text()
    for _ in range(2):
        answer = client.ask(SummaryAnswer, messages)
        result.usage.add(answer.usage)
        if answer.value is None:
            return
        missing = unsupported_terms(answer.value.summary, news_text)
        echoed = guard.echoed_instruction(answer.value.summary)  # injection hook: echoing it is obeying it
        if echoed:
            result.dropped.reasons.append(f"summary: model summary repeats instruction-shaped text ({echoed!r}); extractive summary kept")
            return
        if answer.value.summary.strip() and not missing:
            result.extraction.summary = answer.value.summary.strip()
            return
        messages = messages + [
            {"role": "assistant", "content": answer.value.model_dump_json()},
            {"role": "user", "content": f"These are not in the article: {missing}. Write it again using only the article's names and numbers."},
        ]
    result.dropped.reasons.append("summary: model summary not faithful; extractive summary kept")
