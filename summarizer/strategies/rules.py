"""The rules-only strategy: candidates from spaCy's parse, no model call."""

from __future__ import annotations

from spacy.tokens import Doc

from summarizer.rules.casualties import find_casualties
from summarizer.rules.claims import find_claims
from summarizer.rules.injection import InstructionGuard
from summarizer.rules.quotes import find_quotes
from summarizer.schema import Extraction
from summarizer.strategies import StrategyResult
from summarizer.summary import extractive_summary


def rules_extraction(doc: Doc) -> StrategyResult:
    """Every rules candidate, as an extraction with an extractive summary."""
    # Prompt-injection hook (issue #6): text that addresses a model is data, never content;
    # candidates inside it are dropped and counted, and the summary skips its sentences.
    guard = InstructionGuard(doc.text)
    quote_candidates = find_quotes(doc)  # casualty figures inside a quote are credited to its speaker
    casualties = guard.keep_outside([c.report for c in find_casualties(doc, quote_candidates)], "casualties", link="subset_of")
    quotes = guard.keep_outside([c.quote for c in quote_candidates], "quotes", link="nested_in")
    claims = guard.keep_outside([c.claim for c in find_claims(doc, quote_candidates)], "claims")
    extraction = Extraction(casualties=casualties, quotes=quotes, claims=claims)
    guard.clear_injected_names(extraction)
    extraction.summary = extractive_summary(doc, extraction, skip=guard.covers_sentence)
    return StrategyResult(extraction=extraction, dropped=guard.dropped)
