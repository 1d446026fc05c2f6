"""Items as a model proposes them (no offsets), and how they become grounded schema items.

A model cannot count characters, so it is asked for verbatim evidence text; offsets are found
here. An item whose evidence, quote or figure is not in the article is not passed on: the caller
re-asks once with the reasons, then drops what still fails and counts it in ``Dropped``.
"""

from __future__ import annotations

from typing import Optional, Sequence

from pydantic import BaseModel, Field, ValidationError

from summarizer.figures import parse_figure
from summarizer.grounding import find_span, verify
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


def place_casualty(draft: DraftCasualty, article: str) -> CasualtyReport:
    figure = parse_figure(draft.figure)
    if figure is None:
        raise ValueError(f"casualty figure {draft.figure!r} is not a number")
    return CasualtyReport(
        outcome=draft.outcome, figure=figure, victim_group=draft.victim_group, location=draft.location,
        source=draft.source, evidence=_evidence(draft.evidence_text, article),
    )


def place_quote(draft: DraftQuote, article: str) -> Quote:
    evidence = _evidence(draft.text, article)
    if len(evidence.text.split()) < 2:
        raise ValueError(f"quote too short to be a quote: {evidence.text!r}")
    return Quote(text=evidence.text, speaker=draft.speaker, mode=draft.mode, evidence=evidence)


def place_claim(draft: DraftClaim, article: str) -> DisputedClaim:
    return DisputedClaim(
        claim=draft.claim, claimant=draft.claimant, disputant=draft.disputant,
        evidence=_evidence(draft.evidence_text, article),
    )


def ground_drafts(
    article: str,
    casualties: Sequence[DraftCasualty] = (),
    quotes: Sequence[DraftQuote] = (),
    claims: Sequence[DraftClaim] = (),
) -> tuple[Extraction, Dropped]:
    """Grounded items and the failures counted, each with its reason (what a re-ask quotes).

    A draft whose evidence is not in the article (or whose figure is no number) cannot become an
    item and is dropped here; the items made pass :func:`summarizer.grounding.verify`, the same
    checkpoint as every strategy's output.
    """
    extraction = Extraction()
    dropped = Dropped()
    for kind, drafts, place, bucket in (
        ("casualties", casualties, place_casualty, extraction.casualties),
        ("quotes", quotes, place_quote, extraction.quotes),
        ("claims", claims, place_claim, extraction.claims),
    ):
        for draft in drafts:
            try:
                bucket.append(place(draft, article))  # type: ignore[operator]
            except (ValueError, ValidationError) as exc:
                setattr(dropped, kind, getattr(dropped, kind) + 1)
                dropped.reasons.append(f"{kind}: {_first_line(exc)}")
    extraction, ungrounded = verify(extraction, article)
    dropped.add(ungrounded)
    return extraction, dropped


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc).splitlines()[0]
