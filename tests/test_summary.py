"""The extractive summary: whole sentences of the article, news first, nothing glued to them."""

from __future__ import annotations

from summarizer import Summarizer

ARTICLE = (
    "KADUGLI, Sudan (Wire) \u2014 At least 14 people were killed on Tuesday when shells struck an aid convoy "
    "south of the city, the state health ministry said.\n\n"
    "The convoy of nine trucks was carrying food to a camp for displaced families. \"There is no excuse for "
    "this. We told both sides where we would be,\" said convoy coordinator Amina Osman.\n\n"
    "The army denied that its artillery had fired on the road, calling the reports false.\n"
)


def test_summary_drops_the_dateline_and_never_cuts_a_quotation_in_half() -> None:
    with Summarizer(strategy="rules") as summarizer:
        record = summarizer.summarize(ARTICLE, id="convoy")
    summary = record.summary
    assert summary.startswith("At least 14 people were killed on Tuesday")
    assert "KADUGLI" not in summary and "(Wire)" not in summary
    assert summary.count('"') % 2 == 0  # no sentence torn out of a multi-sentence quotation
    assert all(sentence.strip() in " ".join(ARTICLE.split()) for sentence in summary.split(". ") if sentence)
