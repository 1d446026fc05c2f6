"""Items as a model proposes them (no offsets), and how they become grounded schema items.

A model cannot count characters, so it is asked for verbatim evidence text; offsets are found
here. An item whose evidence, quote or figure is not in the article is not passed on: the caller
re-asks once with the errors, then drops what still fails and counts it in ``Dropped``.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field, ValidationError

from summarizer.figures import parse_figure
from summarizer.grounding import find_span
from summarizer.schema import (
    CasualtyReport,
    DisputedClaim,
    Dropped,
    Evidence,
    Extraction,
    Outcome,
    Quote,
    QuoteMode,
    VictimGroup,
)


class DraftCasualty(BaseModel):
    outcome: Outcome
    figure: str = Field(description='The number as written in the article, e.g. "more than 1,600".')
    victim_group: VictimGroup = "people"
    location: Optional[str] = None
    source: Optional[str] = Field(default=None, description="Who reports the figure.")
    evidence_text: str = Field(description="The exact words of the article stating the figure.")


class DraftQuote(BaseModel):
    text: str = Field(description="The quoted words copied exactly from the article.")
    speaker: Optional[str] = None
    mode: QuoteMode = "direct"


class DraftClaim(BaseModel):
    claim: str
    claimant: Optional[str] = None
    disputant: Optional[str] = None
    evidence_text: str = Field(description="The exact sentence of the article stating the claim.")


class DraftExtraction(BaseModel):
    """The whole schema in one answer (the naive strategy's question)."""

    summary: str = ""
    casualties: list[DraftCasualty] = Field(default_factory=list)
    quotes: list[DraftQuote] = Field(default_factory=list)
    claims: list[DraftClaim] = Field(default_factory=list)


class DraftAdditions(BaseModel):
    """Quotes and claims a capable model adds to the rules' candidates."""

    quotes: list[DraftQuote] = Field(default_factory=list)
    claims: list[DraftClaim] = Field(default_factory=list)


def _evidence(text: str, article: str) -> Evidence:
    span = find_span(text, article)
    if span is None:
        raise ValueError(f"not in the article: {text[:80]!r}")
    start, end = span
    return Evidence(start=start, end=end, text=article[start:end])


def ground_casualty(draft: DraftCasualty, article: str) -> CasualtyReport:
    figure = parse_figure(draft.figure)
    if figure is None:
        raise ValueError(f"casualty figure {draft.figure!r} is not a number")
    evidence = _evidence(draft.evidence_text, article)
    return CasualtyReport.model_validate(
        {
            "outcome": draft.outcome,
            "figure": figure.model_dump(),
            "victim_group": draft.victim_group,
            "location": draft.location,
            "source": draft.source,
            "evidence": evidence.model_dump(),
        },
        context={"article": article},
    )


def ground_quote(draft: DraftQuote, article: str) -> Quote:
    evidence = _evidence(draft.text, article)
    if len(evidence.text.split()) < 2:
        raise ValueError(f"quote too short to be a quote: {evidence.text!r}")
    return Quote.model_validate(
        {"text": evidence.text, "speaker": draft.speaker, "mode": draft.mode, "evidence": evidence.model_dump()},
        context={"article": article},
    )


def ground_claim(draft: DraftClaim, article: str) -> DisputedClaim:
    evidence = _evidence(draft.evidence_text, article)
    return DisputedClaim.model_validate(
        {
            "claim": draft.claim,
            "claimant": draft.claimant,
            "disputant": draft.disputant,
            "evidence": evidence.model_dump(),
        },
        context={"article": article},
    )


def ground_drafts(
    article: str,
    casualties: list[DraftCasualty] = (),  # type: ignore[assignment]
    quotes: list[DraftQuote] = (),  # type: ignore[assignment]
    claims: list[DraftClaim] = (),  # type: ignore[assignment]
) -> tuple[Extraction, list[str], Dropped]:
    """Grounded items, the error of each failing item (for a re-ask), and the failures counted."""
    extraction = Extraction()
    errors: list[str] = []
    dropped = Dropped()
    for kind, drafts, grounder, bucket in (
        ("casualties", casualties, ground_casualty, extraction.casualties),
        ("quotes", quotes, ground_quote, extraction.quotes),
        ("claims", claims, ground_claim, extraction.claims),
    ):
        for i, draft in enumerate(drafts):
            try:
                bucket.append(grounder(draft, article))  # type: ignore[operator]
            except (ValueError, ValidationError) as exc:
                message = _first_line(exc)
                errors.append(f"{kind}[{i}]: {message}")
                setattr(dropped, kind, getattr(dropped, kind) + 1)
                dropped.reasons.append(f"{kind}: {message}")
    return extraction, errors, dropped


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc).splitlines()[0]
