"""Eval runs, the JSON/Markdown report and the CI gates, on hand-made gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.evaluation.gold import GoldArticle
from summarizer.evaluation.report import (
    check_floors,
    compare_to_baseline,
    markdown_report,
    run_eval,
    write_report,
)
from summarizer.evaluation.scoring import (
    TOKEN_CLAIMS,
    EvalScores,
    FieldScore,
    ScoringOptions,
)
from summarizer.figures import parse_figure
from summarizer.schema import (
    ArticleRecord,
    CasualtyReport,
    Evidence,
    Extraction,
    Provenance,
    Quote,
    Usage,
)

TEXT = (
    "Shelling killed 14 people in the northern town on Tuesday, the civil defence said. "
    '"The hospital is full," said Dr Amal Haddad. Another 30 people were wounded. '
    "The army said it had only targeted fighters."
)
OPTIONS = ScoringOptions(claim_matcher=TOKEN_CLAIMS)


def evidence(text: str) -> Evidence:
    start = TEXT.index(text)
    return Evidence(start=start, end=start + len(text), text=text)


def gold(article_id: str) -> GoldArticle:
    return GoldArticle(
        id=article_id, style="wire", split="dev", text=TEXT,
        summary="Shelling killed 14 people in the northern town on Tuesday, the civil defence said.",
        casualties=[
            CasualtyReport(outcome="killed", figure=parse_figure("14"), evidence=evidence("killed 14 people")),
            CasualtyReport(outcome="injured", figure=parse_figure("30"), evidence=evidence("30 people were wounded")),
        ],
        quotes=[Quote(text="The hospital is full", speaker="Dr Amal Haddad", mode="direct",
                      evidence=evidence("The hospital is full"))],
    )


def perfect(article: GoldArticle) -> ArticleRecord:
    return ArticleRecord(
        id=article.id, summary=article.summary, casualties=article.casualties, quotes=article.quotes,
        provenance=Provenance(summarizer_version="0", strategy="test", backend="none",
                              usage=Usage(prompt_tokens=50, completion_tokens=10), latency_s=0.25),
    )


def half(article: GoldArticle) -> Extraction:
    return Extraction(summary="Shelling killed 14 people.", casualties=article.casualties[:1])


def broken(article: GoldArticle) -> Extraction:
    raise RuntimeError("model server down")


def test_run_eval_scores_every_article_and_survives_errors() -> None:
    articles = [gold("a1"), gold("a2")]
    run = run_eval(articles, perfect, options=OPTIONS)
    assert run.scores.articles == 2 and run.scores.fields["casualties"].f1 == 1.0
    assert run.scores.tokens_per_article == 60 and run.scores.seconds_per_article == 0.25
    assert len(run.predictions) == 2

    failed = run_eval(articles, broken, options=OPTIONS)
    assert failed.scores.errors == 2
    assert "model server down" in (failed.per_article[0].error or "")
    assert failed.scores.fields["casualties"].recall == 0.0
    assert failed.per_article[0].seconds is not None  # wall clock when there is no provenance


def test_write_report_json_and_markdown(tmp_path: Path) -> None:
    articles = [gold(f"a{i}") for i in range(7)]
    run = run_eval(articles, lambda a: perfect(a) if a.id != "a3" else half(a), options=OPTIONS)
    json_path, md_path = tmp_path / "out" / "report.json", tmp_path / "out" / "report.md"
    write_report(run.scores, run.per_article, json_path, md_path, {"strategy": "test", "split": "dev"})

    report = json.loads(json_path.read_text(encoding="utf-8"))
    assert list(report) == ["report_version", "meta", "scores", "flat", "articles"]
    assert report["meta"]["strategy"] == "test"
    assert report["scores"]["fields"]["casualties"]["tp"] == 13
    assert report["flat"]["casualties.recall"] == pytest.approx(13 / 14)
    assert len(report["articles"]) == 7
    assert report["articles"][3]["diffs"]["casualties"]["missed"][0]["label"].startswith("injured 30")

    markdown = md_path.read_text(encoding="utf-8")
    assert "| casualties | 1.000 | 0.929 |" in markdown
    assert "lead-3 ROUGE-L F" in markdown
    worst = markdown.split("worst articles")[1].split("##")[0]
    ranked = [line for line in worst.splitlines() if line[:1].isdigit()]
    assert len(ranked) == 5
    assert ranked[0].startswith("1. `a3`")  # the one bad article is ranked first
    assert "missed casualties [1]: injured 30" in markdown
    assert "missed quotes [0]: Dr Amal Haddad" in markdown


def test_markdown_marks_whether_summary_beats_lead() -> None:
    run = run_eval([gold("a1")], half, options=OPTIONS)
    text = markdown_report(run.scores, run.per_article, {})
    assert run.scores.lead3_rouge_l is not None and run.scores.summary_rouge_l is not None
    expected = "yes" if run.scores.summary_rouge_l > run.scores.lead3_rouge_l else "no"
    assert f"| {expected} |" in text.split("## Summary")[1].split("##")[0]


def scores(casualties_f1_tp: int, hallucinated: int = 0, matcher: str = "tokens>=0.3") -> EvalScores:
    return EvalScores(
        articles=10,
        fields={"casualties": FieldScore(tp=casualties_f1_tp, fp=100 - casualties_f1_tp, fn=100 - casualties_f1_tp),
                "quotes": FieldScore(tp=5, fp=0, fn=0)},
        summary_faithfulness=0.9, hallucinated_quotes=hallucinated, claim_matcher=matcher,
    )


def test_compare_to_baseline_flags_only_drops_beyond_the_margin(tmp_path: Path) -> None:
    baseline = scores(80)  # F1 0.80
    assert compare_to_baseline(scores(79), baseline, margin=0.02) == []  # 0.79: noise
    problems = compare_to_baseline(scores(75), baseline, margin=0.02)
    assert len(problems) == 1 and problems[0].startswith("casualties.f1 dropped 0.800 -> 0.750")
    assert any("hallucinated quotes rose 0 -> 1" in p for p in compare_to_baseline(scores(80, hallucinated=1), baseline))
    assert any("claim matcher differs" in p for p in compare_to_baseline(scores(80, matcher="embedding>=0.75"), baseline))

    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"scores": baseline.model_dump(mode="json")}), encoding="utf-8")
    assert compare_to_baseline(scores(80), path) == []
    assert compare_to_baseline(scores(70), str(path))


def test_check_floors_and_ceilings() -> None:
    current = scores(80, hallucinated=2)
    assert check_floors(current, {"casualties.f1": 0.8, "quotes.precision": 1.0}) == []
    below = check_floors(current, {"casualties.f1": 0.85})
    assert below == ["casualties.f1 = 0.800 is below the floor 0.85"]
    assert check_floors(current, {"casualty.f1": 0.5})[0].startswith("casualty.f1: no such score")
    assert check_floors(current, {}, ceilings={"hallucinated_quotes": 0}) == [
        "hallucinated_quotes = 2.000 is above the ceiling 0"
    ]
