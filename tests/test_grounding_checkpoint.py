"""The one grounding checkpoint: every strategy's output and every gold file pass through it.

Tampered items (an offset that no longer slices the article, a figure its evidence does not
state, a quote the article does not contain) are dropped and counted; the links between the kept
items are remapped; a stored record loads without the figure reader.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import summarizer.strategies.rules as rules_strategy
from summarizer import Summarizer
from summarizer.evaluation.gold import UngroundedGold, load_gold
from summarizer.grounding import find_problems, verify
from summarizer.schema import ArticleRecord, Evidence, Extraction, Figure, Quote

GOLD_FILE = Path(__file__).resolve().parents[1] / "evals" / "gold" / "dev" / "g1-bulletin-01.json"


@pytest.fixture(scope="module")
def article() -> str:
    return json.loads(GOLD_FILE.read_text(encoding="utf-8"))["text"]


def test_tampered_rules_items_are_dropped_counted_and_links_remapped(article: str, monkeypatch) -> None:
    honest = Summarizer(strategy="rules").summarize(article, id="a")
    assert honest.dropped.casualties == 0 and find_problems(honest, article) == []
    texts = [c.figure.text for c in honest.casualties]
    # the rules' first report is the day's total ("34 people"), the second its subset ("9 children");
    # a later total keeps a subset of its own ("3" of "at least 19")
    assert texts[:2] == ["34", "9"] and honest.casualties[1].subset_of == 0
    later_parent = texts.index("at least 19")
    later_child = texts.index("3")
    assert honest.casualties[later_child].subset_of == later_parent
    siblings = [i for i, c in enumerate(honest.casualties) if c.subset_of == 0 and i != 1]
    assert siblings  # "5 women", also a subset of the total
    real = rules_strategy.rules_extraction

    def tampered(doc, *args, **kwargs):  # the strategy passes the opt-in attribution tagger too
        result = real(doc, *args, **kwargs)
        total, children = result.extraction.casualties[:2]
        # an offset off by one: the span no longer slices the article to its text
        total.evidence = Evidence(start=total.evidence.start + 1, end=total.evidence.end + 1, text=total.evidence.text)
        children.figure = Figure(text="9,999", kind="exact", low=9999, high=9999)  # not what its evidence says
        return result

    monkeypatch.setattr(rules_strategy, "rules_extraction", tampered)
    record = Summarizer(strategy="rules").summarize(article, id="a")

    assert (record.dropped.casualties, record.dropped.total) == (2, 2)
    assert [c.figure.text for c in record.casualties] == texts[2:]
    assert any("casualties: evidence offsets" in r and "do not slice the article" in r for r in record.dropped.reasons)
    assert any("'9,999' is not supported by its evidence" in r for r in record.dropped.reasons)
    assert find_problems(record, article) == []
    assert record.casualties[siblings[0] - 2].subset_of is None  # its parent was dropped
    assert record.casualties[later_child - 2].subset_of == later_parent - 2  # follows its parent


def test_a_link_to_a_dropped_item_becomes_none() -> None:
    article = 'She said: "We saw them run, and he shouted "get down" twice," then left.'
    outer_text = "We saw them run, and he shouted"
    start = article.index(outer_text)
    outer = Quote(text=outer_text, mode="direct",
                  evidence=Evidence(start=start, end=start + len(outer_text), text=outer_text))
    planted = Quote(text="nobody was hurt", mode="direct", evidence=Evidence(start=0, end=15, text="nobody was hurt"))
    inner_start = article.index("get down")
    inner = Quote(text="get down", mode="direct", nested_in=1,
                  evidence=Evidence(start=inner_start, end=inner_start + 8, text="get down"))
    extraction = Extraction(quotes=[outer, planted, inner])

    kept, dropped = verify(extraction, article)

    assert [q.text for q in kept.quotes] == [outer_text, "get down"]
    assert kept.quotes[1].nested_in is None
    assert (dropped.quotes, dropped.total) == (1, 1)
    assert "quotes: evidence offsets 0:15" in dropped.reasons[0]
    assert extraction.quotes[2].nested_in == 1  # the input is not changed


def test_a_quote_whose_words_are_not_in_the_article_is_dropped() -> None:
    article = "The minister spoke briefly. Nothing else happened."
    text = "The minister spoke briefly."
    quote = Quote(text="we will win the war", mode="direct", evidence=Evidence(start=0, end=len(text), text=text))
    kept, dropped = verify(Extraction(quotes=[quote]), article)
    assert kept.quotes == [] and dropped.quotes == 1
    assert "quote text does not occur in the article" in dropped.reasons[0]


def test_a_gold_file_with_an_ungrounded_label_does_not_load(tmp_path: Path) -> None:
    raw = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    assert load_gold(GOLD_FILE)[0].id == raw["id"]
    raw["casualties"][2]["evidence"]["start"] += 3
    raw["casualties"][2]["evidence"]["end"] += 3
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(UngroundedGold, match=r"1 labels fail grounding: casualties: evidence offsets"):
        load_gold(broken)


def test_loading_a_stored_record_never_runs_the_figure_reader(article: str, monkeypatch) -> None:
    stored = Summarizer(strategy="rules").summarize(article, id="a").model_dump_json()

    def refuse(*_args, **_kwargs):
        raise AssertionError("the figure reader ran while loading a record")

    import summarizer.figures as figures
    import summarizer.grounding as grounding

    for module in (figures, grounding):
        monkeypatch.setattr(module, "find_figures", refuse)
        monkeypatch.setattr(module, "parse_figure", refuse)
    loaded = ArticleRecord.model_validate_json(stored)
    assert loaded.casualties and loaded.model_dump_json() == stored


def test_the_schema_imports_nothing_from_the_package() -> None:
    code = "import sys, summarizer.schema; print(sorted(m for m in sys.modules if m.startswith('summarizer')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['summarizer', 'summarizer.schema']"
