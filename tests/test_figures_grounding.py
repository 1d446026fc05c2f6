"""The figure reader and grounding helpers: the number rules every producer shares."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from summarizer.figures import find_figures, parse_figure, stated_value, words_to_int
from summarizer.grounding import find_span, normalise, strip_quote_marks, unsupported_terms


@pytest.mark.parametrize(
    "text, kind, low, high",
    [
        ("118", "exact", 118, 118),
        ("more than 1,600", "lower_bound", 1601, None),
        ("More than 200", "lower_bound", 201, None),
        ("at least two", "lower_bound", 2, None),
        ("40 or more", "lower_bound", 40, None),
        ("fewer than 10", "upper_bound", None, 9),
        ("up to 50", "upper_bound", None, 50),
        ("between 20 and 30", "range", 20, 30),
        ("20-30", "range", 20, 30),
        ("about 50", "approximate", 50, 50),
        ("100 or so", "approximate", 100, 100),
        ("dozens", "approximate", 24, 99),
        ("hundreds of thousands", "approximate", 200000, 999999),
        ("several hundred", "approximate", 200, 999),
        ("eleven", "exact", 11, 11),
        ("twenty-three", "exact", 23, 23),
        ("a dozen", "exact", 12, 12),
        ("two dozen", "exact", 24, 24),
        ("one hundred and five", "exact", 105, 105),
        ("seven hundred thousand", "exact", 700000, 700000),
        ("2.5 million", "exact", 2500000, 2500000),
    ],
)
def test_written_figures_read_as_intervals(text: str, kind: str, low, high) -> None:
    figure = parse_figure(text)
    assert figure is not None
    assert (figure.kind, figure.low, figure.high) == (kind, low, high)


def test_revision_is_two_figures_not_a_range() -> None:
    assert [f.figure.text for f in find_figures("the toll rose from 30 to 45")] == ["30", "45"]


def test_figure_offsets_slice_the_text() -> None:
    text = "Officials said more than 1,600 civilians and at least two medics died."
    for found in find_figures(text):
        assert text[found.start : found.end] == found.figure.text


@given(st.integers(min_value=0, max_value=10_000_000))
def test_digits_with_separators_round_trip(value: int) -> None:
    assert words_to_int(f"{value:,}") == value


def test_find_span_ignores_typographic_quotes_and_whitespace() -> None:
    article = "He said: \u201cYou\u2019re bombing\n the wrong people.\u201d"
    span = find_span("You're bombing the wrong people.", article)
    assert span is not None
    assert article[span[0] : span[1]] == "You\u2019re bombing\n the wrong people."


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200), st.data())
def test_find_span_finds_any_substring(article: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(article) - 1))
    end = data.draw(st.integers(min_value=start + 1, max_value=len(article)))
    needle = article[start:end]
    # find_span matches the needle without its outer quote marks (a quote's text excludes them)
    expected = normalise(strip_quote_marks(needle)) or normalise(needle)
    if not expected:
        return
    span = find_span(needle, article, near=start)
    assert span is not None
    assert normalise(article[span[0] : span[1]]) == expected


def test_summary_faithfulness_flags_invented_names_and_figures() -> None:
    article = "The LCC said 52 people were killed in Deir ez-Zor on Wednesday."
    assert unsupported_terms("The LCC said 52 people were killed in Deir ez-Zor.", article) == []
    assert unsupported_terms("Putin said 500 people were killed.", article) == ["500", "Putin"]
    assert unsupported_terms("Deir ez-Zor's toll was 52.", article) == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("17", 17),
        ("at least seventeen", 17),
        ("more than 1,600", 1600),  # the interval starts at 1,601; the stated number is 1,600
        ("fewer than 10", 10),
        ("some 4,000", 4000),
        ("40 or more", 40),
        ("a dozen", 12),
        ("dozens", None),
        ("between 20 and 30", None),
    ],
)
def test_stated_value_is_the_number_as_written(text: str, value) -> None:
    figure = parse_figure(text)
    assert figure is not None
    assert stated_value(figure) == value
