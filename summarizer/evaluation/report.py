"""Eval runs and their reports: run an extractor over the gold, write JSON + Markdown, gate CI.

* :func:`run_eval` runs any extractor (the rules, a local model, a hosted model) over gold
  articles and scores every article with :func:`~summarizer.evaluation.scoring.score_article`.
* :func:`write_report` writes the machine-readable JSON report (stable keys, everything) and a
  Markdown summary a person reads in a pull request.
* :func:`compare_to_baseline` and :func:`check_floors` turn scores into a list of problems, empty
  when the run is acceptable: what CI fails on.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from summarizer.evaluation.gold import GoldArticle
from summarizer.evaluation.scoring import (
    ArticleScore,
    EvalScores,
    ScoringOptions,
    aggregate,
    score_article,
)
from summarizer.schema import ArticleRecord, ErrorInfo, Extraction

REPORT_VERSION = 1

#: A regression is a drop bigger than this (absolute, 0-1 scale) in an F1 or summary score.
DEFAULT_MARGIN = 0.02

Extractor = Callable[[GoldArticle], Union[ArticleRecord, Extraction]]
#: Scores one prediction against its gold article (the default: the gold set's
#: :func:`~summarizer.evaluation.scoring.score_article`; real-text datasets bring their own).
Scorer = Callable[[Any, Extraction], ArticleScore]
ScoresLike = Union[EvalScores, Mapping[str, Any], Path, str]


@dataclass
class EvalRun:
    """What one eval produced: the aggregate, every article's score and every prediction."""

    scores: EvalScores
    per_article: list[ArticleScore]
    predictions: list[Extraction]


def run_eval(
    gold_articles: Sequence[GoldArticle],
    extract: Extractor,
    *,
    options: Optional[ScoringOptions] = None,
    score: Optional[Scorer] = None,
) -> EvalRun:
    """Run ``extract`` on every gold article and score it (with ``score`` when given, else
    :func:`score_article` under ``options``).

    An extractor that raises does not stop the run: the article is scored as an empty
    prediction with the error recorded. Seconds come from the record's provenance when it has
    one, else from the wall clock around the call.
    """
    options = options or ScoringOptions()
    per_article: list[ArticleScore] = []
    predictions: list[Extraction] = []
    for gold in gold_articles:
        started = time.perf_counter()
        try:
            predicted = extract(gold)
        except Exception as exc:  # noqa: BLE001 - one article's failure is a measured outcome
            predicted = ArticleRecord(
                id=gold.id, status="error", error=ErrorInfo(kind="extractor_error", message=f"{type(exc).__name__}: {exc}")
            )
        elapsed = time.perf_counter() - started
        if score is not None:
            result = score(gold, predicted)
        else:
            result = score_article(gold, predicted, gold.text, options=options, article_id=gold.id)
        if result.seconds is None:
            result.seconds = round(elapsed, 4)
        per_article.append(result)
        predictions.append(predicted)
    return EvalRun(scores=aggregate(per_article), per_article=per_article, predictions=predictions)


# --------------------------------------------------------------------------- writing


def report_dict(scores: EvalScores, per_article: Sequence[ArticleScore], meta: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON report as a dict: ``report_version``, ``meta``, ``scores``, ``flat``, ``articles``."""
    return {
        "report_version": REPORT_VERSION,
        "meta": dict(meta),
        "scores": scores.model_dump(mode="json"),
        "flat": scores.flat(),
        "articles": [score.model_dump(mode="json") for score in per_article],
    }


def write_report(
    scores: EvalScores,
    per_article: Sequence[ArticleScore],
    json_path: Path | str,
    md_path: Path | str,
    meta: Mapping[str, Any],
) -> None:
    """Write the JSON report and the Markdown summary (parent directories are created)."""
    for path in (Path(json_path), Path(md_path)):
        path.parent.mkdir(parents=True, exist_ok=True)
    Path(json_path).write_text(
        json.dumps(report_dict(scores, per_article, meta), indent=2, ensure_ascii=False, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    Path(md_path).write_text(markdown_report(scores, per_article, meta), encoding="utf-8")


def _fmt(value: Optional[float], digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def markdown_report(
    scores: EvalScores, per_article: Sequence[ArticleScore], meta: Mapping[str, Any], worst: int = 5
) -> str:
    """The Markdown summary: tables first, per-article differences last."""
    out = ["# Eval report", ""]
    facts = {**dict(meta), "articles scored": scores.articles, "claim matcher": scores.claim_matcher or "–"}
    out += [f"- **{key}**: {value}" for key, value in facts.items()] + [""]

    out += ["## Fields", ""]
    out += _table(
        ["field", "P", "R", "F1", "TP", "FP", "FN"],
        [
            [name, _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), str(s.tp), str(s.fp), str(s.fn)]
            for name, s in scores.fields.items()
        ],
    )
    if scores.secondary:
        out += ["", "## Secondary fields (over matched pairs)", ""]
        out += _table(
            ["field", "accuracy", "right / total"],
            [[name, _fmt(a.accuracy), f"{a.right} / {a.total}"] for name, a in scores.secondary.items()],
        )

    out += ["", "## Summary", ""]
    beats = (
        "–"
        if scores.summary_rouge_l is None or scores.lead3_rouge_l is None
        else ("yes" if scores.summary_rouge_l > scores.lead3_rouge_l else "no")
    )
    out += _table(
        ["faithful (no unsupported names/figures)", "ROUGE-L F", "lead-3 ROUGE-L F", "beats lead-3"],
        [[f"{_fmt(scores.summary_faithfulness)} of {scores.summaries}", _fmt(scores.summary_rouge_l),
          _fmt(scores.lead3_rouge_l), beats]],
    )
    out += ["", "## Grounding and cost", ""]
    out += _table(
        ["hallucinated quotes", "ungrounded items", "dropped items", "schema-valid", "errors",
         "tokens / article", "seconds / article"],
        [[str(scores.hallucinated_quotes), str(scores.ungrounded_items), str(scores.dropped_items),
          _fmt(scores.schema_valid_rate), str(scores.errors), _fmt(scores.tokens_per_article, 0),
          _fmt(scores.seconds_per_article, 2)]],
    )

    field_names = list(scores.fields)
    out += ["", "## Articles", ""]
    out += _table(
        ["article", *[f"{name} F1" for name in field_names], "ROUGE-L", "lead-3", "faithful",
         "halluc. quotes", "tokens", "seconds"],
        [
            [a.article_id, *[_fmt(a.fields[n].f1) if n in a.fields else "–" for n in field_names],
             _fmt(a.summary_rouge_l), _fmt(a.lead3_rouge_l),
             "–" if a.summary_faithful is None else ("yes" if a.summary_faithful else "no"),
             str(a.hallucinated_quotes), "–" if a.tokens is None else str(a.tokens), _fmt(a.seconds, 2)]
            for a in per_article
        ],
    )

    ranked = sorted(per_article, key=lambda a: (a.mean_f1, a.article_id))[:worst]
    out += ["", f"## {len(ranked)} worst articles (mean F1 over fields)", ""]
    out += [f"{i}. `{a.article_id}` mean F1 {_fmt(a.mean_f1)}" + (f" (error: {a.error})" if a.error else "")
            for i, a in enumerate(ranked, start=1)]

    out += ["", "## Differences", ""]
    for article in per_article:
        lines = _differences(article)
        if lines:
            out += [f"### `{article.article_id}`", "", *lines, ""]
    return "\n".join(out).rstrip() + "\n"


def _differences(article: ArticleScore) -> list[str]:
    lines = []
    if article.error:
        lines.append(f"- error: {article.error}")
    for name, diff in article.diffs.items():
        lines += [f"- missed {name} [{ref.index}]: {ref.label}" for ref in diff.missed]
        lines += [f"- extra {name} [{ref.index}]: {ref.label}" for ref in diff.extra]
        for pair in diff.matched:
            if pair.mismatches:
                lines.append(f"- {name} gold [{pair.gold}] ~ predicted [{pair.predicted}]: " + "; ".join(pair.mismatches))
    if article.summary_unsupported:
        lines.append(f"- summary names/figures not in the article: {', '.join(article.summary_unsupported)}")
    return lines


# --------------------------------------------------------------------------- gates


def load_scores(source: ScoresLike) -> EvalScores:
    """:class:`EvalScores` from scores, a JSON report (dict or file) or a scores dict."""
    if isinstance(source, EvalScores):
        return source
    if isinstance(source, (str, Path)):
        source = json.loads(Path(source).read_text(encoding="utf-8"))
    if "scores" in source and isinstance(source["scores"], Mapping):
        source = source["scores"]
    return EvalScores.model_validate(source)


def write_figures_baseline(
    scores: EvalScores,
    per_article: Sequence[ArticleScore],
    meta: Mapping[str, Any],
    headline: Mapping[str, str],
    path: Path | str,
) -> None:
    """A gate baseline with figures only: the scores, the headline measures, and per article
    its id and counts, never a label or a sentence (real-text datasets may not be copied into
    the repository). :func:`compare_to_baseline` reads it like a full report."""
    articles = [
        {"id": a.article_id, "fields": {name: [f.tp, f.fp, f.fn] for name, f in a.fields.items()},
         "secondary": {name: [m.right, m.total] for name, m in a.secondary.items() if m.total}}
        for a in per_article
    ]
    flat = scores.flat()
    body = {
        "report_version": REPORT_VERSION,
        "meta": {key: value for key, value in meta.items() if key not in ("describe", "gold")},  # no local paths
        "headline": {key: {"value": flat.get(key), "direction": direction} for key, direction in headline.items()},
        "ids": [a.article_id for a in per_article],
        "scores": scores.model_dump(mode="json"),
        "articles": articles,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _ids(source: ScoresLike) -> Optional[list[str]]:
    if isinstance(source, (str, Path)):
        source = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(source, Mapping):
        return None
    if "ids" in source:
        return list(source["ids"])
    if "articles" in source and isinstance(source["articles"], list):
        return [a.get("article_id") or a.get("id") for a in source["articles"]]
    return None


def compare_to_baseline(
    current: ScoresLike,
    baseline: ScoresLike,
    margin: float = DEFAULT_MARGIN,
    measures: Optional[Mapping[str, str]] = None,
) -> list[str]:
    """Regressions of ``current`` against ``baseline``; empty when there are none.

    A regression is an F1 drop of more than ``margin`` in any field, a drop of more than
    ``margin`` in summary faithfulness or ROUGE-L, or *any* rise in hallucinated quotes; and for
    each of ``measures`` (flat key -> "higher" or "lower" is better) a move of more than
    ``margin`` the wrong way. Runs scored with different claim matchers, or on different
    articles (when both name their article ids), are flagged as not comparable.
    """
    now, before = load_scores(current), load_scores(baseline)
    problems = []
    now_ids, before_ids = _ids(current), _ids(baseline)
    if now_ids is not None and before_ids is not None and now_ids != before_ids:
        problems.append(f"articles differ from the baseline's ({len(now_ids)} vs {len(before_ids)} ids): not comparable")
    now_flat, before_flat = now.flat(), before.flat()
    for key, direction in (measures or {}).items():
        if key.endswith(".f1") and key[: -len(".f1")] in before.fields:
            continue  # fields' F1 are checked below
        old_value, new_value = before_flat.get(key), now_flat.get(key)
        if old_value is None or new_value is None:
            if old_value is not None:
                problems.append(f"{key}: in the baseline but not measured now")
            continue
        worse = old_value - new_value if direction == "higher" else new_value - old_value
        if worse > margin:
            problems.append(f"{key} moved {old_value:.3f} -> {new_value:.3f} ({direction} is better, margin {margin})")
    if now.claim_matcher != before.claim_matcher:
        problems.append(
            f"claim matcher differs ({now.claim_matcher} vs baseline {before.claim_matcher}): claims F1 not comparable"
        )
    for name, old in before.fields.items():
        new = now.fields.get(name)
        if new is None:
            problems.append(f"{name}: scored in the baseline but not now")
        elif old.f1 - new.f1 > margin:
            problems.append(f"{name}.f1 dropped {old.f1:.3f} -> {new.f1:.3f} (margin {margin})")
    for key in ("summary_faithfulness", "summary_rouge_l"):
        old_value, new_value = getattr(before, key), getattr(now, key)
        if old_value is not None and new_value is not None and old_value - new_value > margin:
            problems.append(f"{key} dropped {old_value:.3f} -> {new_value:.3f} (margin {margin})")
    if now.hallucinated_quotes > before.hallucinated_quotes:
        problems.append(f"hallucinated quotes rose {before.hallucinated_quotes} -> {now.hallucinated_quotes}")
    return problems


def check_floors(
    current: ScoresLike, floors: Mapping[str, float], ceilings: Optional[Mapping[str, float]] = None
) -> list[str]:
    """Metrics below their floor (or above their ceiling), by :meth:`EvalScores.flat` key:
    ``{"casualties.f1": 0.8, "summary_faithfulness": 0.9}``; ``{"hallucinated_quotes": 0}`` as a
    ceiling. A key the scores do not have is a problem too (a typo must not pass silently)."""
    values = load_scores(current).flat()
    problems = []
    for key, floor in floors.items():
        if key not in values:
            problems.append(f"{key}: no such score (known: {', '.join(sorted(values))})")
        elif values[key] < floor:
            problems.append(f"{key} = {values[key]:.3f} is below the floor {floor}")
    for key, ceiling in (ceilings or {}).items():
        if key not in values:
            problems.append(f"{key}: no such score (known: {', '.join(sorted(values))})")
        elif values[key] > ceiling:
            problems.append(f"{key} = {values[key]:.3f} is above the ceiling {ceiling}")
    return problems
