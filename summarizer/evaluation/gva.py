"""The Gun Violence Archive shooting reports (SemEval-2018 Task 5 data) as a casualty benchmark.

Real US local news, one incident per article, with the incident's *final* toll as the GVA
recorded it (``killed``: died; ``injured``: shot and survived). Read at run time from
``../shared/datasets/gva/dev.jsonl`` (never copied here). The mapping is in ``evals/GVA.md``:

* per article, the gold is at most two items: killed = the final death toll when it is above 0,
  injured = the final injured toll when above 0 (exact figures; victim group not matched);
* an item of ours **holds the toll** when its outcome is the same and its figure is compatible
  with the toll (the gold set's casualty matcher: exact equal, bounds and ranges contain it);
* a **toll above the final** is a stated figure that cannot be an earlier, lower count: killed
  above the final killed, or injured above final injured + killed (the wounded who later died);
* a **death where none happened**: the incident killed nobody and we report killed >= 1.

Only our killed and injured items are compared; other outcomes (missing, detained, displaced)
are outside what the GVA records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from summarizer.evaluation.datasets import jsonl_rows
from summarizer.evaluation.scoring import (
    CASUALTIES_ONLY,
    TOKEN_CLAIMS,
    Accuracy,
    ArticleScore,
    ScoringOptions,
    score_article,
)
from summarizer.schema import CasualtyReport, Evidence, Extraction, Figure

#: Casualties only, no secondary fields, victim group not matched (the GVA has no typing).
GVA_OPTIONS = ScoringOptions(fields=CASUALTIES_ONLY, secondary=False, match_victim_group=False, claim_matcher=TOKEN_CLAIMS)

#: The outcomes the GVA records.
GVA_OUTCOMES = ("killed", "injured")


@dataclass(frozen=True)
class GvaIncident:
    """The GVA's record of the incident: place, date as the GVA gives it, the final toll."""

    date: str
    state: str
    city_or_county: str
    address: str
    killed: int
    injured: int


@dataclass(frozen=True)
class GvaToll:
    """One final-toll figure as a casualty item the casualty matcher reads (no evidence)."""

    outcome: str
    figure: Figure
    victim_group: str = "people"
    evidence: Optional[Evidence] = None


@dataclass(frozen=True)
class GvaArticle:
    """One archived article: title + blank line + the crawled page, and its incident's toll."""

    id: str
    incident: str
    title: str
    date: str
    url: str
    text: str
    gva: GvaIncident
    summary: str = ""
    quotes: tuple = ()
    claims: tuple = ()

    @property
    def casualties(self) -> tuple[GvaToll, ...]:
        """The final toll as gold items: killed and injured, each only when above 0."""
        items = []
        for outcome, count in (("killed", self.gva.killed), ("injured", self.gva.injured)):
            if count > 0:
                items.append(GvaToll(outcome, Figure(text=str(count), kind="exact", low=count, high=count)))
        return tuple(items)


def load_gva(path: Path | str) -> list[GvaArticle]:
    """Every article of a GVA JSONL file (``gva/dev.jsonl``), in file order.

    An article that reports two incidents appears once per incident (same article id, different
    ``incident``); raises FileNotFoundError when the file is absent, ValueError on a bad toll.
    """
    articles = []
    for where, raw in jsonl_rows(Path(path)):
        gva = raw["gva"]
        killed, injured = int(gva["killed"]), int(gva["injured"])
        if killed < 0 or injured < 0:
            raise ValueError(f"{where}: negative toll {killed}/{injured}")
        articles.append(
            GvaArticle(
                id=str(raw["id"]), incident=str(raw["incident"]), title=str(raw.get("title") or ""),
                date=str(raw.get("date") or ""), url=str(raw.get("url") or ""), text=raw["text"],
                gva=GvaIncident(
                    date=str(gva.get("date") or ""), state=str(gva.get("state") or ""),
                    city_or_county=str(gva.get("city_or_county") or ""), address=str(gva.get("address") or ""),
                    killed=killed, injured=injured,
                ),
            )
        )
    return articles


def article_key(article: GvaArticle) -> str:
    """A unique key per line: ``id`` alone repeats for the 11 articles that report two incidents."""
    return f"{article.id}@{article.incident}"


def compared_casualties(predicted: Extraction) -> list[CasualtyReport]:
    """Our items the GVA can judge: killed and injured, in record order."""
    return [c for c in predicted.casualties if c.outcome in GVA_OUTCOMES]


def _above(figure: Figure, bound: int) -> bool:
    low, _ = figure.interval()
    return low > bound


def score_gva(article: GvaArticle, predicted: Extraction) -> ArticleScore:
    """The casualties field against the final toll, and per-article measures (secondary):

    ``gva.killed_found`` (articles with deaths: a killed item holds the toll),
    ``gva.injured_found`` (articles with injured: an injured item holds the toll),
    ``gva.killed_above_toll`` (articles where we report killed: one states more than died),
    ``gva.injured_above_toll`` (articles where we report injured: more than were ever shot
    and survived or died), ``gva.death_where_none`` (articles whose incident killed nobody:
    we report killed >= 1)."""
    ours = compared_casualties(predicted)
    restricted = predicted.model_copy(update={"casualties": ours, "quotes": [], "claims": []})
    result = score_article(article, restricted, article.text, options=GVA_OPTIONS, article_id=article_key(article))  # type: ignore[arg-type]
    result.hallucinated_quotes = 0
    gold = article.casualties
    matched = {gold[g].outcome for g in (pair.gold for pair in result.diffs["casualties"].matched)}
    killed = [c for c in ours if c.outcome == "killed"]
    injured = [c for c in ours if c.outcome == "injured"]
    toll = article.gva
    measures = {name: Accuracy() for name in (
        "gva.killed_found", "gva.injured_found", "gva.killed_above_toll", "gva.injured_above_toll", "gva.death_where_none",
    )}
    if toll.killed > 0:
        measures["gva.killed_found"] = Accuracy(right=int("killed" in matched), total=1)
    if toll.injured > 0:
        measures["gva.injured_found"] = Accuracy(right=int("injured" in matched), total=1)
    if killed:
        measures["gva.killed_above_toll"] = Accuracy(right=int(any(_above(c.figure, toll.killed) for c in killed)), total=1)
    if injured:
        measures["gva.injured_above_toll"] = Accuracy(
            right=int(any(_above(c.figure, toll.injured + toll.killed) for c in injured)), total=1
        )
    if toll.killed == 0:
        measures["gva.death_where_none"] = Accuracy(right=int(any(c.figure.interval()[0] >= 1 for c in killed)), total=1)
    result.secondary.update(measures)
    return result


@dataclass(frozen=True)
class GvaStatistics:
    """What the benchmark can measure: articles, incidents, and how many have each outcome."""

    articles: int
    incidents: int
    with_deaths: int
    with_injured: int
    without_deaths: int


def statistics(articles: Sequence[GvaArticle]) -> GvaStatistics:
    return GvaStatistics(
        articles=len(articles), incidents=len({a.incident for a in articles}),
        with_deaths=sum(a.gva.killed > 0 for a in articles), with_injured=sum(a.gva.injured > 0 for a in articles),
        without_deaths=sum(a.gva.killed == 0 for a in articles),
    )
