"""Quote candidates from typography and grammar alone: quote marks, colon-introduced blocks,
speech verbs and their subjects, and reported clauses.

How news marks speech, in the order the finder reads it:

* words in quote marks (straight, curly, paired apostrophes ``''...''``, or single marks used as
  quotes), possibly running over
  several paragraphs where each new paragraph reopens the quote;
* a paragraph with no marks after an introduction ending in a colon ("X told reporters:", or an
  outlet whose text is reproduced: "Sputnik News reported:");
* quote marks inside those (a nested quote), attributed by the speech verb inside the outer quote;
* reported speech: the clause a speech verb governs ("X said (that) ...") or the clause beside
  "according to X".

Each quote gets a ranked list of speaker options and a cue saying how the first was found, so a
small model can be asked only to pick among them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Literal, Optional

from spacy.tokens import Doc, Token

from summarizer.rules import lexicon
from summarizer.rules.marks import CLOSING_DOUBLE, CLOSING_SINGLE, OPENING_DOUBLE, OPENING_SINGLE
from summarizer.rules.nlp import doc_text, marks_text
from summarizer.rules.speakers import (
    BODY_NOUNS,
    DOCUMENT_NOUNS,
    SPEAKING_GROUP_NOUNS,
    PERSON_NOUNS,
    SPEAKER_LABELS,
    Speaker,
    SpeakerIndex,
    noun_phrase,
    same_speaker,
    subject_of,
)
from summarizer.schema import Evidence, Quote

SpeakerCue = Literal[
    "attribution_verb",  # subject of a speech verb next to the quote
    "pronoun_antecedent",  # that subject was "he"/"they"/"the ministry", resolved backwards
    "colon_intro",  # the sentence introducing the quote with a colon names the speaker
    "previous_quote",  # an unattributed quote continuing the previous quote's speaker
    "interviewee",  # an interview's headline quote: the person interviewed
    "nearest_entity",  # no attribution: the nearest person or body before the quote
    "none",
]

#: The quote-finding rules, in the order the finder applies them (each id goes into
#: ``Quote.rule``). Marks are read first; a colon block holding marked quotes becomes their outer
#: quote; reported speech is read last and never overlaps a direct quote. To add a rule, add a
#: finder step in :class:`_QuoteFinder` that builds ``_Found(..., rule=<id>)`` and list it here.
QUOTE_RULES: tuple[tuple[str, str], ...] = (
    ("quote.double_marks", "words in double quote marks (straight, curly, guillemets), reopened per paragraph"),
    ("quote.single_marks", "words in single marks used as quotes, or nested inside double marks"),
    ("quote.transcript_answer", "an interview transcript's 'A:' or 'Name:' paragraph"),
    ("quote.colon_block", "a paragraph without marks after an introduction ending in a colon that names a speaker"),
    ("quote.reported_clause", "the clause a reporting verb governs: 'X said (that) ...'"),
    ("quote.set_off_clause", "a statement set off by commas around a reporting verb: '..., X said, ...'"),
    ("quote.according_to_clause", "the clause beside 'according to X'"),
    ("quote.verb_complement", "what a speech verb's complement states: 'vowed to Y', 'announced plans to Y', 'asked if Y'"),
)

#: The speaker rules (each id goes into ``Quote.speaker_rule``). For a top-level quote in marks
#: they are tried in this order and the first that names a speaker wins (``_QuoteFinder._attribute``);
#: the others belong to one quote rule each. ``speaker_cue`` keeps the coarser class the hybrid
#: strategy reads to decide whether to ask a model.
SPEAKER_RULES: tuple[tuple[str, str], ...] = (
    ("speaker.dash_credit", "a name credited with a dash right after the quote: '\u201c...\u201d \u2015 Jane Doe'"),
    ("speaker.verb_leading_in", "a speech verb right before the marks: 'X said: \"...\"'"),
    ("speaker.colon_label", "a name set before the quote with a colon and no verb: 'Rep. Jane Doe (D-N.Y.): \"...\"'"),
    ("speaker.verb_after", "the first speech verb after the quote: '\"...\", X said'"),
    ("speaker.verb_before", "a speech verb earlier in the sentence"),
    ("speaker.governing_verb", "the speech verb the quoted words hang from: 'called the strike \"a massacre\"'"),
    ("speaker.according_to", "'according to X' around the quote (and an according-to clause's X)"),
    ("speaker.colon_intro", "the previous paragraph ends in a colon and names the speaker (and a colon block's intro)"),
    ("speaker.interviewee", "a headline quote in an interview: the person interviewed"),
    ("speaker.previous_quote", "an unattributed quote continues the previous quote's speaker"),
    ("speaker.nearest_entity", "no attribution: the nearest person or body before the quote"),
    ("speaker.pronoun_antecedent", "any verb rule whose subject ('he', 'the ministry') was resolved backwards"),
    ("speaker.outer_speaker", "a nested quote introduced by 'I/we say': the outer quote's speaker"),
    ("speaker.nested_verb", "a nested quote: the subject of the speech verb beside it inside the outer quote"),
    ("speaker.transcript_label", "a transcript's 'Name:' label"),
    ("speaker.transcript_answer", "a transcript's 'A:' label: the interviewee"),
    ("speaker.reporting_subject", "a reported clause: the subject of its reporting verb"),
    ("speaker.enclosing_clause", "a phrase in marks inside a reported clause: the clause's speaker"),
    ("speaker.participle_subject", "a speech participle set off by a comma ('X did Y, saying ...'): the main clause's subject"),
)

#: Lemmas of verbs that attribute words to someone (direct or reported speech).
SPEECH_VERBS = lexicon.words("speech", "verbs.speech")

#: Speech verbs that govern a reported clause ("said that ...").
REPORTING_VERBS = lexicon.words("speech", "verbs.reporting")

#: Speech verbs whose complement is the statement, by kind: "infinitive" ("vowed to Y"),
#: "object" ("announced plans to Y"), "question" ("asked if Y").
COMPLEMENT_KINDS = lexicon.by_word(lexicon.table("speech", "complements"))

#: Words right before a title in marks ("the podcast “Here’s the Thing”", "a class called “Perception”").
_TITLE_CUES = lexicon.words("speech", "titles.before")

#: Other nouns that speak in news copy: "media report", "Telegram channels say", "the tally shows".
_SPEAKING_NOUNS = lexicon.words("speech", "nouns.speaking")

_BEFORE_OPENING = set(" \t\n([{/\u2014\u2013-:;,") | set(OPENING_DOUBLE) | {'"'}
_MAX_SINGLE_QUOTE = 400
_SCARE_QUOTE_WORDS = 3
_ELISIONS = ("em ", "til ", "tis ", "twas ", "n ", "cause ")
_SPEAKER_LABEL = re.compile(r"((?:[A-Z][\w'\u2019.-]*)(?:\s+[A-Z][\w'\u2019.-]*){0,3})\s*:\s+")
_INTERVIEW_WITH = re.compile(r"\b(?:interview|conversation|talk|Q&A) with ((?:[A-Z][\w'\u2019.-]*)(?:[ ]+[A-Z][\w'\u2019.-]*){0,3})")
_DATELINE = re.compile(r"[A-Z][\w'./-]*(?:[ ,/]+[\w'./-]+){0,5}?\s+[-\u2013\u2014]\s+")
_DASH_CREDIT = re.compile(
    r"[ \t]*(?:\u2015|\u2014|\u2013|--)[ \t]*((?:[A-Z][\w'\u2019.\u00C0-\u024F-]*)(?:[ ]+(?:[A-Z][\w'\u2019.\u00C0-\u024F-]*|de|la|del|van|von|bin|al)){1,4})[ \t]*[.,]?[ \t]*(?=$|\n|\u201c|\")"
)
_EDITORIAL_NOTE = re.compile(r"\[[^\]\n]*\]")
_SENTENCE_END = re.compile(r"[.!?](?=[\s\u201d\"']*(?:\s|$))")


@dataclass(frozen=True)
class QuoteCandidate:
    """One quote the rules found, with the speakers a model may choose among."""

    quote: Quote
    speaker_options: list[str]
    speaker_cue: SpeakerCue


@dataclass
class _Found:
    """A quote while it is being found: character spans, then attribution."""

    start: int  # quote text (without marks)
    end: int
    outer_start: int  # including marks, or the whole block paragraph
    outer_end: int
    mode: Literal["direct", "indirect"]
    source: Literal["marks", "block", "reported"]
    rule: str = ""  # the QUOTE_RULES id that found it
    verb: Optional[Token] = None
    speaker: Optional[Speaker] = None
    cue: SpeakerCue = "none"
    speaker_rule: Optional[str] = None  # the SPEAKER_RULES id that chose the speaker
    parent: Optional["_Found"] = None
    adjacent_attribution: bool = False
    children: list["_Found"] = field(default_factory=list)


def find_quotes(doc: Doc) -> list[QuoteCandidate]:
    """Every direct and indirect quote in ``doc``, in article order.

    ``nested_in`` indexes this returned list; a caller that drops candidates must re-index.
    """
    return _QuoteFinder(doc).run()


class _QuoteFinder:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = marks_text(doc)  # for finding marks and spans; quote text is cut from source
        self.source = doc_text(doc)
        self.speakers = SpeakerIndex.for_doc(doc)
        self.paragraphs = _paragraphs(self.text)
        self._token_starts = [t.idx for t in doc]

    # -- pipeline ----------------------------------------------------------------------------

    def run(self) -> list[QuoteCandidate]:
        marked = self._marked_quotes()
        blocks = self._block_quotes(marked)
        top = sorted([q for q in marked if q.parent is None] + blocks, key=lambda q: q.start)
        for quote in marked:
            if quote.parent is None:
                for block in blocks:
                    if block.start <= quote.outer_start and quote.outer_end <= block.end:
                        quote.parent = block
        top = [q for q in top if q.parent is None]
        for i, quote in enumerate(top):
            self._attribute(quote, top[:i])
        nested = [q for q in marked if q.parent is not None]
        for quote in nested:
            self._attribute_nested(quote)
        direct = [q for q in top + nested if self._is_speech(q)]
        titles = [q for q in top if q.source == "marks" and self._is_title(q)]  # no clause is read out of a title either
        reported = self._reported(direct + titles)
        self._credit_enclosing_clause(direct, reported)
        found = sorted(direct + reported, key=lambda q: (q.start, -q.end))
        return self._candidates(found)

    def _candidates(self, found: list[_Found]) -> list[QuoteCandidate]:
        index = {id(q): i for i, q in enumerate(found)}
        out: list[QuoteCandidate] = []
        for quote in found:
            text = self.source[quote.start : quote.end]
            speaker = quote.speaker
            out.append(
                QuoteCandidate(
                    quote=Quote(
                        text=text,
                        speaker=speaker.name if speaker else None,
                        speaker_role=speaker.role if speaker else None,
                        mode=quote.mode,
                        nested_in=index.get(id(quote.parent)) if quote.parent is not None else None,
                        evidence=Evidence(start=quote.start, end=quote.end, text=text),
                        rule=quote.rule,
                        speaker_rule=quote.speaker_rule if speaker else None,
                    ),
                    speaker_options=self.speakers.options(quote.start, speaker.name if speaker else None),
                    speaker_cue=quote.cue if speaker else "none",
                )
            )
        return out

    # -- quote marks -------------------------------------------------------------------------

    def _marked_quotes(self) -> list[_Found]:
        doubles = [self._found_marks(a, b, "quote.double_marks") for a, b in _double_quoted(self.text, self.paragraphs)]
        doubles = [q for q in doubles if q is not None]
        singles: list[_Found] = []
        for para_start, para_end in self.paragraphs:
            for a, b in _single_quoted(self.text, para_start, para_end):
                quote = self._found_marks(a, b, "quote.single_marks")
                if quote is None:
                    continue
                for outer in doubles:
                    if outer.start <= a and b <= outer.end:
                        quote.parent = outer
                if quote.parent is None and any(d.outer_start <= a < d.outer_end for d in doubles):
                    continue
                singles.append(quote)
        for quote in doubles:
            for outer in doubles:
                if outer is not quote and outer.start <= quote.outer_start and quote.outer_end <= outer.end:
                    quote.parent = outer
        return sorted(doubles + singles, key=lambda q: q.start)

    def _found_marks(self, open_at: int, close_at: int, rule: str) -> Optional[_Found]:
        """Trimmed text between an opening mark at ``open_at`` and a closing one at ``close_at``
        (``close_at`` may be a paragraph end when the closing mark is missing)."""
        start, end = _trim(self.text, open_at + 1, close_at)
        if end <= start:
            return None
        outer_end = close_at + 1 if close_at < len(self.text) and _is_mark(self.text[close_at]) else close_at
        return _Found(start, end, open_at, outer_end, "direct", "marks", rule=rule)

    def _block_quotes(self, marked: list[_Found]) -> list[_Found]:
        """Paragraphs with no marks after a colon-ended introduction that names a speaker."""
        blocks: list[_Found] = self._answers()
        for (intro_start, intro_end), (start, end) in zip(self.paragraphs, self.paragraphs[1:]):
            intro = self.text[intro_start:intro_end].rstrip()
            body = self.text[start:end]
            if not intro.endswith(":") or _is_mark(body[:1]) or len(body.split()) < 5:
                continue
            colon = intro_start + len(intro) - 1
            verb = self._introducing_verb(colon)
            if verb is None:
                continue
            s, e = _trim(self.text, start, end)
            block = _Found(s, e, start, end, "direct", "block", rule="quote.colon_block", verb=verb)
            self._speaker_from_verb(block, verb, "speaker.colon_intro", cue="colon_intro")
            if block.speaker is not None:
                block.adjacent_attribution = True
                blocks.append(block)
        return blocks

    def _answers(self) -> list[_Found]:
        """Interview transcripts: an "A:" paragraph is the interviewee's words, a "Name:"
        paragraph that person's."""
        blocks: list[_Found] = []
        interviewee: Optional[Speaker] = None
        for start, end in self.paragraphs:
            label = _SPEAKER_LABEL.match(self.text, start, end)
            if label is None or label.group(1).lower() in {"q", "question"}:
                continue
            s, e = _trim(self.text, label.end(), end)
            if e - s < 2:
                continue
            name = label.group(1)
            if name.lower() in {"a", "answer"}:
                interviewee = interviewee or self._interviewee()
                speaker, speaker_rule = interviewee, "speaker.transcript_answer"
            else:
                people = [m for m in self.speakers.mentions if m.label == "PERSON" and same_speaker(m.text, name)]
                if not people:
                    continue
                full = self.speakers.fullest(people[0].text)
                speaker, speaker_rule = Speaker(full, self.speakers.role_of(full)), "speaker.transcript_label"
            for piece_start, piece_end in _editorial_pieces(self.text, s, e):
                blocks.append(
                    _Found(piece_start, piece_end, piece_start, piece_end, "direct", "block", rule="quote.transcript_answer",
                           speaker=speaker, cue="colon_intro", speaker_rule=speaker_rule, adjacent_attribution=True)
                )
        return blocks

    def _headline_quote_speaker(self, quote: _Found) -> Optional[Speaker]:
        """A quote in an interview's headline is the interviewee's ("'...': an interview with X",
        "Region: '...'" above a Q/A transcript)."""
        if not self.paragraphs or self._paragraph_of(quote.outer_start) != self.paragraphs[0]:
            return None
        if not any(_SPEAKER_LABEL.match(self.text, a, b) and self.text[a:b].split(":")[0].strip().lower() in {"a", "answer"} for a, b in self.paragraphs):
            return None
        return self._interviewee()

    def _interviewee(self) -> Optional[Speaker]:
        """The person an interview is with: the one named after "interview with", else the
        first named person who is a subject before the first answer, else the most mentioned
        person."""
        introduced = _INTERVIEW_WITH.search(self.text)
        if introduced is not None:
            name = self.speakers.fullest(introduced.group(1))
            return Speaker(name, self.speakers.role_of(name))
        people = [m for m in self.speakers.subjects if self.speakers.is_person(m) and _entity_like_name(m.text)]
        if not people:
            counts: dict[str, int] = {}
            for m in self.speakers.mentions:
                if m.label == "PERSON":
                    full = self.speakers.fullest(m.text)
                    counts[full] = counts.get(full, 0) + 1
            if not counts:
                return None
            name = max(counts, key=lambda k: counts[k])
        else:
            name = self.speakers.fullest(people[0].text)
        return Speaker(name, self.speakers.role_of(name))

    def _introducing_verb(self, colon: int) -> Optional[Token]:
        """The verb of the sentence ending at ``colon`` if it can introduce someone's words:
        a speech verb, or any finite verb whose subject is a named person or body (an outlet
        whose text is reproduced)."""
        token = self._token_at(colon)
        if token is None:
            return None
        sentence = [t for t in token.sent if t.idx < colon]
        speech = [t for t in sentence if _is_speech_verb(t)]
        if speech:
            return speech[-1]
        root = token.sent.root
        subject = subject_of(root) if root.pos_ in {"VERB", "AUX"} else None
        if subject is not None and subject.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}:
            return root
        return None

    # -- attribution -------------------------------------------------------------------------

    def _attribute(self, quote: _Found, earlier: list[_Found]) -> None:
        if quote.source == "block":
            return
        paragraph = self._paragraph_of(quote.outer_start)
        previous_end = max([q.outer_end for q in earlier if q.outer_end <= quote.outer_start], default=0)
        before_start = max(paragraph[0], previous_end, self._sentence_start(quote.outer_start, paragraph[0]))
        after_end = self._attribution_end(quote.outer_end, paragraph[1])
        if self._ends_sentence(quote):
            after_end = quote.outer_end  # '"We lost." T-shirts appeared that said ...': a new sentence
        before = [t for t in self._tokens(before_start, quote.outer_start) if _is_speech_verb(t)]
        after = [t for t in self._tokens(quote.outer_end, after_end) if _is_speech_verb(t)][:1]
        lead_in = self.text[before[-1].idx + len(before[-1]) : quote.outer_start] if before else ""
        # SPEAKER_RULES, in this order; the first that names a speaker wins
        credited = self._dash_credit(quote.outer_end, paragraph[1])
        if credited is not None:
            quote.speaker, quote.cue, quote.speaker_rule = credited, "attribution_verb", "speaker.dash_credit"
            quote.adjacent_attribution = True
            return
        if before and self._leads_in(before[-1], quote) and self._speaker_from_verb(
            quote, before[-1], "speaker.verb_leading_in", "colon_intro" if ":" in lead_in else "attribution_verb"
        ):
            quote.adjacent_attribution = True
            return
        labelled = self._colon_label(before_start, quote)
        if labelled is not None:
            quote.speaker, quote.cue, quote.speaker_rule = labelled, "colon_intro", "speaker.colon_label"
            quote.adjacent_attribution = True
            return
        if after and self._speaker_from_verb(quote, after[0], "speaker.verb_after"):
            quote.adjacent_attribution = self._tokens(quote.outer_end, after[0].idx).__len__() <= 8
            return
        if before and self._speaker_from_verb(quote, before[-1], "speaker.verb_before"):
            return
        governing = self._governing_speech_verb(quote)
        if governing is not None and self._speaker_from_verb(quote, governing, "speaker.governing_verb"):
            return
        according = self._according_to(before_start, after_end)
        if according is not None:
            quote.speaker, quote.cue, quote.speaker_rule = according, "attribution_verb", "speaker.according_to"
            return
        intro_colon = self._previous_paragraph_colon(paragraph)
        if intro_colon is not None and paragraph[0] == quote.outer_start:
            verb = self._introducing_verb(intro_colon)
            if verb is not None and self._speaker_from_verb(quote, verb, "speaker.colon_intro", "colon_intro"):
                quote.adjacent_attribution = True
                return
        interviewee = self._headline_quote_speaker(quote)
        if interviewee is not None:
            quote.speaker, quote.cue, quote.speaker_rule = interviewee, "interviewee", "speaker.interviewee"
            quote.adjacent_attribution = True
            return
        continued = self._continued_speaker(quote, earlier, paragraph)
        if continued is not None:
            quote.speaker, quote.cue, quote.speaker_rule = continued.speaker, "previous_quote", "speaker.previous_quote"
            return
        nearest = self.speakers.nearest_before(quote.outer_start, {"PERSON", "ORG"})
        if nearest is not None:
            name = self.speakers.fullest(nearest.text, nearest.label)
            quote.speaker = Speaker(name, nearest.role or self.speakers.role_of(name))
            quote.cue, quote.speaker_rule = "nearest_entity", "speaker.nearest_entity"

    def _credit_enclosing_clause(self, direct: list[_Found], reported: list[_Found]) -> None:
        """A phrase in quote marks inside a reported clause ("Stevens said the way the campaign
        treated women ''would be disqualifying''") is the words of whoever the clause reports,
        not of a speech verb or a name the clause itself mentions (speaker.enclosing_clause).
        Only speakers found by the weaker rules (an earlier verb in the sentence, the previous
        quote, the nearest name) give way; an attribution next to the marks stands."""
        weak = {"speaker.verb_before", "speaker.previous_quote", "speaker.nearest_entity", "speaker.governing_verb", None}
        for quote in direct:
            if quote.parent is not None or quote.source != "marks" or quote.adjacent_attribution or quote.speaker_rule not in weak:
                continue
            clause = next((r for r in reported if r.start <= quote.outer_start and quote.outer_end <= r.end + 1 and r.speaker is not None), None)
            if clause is not None:
                quote.speaker, quote.cue, quote.speaker_rule = clause.speaker, clause.cue, "speaker.enclosing_clause"

    def _leads_in(self, verb: Token, quote: _Found) -> bool:
        """Whether ``verb`` introduces the quote right after it: nothing but punctuation between
        them, or only the verb's own short object and adverbs ("writes back, '...'", "told the
        Reuters news agency simply, '...'"), no other verb."""
        between = [t for t in self._tokens(verb.idx + len(verb), quote.outer_start) if not t.is_punct and not t.is_space and not _is_mark(t.text)]
        if not between:
            return True
        subtree = {t.i for t in verb.subtree}
        return len(between) <= 6 and all(t.i in subtree and t.pos_ not in {"VERB", "AUX"} for t in between)

    def _colon_label(self, before_start: int, quote: _Found) -> Optional[Speaker]:
        """A name set before the quote with a colon and no verb ("Rep. Trey Gowdy (R-S.C.): '...'",
        "More from Blumenthal and Cohen: '...'"): the one labelled as speaking."""
        lead = self.text[before_start : quote.outer_start].rstrip()
        if not lead.endswith(":") or len(self.text[quote.start : quote.end].split()) <= _SCARE_QUOTE_WORDS:
            return None  # "[Interpreter's note: 'veredas' are ...]" glosses a word, nobody speaks it
        colon = before_start + len(lead) - 1
        named = [m for m in self.speakers.mentions if m.label in {"PERSON", "ORG"} and before_start <= m.start and m.end <= colon and colon - m.end <= 25]
        if not named:
            return None
        mention = named[-1]
        if any(t.pos_ in {"VERB", "AUX"} for t in self._tokens(mention.end, colon)):
            return None
        name = self.speakers.fullest(mention.text, mention.label)
        return Speaker(name, mention.role or self.speakers.role_of(name))

    def _ends_sentence(self, quote: _Found) -> bool:
        """A quote closed by a full stop inside its marks and followed by a capitalised word:
        the next sentence starts there, so no attribution follows ('"...," he said' takes a
        comma; '"...?" Trump asked' a question or exclamation mark, which this leaves alone)."""
        if quote.source != "marks" or self.text[quote.end - 1 : quote.end] != "." or _is_abbreviation(self.text, quote.end - 1):
            return False
        rest = self.text[quote.outer_end : quote.outer_end + 3].lstrip(" ")
        return rest[:1].isupper()

    def _dash_credit(self, offset: int, paragraph_end: int) -> Optional[Speaker]:
        """A name credited after the closing mark with a dash (reader responses, listicles,
        epigraphs: "“...” ― Jane Doe"): that person, written in full."""
        match = _DASH_CREDIT.match(self.text, offset, paragraph_end)
        if match is None:
            return None
        name = match.group(1)
        mention = next((m for m in self.speakers.mentions if m.start == match.start(1)), None)
        if mention is not None:
            name = self.speakers.fullest(mention.text, mention.label)
        return Speaker(name, self.speakers.role_of(name))

    def _attribute_nested(self, quote: _Found) -> None:
        """A quote inside a quote: the subject of the speech verb before it inside the outer
        quote ("they say: '...'"); "I"/"we" is the outer speaker."""
        outer = quote.parent
        assert outer is not None
        start = max(outer.start, self._sentence_start(quote.outer_start, outer.start))
        verbs = [t for t in self._tokens(start, quote.outer_start) if _is_speech_verb(t)]
        verbs += [t for t in self._tokens(quote.outer_end, self._attribution_end(quote.outer_end, outer.end)) if _is_speech_verb(t)][:1]
        for verb in verbs:
            subject = subject_of(verb)
            if subject is not None and subject.lower_ in {"i", "we"}:
                quote.speaker, quote.cue, quote.speaker_rule = outer.speaker, outer.cue, "speaker.outer_speaker"
                quote.adjacent_attribution = True
                return
            if self._speaker_from_verb(quote, verb, "speaker.nested_verb"):
                quote.adjacent_attribution = True
                return

    def _speaker_from_verb(
        self, quote: _Found, verb: Token, rule: str, cue: SpeakerCue = "attribution_verb", *, reported: bool = False
    ) -> bool:
        """The subject of ``verb`` as the quote's speaker (``rule`` is the SPEAKER_RULES id that
        chose the verb; a subject resolved backwards makes it ``speaker.pronoun_antecedent``).

        ``reported``: the verb governs a reported clause ("X said (that) ..."). Whoever is the
        subject there is the source, whatever noun names it ("the candidates said", "aides
        said", "55 percent said", "the affidavit said"): the clause is only attributed words, so
        no lexicon of speaking nouns is needed to tell it from a description."""
        subject = _participle_subject(verb)
        if subject is not None:
            rule = "speaker.participle_subject"
        else:
            subject = subject_of(verb)
        if subject is None:
            subject = next(
                (c for c in verb.children if c.dep_ in {"dobj", "attr", "npadvmod"} and c.ent_type_ in {"PERSON", "ORG"}),
                None,
            )
        if subject is None:
            return False
        written = subject
        subject = _coordinated_head(subject)
        if subject.lower_ in {"i", "we"} and quote.parent is None:
            return False
        if subject.lower_ == "it":
            speaker = self.speakers.it_antecedent(subject)
        elif reported and not _can_speak(subject) and (_is_nominal(subject) or subject.lower_ in _QUANTIFIER_SOURCES) and self._plain_subject(quote, verb, subject):
            speaker = self.speakers.resolve(subject) or _as_written(subject)  # "Many in the crowd said ...": as written
        elif not _can_speak(subject):
            return False
        else:
            speaker = self.speakers.resolve(subject)
            if speaker is None and reported and (subject.lower_ in _QUANTIFIER_SOURCES or (_is_nominal(subject) and self._plain_subject(quote, verb, subject))):
                speaker = _as_written(subject)  # "Democrats in Iowa who watched the debate said ...": as written
        if speaker is None:
            return False
        if written.i != subject.i and not speaker.via_antecedent:
            phrase = noun_phrase(subject)
            full = self.doc[written.left_edge.i : phrase.end].text if phrase is not None else ""
            if full.endswith(speaker.name):
                speaker = Speaker(full, speaker.role)  # "Current and former officials", as written
        quote.verb, quote.speaker = verb, _with_possessor(speaker, subject, self.speakers)
        quote.cue = "pronoun_antecedent" if speaker.via_antecedent and cue == "attribution_verb" else cue
        quote.speaker_rule = "speaker.pronoun_antecedent" if quote.cue == "pronoun_antecedent" else rule
        return True

    def _plain_subject(self, quote: _Found, verb: Token, subject: Token) -> bool:
        """The verb's own subject (or that of the verb it is conjoined to), outside the quoted
        words, heading a noun phrase: a subject found by climbing out of a clause, given to a
        bare participle ("information published by media claiming that ..."), lying inside the
        clause or starting with a preposition is a misparse, no source."""
        if quote.start <= subject.idx < quote.end:
            return False
        if any(c.tag_ == "MD" and c.lower_ in _UNREPORTED_MODALS for c in verb.children):
            return False  # "the summary must state that ...": an obligation, nothing was said
        phrase = noun_phrase(subject)
        if phrase is None or phrase[0].pos_ == "ADP" and phrase[0].dep_ != "advmod":
            return False  # "among them four monks ..., residents said": the parse lost the subject ("at least 21,000" is one)
        participle = _participle_subject(verb)
        if participle is not None and participle.i == subject.i:
            return True  # "X rejected the idea ..., saying ...": the main clause's subject
        if verb.tag_ == "VBG" and not any(c.dep_ == "aux" for c in verb.children):
            return False  # "the information ... claiming that": a participle's parsed subject is a guess
        while subject.head.i != verb.i and verb.dep_ == "conj" and verb.head.i != verb.i:
            verb = verb.head
        return subject.head.i == verb.i

    def _governing_speech_verb(self, quote: _Found) -> Optional[Token]:
        """For a quote inside a sentence ("called the strike 'a massacre'"): the speech verb the
        quoted words hang from."""
        tokens = self._tokens(quote.start, quote.end)
        if not tokens:
            return None
        inside = {t.i for t in tokens}
        head = next((t for t in tokens if t.head.i not in inside), tokens[0])
        for _ in range(8):
            if head.head is head:
                break
            head = head.head
            if not (quote.outer_start <= head.idx < quote.outer_end) and _is_speech_verb(head):
                return head
        return None

    def _according_to(self, start: int, end: int) -> Optional[Speaker]:
        for token in self._tokens(start, end):
            if token.lower_ == "according":
                target = _according_object(token)
                if target is not None:
                    return self.speakers.resolve(target)
        return None

    def _continued_speaker(self, quote: _Found, earlier: list[_Found], paragraph: tuple[int, int]) -> Optional[_Found]:
        """An unattributed quote right after another quote (same or previous paragraph) keeps
        its speaker: news attributes a run of quotes once."""
        if not earlier:
            return None
        previous = earlier[-1]
        if previous.speaker is None:
            return None
        index = self.paragraphs.index(paragraph) if paragraph in self.paragraphs else -1
        previous_paragraph = self.paragraphs[index - 1] if index > 0 else None
        same = paragraph[0] <= previous.outer_start
        adjacent = previous_paragraph is not None and previous_paragraph[0] <= previous.outer_start
        return previous if same or adjacent else None

    def _is_speech(self, quote: _Found) -> bool:
        """Scare quotes and titles are not speech: a short quoted phrase, or Title Case words,
        with no speech verb next to them."""
        if quote.source == "block":
            return True
        if quote.source == "marks" and self._is_title(quote):
            return False
        if quote.adjacent_attribution:
            return True
        if quote.parent is None and self._governing_speech_verb(quote) is not None:
            return True
        text = self.text[quote.start : quote.end]
        words = text.split()
        if len(words) <= _SCARE_QUOTE_WORDS and not text.rstrip().endswith(("!", "?", ".")):
            return False
        if len(words) <= 8 and all(w[:1].isupper() or w.lower() in {"of", "the", "and", "in", "for", "a", "to", "on"} for w in words):
            return not all(w[:1].isupper() for w in words[1:]) and text.rstrip().endswith((".", "!", "?"))
        return True

    def _is_title(self, quote: _Found) -> bool:
        """A title in marks: a Title Case phrase of at most eight words right after a possessive
        ("CBS's “Face the Nation,”") or a word that introduces a title (``titles.before`` in the
        lexicon: "the podcast “Here’s the Thing.”", "a class called “Perception”"). It names a
        show or a work; a speech verb near it ("said on CBS's “Face the Nation”") does not make
        it anyone's words."""
        words = re.findall(r"[\w'\u2019-]+", self.text[quote.start : quote.end])
        minor = {"of", "the", "and", "in", "for", "a", "an", "to", "on", "at", "with", "by", "or", "de", "la", "del"}
        if not words or len(words) > 8 or not words[0][:1].isupper() or not all(w[:1].isupper() or w[:1].isdigit() or w.lower() in minor for w in words):
            return False
        before = self._tokens(max(0, quote.outer_start - 40), quote.outer_start)
        before = [t for t in before if not t.is_space and not _is_mark(t.text)]
        if not before:
            return False
        last = before[-1]
        return last.lower_ in {"'s", "\u2019s", "s'"} or last.tag_ == "POS" or last.lower_ in _TITLE_CUES

    # -- reported speech ---------------------------------------------------------------------

    def _reported(self, direct: list[_Found]) -> list[_Found]:
        covered = [(q.outer_start, q.outer_end) for q in direct if q.parent is None]

        def overlaps(a: int, b: int) -> bool:
            """A reported clause may hold a short quoted phrase ("said the army only hit
            'terrorist positions'") but not be, or sit in, a direct quote."""
            for s, e in covered:
                if a < e and s < b and not (a < s and e <= b + 3 and (e - s) < 0.7 * (b - a)):
                    return True
            return False

        found: list[_Found] = []
        for token in self.doc:
            if overlaps(token.idx, token.idx + 1):
                continue
            lemma = token.lemma_.lower()
            governs_clause = lemma in REPORTING_VERBS and any(c.dep_ == "ccomp" for c in token.children)
            if lemma in COMPLEMENT_KINDS and not governs_clause and token.pos_ == "VERB" and not any(c.dep_ == "neg" for c in token.children):
                span = self._complement(token, COMPLEMENT_KINDS[lemma])
                if span is not None:
                    quote = _Found(span[0], span[1], span[0], span[1], "indirect", "reported", rule="quote.verb_complement", verb=token)
                    if not overlaps(*span) and self._speaker_from_verb(quote, token, "speaker.reporting_subject", reported=True):
                        found.append(quote)
                    continue
            if lemma in REPORTING_VERBS and token.pos_ in {"VERB", "AUX"}:
                if any(c.dep_ == "neg" for c in token.children):
                    continue
                clauses = [c for c in token.children if c.dep_ == "ccomp"]
                # "Carson seems to ... - he told the AP that ...": the clause after the verb is the one it reports
                clause = next((c for c in clauses if c.i > token.i), clauses[0] if clauses else None)
                spans = self._reported_clauses(token, clause) if clause is not None else self._that_clause(token) or self._lost_clause(token)
                reported = clause is not None or bool(spans)
                if not reported:
                    spans = self._set_off_clauses(token)
                rule = "quote.reported_clause" if reported else "quote.set_off_clause"
                for span in spans:
                    if overlaps(*span):
                        continue
                    quote = _Found(span[0], span[1], span[0], span[1], "indirect", "reported", rule=rule, verb=token)
                    if self._speaker_from_verb(quote, token, "speaker.reporting_subject", reported=reported):
                        found.append(quote)
            elif token.lower_ == "according":
                target = _according_object(token)
                span = _according_clause(token)
                if target is None or span is None or overlaps(*span):
                    continue
                span = self._without_dateline(*span)
                speaker = self.speakers.resolve(target)
                if speaker is None:
                    continue
                found.append(_Found(span[0], span[1], span[0], span[1], "indirect", "reported", rule="quote.according_to_clause",
                                    speaker=speaker, cue="attribution_verb", speaker_rule="speaker.according_to"))
        return found

    def _reported_clauses(self, verb: Token, clause: Token) -> list[tuple[int, int]]:
        """The clause a speech verb governs, as one quote per reported statement: "said that A,
        and that B" is two; the clause stops at a semicolon or a participle phrase after a comma
        ("..., rejecting a statement by ...") that is the reporter's, not the speaker's. A clause
        that starts before its verb ("a border that Bangladesh says is closed") is a relative
        clause, not reported speech."""
        tokens = sorted(clause.subtree, key=lambda t: t.i)
        if not tokens or tokens[0].i < verb.i < tokens[-1].i:
            return []
        lost = self._lost_subject(verb, clause, tokens[0].i)
        if lost is not None:
            tokens = list(self.doc[lost : tokens[-1].i + 1])
        if tokens[0].i > verb.i:
            # "said Tuesday the vote was rigged": the day dates the saying, it is not said
            when = 0
            while when < len(tokens) and tokens[when].ent_type_ in {"DATE", "TIME"} and tokens[when].dep_ not in _SUBJECT_DEPS_ALL:
                when += 1
            run = {t.i for t in tokens[:when]}
            roots = [t for t in tokens[:when] if t.head.i not in run]
            if 0 < when and len(tokens) - when >= 3 and all(t.dep_ in {"npadvmod", "advmod"} for t in roots):
                tokens = tokens[when:]  # not "said Thursday's speeches ...": a possessive day is the subject's
        if tokens[-1].i < verb.i:  # "<clause>, X said"
            if any(c.i > verb.i and c.dep_ == "prep" and c.lower_ in {"of", "about"} for c in verb.children):
                return []  # "..., the group boasted of more": a statement of its own, not an attribution
            semicolons = [t.i for t in tokens if t.text == ";"]
            if semicolons:  # "A; B, X said": X said B
                tokens = [t for t in tokens if t.i > semicolons[-1]]
        else:
            content = [t for t in tokens if not t.is_punct]
            last = content[-1] if content else None
            if last is not None and (
                last.pos_ == "AUX" or last.lemma_.lower() in {"have", "be", "do"}
            ) and not any(c.i > last.i for c in last.children if not c.is_punct) and (
                last.i + 1 < verb.sent.end and self.doc[last.i + 1].text == ","
            ):
                # "recalled that the government had, on several occasions, invited ...": the parse
                # cut the clause at the comma after its auxiliary; the statement runs on to the
                # sentence end
                tokens = list(self.doc[tokens[0].i : verb.sent.end])
        tokens = self._before_reporters_words(verb, self._before_aside(tokens, {"advcl", "xcomp"}))
        pieces: list[list[Token]] = [[]]
        for t in tokens:
            follows_and = t.i >= 2 and t.lower_ == "that" and self.doc[t.i - 1].lower_ in {"and", "but"} and t.dep_ == "mark"
            if follows_and and len(pieces[-1]) >= 3:
                while pieces[-1] and (pieces[-1][-1].is_punct or pieces[-1][-1].dep_ == "cc"):
                    pieces[-1].pop()
                pieces.append([])
            pieces[-1].append(t)
        spans = [_token_span(piece) for piece in pieces]
        return [self._without_dateline(*span) for span in spans if span is not None and self._has_verb(*span)]

    def _complement(self, verb: Token, kind: str) -> Optional[tuple[int, int]]:
        """What a verb of promising, announcing or asking states (``kind``, from the lexicon):
        its "to" infinitive or clause ("vowed [to stay]", "pledged [that ...]"), its object
        ("announced [plans to expand ...]", "citing [legal risks]"), or its question ("asked
        [if ...]", "asked [why ...]", "asked [about ...]"). Words after a semicolon or in a
        comma-set participle ("..., rejecting ...") are the reporter's. None for a passive (no
        speaker), a relative clause, a bare pronoun ("announced it"), a question about the speaker's own naming
        ("asked not to be named" is no question), or fewer than three words."""
        if verb.tag_ == "VBN" and any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children):
            return None
        if verb.dep_ in {"relcl", "acl"}:
            return None  # "the security X promised is to ...": a relative clause, not the statement
        rights = list(verb.rights)
        if kind == "infinitive":
            parts = [c for c in rights if (c.dep_ == "xcomp" and any(a.tag_ == "TO" for a in c.children)) or c.dep_ == "ccomp"]
        elif kind == "object":
            parts = [c for c in rights if c.dep_ == "dobj" and c.pos_ != "PRON"]
        else:
            parts = [
                c for c in rights
                if (c.dep_ in {"advcl", "ccomp"} and (c.left_edge.lower_ in _QUESTION_WORDS or any(m.lower_ in {"if", "whether"} for m in c.children)))
                or (c.dep_ == "prep" and c.lower_ == "about")
            ]
        if not parts:
            return None
        tokens = self._before_aside(sorted((t for t in parts[0].subtree), key=lambda t: t.i))
        return _token_span(tokens)

    def _that_clause(self, verb: Token) -> list[tuple[int, int]]:
        """"noting that at one point he had trailed ...", parsed without a clause (the "that"
        read as a preposition): the words after the "that" right after the verb, to the end of
        the verb's phrase, are the reported clause."""
        following = verb.i + 1
        if following >= len(self.doc) or self.doc[following].lower_ != "that" or self.doc[following].head.i != verb.i:
            return []
        tokens = self._before_reporters_words(verb, self._before_aside(self._rest_of_phrase(verb, following + 1)))
        span = _token_span(tokens)
        return [span] if span is not None and self._has_verb(*span) else []

    def _lost_clause(self, verb: Token) -> list[tuple[int, int]]:
        """"Stone says the increase in polarization that Bloomberg decries also makes his
        election less likely", parsed as "says" + object + relative clause: the words right
        after a "say" verb that hold a finite verb and its subject are a clause the parse lost."""
        if verb.lemma_.lower() != "say":
            return []
        rights = [c for c in verb.rights if not c.is_punct]
        if not rights or rights[0].dep_ not in {"dobj", "nsubj", "attr", "npadvmod", "dep"} or rights[0].pos_ == "PRON":
            return []
        tokens = self._before_reporters_words(verb, self._before_aside(self._rest_of_phrase(verb, verb.i + 1)))
        if len(tokens) < 5 or not any(t.tag_ in _FINITE_TAGS and t.pos_ in {"VERB", "AUX"} for t in tokens):
            return []
        span = _token_span(tokens)
        return [span] if span is not None else []

    def _before_aside(self, tokens: list[Token], participle_deps: Optional[set[str]] = None) -> list[Token]:
        """``tokens`` (in order) up to an aside of the reporter's: a semicolon, or a comma before
        a participle ("..., rejecting a statement by ..."; only a participle with a dependency
        in ``participle_deps`` when given)."""
        cut = next(
            (
                t.i for t in tokens
                if t.text == ";"
                or (t.text == "," and t.i + 1 < len(self.doc) and self.doc[t.i + 1].tag_ == "VBG"
                    and (participle_deps is None or self.doc[t.i + 1].dep_ in participle_deps))
            ),
            None,
        )
        return tokens if cut is None else [t for t in tokens if t.i < cut]

    def _lost_subject(self, verb: Token, clause: Token, clause_start: int) -> Optional[int]:
        """"Stevens said the way the campaign treated women ''would be disqualifying''", parsed
        as "said" + object "the way ..." + a clause with no subject: the noun phrase between the
        verb and its subjectless clause is that clause's subject, so the reported clause starts
        right after the verb (the index returned). None when the clause has a subject, the verb
        takes a listener ("told reporters ..."), or the words between are a time ("said Tuesday")
        or a pronoun."""
        if clause_start <= verb.i + 1 or verb.lemma_.lower() in _LISTENER_VERBS:
            return None
        if any(c.dep_ in _SUBJECT_DEPS_ALL for c in clause.children):
            return None
        between = [t for t in self.doc[verb.i + 1 : clause_start] if not t.is_punct and not t.is_space]
        heads = {t.i for t in verb.children if t.dep_ in {"dobj", "npadvmod", "nsubj", "attr", "dep"} and t.pos_ in {"NOUN", "PROPN"}
                 and t.ent_type_ not in {"DATE", "TIME"} and verb.i < t.i < clause_start}
        if not between or not heads:
            return None
        owned = {x.i for h in heads for x in self.doc[h].subtree}
        return verb.i + 1 if all(t.i in owned for t in between) else None

    def _before_reporters_words(self, verb: Token, tokens: list[Token]) -> list[Token]:
        """``tokens`` (a reported clause, in order) without the reporter's words the parse hung
        at its end: a second act of the speaker joined by "and"/"but" ("said he makes $41,000 a
        year and questioned how ...", "said X but added, ..."; a conjoined speech verb, or a
        past-tense verb with no subject of its own conjoined to a present-tense one: "said she
        admires his determination and highlighted ..."), or a relative clause set off by a comma
        that runs to the clause's end and tells who or what a name is ("the cooperation of
        Bryan Pagliano, who worked on Clinton's campaign ..."). At least three words stay."""
        inside = {t.i for t in tokens}
        doc = self.doc
        for t in tokens:
            cut: Optional[int] = None
            if t.dep_ == "conj" and t.pos_ == "VERB" and t.i > verb.i and t.head.i in inside and doc[t.i - 1].whitespace_ and not any(
                c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in t.children
            ) and (
                t.lemma_.lower() in SPEECH_VERBS
                or (verb.tag_ == "VBD" and t.tag_ == "VBD" and t.head.tag_ in {"VBZ", "VBP"})
            ):
                cut = min(t.left_edge.i, t.i)
                while cut - 1 in inside and (doc[cut - 1].dep_ == "cc" or doc[cut - 1].is_punct):
                    cut -= 1
            elif (
                t.text == "," and t.i + 1 in inside and doc[t.i + 1].lower_ in {"who", "whom", "whose", "which"}
                and doc[t.i + 1].head.dep_ == "relcl" and doc[t.i + 1].head.head.i < t.i
                and max(x.i for x in doc[t.i + 1].head.subtree) >= max(inside)
            ):
                cut = t.i
            if cut is not None and len([x for x in tokens if x.i < cut and not x.is_punct]) >= 3:
                return [x for x in tokens if x.i < cut]
        return tokens

    def _rest_of_phrase(self, verb: Token, start: int) -> list[Token]:
        """The tokens from ``start`` to the end of the verb's subtree (its last word)."""
        return list(self.doc[start : max(t.i for t in verb.subtree) + 1])

    def _set_off_clauses(self, verb: Token) -> list[tuple[int, int]]:
        """Reported speech the parser did not link to the verb, set off by commas around the
        attribution: "<clause>, X said[, and <clause>]" and "<adverbial>, X said, <clause>"."""
        sentence = verb.sent
        subject = subject_of(verb)
        attribution = [t.i for t in verb.subtree if not t.is_space and not t.is_punct]
        first = min(attribution + ([subject.left_edge.i] if subject is not None else []))
        if first <= sentence.start or self.doc[first - 1].text not in {",", "\u2014"}:
            return []
        after = [t for t in sentence if t.i > verb.i]
        gap = next((t for t in after if t.text in {",", "\u2014"} or t.i not in attribution), None)
        if gap is not None and gap.text not in {",", "\u2014"} and not gap.is_punct:
            return []  # the attribution runs into more words: not a set-off attribution
        comma = self.doc[first - 1]
        before = [t for t in sentence if t.i < comma.i and not t.is_space]
        while before and (before[0].is_punct or _is_mark(before[0].text)):
            before.pop(0)
        out: list[tuple[int, int]] = []
        head = _token_span(before) if len(before) >= 3 else None
        if head is not None:
            head = self._without_dateline(*head)
        rest = [t for t in after if gap is not None and t.i > gap.i and not t.is_space]
        while rest and (rest[-1].is_punct or _is_mark(rest[-1].text)):
            rest.pop()
        conjoined = bool(rest) and rest[0].lower_ in {"and", "but"}
        lead_in = not self._is_main_clause(before)  # "In his state, X said, ...", "The editorial, X said, nailed ..."
        if head is not None and self._has_verb(*head) and not (lead_in and self._reported_rest(rest, gap)):
            out.append(head)
        if gap is not None and gap.text == "," and rest:
            if conjoined:
                rest = rest[1:]
            clause = _token_span(rest)
            starts_clause = conjoined or not out
            if clause is not None and starts_clause and len(rest) >= 3 and (
                self._has_subject_and_verb(rest) or (lead_in and self._reported_rest(rest, gap))
            ):
                out.append(clause)
        return out

    def _is_main_clause(self, tokens: list[Token]) -> bool:
        """Words that make a statement of their own: a subject and a verb, not opened by a
        subordinator or a preposition ("As Election Day nears", "To get their votes", "By
        eliminating the line" lead into the statement after the attribution instead)."""
        if not tokens or tokens[0].pos_ in {"SCONJ", "ADP"} or tokens[0].lower_ in _SUBORDINATORS:
            return False
        inside = {t.i for t in tokens}
        return any(
            t.pos_ in {"VERB", "AUX"} and any(c.dep_ in {"nsubj", "nsubjpass", "expl"} and c.i in inside for c in t.children)
            and (t.tag_ in _FINITE_TAGS or any(c.dep_ in {"aux", "auxpass"} and c.tag_ in _FINITE_TAGS for c in t.children))
            for t in tokens
        )

    def _reported_rest(self, rest: list[Token], gap: Optional[Token]) -> bool:
        """The words after '..., X said,' carry the statement: a finite verb among three words
        or more (its subject may be the words before the attribution: "The editorial, sources
        said, nailed the narrative ...")."""
        if gap is None or gap.text != "," or len(rest) < 3:
            return False
        if rest[0].lower_ in {"and", "but"}:
            rest = rest[1:]
        return any(t.pos_ in {"VERB", "AUX"} and t.tag_ in _FINITE_TAGS for t in rest)

    def _has_verb(self, start: int, end: int) -> bool:
        return any(t.pos_ in {"VERB", "AUX"} for t in self._tokens(start, end))

    def _has_subject_and_verb(self, tokens: list[Token]) -> bool:
        """A clause of its own: a verb (not a bare participle) with its subject inside ``tokens``."""
        inside = {t.i for t in tokens}
        return any(
            t.pos_ in {"VERB", "AUX"} and t.tag_ not in {"VBG", "VBN"}
            and any(c.dep_ in {"nsubj", "nsubjpass", "expl"} and c.i in inside for c in t.children)
            for t in tokens
        )

    def _without_dateline(self, start: int, end: int) -> tuple[int, int]:
        """A span minus a wire dateline at its start ("KHARTOUM, March 14 - ")."""
        match = _DATELINE.match(self.text, start, end)
        if match is None or not (any(w.isupper() and len(w) >= 3 for w in re.findall(r"[A-Za-z]+", match.group(0))) or "," in match.group(0)):
            return start, end
        return _trim(self.text, match.end(), end)

    # -- positions ---------------------------------------------------------------------------

    def _tokens(self, start: int, end: int) -> list[Token]:
        i = bisect_left(self._token_starts, start)
        j = bisect_left(self._token_starts, end)
        return list(self.doc[i:j])

    def _token_at(self, offset: int) -> Optional[Token]:
        i = bisect_left(self._token_starts, offset + 1) - 1
        return self.doc[i] if 0 <= i < len(self.doc) else None

    def _paragraph_of(self, offset: int) -> tuple[int, int]:
        for paragraph in self.paragraphs:
            if paragraph[0] <= offset < paragraph[1]:
                return paragraph
        return (offset, offset)

    def _sentence_start(self, offset: int, floor: int) -> int:
        """Start of the sentence holding ``offset`` by punctuation (spaCy splits badly around
        quote marks)."""
        best = floor
        for match in _SENTENCE_END.finditer(self.text, floor, offset):
            end = match.end()
            if not _is_abbreviation(self.text, match.start()):
                best = end
        return best

    def _attribution_end(self, offset: int, ceiling: int) -> int:
        """Where the attribution after a closing mark can end: the sentence end or the next
        opening quote mark, at most ~200 characters on."""
        limit = min(ceiling, offset + 200)
        for match in _SENTENCE_END.finditer(self.text, offset, limit):
            if not _is_abbreviation(self.text, match.start()):
                limit = match.start()
                break
        for i in range(offset, limit):
            if self.text[i] in OPENING_DOUBLE or (self.text[i] == '"' and i > offset):
                return i
        return limit

    def _previous_paragraph_colon(self, paragraph: tuple[int, int]) -> Optional[int]:
        if paragraph not in self.paragraphs:
            return None
        index = self.paragraphs.index(paragraph)
        if index == 0:
            return None
        start, end = self.paragraphs[index - 1]
        intro = self.text[start:end].rstrip()
        return start + len(intro) - 1 if intro.endswith(":") else None


# -- quote-mark scanning (pure character work) -------------------------------------------------


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines as (start, end) offsets, leading and trailing spaces excluded."""
    out = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = _trim(text, match.start(), match.end())
        if end > start:
            out.append((start, end))
    return out


def _double_quoted(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(opening mark, closing mark) offsets of double-quoted passages. A quote left open at a
    paragraph's end continues when the next paragraph opens with a quote mark; otherwise it is
    closed at the paragraph end if it is long enough to be speech."""
    spans: list[tuple[int, int]] = []
    open_at: Optional[int] = None
    for n, (start, end) in enumerate(paragraphs):
        i = start
        if open_at is not None:
            i = start + 1  # the reopening mark of a multi-paragraph quote
        while i < end:
            char = text[i]
            if open_at is None:
                if char in OPENING_DOUBLE or (char == '"' and _opens(text, i)):
                    open_at = i
            elif char in CLOSING_DOUBLE or char == '"':
                spans.append((open_at, i))
                open_at = None
            elif char in OPENING_DOUBLE:
                open_at = i  # a stray unclosed mark: start again here
            i += 1
        if open_at is not None:
            following = paragraphs[n + 1] if n + 1 < len(paragraphs) else None
            if following is not None and (text[following[0]] in OPENING_DOUBLE or text[following[0]] == '"'):
                continue
            if len(text[open_at:end].split()) >= 4:
                spans.append((open_at, end))
            open_at = None
    return spans


def _single_quoted(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Single marks used as quote marks inside one paragraph, telling them from apostrophes:
    an opening mark follows a space or an opening mark and precedes a letter; a closing mark
    follows a non-space and precedes no letter."""
    spans = []
    i = start
    while i < end:
        char = text[i]
        if char in (OPENING_SINGLE, "'") and _opens_single(text, i):
            close = _closing_single(text, i + 1, min(end, i + _MAX_SINGLE_QUOTE))
            if close is not None:
                spans.append((i, close))
                i = close + 1
                continue
        i += 1
    return spans


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before in _BEFORE_OPENING or before.isspace()) and not after.isspace()


def _opens_single(text: str, i: int) -> bool:
    if not _opens(text, i) or not text[i + 1 : i + 2].isalpha():
        return False
    return not text[i + 1 : i + 7].lower().startswith(_ELISIONS)


def _closing_single(text: str, start: int, end: int) -> Optional[int]:
    candidates = []
    for j in range(start, end):
        if text[j] in (CLOSING_SINGLE, "'"):
            before = text[j - 1]
            after = text[j + 1] if j + 1 < len(text) else " "
            if not before.isspace() and not after.isalnum():
                candidates.append(j)
        elif text[j] in OPENING_SINGLE:
            break
    for j in candidates:
        after = text[j + 1 : j + 3]
        possessive = text[j - 1] in "sS" and after[:1] == " " and after[1:2].islower()
        if possessive and any(_strong_close(text, k) for k in candidates if k > j):
            continue
        return j
    return None


def _strong_close(text: str, j: int) -> bool:
    after = text[j + 1 : j + 2]
    return after == "" or after in ",.;:!?)\u201d\"\n" or text[j - 1] in ",.!?"


def _is_mark(char: str) -> bool:
    """A quote mark: one character, or a token of two apostrophes (``''``, a quote mark in NYT style)."""
    if char in ("''", "\u2019\u2019"):
        return True
    return len(char) == 1 and char in OPENING_DOUBLE + CLOSING_DOUBLE + OPENING_SINGLE + CLOSING_SINGLE + "\"'"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past spaces (and a trailing comma, which belongs to the attribution)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end


def _is_abbreviation(text: str, dot: int) -> bool:
    """"Gen." / "U.S." / "Mr." are not sentence ends."""
    word = re.search(r"(\S+)$", text[max(0, dot - 12) : dot + 1])
    if word is None:
        return False
    token = word.group(1).lower().strip("\"'\u201c\u2018(")
    return token.rstrip(".") in {"mr", "mrs", "ms", "dr", "gen", "lt", "col", "sgt", "brig", "capt", "maj", "st", "no", "rep", "sen", "gov", "jr", "sr"} or bool(
        re.fullmatch(r"(?:[a-z]\.)+", token)
    )


# -- grammar helpers ---------------------------------------------------------------------------


def _can_speak(subject: Token) -> bool:
    """Whether a verb's subject can be the one speaking: a pronoun, a name, or a noun for a
    person, a body, a crowd or a document; not "the deaths on the beach" or "the summary"."""
    if subject.pos_ == "PRON" or subject.ent_type_ in SPEAKER_LABELS or subject.pos_ == "PROPN":
        return True
    lemma = subject.lemma_.lower()
    return lemma in PERSON_NOUNS or lemma in BODY_NOUNS or lemma in DOCUMENT_NOUNS or lemma in SPEAKING_GROUP_NOUNS or lemma in _SPEAKING_NOUNS


#: Pronouns that stand for a share of people and speak as one: "Some said", "Others say", "Both
#: said", "Most said".
_QUANTIFIER_SOURCES = frozenset({"some", "others", "both", "most", "many", "several", "few", "all", "none", "one"})


#: Modals of obligation and possibility: "must say", "could claim" report nothing said.
_UNREPORTED_MODALS = frozenset({"must", "should", "shall", "may", "might", "can", "could", "ought"})


_SUBJECT_DEPS_ALL = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})

#: Speech verbs whose object is the listener, not what was said: "told reporters (that) ...".
_LISTENER_VERBS = frozenset({"tell", "ask", "warn", "remind", "assure", "inform", "notify", "advise", "urge", "promise", "caution", "brief"})

#: Penn tags of finite verbs (and modals).
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})

#: Words that open a subordinate or adverbial lead-in rather than a statement.
_SUBORDINATORS = frozenset({"as", "when", "if", "while", "because", "after", "before", "although", "though", "since", "once", "until", "unless", "to", "whether"})

#: Words that open a reported question: "asked why ...", "asked how ...".
_QUESTION_WORDS = frozenset({"why", "how", "what", "who", "whom", "whose", "which", "when", "where", "if", "whether"})


def _participle_subject(verb: Token) -> Optional[Token]:
    """The speaker of a participle set off by a comma after a clause ("Other Republicans echoed
    those comments, saying ...", "X rejected the idea that ..., saying ..."): news hangs such a
    participle on the sentence's main clause, so its subject speaks, wherever the parser
    attached the participle. None when ``verb`` is not such a participle (it has a subject or
    an auxiliary of its own, or no comma before it) or the main clause has no earlier subject."""
    if verb.tag_ != "VBG" or verb.i == 0 or verb.doc[verb.i - 1].text != ",":
        return None
    if any(c.dep_ in {"nsubj", "nsubjpass", "aux", "auxpass"} for c in verb.children) or verb.dep_ not in {"advcl", "acl", "conj", "xcomp", "dep"}:
        return None
    root = verb.sent.root
    if root.i == verb.i or root.i > verb.i or root.pos_ not in {"VERB", "AUX"}:
        return None
    subject = subject_of(root)
    return subject if subject is not None and subject.i < verb.i else None


def _coordinated_head(subject: Token) -> Token:
    """"Current and former officials said": the parser makes the first adjective the subject
    and the noun its conjunct; the noun is who speaks."""
    if subject.pos_ == "ADJ":
        noun = next((c for c in subject.children if c.dep_ == "conj" and c.pos_ in {"NOUN", "PROPN"}), None)
        if noun is not None:
            return noun
    return subject


def _is_nominal(token: Token) -> bool:
    """A noun, a name or a number ("nine in 10 said"), not a clause or an adjective."""
    return token.pos_ in {"NOUN", "PROPN", "NUM"}


def _as_written(subject: Token) -> Optional[Speaker]:
    """The subject's noun phrase as written, the speaker when nothing resolves it."""
    phrase = noun_phrase(subject)
    return Speaker(phrase.text, None) if phrase is not None else None


def _editorial_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` without bracketed editorial insertions ("[Interpreter's note: ...]",
    "[Pause.]"): the speaker's words on either side are separate quotes; a piece of one word
    ("No.") is dropped."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for note in _EDITORIAL_NOTE.finditer(text, start, end):
        pieces.append(_trim(text, cursor, note.start()))
        cursor = note.end()
    pieces.append(_trim(text, cursor, end))
    if len(pieces) == 1:
        return pieces
    return [(a, b) for a, b in pieces if len(text[a:b].split()) >= 2]


def _entity_like_name(text: str) -> bool:
    """A written name rather than a description: every word capitalised ("Olena Marchenko")."""
    words = [w for w in text.split() if w.lower() not in {"the", "of", "de", "al", "bin", "van", "von"}]
    return bool(words) and all(w[:1].isupper() for w in words)


def _is_speech_verb(token: Token) -> bool:
    return token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in SPEECH_VERBS


def _token_span(tokens: list[Token]) -> Optional[tuple[int, int]]:
    """Character offsets of a run of tokens without leading "that"/punctuation and trailing
    punctuation or conjunctions; None when fewer than three tokens remain."""
    tokens = list(tokens)
    while tokens and (tokens[0].dep_ == "mark" and tokens[0].lower_ == "that" or tokens[0].is_punct or tokens[0].is_space):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc" or tokens[-1].is_space):
        tokens.pop()
    if len(tokens) < 3:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _according_object(according: Token) -> Optional[Token]:
    for child in according.children:
        if child.lower_ == "to":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
        if child.dep_ == "pobj":
            return child
    return None


def _according_clause(according: Token) -> Optional[tuple[int, int]]:
    """"X happened, according to Y" -> "X happened": the sentence minus the "according to"
    phrase, keeping the side that holds the clause's verb."""
    phrase = sorted(according.subtree, key=lambda t: t.i)
    sentence = according.sent
    comma = next((t for t in phrase if t.text == "," and t.i > according.i), None)
    if according.dep_ == "ROOT" and comma is not None and any(t.pos_ in {"VERB", "AUX"} for t in phrase if t.i > comma.i):
        # "According to X, the drone ... was launched ...", parsed with the clause hanging
        # from X: the phrase ends at its comma
        phrase = [t for t in phrase if t.i <= comma.i]
    left = [t for t in sentence if t.i < phrase[0].i]
    right = [t for t in sentence if t.i > phrase[-1].i]
    head = according.head
    side = left if left and head.i < phrase[0].i else right
    while side and (side[0].is_punct or side[0].dep_ == "cc"):
        side = side[1:]
    while side and side[-1].is_punct:
        side = side[:-1]
    if len(side) < 3:
        return None
    return side[0].idx, side[-1].idx + len(side[-1])


def _with_possessor(speaker: Speaker, subject: Token, speakers: SpeakerIndex) -> Speaker:
    """"X's statement said" -> X: a document speaks for its owner."""
    if subject.lemma_.lower() in {"statement", "report", "text", "communique", "message", "post", "letter", "tweet"}:
        owner = next((c for c in subject.children if c.dep_ == "poss"), None)
        if owner is not None:
            resolved = speakers.resolve(owner)
            if resolved is not None:
                return resolved
    return speaker


__all__ = ["QuoteCandidate", "SpeakerCue", "SPEECH_VERBS", "REPORTING_VERBS", "find_quotes", "noun_phrase"]
