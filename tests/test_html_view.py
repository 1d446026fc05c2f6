"""The HTML views: highlights at the right offsets, overlaps split correctly, everything escaped.

The pages are checked by parsing them back (``html.parser``), not by string matching alone:
each ``<mark>`` and its continuation pieces must hold exactly the evidence text of its item.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.evaluation.diff import ArticleDiff, KindDiff
from summarizer.html_view import (
    Highlight,
    locate,
    mark_up,
    render_eval,
    render_records,
)
from summarizer.schema import ArticleRecord, Evidence, Extraction

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_ffa2c5b90b9276a4.txt"

# A short article written for these tests: a block quote holding a nested quote that holds a
# casualty figure, two casualty spans that cross, a disputed claim, and markup that must stay text.
SHORT_ARTICLE = (
    "Shelling hits Marrow Bay <again> & again\n\n"
    "At least 12 people were killed and 30 injured in Marrow Bay on Tuesday, "
    "the regional health office said.\n\n"
    "Governor Ana Ruiz said: \"The medics told me 'we buried 12 people before noon' "
    "and I believe them.\"\n\n"
    "The army said its units had not fired on the town. Witnesses disputed that account.\n\n"
    "<script>window.__pwned = true</script> <img src=x onerror=\"window.__pwned = true\">\n"
)


def evidence(text: str, needle: str) -> dict[str, Any]:
    start = text.index(needle)
    return {"start": start, "end": start + len(needle), "text": needle}


def short_extraction() -> dict[str, Any]:
    """Six items over :data:`SHORT_ARTICLE`, as a raw dict (validated by the caller)."""
    text = SHORT_ARTICLE
    return {
        "summary": "At least 12 people were killed in Marrow Bay <b>on Tuesday</b>.",
        "casualties": [
            {
                "outcome": "killed",
                "figure": {"text": "At least 12", "kind": "lower_bound", "low": 12, "qualifier": "at least"},
                "location": "Marrow Bay", "time_scope": "incident", "period": "on Tuesday",
                "source": "the regional health office",
                "evidence": evidence(text, "At least 12 people were killed"),
            },
            {   # crosses the first report: both contain "killed"
                "outcome": "injured",
                "figure": {"text": "30", "kind": "exact", "low": 30, "high": 30},
                "location": "Marrow Bay",
                "evidence": evidence(text, "killed and 30 injured"),
            },
            {   # inside the nested quote, inside the block quote
                "outcome": "killed",
                "figure": {"text": "12", "kind": "exact", "low": 12, "high": 12},
                "source": "<i>The medics</i>",
                "evidence": evidence(text, "buried 12 people"),
            },
        ],
        "quotes": [
            {
                "text": "The medics told me 'we buried 12 people before noon' and I believe them.",
                "speaker": "Ana Ruiz", "speaker_role": "Governor", "mode": "direct",
                "evidence": evidence(text, "The medics told me 'we buried 12 people before noon' and I believe them."),
            },
            {
                "text": "we buried 12 people before noon",
                "speaker": "The medics", "mode": "direct", "nested_in": 0,
                "evidence": evidence(text, "we buried 12 people before noon"),
            },
        ],
        "claims": [
            {
                "claim": "its units had not fired on the town",
                "claimant": "The army", "disputant": "Witnesses",
                "evidence": evidence(text, "The army said its units had not fired on the town."),
            },
        ],
    }


def short_record(**changes: Any) -> ArticleRecord:
    raw = {
        "id": "short-\"marrow\"-<1>",
        "title": "Shelling hits Marrow Bay",
        "chars": len(SHORT_ARTICLE),
        "dropped": {"casualties": 1, "quotes": 0, "claims": 2, "reasons": ["quote text not in article: <x>"]},
        "provenance": {
            "summarizer_version": "0.1.0", "strategy": "rules", "backend": "embedded",
            "model": "smollm2-135m", "prompt_version": "p-3f9a",
            "usage": {"calls": 2, "cached_calls": 1, "prompt_tokens": 1234, "completion_tokens": 56},
            "latency_s": 1.5,
        },
        **short_extraction(),
        **changes,
    }
    return ArticleRecord.model_validate(raw)


def seed_record(text: str) -> ArticleRecord:
    """A hand-built record over the seed article. Spans are found from short anchors or from
    the article's structure (the block quote is the paragraph after the one ending in a colon),
    so the test file holds no more than a few words of the seed."""
    paragraphs = [m for m in re.finditer(r"[^\n]+", text)]
    block = next(p for previous, p in zip(paragraphs, paragraphs[1:]) if previous.group().endswith("territory:"))
    inner_open, inner_close = text.index("\u201c", block.start()), text.index("\u201d", block.start())
    claim = re.search(r"[^.]*falsely[^.:]*", text)
    assert claim is not None

    def span(start: int, end: int) -> dict[str, Any]:
        return {"start": start, "end": end, "text": text[start:end]}

    def killed(needle: str, value: int, group: str = "people", **more: Any) -> dict[str, Any]:
        return {
            "outcome": "killed", "victim_group": group,
            "figure": {"text": str(value), "kind": "exact", "low": value, "high": value},
            "evidence": evidence(text, needle), **more,
        }

    raw = {
        "id": SEED.stem,
        "summary": "Monitors reported 118 deaths across Syria on Wednesday amid Russian airstrikes.",
        "casualties": [
            killed("118 deaths", 118, time_scope="day", source="Local Coordination Committees"),
            killed("52 people were killed", 52, location="Deir ez-Zor Province", source="The LCC"),
            killed("43 people died", 43, location="Aleppo Province"),
            killed("11 women", 11, "women", subset_of=0),
            killed("10 children", 10, "children", subset_of=0),
            {
                "outcome": "killed", "victim_group": "civilians",
                "figure": {"text": "more than 1,600", "kind": "lower_bound", "low": 1601, "qualifier": "more than"},
                "time_scope": "cumulative", "source": "The Violations Documentation Center",
                "evidence": evidence(text, "more than 1,600 civilians"),
            },
        ],
        "quotes": [
            {"text": block.group(), "speaker": "Sergei Lavrov", "speaker_role": "Russian Foreign Minister",
             "mode": "direct", "evidence": span(block.start(), block.end())},
            {"text": text[inner_open + 1 : inner_close], "speaker": "they", "mode": "direct", "nested_in": 0,
             "evidence": span(inner_open + 1, inner_close)},
        ],
        "claims": [
            {"claim": claim.group().strip(), "claimant": "Sputnik News", "disputant": "the article",
             "evidence": span(claim.start() + len(claim.group()) - len(claim.group().lstrip()), claim.end())},
        ],
    }
    return ArticleRecord.model_validate(raw)


def short_diff() -> ArticleDiff:
    """Gold = the short extraction; the prediction gets one casualty wrong-ish (missed), one
    extra, a matched quote with a different speaker, and the claim right."""
    gold = Extraction.model_validate(short_extraction())
    raw = short_extraction()
    raw["casualties"] = [raw["casualties"][0], {**raw["casualties"][0], "location": "the bay"}]
    raw["casualties"][1] = {
        "outcome": "injured", "figure": {"text": "30", "kind": "exact", "low": 30, "high": 30},
        "evidence": evidence(SHORT_ARTICLE, "30 injured"), "victim_group": "civilians",
    }
    raw["quotes"] = [{**raw["quotes"][1], "speaker": "Ana Ruiz", "nested_in": None}]
    predicted = Extraction.model_validate(raw)
    return ArticleDiff.from_extractions(
        "short", gold, predicted,
        {"casualties": [(0, 0)], "quotes": [(1, 0)], "claims": [(0, 0)]},
        title="Shelling hits <Marrow> Bay",
    )


class PageParts(HTMLParser):
    """Parses a rendered page: the text each highlight covers, tags and attributes seen."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "source", "wbr"}

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, Optional[str]]] = []
        self.marks: list[dict[str, str]] = []
        self.covered: dict[str, str] = {}
        self.tags: list[tuple[str, dict[str, Optional[str]]]] = []
        self.scripts: list[str] = []
        self.texts: list[str] = []
        self._in_text = 0
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "mark":
            self.marks.append({k: v or "" for k, v in attributes.items()})
        if tag in self.VOID:
            return
        item = attributes.get("data-item") or attributes.get("data-continues")
        self.stack.append((tag, item))
        if "text" in (attributes.get("class") or "").split():
            self._in_text = len(self.stack)
            self.texts.append("")
        if item is not None:
            self.covered.setdefault(item, "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        open_tag, _ = self.stack.pop()
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"
        if self._in_text > len(self.stack):
            self._in_text = 0

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "script":
            self.scripts.append(data)
        if self._in_text:
            self.texts[-1] += data
        for _, item in self.stack:
            if item is not None:
                self.covered[item] += data


# ------------------------------------------------------------------------------ mark_up


def test_nested_spans_become_nested_marks() -> None:
    html = mark_up("say 'go now' please", [Highlight(4, 12, "outer"), Highlight(5, 11, "inner")])
    assert html == (
        'say <mark id="outer" class="hl" data-item="outer">\''
        '<mark id="inner" class="hl" data-item="inner">go now</mark>\'</mark> please'
    )


def test_crossing_spans_give_one_mark_each_and_a_continuation() -> None:
    text = "abcdefghij"
    parts = PageParts(f'<div class="text">{mark_up(text, [Highlight(0, 5, "A"), Highlight(3, 8, "B")])}</div>')
    assert [mark["data-item"] for mark in parts.marks] == ["A", "B"]
    assert parts.covered == {"A": "abcde", "B": "defgh"}
    assert parts.texts == [text]
    assert 'data-continues="B"' in mark_up(text, [Highlight(0, 5, "A"), Highlight(3, 8, "B")])


def test_identical_spans_are_both_marked() -> None:
    parts = PageParts(mark_up("same words", [Highlight(0, 10, "gold"), Highlight(0, 10, "predicted")]))
    assert parts.covered == {"gold": "same words", "predicted": "same words"}
    assert len(parts.marks) == 2


def test_markup_in_the_text_is_escaped_inside_and_outside_marks() -> None:
    html = mark_up("<b>x</b> & <i>", [Highlight(0, 3, "tag")])
    assert "<b>" not in html and "<i>" not in html
    assert PageParts(html).covered == {"tag": "<b>"}


@pytest.mark.parametrize("start,end", [(-1, 2), (3, 3), (5, 4), (0, 11)])
def test_spans_outside_the_text_are_refused(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        mark_up("0123456789", [Highlight(start, end, "bad")])


def test_repeated_ids_are_refused() -> None:
    with pytest.raises(ValueError):
        mark_up("0123456789", [Highlight(0, 2, "same"), Highlight(4, 6, "same")])


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[Highlight]]:
    text = draw(st.text(alphabet="ab <&>\"'\n", min_size=2, max_size=40))
    bounds = st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).filter(lambda pair: pair[0] != pair[1])
    spans = [tuple(sorted(pair)) for pair in draw(st.lists(bounds, max_size=8))]
    return text, [Highlight(start, end, f"h{n}") for n, (start, end) in enumerate(spans)]


@settings(max_examples=200, deadline=None)
@given(text_and_spans())
def test_any_spans_give_well_formed_markup_covering_exactly_their_text(case: tuple[str, list[Highlight]]) -> None:
    text, highlights = case
    parts = PageParts(f'<div class="text">{mark_up(text, highlights)}</div>')  # asserts nesting
    assert parts.texts == [text]
    assert sorted(mark["data-item"] for mark in parts.marks) == sorted(h.item_id for h in highlights)
    assert parts.covered == {h.item_id: text[h.start : h.end] for h in highlights}


# ------------------------------------------------------------------------------ locate


def test_locate_trusts_offsets_that_slice_the_text_and_relocates_others() -> None:
    text = "He said \u201cwe left\u201d and we left."
    second = text.rindex("we left")
    exact = Evidence(start=second, end=second + 7, text="we left")
    assert locate(exact, text) == (second, second + 7)
    stale = Evidence(start=second - 3, end=second + 4, text="we left")  # nearest occurrence wins
    assert locate(stale, text) == (second, second + 7)
    assert locate(Evidence(start=0, end=7, text="we left"), text) == (9, 16)
    assert locate(Evidence(start=0, end=5, text="never"), text) is None


# ------------------------------------------------------------------------------ render_records


def test_every_item_has_one_mark_holding_its_evidence() -> None:
    record = short_record()
    parts = PageParts(render_records([record], {record.id: SHORT_ARTICLE}))
    items = [*record.casualties, *record.quotes, *record.claims]
    assert len(parts.marks) == len(items) == 6
    assert parts.texts == [SHORT_ARTICLE]
    kinds = ["casualty"] * 3 + ["quote"] * 2 + ["claim"]
    expected = {f"a0-{kind}-{i}": item.evidence.text for kind, i, item in _numbered(kinds, items)}
    assert parts.covered == expected
    assert {mark["data-kind"] for mark in parts.marks} == {"casualty", "quote", "claim"}
    assert all(mark["id"] == mark["data-item"] for mark in parts.marks)


def _numbered(kinds: list[str], items: list) -> list[tuple[str, int, Any]]:
    counters: dict[str, int] = {}
    numbered = []
    for kind, item in zip(kinds, items):
        numbered.append((kind, counters.get(kind, 0), item))
        counters[kind] = counters.get(kind, 0) + 1
    return numbered


def test_nested_quote_and_casualty_sit_inside_the_block_quote() -> None:
    record = short_record()
    page = render_records([record], {record.id: SHORT_ARTICLE})
    block_start = page.index('data-item="a0-quote-0"')
    nested_start = page.index('data-item="a0-quote-1"')
    casualty_start = page.index('data-item="a0-casualty-2"')
    block_end = page.index("</mark>", page.index("I believe them."))
    assert block_start < nested_start < casualty_start < block_end


def test_article_and_model_text_is_escaped() -> None:
    record = short_record(summary="<img src=x onerror=alert(1)> 12 killed")
    page = render_records([record], {record.id: SHORT_ARTICLE})
    parts = PageParts(page)
    tag_names = {tag for tag, _ in parts.tags}
    assert not tag_names & {"img", "i", "b", "iframe", "link"}
    assert [tag for tag, _ in parts.tags].count("script") == 1
    assert "&lt;script&gt;window.__pwned = true&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;i&gt;The medics&lt;/i&gt;" in page  # a model-written field
    assert 'data-article-id="short-&quot;marrow&quot;-&lt;1&gt;"' in page


def test_page_is_self_contained_and_only_its_own_script_may_run() -> None:
    record = short_record()
    page = render_records([record], {record.id: SHORT_ARTICLE})
    parts = PageParts(page)
    for _, attributes in parts.tags:
        assert "src" not in attributes
        assert (attributes.get("href") or "#").startswith("#")
    policy = next(a["content"] for tag, a in parts.tags if tag == "meta" and a.get("http-equiv"))
    digest = base64.b64encode(hashlib.sha256(parts.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy


def test_side_panel_lists_the_structured_fields() -> None:
    record = short_record()
    page = render_records([record], {record.id: SHORT_ARTICLE})
    for shown in (
        "At least 12 (lower bound, 12 or more)", "the regional health office", "incident, on Tuesday",
        "Marrow Bay", "Ana Ruiz", "Governor", "quote #1", "direct", "The army", "Witnesses",
    ):
        assert f"<dd>{shown}</dd>" in page, shown
    assert page.count('data-target="a0-') == 6


def test_summary_status_drops_and_provenance_are_shown() -> None:
    record = short_record()
    page = render_records([record], {record.id: SHORT_ARTICLE})
    assert "At least 12 people were killed in Marrow Bay &lt;b&gt;on Tuesday&lt;/b&gt;." in page
    assert '<span class="status status-ok">ok</span>' in page
    assert "<dd>1 casualties, 0 quotes, 2 claims</dd>" in page
    assert "quote text not in article: &lt;x&gt;" in page
    for shown in ("rules", "smollm2-135m (embedded)", "p-3f9a", "1,234 in + 56 out, 2 calls (1 cached)", "1.50 s"):
        assert f"<dd>{shown}</dd>" in page, shown


def test_error_record_without_text_shows_its_reason() -> None:
    failed = ArticleRecord(id="bad", status="error", error={"kind": "binary_input", "message": "not <text>"})
    page = render_records([failed], {})
    assert '<span class="status status-error">error</span>' in page
    assert "<strong>binary_input</strong>: not &lt;text&gt;" in page
    assert "Article text not supplied" in page
    assert "<mark" not in page


def test_items_are_listed_but_not_marked_when_their_evidence_is_not_in_the_text() -> None:
    record = short_record()
    other_text = SHORT_ARTICLE.replace("buried", "counted")  # both quotes and casualty 2 vanish
    parts = PageParts(render_records([record], {record.id: other_text}))
    assert len(parts.marks) == 3
    assert set(parts.covered) == {"a0-casualty-0", "a0-casualty-1", "a0-claim-0"}
    assert render_records([record], {record.id: other_text}).count("evidence not found in the text") == 3


def test_offsets_into_a_differently_spaced_copy_are_relocated() -> None:
    record = short_record()
    padded = "\n\n" + SHORT_ARTICLE
    parts = PageParts(render_records([record], {record.id: padded}))
    assert len(parts.marks) == 6
    assert parts.covered["a0-claim-0"] == record.claims[0].evidence.text


def test_marks_across_several_articles_have_unique_ids() -> None:
    record = short_record()
    other = short_record(id="second")
    parts = PageParts(render_records([record, other], {record.id: SHORT_ARTICLE, "second": SHORT_ARTICLE}))
    ids = [mark["id"] for mark in parts.marks]
    assert len(ids) == len(set(ids)) == 12
    assert '<nav class="toc"' in render_records([record, other], {})


@pytest.mark.skipif(not SEED.exists(), reason=f"seed article not found at {SEED}")
def test_seed_article_items_are_all_marked() -> None:
    text = SEED.read_text(encoding="utf-8")
    record = seed_record(text)
    parts = PageParts(render_records([record], {record.id: text}))
    assert len(parts.marks) == 9
    assert parts.texts == [text]
    assert parts.covered["a0-quote-1"] == record.quotes[1].evidence.text
    assert parts.covered["a0-quote-0"] == record.quotes[0].evidence.text


# ------------------------------------------------------------------------------ render_eval


def test_eval_marks_gold_and_predicted_items_by_status() -> None:
    diff = short_diff()
    scores = {"casualties": {"precision": 0.5, "recall": 1 / 3, "f1": 0.4, "support": 3}, "quotes": {"f1": 0.5}}
    page = render_eval([diff], scores, {"short": SHORT_ARTICLE})
    parts = PageParts(page)
    statuses = [(mark["data-side"], mark["data-status"]) for mark in parts.marks]
    assert statuses.count(("gold", "matched")) == 3
    assert statuses.count(("predicted", "matched")) == 3
    assert statuses.count(("gold", "missed")) == 3  # casualties 1 and 2, the block quote
    assert statuses.count(("predicted", "extra")) == 1
    assert len(parts.marks) == 6 + 4  # every gold and every predicted item
    assert parts.covered["a0-predicted-casualty-1"] == "30 injured"
    assert parts.covered["a0-gold-casualty-1"] == "killed and 30 injured"
    assert "missed (gold only)" in page and "extra (predicted only)" in page


def test_eval_shows_score_table_and_field_differences() -> None:
    diff = short_diff()
    scores = {"casualties": {"precision": 0.5, "recall": 1 / 3, "f1": 0.4, "support": 3}, "quotes": {"f1": 0.5}}
    page = render_eval([diff], scores, {"short": SHORT_ARTICLE})
    assert '<th scope="col">precision</th><th scope="col">recall</th><th scope="col">f1</th><th scope="col">support</th>' in page
    assert '<th scope="row">casualties</th><td>0.500</td><td>0.333</td><td>0.400</td><td>3</td>' in page
    assert '<th scope="row">quotes</th><td>\u2014</td><td>\u2014</td><td>0.500</td><td>\u2014</td>' in page
    # the matched quote: same words, different speaker and nesting
    assert '<tr class="differs"><th scope="row">speaker</th><td>The medics</td><td>Ana Ruiz</td></tr>' in page
    assert '<tr><th scope="row">mode</th><td>direct</td><td>direct</td></tr>' in page
    assert "Shelling hits &lt;Marrow&gt; Bay" in page
    assert 'data-target="a0-gold-quote-1 a0-predicted-quote-0"' in page


def test_kind_diff_refuses_matches_outside_its_items() -> None:
    gold = Extraction.model_validate(short_extraction())
    with pytest.raises(ValueError):
        KindDiff(gold.quotes, gold.quotes[:1], matches=[(0, 1)])
    counts = KindDiff(gold.quotes, gold.quotes[:1], matches=[(1, 0)]).counts()
    assert counts == {"matched": 1, "missed": 1, "extra": 0}


def test_eval_view_reads_the_scorers_results() -> None:
    scoring = pytest.importorskip("summarizer.evaluation.scoring")
    gold = Extraction.model_validate(short_extraction())
    hand = short_diff()
    predicted = Extraction(
        summary="12 killed in Marrow Bay.",
        casualties=list(hand.casualties.predicted), quotes=list(hand.quotes.predicted), claims=list(hand.claims.predicted),
    )
    score = scoring.score_article(gold, predicted, SHORT_ARTICLE, article_id="short")
    diff = ArticleDiff.from_score(score, gold, predicted, title="Marrow Bay")
    assert [list(kind.matches) for _, kind in diff.by_kind()] == [list(kind.matches) for _, kind in hand.by_kind()]
    assert diff.scores["casualties F1"] == pytest.approx(0.4)

    page = render_eval([diff], scoring.aggregate([score]), {"short": SHORT_ARTICLE})
    assert '<th scope="row">casualties</th><td>1</td><td>1</td><td>2</td><td>0.500</td><td>0.333</td><td>0.400</td>' in page
    assert '<th scope="row">quotes.speaker</th><td>0.000</td><td>0</td><td>1</td>' in page
    assert "<div><dt>summary faithfulness</dt><dd>1.000</dd></div>" in page
    assert "<li>speaker: gold &#x27;The medics&#x27;, predicted &#x27;Ana Ruiz&#x27;</li>" in page
    assert len(PageParts(page).marks) == 10
