"""Page boilerplate: the spans of an archived page that are not the article's content.

Crawled news pages keep their furniture: cookie notices, sign-in widgets ("Already a subscriber?"),
share buttons, photo credits, copyright lines, and lists of other stories ("Related stories",
"Top trending") whose headlines report other incidents. The rules skip these spans; the stored
text is never rewritten, so every offset stays valid against the article.

The detector is line-based and data-driven (``lexicons/boilerplate.toml``); each span says which
rule found it:

* ``boilerplate.widget_line``: a short line holding a widget/notice/credit phrase;
* ``boilerplate.story_list``: a list heading line and the short lines (other stories' headlines)
  that follow it;
* ``boilerplate.clip_line``: a short line that opens with a clip's running time, the title of a
  video in a player's list ("2:07 Mother of toddler declared brain dead"), not a time of day.

API: ``NonContent.of(text)`` (cached per text) -> ``.spans`` (:class:`NonContentSpan`, in order)
and ``.covers(start, end)`` (the span lies inside boilerplate); ``NonContent.for_doc(doc)``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from summarizer.rules import lexicon
from summarizer.rules.nlp import doc_text

_WIDGET = lexicon.phrase_pattern("boilerplate", "phrases.widget")
_HEADING = lexicon.phrase_pattern("boilerplate", "phrases.list_heading")
#: A widget line is short: a sentence of reporting that happens to say "click here" is kept.
WIDGET_LINE_MAX = 160
#: The headlines of a story list are short lines; a longer one is the article again.
LIST_LINE_MAX = 120
#: How many lines a story list runs at most after its heading.
LIST_LINES_MAX = 15
#: A video list entry: a clip's running time (minutes:seconds, under ten minutes), then a title;
#: a time of day says a.m./p.m. or a zone, and a live blog's "16:40" has two digits.
_CLIP_LINE = re.compile(r"\d:[0-5]\d +(?![AaPp]\.?[Mm]\b|[A-Z]{2,4}T\b)[A-Z0-9\"“‘'][^\n]*")
#: A player lists several clips: one such line alone is not a list.
CLIP_LINES_MIN = 2

BOILERPLATE_RULES: tuple[tuple[str, str], ...] = (
    ("boilerplate.widget_line", f"a line under {WIDGET_LINE_MAX} characters with a widget, notice or credit phrase"),
    ("boilerplate.story_list", f"a list heading and up to {LIST_LINES_MAX} short lines after it"),
    ("boilerplate.clip_line", f"a line under {LIST_LINE_MAX} characters opening with a clip's running time "
                              f"(M:SS), when the page has {CLIP_LINES_MIN} or more"),
)


@dataclass(frozen=True)
class NonContentSpan:
    """``text[start:end]`` is page furniture, found by ``rule``."""

    start: int
    end: int
    rule: str


def _lines(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def find_boilerplate(text: str) -> tuple[NonContentSpan, ...]:
    """Every boilerplate span of ``text`` (whole lines, trimmed), in order."""
    found: list[NonContentSpan] = []
    lines = _lines(text)
    index = 0
    while index < len(lines):
        start, end = lines[index]
        line = text[start:end].strip()
        if not line:
            index += 1
            continue
        lead = start + (len(text[start:end]) - len(text[start:end].lstrip()))
        trimmed_end = lead + len(line)
        heading = re.sub(r"[\s:|\-–—>»]+$", "", line)
        if _HEADING.fullmatch(heading):
            last = trimmed_end
            taken = 0
            follower = index + 1
            while follower < len(lines) and taken < LIST_LINES_MAX:
                f_start, f_end = lines[follower]
                f_line = text[f_start:f_end].strip()
                if f_line and len(f_line) > LIST_LINE_MAX:
                    break
                if f_line:
                    last = f_start + text[f_start:f_end].find(f_line) + len(f_line)
                    taken += 1
                follower += 1
            found.append(NonContentSpan(lead, last, "boilerplate.story_list"))
            index = follower
            continue
        if len(line) <= WIDGET_LINE_MAX and _WIDGET.search(line):
            found.append(NonContentSpan(lead, trimmed_end, "boilerplate.widget_line"))
        elif len(line) <= LIST_LINE_MAX and _CLIP_LINE.fullmatch(line):
            found.append(NonContentSpan(lead, trimmed_end, "boilerplate.clip_line"))
        index += 1
    if sum(span.rule == "boilerplate.clip_line" for span in found) < CLIP_LINES_MIN:
        found = [span for span in found if span.rule != "boilerplate.clip_line"]
    return tuple(found)


class NonContent:
    """The boilerplate of one text, for quick "is this span furniture?" questions."""

    def __init__(self, text: str) -> None:
        self.spans = find_boilerplate(text)
        self._starts = [s.start for s in self.spans]

    @classmethod
    def of(cls, text: str) -> "NonContent":
        return _cached(text)

    @classmethod
    def for_doc(cls, doc: Doc) -> "NonContent":
        return _cached(doc_text(doc))

    def covers(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside one boilerplate span (surrounding spaces aside)."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i < 0:
            return False
        span = self.spans[i]
        return span.start <= start and end <= span.end + 1


@lru_cache(maxsize=16)
def _cached(text: str) -> NonContent:
    return NonContent(text)
