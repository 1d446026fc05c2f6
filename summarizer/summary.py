"""Summaries that state nothing the article does not.

The extractive summary picks whole sentences of the article (so every name and figure in it is
the article's own): the first sentence that reads as news (a verb, not a headline or dateline),
then the sentences that carry the largest casualty figure and the first disputed claim, in article
order, within a word budget. The lead (first three sentences, scored by
:func:`summarizer.evaluation.scoring.lead_sentences`) is the baseline any summary must beat on
the eval; a model-written summary is accepted only when :func:`~summarizer.grounding.unsupported_terms`
finds nothing in it that the article lacks.
"""

from __future__ import annotations

from typing import Callable, Optional

from spacy.tokens import Doc, Span

from summarizer.schema import Extraction

MAX_SUMMARY_WORDS = 60


def _quote_marks_unbalanced(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("\u201c") != text.count("\u201d")


def _is_news_sentence(sentence: Span) -> bool:
    if _quote_marks_unbalanced(sentence.text):
        # a piece of a quotation that runs over several sentences: on its own it reads as the
        # article's voice, with a dangling quote mark
        return False
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in sentence)
    words = [t for t in sentence if t.is_alpha]
    if not has_verb or len(words) < 6:
        return False
    # headlines capitalise most words; news sentences do not
    capitalised = sum(1 for t in words if t.text[0].isupper())
    return capitalised / len(words) < 0.6


_DASHES = frozenset({"-", "--", "\u2013", "\u2014"})
_MAX_DATELINE_TOKENS = 30


def _dateline_end(sentence: Span) -> int:
    """Token index where the news starts after a dateline or byline glued to the first sentence.

    Wire copy and blogs put "KYIV, Ukraine (AP) \u2014", "January 28 \u2013 2016 \u2013 by A. Writer \u2013"
    before the first sentence, and sentence splitters keep them together. A dash-separated prefix
    whose parts hold no verb is such a dateline; a lower-case site tag right after it ("eaworldview
    The opposition ...") belongs to it too. Returns 0 when the sentence has no such prefix.
    """
    words = list(sentence)
    tokens = words[:_MAX_DATELINE_TOKENS]
    cut = 0
    segment_start = 0
    for index, token in enumerate(tokens):
        if token.text in _DASHES and index > segment_start:
            segment = tokens[segment_start:index]
            if any(t.pos_ in ("VERB", "AUX") and t.text.lower() != "by" for t in segment):
                break
            cut = segment_start = index + 1
    if cut == 0 or cut >= len(words) - 3:
        return 0
    rest = words[cut:]
    if len(rest) > 1 and rest[0].is_lower and rest[0].is_alpha and not rest[0].is_stop and rest[1].text[:1].isupper():
        cut += 1
    return cut


def _clean(sentence: Span, *, strip_dateline: bool = False) -> str:
    start = _dateline_end(sentence) if strip_dateline else 0
    text = sentence[start:].text if start else sentence.text
    return " ".join(text.split())


def extractive_summary(
    doc: Doc,
    extraction: Extraction,
    max_words: int = MAX_SUMMARY_WORDS,
    *,
    skip: Optional[Callable[[Span], bool]] = None,
) -> str:
    """Lead sentence + the main casualty and dispute sentences, whole and in article order.

    ``skip`` leaves sentences out (the strategies pass the prompt-injection guard: text that
    addresses a model is never news).
    """
    sentences = [s for s in doc.sents if _is_news_sentence(s) and not (skip and skip(s))]
    if not sentences:
        return ""
    chosen: list[Span] = [sentences[0]]

    def sentence_at(offset: int) -> Span | None:
        return next((s for s in sentences if s.start_char <= offset < s.end_char), None)

    top_level = [c for c in extraction.casualties if c.subset_of is None]
    if top_level:
        biggest = max(top_level, key=lambda c: (c.outcome == "killed", c.figure.low or c.figure.high or 0))
        sentence = sentence_at(biggest.evidence.start)
        if sentence is not None:
            chosen.append(sentence)
    if extraction.claims:
        sentence = sentence_at(extraction.claims[0].evidence.start)
        if sentence is not None:
            chosen.append(sentence)
    unique = sorted({s.start_char: s for s in chosen}.values(), key=lambda s: s.start_char)
    words = 0
    out: list[str] = []
    for sentence in unique:
        text = _clean(sentence, strip_dateline=sentence.start == sentences[0].start)
        count = len(text.split())
        if out and words + count > max_words:
            continue
        out.append(text)
        words += count
    return " ".join(out)
