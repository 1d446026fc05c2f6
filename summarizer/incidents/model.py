"""The incident contract: pydantic models of events grouped across articles, with every toll.

An :class:`Incident` is one real event: its dates and place, every article that reports it, and
every casualty report those articles make (:class:`SourceFigure`, with its figure, qualifier,
source and evidence span). Per outcome, :class:`OutcomeToll` gives the minimum and maximum of
the articles' figures, the latest article's figure and whether the sources disagree. Cumulative
figures and subsets ("among the dead were 11 women") are listed with the incident, flagged
``counted=False``, and never enter its toll.

Every casualty report of the input ends in exactly one incident or in
:attr:`IncidentSet.unassigned` with a reason code (:data:`UnassignedReason`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, Field

from summarizer.schema import Evidence, FigureKind, Outcome, TimeScope, VictimGroup

UnassignedReason = Literal[
    "duplicate_article",  # the same article id (same text) came twice: its reports are counted once
    "conflicting_duplicate",  # the same article id with a different record (another run or text)
    "no_date",  # no publication date and no day named in the text: nothing to place it in time
]

#: How an incident's single toll per outcome is chosen from its articles' figures (see
#: :class:`OutcomeToll`); ``median`` is the default, chosen on the GVA dev incidents.
TollRule = Literal["median", "max", "latest"]


class EventDateModel(BaseModel):
    """An event date as an inclusive interval, the cue it was read from and the rule that read it."""

    start: dt.date
    end: dt.date
    cue: str
    rule: str


class PlaceModel(BaseModel):
    """A place as written, its matching key and the US state (USPS code) when known."""

    text: str
    key: str
    state: Optional[str] = None
    rule: str


class SourceFigure(BaseModel):
    """One casualty report, as one article and source gave it, placed in an incident."""

    article_id: str
    casualty_index: int = Field(description="Index of the report in its article record's casualties.")
    outcome: Outcome
    figure_text: str
    figure_kind: FigureKind
    low: Optional[int] = None
    high: Optional[int] = None
    qualifier: Optional[str] = None
    victim_group: VictimGroup = "people"
    time_scope: TimeScope = "unspecified"
    source: Optional[str] = None
    perpetrator: Optional[str] = None
    location: Optional[str] = None
    period: Optional[str] = None
    evidence: Evidence
    rule: Optional[str] = Field(default=None, description="The extraction rule that made the report.")
    event_date: Optional[EventDateModel] = None
    counted: bool = Field(description="Whether the figure can stand for the incident's toll.")
    not_counted_because: Optional[str] = Field(
        default=None, description='"cumulative" or "subset" when counted is False.'
    )
    view_anchor: Optional[str] = Field(
        default=None, description="Element id of this report in the article view (summarizer show)."
    )


class ArticleRef(BaseModel):
    """An article in an incident: what it is, when it was published and its own toll."""

    id: str
    title: Optional[str] = None
    url: Optional[str] = None
    published: Optional[dt.date] = None
    run: Optional[str] = Field(default=None, description="strategy/backend/prompt of the record's run.")
    event_date: Optional[EventDateModel] = None
    places: list[PlaceModel] = Field(default_factory=list)
    tolls: dict[str, list[Optional[int]]] = Field(
        default_factory=dict, description="outcome -> [low, high] of the article's largest counted figure."
    )
    linked_by: Optional[str] = Field(default=None, description="The link rule that joined it to the incident.")
    view_anchor: Optional[str] = None
    part: int = Field(default=0, description=(
        "0: the article's main event; 1, 2...: another event the same article reports (its own date, place, reports)."))


class OutcomeToll(BaseModel):
    """One outcome's figures across an incident's articles."""

    outcome: Outcome
    min: int = Field(description="Smallest article figure (its low end).")
    max: Optional[int] = Field(description="Largest article figure (its high end; None when open-ended).")
    max_low: int = Field(description="Largest low end: the most any article says at least happened.")
    latest: int = Field(description="The most recently published article's figure (low end).")
    latest_article: str
    median: int = Field(description=(
        "The lower median of the articles' figures (low ends); for injured, an article that gives a "
        "death toll and no injured figure counts as 0 injured."))
    articles: int
    reports: int
    disagree: bool = Field(description="Whether two articles' figures do not overlap.")

    def value(self, rule: TollRule) -> int:
        """The incident's figure under ``rule``.

        Why the lower median: on the GVA dev incidents (split by incident id, tuned on half A,
        confirmed on B) it equals the final toll more often than the latest or the largest report
        (all 1,706 incidents, records at 3ea1f89: killed 0.807 vs 0.791 latest and 0.771 max; injured 0.696
        vs 0.651 and 0.623; also best of latest, max, mode and min on each half alone): one
        article that over-counts (a page that also lists another shooting's victims) or one
        article of another event joined to the incident moves the largest and the latest figure
        but not the median. A death report silent on wounded most often means there were none,
        so it counts as 0 injured; a report of wounded silent on deaths is often written before a
        victim died, so it does not count as 0 killed (counting it lowers killed exact).
        """
        if rule == "max":
            return self.max_low
        return self.median if rule == "median" else self.latest


class Incident(BaseModel):
    """One real event across articles (see the module doc)."""

    id: str
    date_start: Optional[dt.date] = None
    date_end: Optional[dt.date] = None
    date_cues: list[str] = Field(default_factory=list)
    published_first: Optional[dt.date] = None
    published_last: Optional[dt.date] = None
    place: Optional[str] = Field(default=None, description="The place most of its articles name, as written.")
    place_key: Optional[str] = None
    state: Optional[str] = None
    places: list[str] = Field(default_factory=list, description="Every place its articles name, as written.")
    articles: list[ArticleRef]
    sources: list[str] = Field(default_factory=list, description="Every named source of a figure.")
    reports: list[SourceFigure] = Field(default_factory=list, description="Figures that count toward the toll.")
    cumulative: list[SourceFigure] = Field(
        default_factory=list, description="Cumulative figures and subsets: listed, never added to the toll."
    )
    tolls: dict[str, OutcomeToll] = Field(default_factory=dict)
    disagreements: list[str] = Field(default_factory=list)
    link_rules: list[str] = Field(default_factory=list, description="The rules that joined its articles.")

    def toll(self, outcome: str, rule: TollRule = "median") -> int:
        """The incident's figure for ``outcome`` under ``rule`` (0 when no article gives one)."""
        toll = self.tolls.get(outcome)
        return toll.value(rule) if toll is not None else 0


class Unassigned(BaseModel):
    """A casualty report (or an article) that is in no incident, and why."""

    article_id: str
    casualty_index: Optional[int] = None
    reason: UnassignedReason
    message: str


class InputProblem(BaseModel):
    """An input record that contributed nothing, or a warning about the input as a whole."""

    article_id: Optional[str] = None
    kind: str = Field(description='"error_record", "mixed_runs", "unparsable_date", ...')
    message: str


class IncidentSet(BaseModel):
    """The result of grouping a batch: incidents, what is in none, and what was wrong with the input."""

    incidents: list[Incident] = Field(default_factory=list)
    unassigned: list[Unassigned] = Field(default_factory=list)
    problems: list[InputProblem] = Field(default_factory=list)
    articles: int = Field(default=0, description="Distinct article ids read.")
    reports: int = Field(default=0, description="Casualty reports read (each in one incident or unassigned).")
    toll_rule: TollRule = "median"
