"""Run a trained attribution tagger on a parsed article and turn its spans into quote candidates.

The tagger is a spaCy entity recognizer over three labels (``SOURCE``, ``CUE``, ``CONTENT``;
:data:`summarizer.attribution.LABELS`) whose token features include the part-of-speech tag and
dependency label of the shared parse, so it runs on a copy of the document the rules already
parsed (no second parse, and the rules' own entities are left alone).

From spans to :class:`~summarizer.schema.Quote` items (:meth:`AttributionTagger.candidates`):

* every ``CONTENT`` span is a quote: its text is the article's own characters (outer quotation
  marks and spaces trimmed), so the grounding checkpoint can find it verbatim;
* its mode is ``direct`` when at least half of it lies inside quotation marks, else ``indirect``:
  the test the PolNeAR mapping scores gold contents by (``evals/POLNEAR.md``), on the span the
  tagger gave (:func:`summarizer.rules.marks.mostly_quoted`);
* its speaker is the ``SOURCE`` span the tagger put in the same sentence (else the sentence
  before, else the one after), nearest to the content; the source's head word is resolved by the
  rules' :class:`~summarizer.rules.speakers.SpeakerIndex` (entity to fullest name, pronoun to its
  antecedent, "the ministry" to the body it refers back to), so a pronoun source names a person;
  with no source tagged (or none that resolves), the subject of the nearest tagged ``CUE`` verb.

How the tagger's quotes join the rules' (:func:`merge`): ``add`` keeps every rules quote and adds
the tagger's that overlap none of them; ``indirect`` adds only its indirect ones; ``tagger`` uses
the tagger's quotes alone (for comparison). Which one wins is measured in the README.
"""

from __future__ import annotations

import dataclasses
import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from summarizer.attribution import DEFAULT_MERGE, MERGE_MODES, MergeMode
from summarizer.rules.marks import mostly_quoted
from summarizer.rules.nlp import doc_text
from summarizer.rules.quotes import QuoteCandidate
from summarizer.rules.speakers import Speaker, SpeakerIndex, subject_of
from summarizer.schema import Evidence, Quote


#: Rule ids the tagger's quotes carry (``Quote.rule`` / ``Quote.speaker_rule``).
CONTENT_RULE = "tagger.content"
SOURCE_RULE = "tagger.source"
CUE_SUBJECT_RULE = "tagger.cue_subject"

#: Token features the tagger reads besides the words: they come from the shared parse.
PARSE_FEATURES: tuple[str, ...] = ("TAG",)

_TRIM = " \t\n\u00a0\"'\u201c\u201d\u2018\u2019`"
#: Shortest content worth a quote, in words: a one-word content ("no") is rarely what a reader
#: wants as a quote, and the tagger's shortest spans are its least reliable.
MIN_WORDS = 2


@dataclass(frozen=True)
class TaggedSpan:
    """One span the tagger predicted, in character offsets of the article."""

    label: str
    start: int
    end: int


def features_doc(vocab, doc: Doc) -> Doc:
    """A copy of ``doc``'s tokens in ``vocab``, no entities, each token's tag being the shared
    parse's part-of-speech tag and dependency label joined ("NNP/nsubj").

    The tagger's features come from the shared parse; copying keeps its entity predictions off
    the rules' document (whose entities the speaker finder reads). The copy has no tree and so
    no sentence bounds on purpose: spaCy's entity recognizer never lets an entity cross a
    sentence start, and a quote's content often runs over several sentences.
    """
    return Doc(
        vocab,
        words=[t.text for t in doc],
        spaces=[bool(t.whitespace_) for t in doc],
        tags=[feature_tag(t.tag_, t.dep_) for t in doc],
    )


def feature_tag(tag: str, dep: str) -> str:
    """The tagger's one parse feature per token: tag and dependency label."""
    return f"{tag}/{dep}" if dep else tag


def model_sha256(path: Path | str) -> str:
    """One hash over every file of a saved model directory (names and bytes): what a README or
    a record can pin the weights by. The training log (``training.json``) is not part of it."""
    root = Path(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "training.json"):
        digest.update(str(file.relative_to(root)).encode("utf-8") + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def require_model_dir(path: Path | str) -> Path:
    """``path`` as a Path if it holds a trained tagger (its ``config.cfg``); else a
    :class:`FileNotFoundError` saying how to make one. Cheap: nothing is loaded."""
    path = Path(path)
    if not (path / "config.cfg").is_file():
        raise FileNotFoundError(
            f"no attribution model at {path} (train one: python scripts/train-attribution-tagger.py --out {path})"
        )
    return path


class AttributionTagger:
    """A trained tagger loaded from a local directory (``scripts/train-attribution-tagger.py``
    writes one); nothing is downloaded. ``merge`` says how its quotes join the rules'."""

    def __init__(self, path: Path | str, merge: MergeMode = DEFAULT_MERGE) -> None:
        import spacy

        if merge not in MERGE_MODES:
            raise ValueError(f"unknown attribution merge {merge!r}; choose from {', '.join(MERGE_MODES)}")
        self.path = require_model_dir(path)
        self.nlp: Language = spacy.load(self.path)
        self.merge_mode: MergeMode = merge
        #: What records' provenance pins the weights by (:func:`model_sha256`).
        self.sha256 = model_sha256(self.path)

    # -- spans ------------------------------------------------------------------------------

    def spans(self, doc: Doc) -> list[TaggedSpan]:
        """The tagger's spans on ``doc`` (a document of the shared parse), in article order."""
        copy = features_doc(self.nlp.vocab, doc)
        for _, pipe in self.nlp.pipeline:
            copy = pipe(copy)
        return [TaggedSpan(ent.label_, ent.start_char, ent.end_char) for ent in copy.ents]

    # -- quotes -----------------------------------------------------------------------------

    def candidates(self, doc: Doc) -> list[QuoteCandidate]:
        """The tagger's quotes on ``doc``, in article order, with speakers resolved by the rules'
        speaker index."""
        return spans_to_candidates(doc, self.spans(doc))

    def merged(self, doc: Doc, rules: Sequence[QuoteCandidate]) -> list[QuoteCandidate]:
        """The rules' quotes joined with the tagger's, as :attr:`merge_mode` says."""
        return merge(rules, self.candidates(doc), self.merge_mode)


def spans_to_candidates(doc: Doc, spans: Sequence[TaggedSpan]) -> list[QuoteCandidate]:
    """Quote candidates from tagged spans: one per ``CONTENT`` span of at least
    :data:`MIN_WORDS` words, speaker from the nearest ``SOURCE`` span around it."""
    text = doc_text(doc)
    sources = [s for s in spans if s.label == "SOURCE"]
    cues = [s for s in spans if s.label == "CUE"]
    speakers = SpeakerIndex.for_doc(doc)
    sentences = list(doc.sents)
    starts = [s.start_char for s in sentences]
    out: list[QuoteCandidate] = []
    for span in spans:
        if span.label != "CONTENT":
            continue
        start, end = _trimmed(text, span.start, span.end)
        if len(text[start:end].split()) < MIN_WORDS:
            continue
        quoted = text[start:end]
        mode = "direct" if mostly_quoted(text[span.start:span.end]) else "indirect"
        speaker, speaker_rule = _speaker(doc, speakers, _source_for(span, sources, sentences, starts)), SOURCE_RULE
        if speaker is None:  # no source tagged: the subject of the tagged cue, as the rules read it
            speaker, speaker_rule = _cue_subject(doc, speakers, _source_for(span, cues, sentences, starts)), CUE_SUBJECT_RULE
        name = speaker.name if speaker is not None else None
        out.append(
            QuoteCandidate(
                quote=Quote(
                    text=quoted,
                    speaker=name,
                    speaker_role=speaker.role if speaker is not None else None,
                    mode=mode,
                    evidence=Evidence(start=start, end=end, text=quoted),
                    rule=CONTENT_RULE,
                    speaker_rule=speaker_rule if name else None,
                ),
                speaker_options=speakers.options(start, name),
                speaker_cue=("pronoun_antecedent" if speaker.via_antecedent else "attribution_verb") if name else "none",
            )
        )
    return out


def _speaker(doc: Doc, speakers: SpeakerIndex, source: Optional[TaggedSpan]) -> Optional[Speaker]:
    """The speaker a tagged source stands for: its head word resolved by the rules' index."""
    if source is None:
        return None
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    return speakers.resolve(span.root) if span is not None and len(span) else None


def _cue_subject(doc: Doc, speakers: SpeakerIndex, cue: Optional[TaggedSpan]) -> Optional[Speaker]:
    """The speaker of a tagged cue that is a verb: its subject, resolved."""
    if cue is None:
        return None
    span = doc.char_span(cue.start, cue.end, alignment_mode="expand")
    if span is None or not len(span) or span.root.pos_ not in {"VERB", "AUX"}:
        return None
    subject = subject_of(span.root)
    return speakers.resolve(subject) if subject is not None else None


def merge(rules: Sequence[QuoteCandidate], tagged: Sequence[QuoteCandidate], mode: MergeMode) -> list[QuoteCandidate]:
    """The rules' quotes and the tagger's in article order, ``nested_in`` re-indexed.

    ``add``: every rules quote, and the tagger's quotes that overlap none of them; ``indirect``:
    the same with only its indirect ones; ``tagger``: the tagger's alone. A rules quote is never
    dropped by the first two: the rules' direct quotes measure near-perfect recall and carry
    nesting the tagger cannot give.
    """
    if mode == "tagger":
        return list(tagged)
    taken = [(c.quote.evidence.start, c.quote.evidence.end) for c in rules]
    extra = [
        c for c in tagged
        if (mode != "indirect" or c.quote.mode == "indirect")
        and not any(a < c.quote.evidence.end and c.quote.evidence.start < b for a, b in taken)
    ]
    # (index among the rules' quotes, or None for the tagger's; candidate), sorted stably: equal
    # bounds keep this order
    items: list[tuple[Optional[int], QuoteCandidate]] = [*enumerate(rules), *((None, c) for c in extra)]
    items.sort(key=lambda item: (item[1].quote.evidence.start, -item[1].quote.evidence.end))
    new_index = {old: new for new, (old, _) in enumerate(items) if old is not None}
    out: list[QuoteCandidate] = []
    for old, candidate in items:
        parent = candidate.quote.nested_in
        if old is not None and parent is not None:
            candidate = dataclasses.replace(candidate, quote=candidate.quote.model_copy(update={"nested_in": new_index[parent]}))
        out.append(candidate)
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without outer spaces and quotation marks (the marks are not the quote's words),
    nor a trailing comma the attribution follows ("..., he said"), nor the punctuation that ends
    the attribution before a quote goes on (“A,” X said. “B”: the second piece)."""
    while start < end and text[start] in _TRIM + ".,;:":
        start += 1
    while end > start and text[end - 1] in _TRIM + ",":
        end -= 1
    return start, end


def _source_for(content: TaggedSpan, sources: Sequence[TaggedSpan], sentences: Sequence[Span],
                starts: Sequence[int]) -> Optional[TaggedSpan]:
    """The source of a content: a ``SOURCE`` span outside it in the sentences it covers, nearest
    first; else in the sentence before; else in the sentence after."""
    first = max(0, bisect_right(starts, content.start) - 1)
    last = max(0, bisect_right(starts, max(content.start, content.end - 1)) - 1)

    def within(a: int, b: int) -> list[TaggedSpan]:
        lo = sentences[a].start_char
        hi = sentences[b].end_char
        return [s for s in sources if lo <= s.start and s.end <= hi and (s.end <= content.start or s.start >= content.end)]

    def distance(s: TaggedSpan) -> int:
        return content.start - s.end if s.end <= content.start else s.start - content.end

    for a, b in ((first, last), (first - 1, first - 1), (last + 1, last + 1)):
        if 0 <= a < len(sentences) and 0 <= b < len(sentences):
            found = within(a, b)
            if found:
                return min(found, key=distance)
    return None
