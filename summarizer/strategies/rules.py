"""The rules-only strategy: candidates from spaCy's parse, no model call."""

from __future__ import annotations

from spacy.tokens import Doc

from summarizer.rules.casualties import find_casualties
from summarizer.rules.claims import find_claims
from summarizer.rules.quotes import find_quotes
from summarizer.schema import Extraction
from summarizer.strategies import StrategyResult
from summarizer.summary import extractive_summary


def rules_extraction(doc: Doc) -> StrategyResult:
    """Every rules candidate, as an extraction with an extractive summary."""
    casualties = [c.report for c in find_casualties(doc)]
    quote_candidates = find_quotes(doc)
    quotes = [c.quote for c in quote_candidates]
    claims = [c.claim for c in find_claims(doc, quote_candidates)]
    extraction = Extraction(casualties=casualties, quotes=quotes, claims=claims)
    extraction.summary = extractive_summary(doc, extraction)
    return StrategyResult(extraction=extraction)
