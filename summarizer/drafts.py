"""Items as a model proposes them (no offsets), and how they become grounded schema items.

A model cannot count characters, so it is asked for verbatim evidence text; offsets are found
here. An item whose evidence, quote or figure is not in the article is not passed on: the caller
re-asks once with the reasons, then drops what still fails and counts it in ``Dropped``.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.figures import parse_figure
from summarizer.grounding import find_span, unsupported_terms, verify
from summarizer.schema import (
    ARTICLE_VOICE,
    CasualtyReport,
    DisputedClaim,
    Dropped,
    Evidence,
    Extraction,
    Outcome,
    Quote,
    QuoteMode,
    TimeScope,
    VictimGroup,
)


def _without_defaults(schema: dict[str, Any]) -> None:
    """Drop ``default`` from the JSON Schema sent to the model (validation still applies it).

    OpenAI's strict structured outputs accept no ``default`` keyword and require every property,
    so an answer model whose schema carries none passes ``to_strict_json_schema`` unchanged in
    meaning (see tests/test_strict_schemas.py)."""
    for prop in schema.get("properties", {}).values():
        if isinstance(prop, dict):
            prop.pop("default", None)


class AnswerModel(BaseModel):
    """Base of every response model a model fills: its schema is usable in OpenAI strict mode."""

    model_config = ConfigDict(json_schema_extra=_without_defaults)


class DraftCasualty(AnswerModel):
    outcome: Outcome
    figure: str = Field(description='The number as written in the article, e.g. "more than 1,600".')
    victim_group: VictimGroup = "people"
    location: Optional[str] = None
    time_scope: TimeScope = Field(
        default="unspecified", description="incident, day, cumulative (a running total), or unspecified."
    )
    period: Optional[str] = Field(default=None, description='When, as written: "on Wednesday", "since May".')
    source: Optional[str] = Field(default=None, description="Who reports the figure; null for the article's own voice.")
    perpetrator: Optional[str] = Field(default=None, description="Who or what caused it, as the article says.")
    subset_of: Optional[int] = Field(
        default=None, description='Index (from 0) in this list of the figure this one is part of ("among the dead").'
    )
    evidence_text: str = Field(description="The exact words of the article stating the figure.")


class DraftQuote(AnswerModel):
    text: str = Field(description="The quoted words copied exactly from the article.")
    speaker: Optional[str] = None
    speaker_role: Optional[str] = Field(default=None, description="The speaker's role or affiliation, where given.")
    mode: QuoteMode = "direct"


class DraftClaim(AnswerModel):
    claim: str
    claimant: Optional[str] = None
    disputant: Optional[str] = Field(default=None, description='Who disputes it; "the article" when the article itself does.')
    counter_claim: Optional[str] = Field(default=None, description="What the disputant says instead, where stated.")
    evidence_text: str = Field(description="The exact sentence of the article stating the claim.")


class DraftExtraction(AnswerModel):
    """The whole schema in one answer (the naive strategy's question)."""

    summary: str = ""
    casualties: list[DraftCasualty] = Field(default_factory=list)
    quotes: list[DraftQuote] = Field(default_factory=list)
    claims: list[DraftClaim] = Field(default_factory=list)


class DraftAdditions(AnswerModel):
    """Quotes and claims a capable model adds to the rules' candidates."""

    quotes: list[DraftQuote] = Field(default_factory=list)
    claims: list[DraftClaim] = Field(default_factory=list)


#: Name fields a model fills; each must be the article's (every capitalised word and number of it
#: occurs in the article), so an invented speaker or source is refused like an invented quote.
NAME_FIELDS = ("location", "source", "perpetrator", "speaker", "speaker_role", "claimant", "disputant")


def check_names(values: dict[str, object], article: str) -> None:
    """Raise ValueError for the first name field in ``values`` that states a name or number the
    article does not (a wrong but real name passes: grounding cannot know who said what)."""
    for name in NAME_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and value.strip() and value != ARTICLE_VOICE:
            missing = unsupported_terms(value, article)
            if missing:
                raise ValueError(f"{name} {value!r} names {missing} that the article does not")


_QUOTE_MARK_CHARS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"


def _in_quote_marks(evidence: Evidence, article: str) -> bool:
    """A one-word quote counts only where the article itself marks it (scare quotes: "biased")."""
    before = article[evidence.start - 1] if evidence.start > 0 else ""
    after = article[evidence.end] if evidence.end < len(article) else ""
    return bool(before) and before in _QUOTE_MARK_CHARS and bool(after) and after in _QUOTE_MARK_CHARS + ".,"


def _evidence(text: str, article: str) -> Evidence:
    span = find_span(text, article, prefer_same_case=True)
    if span is None:
        raise ValueError(f"not in the article: {text[:80]!r}")
    start, end = span
    return Evidence(start=start, end=end, text=article[start:end])


def place_casualty(draft: DraftCasualty, article: str) -> CasualtyReport:
    figure = parse_figure(draft.figure)
    if figure is None:
        raise ValueError(f"casualty figure {draft.figure!r} is not a number")
    check_names(draft.model_dump(), article)
    return CasualtyReport(
        outcome=draft.outcome, figure=figure, victim_group=draft.victim_group, location=draft.location,
        time_scope=draft.time_scope, period=draft.period, source=draft.source, perpetrator=draft.perpetrator,
        evidence=_evidence(draft.evidence_text, article), origin="model",
    )


def place_quote(draft: DraftQuote, article: str) -> Quote:
    evidence = _evidence(draft.text, article)
    if len(evidence.text.split()) < 2 and not _in_quote_marks(evidence, article):
        raise ValueError(f"quote too short to be a quote: {evidence.text!r}")
    check_names(draft.model_dump(), article)
    return Quote(text=evidence.text, speaker=draft.speaker, speaker_role=draft.speaker_role, mode=draft.mode,
                 evidence=evidence, origin="model")


def place_claim(draft: DraftClaim, article: str) -> DisputedClaim:
    check_names(draft.model_dump(), article)
    return DisputedClaim(
        claim=draft.claim, claimant=draft.claimant, disputant=draft.disputant, counter_claim=draft.counter_claim,
        evidence=_evidence(draft.evidence_text, article), origin="model",
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
    placed: dict[tuple[str, int], int] = {}
    for kind, drafts, place, bucket in (
        ("casualties", casualties, place_casualty, extraction.casualties),
        ("quotes", quotes, place_quote, extraction.quotes),
        ("claims", claims, place_claim, extraction.claims),
    ):
        for i, draft in enumerate(drafts):
            try:
                bucket.append(place(draft, article))  # type: ignore[operator]
            except (ValueError, ValidationError) as exc:
                setattr(dropped, kind, getattr(dropped, kind) + 1)
                dropped.reasons.append(f"{kind}: {_first_line(exc)}")
            else:
                placed[(kind, i)] = len(bucket) - 1
    # a subset link names a draft's position: move it to the placed list (None if its parent failed)
    for i, draft in enumerate(casualties):
        parent = getattr(draft, "subset_of", None)
        if ("casualties", i) in placed and isinstance(parent, int) and ("casualties", parent) in placed and parent != i:
            extraction.casualties[placed[("casualties", i)]].subset_of = placed[("casualties", parent)]
    extraction, ungrounded = verify(extraction, article)
    dropped.add(ungrounded)
    return extraction, dropped


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc).splitlines()[0]
