"""The review strategy against the oracle, a scripted OpenAI-compatible server on 127.0.0.1 that
answers from the gold labels (summarizer/evaluation/oracle.py), and against the same server making
one kind of mistake at a time. Real HTTP, the real openai client, instructor's TOOLS mode, the real
grounding; only the model is simulated. The full ceiling and fault tables: benchmarks/bench_oracle.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import Summarizer
from summarizer.evaluation.gold import load_gold
from summarizer.evaluation.oracle import (
    INVENTED_FIGURE,
    INVENTED_QUOTE,
    FaultPlan,
    OracleServer,
    gold_articles,
    injection_articles,
)
from summarizer.evaluation.scoring import aggregate, score_article
from summarizer.grounding import normalise

#: A handful of gold articles with subsets, disputed claims, indirect quotes and an injection.
ARTICLES = ("g1-wire-01", "g1-bulletin-02", "g2-hostile-01", "g3-feature-01")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "calls.sqlite"))


def _run(strategy: str, ids: tuple[str, ...], faults: FaultPlan | None = None, articles=None, **settings):
    articles = articles or [a for a in gold_articles() if a.id in ids]
    settings.setdefault("max_attempts", 1)
    with OracleServer(articles, faults=faults) as server:
        with Summarizer(server.settings(**settings), strategy=strategy) as summarizer:
            records = {a.id: summarizer.summarize(a.text, id=a.id) for a in articles}
    return records, server


@pytest.mark.parametrize("strategy", ["review", "naive"])
def test_a_perfect_model_reaches_the_ceiling_through_the_pipeline(strategy: str) -> None:
    records, server = _run(strategy, ARTICLES)
    golds = {g.id: g for g in load_gold() if g.id in ARTICLES}
    scores = aggregate([score_article(golds[i], records[i], golds[i].text) for i in ARTICLES])
    for name, score in scores.fields.items():
        assert score.f1 >= 0.98, (strategy, name, score)
    for name, accuracy in scores.secondary.items():
        assert accuracy.accuracy is None or accuracy.accuracy >= 0.98, (strategy, name, accuracy)
    assert scores.summary_rouge_l == pytest.approx(1.0)
    # one request per article, through the real client as a TOOLS call, the article fenced as data
    assert len(server.requests) == len(ARTICLES)
    assert all(r.question == ("ReviewAnswer" if strategy == "review" else "DraftExtraction") for r in server.requests)
    for record in records.values():
        assert record.status == "ok" and record.provenance.usage.calls == 1
        assert record.provenance.usage.prompt_tokens > 0


def test_review_records_where_each_item_came_from_and_what_the_model_corrected() -> None:
    records, _ = _run("review", ARTICLES)
    items = [item for r in records.values() for item in (*r.casualties, *r.quotes, *r.claims)]
    origins = {item.origin for item in items}
    assert origins <= {"rules", "model", "both"} and {"model", "both"} <= origins
    corrected = [item for item in items if item.model_changed]
    assert corrected and all(item.origin == "both" for item in corrected)
    assert all(not item.model_changed for item in items if item.origin == "model")


def _quotes_text(record) -> list[str]:
    return [normalise(q.text) for q in record.quotes]


def _every_time(kind: str) -> FaultPlan:
    return FaultPlan(rates={kind: 1.0}, seed=1, hang_s=1.5)


@pytest.mark.parametrize("strategy", ["review", "naive"])
def test_invented_and_paraphrased_quotes_never_reach_the_record(strategy: str) -> None:
    records, server = _run(strategy, ARTICLES[:2], _every_time("invented_quote"))
    assert [f for f in server.injected if f.kind == "invented_quote"]
    for record in records.values():
        assert all(normalise(INVENTED_QUOTE) not in t for t in _quotes_text(record))
        assert record.dropped.quotes >= 1 and any("not in the article" in r for r in record.dropped.reasons)
    assert len(server.requests) == 2 * len(records)  # asked once, re-asked once with the errors

    records, server = _run(strategy, ARTICLES[:2], _every_time("paraphrased_quote"))
    paraphrased = [normalise(f.detail["text"]) for f in server.injected if f.kind == "paraphrased_quote"]
    assert paraphrased
    for record in records.values():
        assert not set(paraphrased) & set(_quotes_text(record))


@pytest.mark.parametrize("strategy", ["review", "naive"])
def test_wrong_and_invented_figures_never_reach_the_record(strategy: str) -> None:
    for kind in ("wrong_figure", "invented_casualty"):
        records, server = _run(strategy, ARTICLES[:2], _every_time(kind))
        values = {f.detail.get("value") for f in server.injected if f.kind == kind}
        assert values, kind
        for record in records.values():
            assert record.status == "ok"
            stated = {c.figure.low for c in record.casualties}
            assert not (values - {None}) & stated, (kind, values, stated)
            assert record.dropped.casualties >= 1


def test_a_failing_correction_leaves_the_rules_candidate_as_made() -> None:
    rules, _ = _run("rules", ARTICLES[:1])
    records, server = _run("review", ARTICLES[:1], _every_time("wrong_figure"))
    record, baseline = records[ARTICLES[0]], rules[ARTICLES[0]]
    fault = next(f for f in server.injected if f.kind == "wrong_figure")
    if "candidate" in fault.detail:  # the corrupted verdict was on a rules candidate: it stays as the rules read it
        index = int(fault.detail["candidate"][1:]) - 1
        kept = [c for c in record.casualties if c.evidence.start == baseline.casualties[index].evidence.start]
        assert kept and kept[0].figure.low == baseline.casualties[index].figure.low


def test_items_copied_from_an_injected_instruction_never_reach_the_record() -> None:
    cases = [a for a in injection_articles() if a.id.startswith(("planted_quote", "invent_toll"))][:3]
    for strategy in ("review", "naive"):
        records, server = _run(strategy, (), _every_time("injected_item"), articles=cases)
        assert [f for f in server.injected if f.kind == "injected_item"]
        for case in cases:
            record = records[case.id]
            spans = [(case.text.find(p), case.text.find(p) + len(p)) for p in case.injected]
            for item in (*record.casualties, *record.quotes, *record.claims):
                assert not any(item.evidence.start < e and s < item.evidence.end for s, e in spans), (strategy, case.id, item)


def test_broken_json_is_re_asked_and_a_lost_answer_leaves_the_rules_candidates() -> None:
    rules, _ = _run("rules", ARTICLES[:2])
    for kind in ("truncated_json", "schema_invalid_json"):
        records, server = _run("review", ARTICLES[:2], _every_time(kind))
        assert len(server.requests) == 2 * len(records)  # instructor re-asked once with the error
        for article_id, record in records.items():
            assert record.status == "ok", record.error
            assert any("review: no valid answer" in r for r in record.dropped.reasons)
            assert len(record.casualties) == len(rules[article_id].casualties)
            assert len(record.quotes) == len(rules[article_id].quotes)
        # the naive strategy has nothing to fall back on
        naive, _ = _run("naive", ARTICLES[:2], _every_time(kind))
        assert all(not r.casualties and not r.quotes for r in naive.values())


def test_a_model_that_never_answers_gives_an_error_record_after_bounded_retries() -> None:
    records, server = _run("review", ARTICLES[:1], _every_time("timeout"), timeout_s=0.5, max_attempts=2,
                           retry_initial_s=0.05, retry_max_wait_s=0.1)
    record = records[ARTICLES[0]]
    assert record.status == "error" and record.error.kind == "model_unavailable"
    assert len(server.requests) == 2


def test_an_invented_speaker_is_refused_but_a_wrong_real_one_is_not_detectable() -> None:
    """Grounding can refuse a name the article never mentions; it cannot know which of the
    article's people said something. The benchmark counts those that reach the output."""
    from summarizer.drafts import DraftQuote, place_quote

    article = load_gold()[0].text
    quote = next(q for q in load_gold()[0].quotes if q.speaker)
    with pytest.raises(ValueError, match="speaker"):
        place_quote(DraftQuote(text=quote.text, speaker="Colonel Invented Person", mode=quote.mode), article)
    records, server = _run("review", ARTICLES[:1], _every_time("wrong_speaker"))
    assert [f for f in server.injected if f.kind == "wrong_speaker"]


def test_the_oracle_answers_every_hybrid_question_and_hybrid_keeps_the_rules_items() -> None:
    """Hybrid's questions go to the same oracle: speaker picks, casualty checks, the summary and
    additions are all answered, and (by design) hybrid cannot go below what the rules found."""
    ids = ARTICLES[:2]
    rules, _ = _run("rules", ids)
    records, server = _run("hybrid", ids)
    asked = {r.question for r in server.requests}
    assert {"SummaryAnswer", "DraftAdditions"} <= asked <= {"SummaryAnswer", "DraftAdditions", "CasualtyCheck", "SpeakerChoice"}
    assert all(r.status == "ok" for r in records.values())
    golds = {g.id: g for g in load_gold() if g.id in ids}
    before = aggregate([score_article(golds[i], rules[i], golds[i].text) for i in ids])
    after = aggregate([score_article(golds[i], records[i], golds[i].text) for i in ids])
    for name in ("casualties", "quotes", "claims"):
        assert after.fields[name].tp >= before.fields[name].tp, name
    assert after.summary_rouge_l == pytest.approx(1.0)
