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

from spacy.tokens import Doc, Span

from summarizer.schema import Extraction

MAX_SUMMARY_WORDS = 60


def _is_news_sentence(sentence: Span) -> bool:
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in sentence)
    words = [t for t in sentence if t.is_alpha]
    if not has_verb or len(words) < 6:
        return False
    # headlines capitalise most words; news sentences do not
    capitalised = sum(1 for t in words if t.text[0].isupper())
    return capitalised / len(words) < 0.6


def _clean(sentence: Span) -> str:
    return " ".join(sentence.text.split())


def extractive_summary(doc: Doc, extraction: Extraction, max_words: int = MAX_SUMMARY_WORDS) -> str:
    """Lead sentence + the main casualty and dispute sentences, whole and in article order."""
    sentences = [s for s in doc.sents if _is_news_sentence(s)]
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
        text = _clean(sentence)
        count = len(text.split())
        if out and words + count > max_words:
            continue
        out.append(text)
        words += count
    return " ".join(out)
