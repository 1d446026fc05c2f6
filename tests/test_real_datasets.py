"""Real-text eval datasets: PolNeAR and GVA loaders, their mappings and scorers, `eval --dataset`.

Mapping tests use small articles written for this test in the datasets' JSONL formats (never
text from the datasets); tests on the real files read ``../shared/datasets`` and skip when it is
absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli import main
from summarizer.evaluation.datasets import dataset_path, datasets_root, open_dataset, select
from summarizer.evaluation.gva import load_gva, score_gva
from summarizer.evaluation.polnear import cue_lexicon, load_polnear, names_someone, score_polnear
from summarizer.rules.marks import quoted_share
from summarizer.evaluation.report import compare_to_baseline, write_figures_baseline
from summarizer.evaluation.rule_report import NO_CANDIDATE, NO_RULE, breakdown
from summarizer.evaluation.report import run_eval
from summarizer.schema import CasualtyReport, Evidence, Extraction, Figure, Quote


def _span(text: str, part: str, after: int = 0) -> dict:
    start = text.index(part, after)
    return {"start": start, "end": start + len(part), "text": part}


# An article written for this test, in PolNeAR's format.
PN_TEXT = (
    "Senator Jane Holloway said the plan would fail. "
    "\u201cWe will not back down,\u201d she said. \u201cNot this year.\u201d "
    "Officials believe the vote will be close. "
    "The governor declined to say whether he would sign it."
)


def _polnear_file(tmp_path: Path) -> Path:
    t = PN_TEXT
    attributions = [
        {"source": _span(t, "Senator Jane Holloway"), "cue": _span(t, "said"), "content": _span(t, "the plan would fail")},
        {"source": _span(t, "she"), "cue": _span(t, "said", 60),
         "content": _span(t, "\u201cWe will not back down,\u201d she said. \u201cNot this year.\u201d")},
        {"source": _span(t, "Officials"), "cue": _span(t, "believe"), "content": _span(t, "the vote will be close")},
        {"source": _span(t, "The governor"), "cue": _span(t, "declined to say"),
         "content": _span(t, "whether he would sign it")},
    ]
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps({"id": "pn1", "split": "dev", "annotator": "x", "text": t,
                                "attributions": attributions}) + "\n", encoding="utf-8")
    return path


def _quote(text: str, article: str, speaker: str | None, mode: str, rule: str | None = None) -> Quote:
    start = article.index(text)
    return Quote(text=text, speaker=speaker, mode=mode, rule=rule,
                 evidence=Evidence(start=start, end=start + len(text), text=text))


def test_cue_lexicon_separates_speech_from_belief_and_refusal() -> None:
    lexicon = cue_lexicon()
    assert all(lexicon.is_speech(cue) for cue in ("said", "told", "according to", "wrote", ":", "\u2015", "has called for"))
    assert not any(lexicon.is_speech(cue) for cue in ("believes", "plans", "shows", "criticized", "declined to say",
                                                       "did not say", None))


def test_named_sources_and_direct_share() -> None:
    text = "He said so. The newspaper said so. The Post said so. Officials said so. NYPD said so."
    assert not names_someone("He", 0, text)
    assert not names_someone("The newspaper", text.index("The newspaper"), text)
    assert names_someone("The Post", text.index("The Post"), text)
    assert not names_someone("Officials", text.index("Officials"), text)
    assert names_someone("NYPD", text.index("NYPD"), text)
    assert quoted_share("\u201cWe will fight,\u201d") == 1.0
    assert quoted_share("that the team would \u201cfight\u201d the ruling in every court") < 0.5


def test_polnear_mapping_and_fragment_matching(tmp_path: Path) -> None:
    (article,) = load_polnear(_polnear_file(tmp_path))
    quotes = article.quotes
    assert [q.mode for q in quotes] == ["indirect", "direct"]  # belief and "declined to say" are not speech
    assert [a.named_source for a in article.attributions if a.speech] == [True, False]
    t = article.text
    predicted = Extraction(quotes=[
        _quote("the plan would fail", t, "Jane Holloway", "indirect", rule="reported_clause"),
        _quote("We will not back down,", t, "Jane Holloway", "direct", rule="quote_marks"),
        _quote("Not this year.", t, "Jane Holloway", "direct", rule="quote_marks"),  # second piece of the same content
        _quote("the vote will be close", t, "Officials", "indirect", rule="reported_clause"),  # a belief: false positive
    ])
    score = score_polnear(article, predicted)
    quote_score = score.fields["quotes"]
    assert (quote_score.tp, quote_score.fp, quote_score.fn) == (2, 1, 0)
    assert score.secondary["quotes.speaker_named"].right == 1 and score.secondary["quotes.speaker_named"].total == 1
    assert score.secondary["quotes.speaker_given_unnamed"].total == 1
    assert score.secondary["quotes.direct_recall"].right == 1
    assert score.secondary["quotes.fp_on_nonspeech"].right == 1
    # a wrong speaker on the named source is counted wrong
    wrong = Extraction(quotes=[_quote("the plan would fail", t, "Officials", "indirect")])
    assert score_polnear(article, wrong).secondary["quotes.speaker_named"].right == 0


def _gva_file(tmp_path: Path) -> Path:
    lines = [
        {"id": "g1", "incident": "1", "title": "Two killed", "date": "2016-01-02", "url": "u",
         "text": "Two killed\n\nTwo men were killed and three people were wounded on Main Street.",
         "gva": {"date": "January 1", "state": "S", "city_or_county": "C", "address": "A", "killed": 2, "injured": 3}},
        {"id": "g2", "incident": "2", "title": "Man shot", "date": "2016-01-03", "url": "u",
         "text": "Man shot\n\nA man was shot in the leg. Police said one person was killed last year.",
         "gva": {"date": "January 2", "state": "S", "city_or_county": "C", "address": "A", "killed": 0, "injured": 1}},
    ]
    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _casualty(outcome: str, figure: str, value: int, article: str, rule: str | None = None) -> CasualtyReport:
    start = article.index(figure)
    return CasualtyReport(outcome=outcome, figure=Figure(text=figure, kind="exact", low=value, high=value), rule=rule,
                          evidence=Evidence(start=start, end=start + len(figure), text=figure))


def test_gva_toll_found_wrong_and_death_where_none(tmp_path: Path) -> None:
    first, second = load_gva(_gva_file(tmp_path))
    assert [c.outcome for c in first.casualties] == ["killed", "injured"]
    found = score_gva(first, Extraction(casualties=[
        _casualty("killed", "Two", 2, first.text), _casualty("injured", "three", 3, first.text)]))
    assert found.secondary["gva.killed_found"].right == 1 and found.secondary["gva.injured_found"].right == 1
    assert found.secondary["gva.killed_above_toll"].right == 0
    wrong = score_gva(second, Extraction(casualties=[_casualty("killed", "one", 1, second.text)]))
    assert wrong.secondary["gva.death_where_none"].right == 1 and wrong.secondary["gva.death_where_none"].total == 1
    assert wrong.secondary["gva.killed_above_toll"].right == 1
    assert wrong.secondary["gva.injured_found"].right == 0 and wrong.secondary["gva.killed_found"].total == 0


def test_rule_breakdown_counts_by_rule_and_nearest(tmp_path: Path) -> None:
    path = _gva_file(tmp_path)
    gva_dir = tmp_path / "root" / "gva"
    gva_dir.mkdir(parents=True)
    path.rename(gva_dir / "dev.jsonl")
    data = open_dataset("gva-dev", root=tmp_path / "root")
    predictions = {
        "g1": Extraction(casualties=[_casualty("killed", "Two", 2, data.articles[0].text, rule="figure_verb")]),
        "g2": Extraction(casualties=[_casualty("killed", "one", 1, data.articles[1].text)]),
    }
    run = run_eval(data.articles, lambda g: predictions[g.id], score=data.score)
    result = breakdown(data, data.articles, run)
    rows = result.fields["casualties"]
    assert (rows["figure_verb"].items, rows["figure_verb"].tp, rows["figure_verb"].fp) == (1, 1, 0)
    assert (rows[NO_RULE].items, rows[NO_RULE].fp) == (1, 1)
    assert rows[NO_CANDIDATE].misses_nearest == 2  # injured 3 (g1) and injured 1 (g2): no injured item at all


def test_select_is_reproducible_and_root_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    items = list(range(100))
    assert select(items, sample=10, seed=3) == select(items, sample=10, seed=3)
    assert select(items, sample=10, seed=3) != select(items, sample=10, seed=4)
    assert select(items, sample=10, seed=3) == sorted(select(items, sample=10, seed=3))
    assert select(items, limit=5) == [0, 1, 2, 3, 4]
    monkeypatch.setenv("SUMMARIZER_DATASETS", str(tmp_path))
    assert datasets_root() == tmp_path and dataset_path("gva-dev") == tmp_path / "gva" / "dev.jsonl"
    with pytest.raises(FileNotFoundError, match="gva-dev"):
        open_dataset("gva-dev")


def test_figures_baseline_holds_no_text_and_gates_by_direction(tmp_path: Path) -> None:
    (article,) = load_polnear(_polnear_file(tmp_path))
    t = article.text
    good = Extraction(quotes=[_quote("the plan would fail", t, "Jane Holloway", "indirect"),
                              _quote("We will not back down,\u201d she said. \u201cNot this year.", t, "Jane Holloway", "direct")])
    run = run_eval([article], lambda g: good, score=score_polnear)
    from summarizer.evaluation.datasets import POLNEAR_HEADLINE

    write_figures_baseline(run.scores, run.per_article, {"dataset": "x"}, POLNEAR_HEADLINE, tmp_path / "base.json")
    written = (tmp_path / "base.json").read_text(encoding="utf-8")
    assert "plan would fail" not in written and "Holloway" not in written
    worse = run_eval([article], lambda g: Extraction(), score=score_polnear)
    problems = compare_to_baseline(worse.scores, tmp_path / "base.json", 0.02, measures=POLNEAR_HEADLINE)
    assert any("quotes.f1" in p for p in problems) and any("direct_recall" in p for p in problems)
    assert compare_to_baseline(run.scores, tmp_path / "base.json", 0.02, measures=POLNEAR_HEADLINE) == []


# --------------------------------------------------------------------------- the real files

POLNEAR_DEV = dataset_path("polnear-dev")
GVA_DEV = dataset_path("gva-dev")
needs_polnear = pytest.mark.skipif(not POLNEAR_DEV.exists(), reason=f"PolNeAR not found at {POLNEAR_DEV}")
needs_gva = pytest.mark.skipif(not GVA_DEV.exists(), reason=f"GVA dev not found at {GVA_DEV}")


@needs_polnear
def test_polnear_dev_loads_every_article() -> None:
    articles = load_polnear(POLNEAR_DEV)
    assert len(articles) == 84
    speech = [q for a in articles for q in a.quotes]
    assert 1000 < len(speech) < sum(len(a.attributions) for a in articles)


@needs_gva
def test_gva_dev_loads_every_line() -> None:
    articles = load_gva(GVA_DEV)
    assert len(articles) == 2940
    assert len({a.incident for a in articles}) == 1706


@needs_polnear
def test_eval_dataset_polnear_runs_the_rules(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "--strategy", "rules", "--dataset", "polnear-dev", "--limit", "2",
                                       "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["meta"]["dataset"] == "polnear-dev" and report["scores"]["articles"] == 2
    assert "quotes.f1" in report["flat"] and "secondary.quotes.direct_recall" in report["flat"]
    assert "## By rule" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert (tmp_path / "samples.md").exists()
