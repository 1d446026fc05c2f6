"""The contract: pydantic models of one article's structured, source-grounded summary.

Everything the tool emits, every gold label and every eval score is expressed in these models.
Their validators are structural, so no producer (rules, a small local model, a strong hosted
model, a human labeller) can hand on an item that breaks the shape of the contract:

* an :class:`Evidence` span's offsets are ordered and as long as its text;
* a figure's interval agrees with its kind (``more than 1,600`` is ``lower_bound`` with
  ``low=1601``);
* ``subset_of`` / ``nested_in`` point at another item of the same record.

Whether an item is *grounded* in its article (offsets slice the article to the evidence text,
the figure is stated by its evidence, a quote occurs in the article) needs the article and the
figure reader: that is :func:`summarizer.grounding.verify`, the one checkpoint every extraction
passes. This module imports nothing from the package, so loading a stored record or a gold file
never depends on the rules or the figure reader.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1"

#: The disputant value meaning "the article itself says the claim is false".
ARTICLE_VOICE = "the article"

Outcome = Literal["killed", "injured", "missing", "detained", "displaced", "other"]
FigureKind = Literal["exact", "lower_bound", "upper_bound", "range", "approximate"]
VictimGroup = Literal[
    "people",  # unspecified: "118 people", "118 deaths"
    "civilians",
    "children",
    "women",
    "men",
    "fighters",  # non-state armed: rebels, militants, insurgents, guerrillas, jihadists
    "security_forces",  # soldiers, troops, police, guards, officers
    "journalists",
    "aid_workers",  # humanitarian, medical and rescue workers
    "other",
]
TimeScope = Literal["incident", "day", "cumulative", "unspecified"]
QuoteMode = Literal["direct", "indirect"]


ItemOrigin = Literal["rules", "model", "both"]


class ItemProvenance(BaseModel):
    """Where an item came from: the rule that made it and whether a model proposed or changed it.

    Shared by every item kind so that the eval can report per rule and a review by a model can say
    which fields it and the rules disagreed on. All optional: gold labels carry none of them.
    """

    rule: Optional[str] = Field(
        default=None, description="Id of the rule that made the item (see summarizer/rules); None for model items."
    )
    speaker_rule: Optional[str] = Field(
        default=None, description="Id of the rule that chose the speaker or source, where one did."
    )
    origin: Optional[ItemOrigin] = Field(
        default=None, description='"rules", "model" or "both" (rules proposed it and a model kept or corrected it).'
    )
    model_changed: list[str] = Field(
        default_factory=list, description="Fields the model corrected, where rules and model disagreed."
    )


class Evidence(BaseModel):
    """A verbatim span of the article: ``article[start:end] == text`` (checked by
    :func:`summarizer.grounding.verify`, which has the article)."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0, description="Character offset where the span starts (inclusive).")
    end: int = Field(ge=0, description="Character offset where the span ends (exclusive).")
    text: str = Field(min_length=1, description="The article text between the offsets.")

    @model_validator(mode="after")
    def _offsets_span_text(self) -> "Evidence":
        if self.end <= self.start:
            raise ValueError(f"evidence end {self.end} must be after start {self.start}")
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"evidence offsets {self.start}:{self.end} span {self.end - self.start} "
                f"characters but the text has {len(self.text)}"
            )
        return self


class Figure(BaseModel):
    """A count as the article states it, normalised to an inclusive integer interval.

    ``low``/``high`` are inclusive; ``high`` is ``None`` when the article gives no upper bound.
    ``approximate`` figures ("about 50", "dozens") carry the nominal interval; scoring allows
    a tolerance around it.
    """

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description='The figure as written, e.g. "more than 1,600".')
    kind: FigureKind
    low: Optional[int] = Field(default=None, ge=0)
    high: Optional[int] = Field(default=None, ge=0)
    qualifier: Optional[str] = Field(
        default=None, description='The words that qualify the number: "more than", "at least", "about".'
    )

    @model_validator(mode="after")
    def _interval_matches_kind(self) -> "Figure":
        low, high, kind = self.low, self.high, self.kind
        if kind == "exact" and (low is None or low != high):
            raise ValueError(f"an exact figure needs low == high, got {low}..{high}")
        if kind == "lower_bound" and (low is None or high is not None):
            raise ValueError(f"a lower bound needs low and no high, got {low}..{high}")
        if kind == "upper_bound" and high is None:
            raise ValueError("an upper bound needs high")
        if kind in ("range", "approximate") and (low is None or high is None):
            raise ValueError(f"a {kind} figure needs both low and high")
        if low is not None and high is not None and low > high:
            raise ValueError(f"low {low} is above high {high}")
        return self

    def interval(self) -> tuple[int, Optional[int]]:
        """(low, high) with an unknown low read as 0 and an unknown high as unbounded."""
        return (self.low or 0, self.high)


DerivationRule = Literal["sum", "difference"]


class CountTerm(BaseModel):
    """One mention a derived count is made of: a victim the article reports singly ("a 15-year-old
    boy was shot to death": ``figure`` None, one person) or a figure it states ("four people were
    shot": ``figure`` 4, which its evidence must state)."""

    model_config = ConfigDict(extra="forbid")

    evidence: Evidence
    figure: Optional[Figure] = Field(default=None, description="None: the evidence names one person.")

    def value(self) -> Optional[int]:
        """The count this term stands for: 1 for a single victim, an exact figure's value, else None."""
        if self.figure is None:
            return 1
        return self.figure.low if self.figure.kind == "exact" else None


class Derivation(BaseModel):
    """How the rules arrived at a figure no single span states, from spans that each do.

    News reports victims one by one ("a man was killed ... a woman died later") or as a total and
    a part ("four people were shot, one fatally": 3 injured). The report's figure is then the
    ``sum`` of its terms, or the first term less the others (``difference``); each term is a span
    of the article, checked by :func:`summarizer.grounding.verify` like any evidence.
    """

    model_config = ConfigDict(extra="forbid")

    rule: DerivationRule
    terms: list[CountTerm] = Field(min_length=1)

    def value(self) -> Optional[int]:
        """The count the terms give, or None when a term is not an exact count."""
        values = [term.value() for term in self.terms]
        if any(v is None for v in values):
            return None
        if self.rule == "sum":
            return sum(values)  # type: ignore[arg-type]
        return values[0] - sum(values[1:])  # type: ignore[operator]


class CasualtyReport(ItemProvenance):
    """One figure of people harmed, as one source reports it (or as the rules count it from
    several mentions: ``derivation``)."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    figure: Figure
    victim_group: VictimGroup = "people"
    subset_of: Optional[int] = Field(
        default=None,
        description="Index (in this record's casualties) of the report this figure is part of, "
        'as in "among the dead were 11 women".',
    )
    location: Optional[str] = Field(default=None, description="Where, as the article names it.")
    time_scope: TimeScope = "unspecified"
    period: Optional[str] = Field(
        default=None, description='When, as written: "on Wednesday", "since September 30".'
    )
    source: Optional[str] = Field(
        default=None, description="Who reports the figure, as named; None when the article's own voice."
    )
    perpetrator: Optional[str] = Field(
        default=None, description="Who or what the article says caused it: \"Russian airstrikes\"."
    )
    evidence: Evidence
    derivation: Optional[Derivation] = Field(
        default=None,
        description="Set when no span states the figure: the mentions it was counted from. The "
        "evidence is then the first mention; the figure is exact and equals the derivation's value.",
    )

    @model_validator(mode="after")
    def _derived_figure_adds_up(self) -> "CasualtyReport":
        if self.derivation is not None:
            value = self.derivation.value()
            if value is None or value < 0 or self.figure.kind != "exact" or self.figure.low != value:
                raise ValueError(
                    f"a derived figure must be exact and equal its terms' {self.derivation.rule} "
                    f"({value}), got {self.figure.kind} {self.figure.low}"
                )
        return self


class Quote(ItemProvenance):
    """Words the article attributes to someone, verbatim (direct) or reported (indirect)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The quoted words, verbatim, without quote marks.")
    speaker: Optional[str] = Field(default=None, description="Who said it, as the article names them.")
    speaker_role: Optional[str] = Field(
        default=None, description='Role or affiliation where given: "Russian Foreign Minister".'
    )
    mode: QuoteMode
    nested_in: Optional[int] = Field(
        default=None, description="Index (in this record's quotes) of the quote this one sits inside."
    )
    evidence: Evidence


class DisputedClaim(ItemProvenance):
    """A statement that someone makes and someone else (or the article) disputes or calls false."""

    model_config = ConfigDict(extra="forbid")

    claim: str = Field(min_length=1, description="What is claimed, as close to the article's words as possible.")
    claimant: Optional[str] = Field(default=None, description="Who makes the claim, as named.")
    disputant: Optional[str] = Field(
        default=None,
        description=f'Who disputes it or calls it false; "{ARTICLE_VOICE}" when the article itself does.',
    )
    counter_claim: Optional[str] = Field(default=None, description="What the disputant says instead, where stated.")
    evidence: Evidence


class Extraction(BaseModel):
    """The content of one article's summary: what a strategy produces and a gold file labels."""

    model_config = ConfigDict(extra="forbid")

    summary: str = ""
    casualties: list[CasualtyReport] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    claims: list[DisputedClaim] = Field(default_factory=list)

    @model_validator(mode="after")
    def _indexes_point_inside(self) -> "Extraction":
        for i, report in enumerate(self.casualties):
            if report.subset_of is not None and not (0 <= report.subset_of < len(self.casualties)) or report.subset_of == i:
                raise ValueError(f"casualty {i}: subset_of {report.subset_of} is not another report")
        for i, quote in enumerate(self.quotes):
            if quote.nested_in is not None and not (0 <= quote.nested_in < len(self.quotes)) or quote.nested_in == i:
                raise ValueError(f"quote {i}: nested_in {quote.nested_in} is not another quote")
        return self


class Usage(BaseModel):
    """Model calls and tokens spent on one article (cached calls cost no tokens)."""

    calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: "Usage") -> None:
        self.calls += other.calls
        self.cached_calls += other.cached_calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


class Dropped(BaseModel):
    """Items a strategy proposed that failed grounding after re-asking, counted, never passed on."""

    casualties: int = 0
    quotes: int = 0
    claims: int = 0
    reasons: list[str] = Field(default_factory=list)

    @property
    def total(self) -> int:
        return self.casualties + self.quotes + self.claims

    def add(self, other: "Dropped") -> None:
        """Count ``other``'s drops and reasons in these (chunks, questions and guards each drop)."""
        self.casualties += other.casualties
        self.quotes += other.quotes
        self.claims += other.claims
        self.reasons.extend(other.reasons)


class Provenance(BaseModel):
    """What produced a record, so that it can be reproduced and compared."""

    summarizer_version: str
    schema_version: str = SCHEMA_VERSION
    strategy: str
    backend: str = Field(description='"embedded", "openai-compatible" or "none" (rules only).')
    model: Optional[str] = None
    prompt_version: Optional[str] = Field(default=None, description="Hash of the prompt files used.")
    settings: dict[str, Any] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0


class ErrorInfo(BaseModel):
    """Why an article produced no extraction: a specific, per-article reason."""

    kind: str = Field(description='A stable code: "empty_input", "binary_input", "model_error", ...')
    message: str


class ArticleRecord(Extraction):
    """One line of output: an article's extraction plus status, drops and provenance."""

    model_config = ConfigDict(extra="forbid")

    id: str
    status: Literal["ok", "error"] = "ok"
    error: Optional[ErrorInfo] = None
    title: Optional[str] = None
    date: Optional[str] = Field(default=None, description="Publication date as given with the input (not parsed).")
    url: Optional[str] = Field(default=None, description="Where the article came from, as given with the input.")
    input_sha256: Optional[str] = None
    chars: int = 0
    dropped: Dropped = Field(default_factory=Dropped)
    provenance: Optional[Provenance] = None
