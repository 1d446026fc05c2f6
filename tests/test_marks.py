"""One reading of quotation marks (summarizer.rules.marks) for the speaker index, the attribution
tagger and the PolNeAR mapping."""

from __future__ import annotations

from summarizer.attribution.tagger import TaggedSpan, spans_to_candidates
from summarizer.evaluation.polnear import _attribution
from summarizer.rules.marks import mostly_quoted, quoted_share, quoted_spans
from summarizer.rules.nlp import parse
from summarizer.rules.speakers import SpeakerIndex


def test_every_form_of_marks_encloses_a_passage_marks_included() -> None:
    for text in ("\u201cWe will fight,\u201d", '"We will fight,"', "''We will fight,''", "``We will fight,''",
                 "\u00abWe will fight,\u00bb", "\u2018We will fight,\u2019"):
        assert quoted_spans(text) == [(0, len(text))], text
        assert quoted_share(text) == 1.0


def test_mixed_pairs_close_and_an_open_quote_runs_to_the_end_of_its_line() -> None:
    assert mostly_quoted("\u201cImmunity deals should not be a requirement,\"")  # typed copy mixes marks
    assert mostly_quoted('dismissed the reports as "previous misinterpreted statements and allegations.\u201d')
    text = "\u201cWe will fight on\nand win, she said."
    assert quoted_spans(text) == [(0, text.index("\n"))]  # the next paragraph reopens it, or it ended


def test_short_single_marks_and_embedded_phrases_are_not_direct() -> None:
    assert quoted_spans("the \u2018no\u2019 vote") == []  # fewer than MIN_SINGLE_QUOTED characters
    assert not mostly_quoted("that the team would \u201cfight\u201d the ruling in every court")
    assert quoted_share("   ") == 0.0


def test_speaker_index_tagger_and_polnear_read_the_same_marks() -> None:
    text = "Ann Park spoke on Monday.\n``We will see Tom Reed there,'' she said."
    doc = parse(text)
    speakers = SpeakerIndex.for_doc(doc)
    assert speakers.in_quotes(text.index("Tom Reed")) and not speakers.in_quotes(text.index("she said"))
    start, end = text.index("``"), text.index("'' she") + 2
    [candidate] = spans_to_candidates(doc, [TaggedSpan("CONTENT", start, end)])
    assert candidate.quote.mode == "direct"
    gold = _attribution({"content": {"start": start, "end": end, "text": text[start:end]}}, text, "test")
    assert gold is not None and gold.direct
