"""The eval's difference of one article: gold labels against a prediction, item by item.

What the scorer paired (matched), what gold has and the prediction lacks (missed) and what the
prediction adds (extra), per item kind, with the scorer's words for the secondary fields a pair
disagrees on. :func:`summarizer.html_view.render_eval` draws it into the article; nothing here
knows about HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

from summarizer.schema import CasualtyReport, DisputedClaim, Extraction, Quote

Item = Union[CasualtyReport, Quote, DisputedClaim]
ItemKind = Literal["casualty", "quote", "claim"]
MatchStatus = Literal["matched", "missed", "extra"]

#: Record field holding each kind of item, in the order the views show them.
KIND_FIELDS: dict[ItemKind, str] = {"casualty": "casualties", "quote": "quotes", "claim": "claims"}


@dataclass(frozen=True)
class KindDiff:
    """Gold and predicted items of one kind in one article, and which of them the scorer paired.

    ``matches`` holds ``(gold index, predicted index)`` pairs; a gold item in no pair was
    missed, a predicted item in no pair is extra. ``mismatches``, when given, runs parallel to
    ``matches``: the scorer's words for the secondary fields a matched pair disagrees on.
    """

    gold: Sequence[Item] = ()
    predicted: Sequence[Item] = ()
    matches: Sequence[tuple[int, int]] = ()
    mismatches: Sequence[Sequence[str]] = ()

    def __post_init__(self) -> None:
        for g, p in self.matches:
            if not (0 <= g < len(self.gold) and 0 <= p < len(self.predicted)):
                raise ValueError(f"match ({g}, {p}) is outside {len(self.gold)} gold / {len(self.predicted)} predicted")
        if self.mismatches and len(self.mismatches) != len(self.matches):
            raise ValueError(f"{len(self.mismatches)} mismatch lists for {len(self.matches)} matches")

    def gold_status(self, index: int) -> MatchStatus:
        return "matched" if any(g == index for g, _ in self.matches) else "missed"

    def predicted_status(self, index: int) -> MatchStatus:
        return "matched" if any(p == index for _, p in self.matches) else "extra"

    def counts(self) -> dict[MatchStatus, int]:
        return {
            "matched": len(self.matches),
            "missed": sum(self.gold_status(i) == "missed" for i in range(len(self.gold))),
            "extra": sum(self.predicted_status(i) == "extra" for i in range(len(self.predicted))),
        }


@dataclass(frozen=True)
class ArticleDiff:
    """One article's gold labels against a prediction, as :func:`render_eval` shows them."""

    id: str
    casualties: KindDiff = field(default_factory=KindDiff)
    quotes: KindDiff = field(default_factory=KindDiff)
    claims: KindDiff = field(default_factory=KindDiff)
    title: Optional[str] = None
    gold_summary: str = ""
    predicted_summary: str = ""
    #: Optional per-article scores, shown in the article's header (e.g. ``{"casualties_f1": 0.8}``).
    scores: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_extractions(
        cls,
        id: str,
        gold: Extraction,
        predicted: Extraction,
        matches: Mapping[str, Sequence[tuple[int, int]]],
        **extra: Any,
    ) -> "ArticleDiff":
        """Build from a gold and a predicted extraction; ``matches`` is keyed by record field
        (``"casualties"``, ``"quotes"``, ``"claims"``)."""
        diffs = {
            name: KindDiff(getattr(gold, name), getattr(predicted, name), tuple(matches.get(name, ())))
            for name in KIND_FIELDS.values()
        }
        extra.setdefault("gold_summary", gold.summary)
        extra.setdefault("predicted_summary", predicted.summary)
        return cls(id=id, **diffs, **extra)

    @classmethod
    def from_score(cls, score: Any, gold: Extraction, predicted: Extraction, **extra: Any) -> "ArticleDiff":
        """Build from :func:`summarizer.evaluation.scoring.score_article`'s ``ArticleScore``
        and the two extractions it compared (the score holds indexes, not items).

        The article's F1 per field, summary scores and grounding counts go to ``scores``.
        """
        diffs: dict[str, KindDiff] = {}
        for name in KIND_FIELDS.values():
            field_diff = score.diffs.get(name)
            pairs = list(field_diff.matched) if field_diff is not None else []
            diffs[name] = KindDiff(
                getattr(gold, name),
                getattr(predicted, name),
                tuple((pair.gold, pair.predicted) for pair in pairs),
                tuple(tuple(pair.mismatches) for pair in pairs),
            )
        article_scores: dict[str, Any] = {f"{name} F1": value.f1 for name, value in score.fields.items()}
        for key in ("summary_rouge_l", "lead3_rouge_l", "summary_faithful", "hallucinated_quotes", "ungrounded_items"):
            value = getattr(score, key, None)
            if value is not None:
                article_scores[key.replace("_", " ")] = value
        if score.summary_unsupported:
            article_scores["unsupported in summary"] = ", ".join(score.summary_unsupported)
        if score.error:
            article_scores["error"] = score.error
        extra.setdefault("gold_summary", gold.summary)
        extra.setdefault("predicted_summary", predicted.summary)
        extra.setdefault("title", getattr(gold, "title", None))
        extra.setdefault("scores", article_scores)
        return cls(id=score.article_id or getattr(gold, "id", ""), **diffs, **extra)

    def by_kind(self) -> list[tuple[ItemKind, KindDiff]]:
        return [(kind, getattr(self, name)) for kind, name in KIND_FIELDS.items()]
