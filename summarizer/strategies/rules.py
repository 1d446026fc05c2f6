"""The rules-only strategy: candidates from spaCy's parse, no model call.

:func:`gather_candidates` is also where the hybrid strategy starts: the same candidates, kept out
of instruction-shaped text by the same guard, before any model question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from spacy.tokens import Doc

from summarizer.rules.casualties import CasualtyCandidate, find_casualties
from summarizer.rules.claims import ClaimCandidate, find_claims
from summarizer.rules.injection import InstructionGuard
from summarizer.rules.nlp import doc_text
from summarizer.rules.quotes import QuoteCandidate, find_quotes
from summarizer.schema import Extraction
from summarizer.strategies import StrategyJob, StrategyResult
from summarizer.summary import extractive_summary


@dataclass
class Candidates:
    """The rules' candidates of one article, none from inside an instruction span; ``guard``
    counts what it kept out and still has to vet names and summary sentences."""

    guard: InstructionGuard
    casualties: list[CasualtyCandidate]
    quotes: list[QuoteCandidate]
    claims: list[ClaimCandidate]


def gather_candidates(doc: Doc, attribution: Optional[Any] = None) -> Candidates:
    """Every rules candidate outside instruction-shaped text.

    Prompt-injection hook (issue #6): text that addresses a model is data, never content;
    candidates inside it are dropped and counted. Quotes are found first: a casualty figure inside
    a quote is credited to its speaker, and claims point back to quoted statements.

    ``attribution`` (an opt-in learned tagger, :mod:`summarizer.attribution`) adds its quotes to
    the rules' as its merge mode says; casualties and claims still read the rules' quotes only.
    """
    guard = InstructionGuard(doc_text(doc))
    quotes = find_quotes(doc)
    casualties = guard.keep_outside(find_casualties(doc, quotes), "casualties", model_of=lambda c: c.report,
                                    link="subset_of")
    claims = guard.keep_outside(find_claims(doc, quotes), "claims", model_of=lambda c: c.claim)
    if attribution is not None:
        quotes = attribution.merged(doc, quotes)
    kept_quotes = guard.keep_outside(quotes, "quotes", model_of=lambda c: c.quote, link="nested_in")
    return Candidates(guard, casualties, kept_quotes, claims)


def rules_extraction(doc: Doc, attribution: Optional[Any] = None) -> StrategyResult:
    """Every rules candidate (and an opt-in tagger's quotes), as an extraction with an extractive summary."""
    found = gather_candidates(doc, attribution)
    extraction = Extraction(
        casualties=[c.report for c in found.casualties],
        quotes=[c.quote for c in found.quotes],
        claims=[c.claim for c in found.claims],
    )
    found.guard.clear_injected_names(extraction)
    extraction.summary = extractive_summary(doc, extraction, skip=found.guard.covers_sentence)
    return StrategyResult(extraction=extraction, dropped=found.guard.dropped)


def run(job: StrategyJob) -> StrategyResult:
    """The registry's entry (:class:`summarizer.strategies.Strategy`)."""
    return rules_extraction(job.doc, job.attribution)
