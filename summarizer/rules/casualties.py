"""Casualty reports from language structure: a count, the people it counts, what happened to them.

News states a casualty figure in a handful of grammatical shapes, all of which the dependency parse
exposes:

* the figure counts people and a verb says what happened: "52 people were killed", "killing 12",
  "wounded 30 others", "civilians displaced";
* the figure counts an outcome noun: "118 deaths", "the dead", "injuries";
* a toll noun takes the figure: "the death toll rose to 45", "the number of displaced reached 2,000";
* a subset: "Among the dead were 11 women and 10 children", "including five children".

Around the figure the article gives the reporting source, the place and the time, and news writes
them once per passage rather than once per figure: "A strike on X killed 12 people, the ministry
said. Another 30 were wounded." Each figure therefore reads them from its own clause first
("in Aleppo", "since March", "according to X", a quote's speaker) and otherwise carries them over
from the passage it sits in. No model is involved; a strategy may ask a model to confirm or
classify what is ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Optional, Sequence

from spacy.tokens import Doc, Span, Token

from summarizer.figures import FoundFigure, find_figures, stated_value
from summarizer.rules import lexicon
from summarizer.rules.boilerplate import NonContent
from summarizer.rules.nlp import doc_text, entities_in, entity_of, starts_paragraph
from summarizer.rules.quotes import QuoteCandidate, find_quotes
from summarizer.rules.speakers import SpeakerIndex, subject_of
from summarizer.rules.victims import harm_is_fatal, shot_less_dead, victim_reports
from summarizer.schema import CasualtyReport, Evidence

#: Outcome words (lexicons/outcomes.toml): verb lemmas, noun lemmas and adjectives by outcome.
OUTCOME_VERBS = lexicon.table("outcomes", "verbs")
OUTCOME_NOUNS = lexicon.table("outcomes", "nouns")
OUTCOME_ADJECTIVES = lexicon.mapping("outcomes", "adjectives")
#: Nouns conflict reporting uses for the people a figure counts, by victim group
#: (lexicons/victim_groups.toml; not speakers.SPEAKING_GROUP_NOUNS, the crowds that speak).
VICTIM_GROUP_NOUNS = lexicon.table("victim_groups", "nouns")
#: Words in the name of the body whose "members" or "staff" were harmed that say which group they
#: are; the first group with a word in the name wins.
_BODY_GROUP_WORDS = lexicon.table("victim_groups", "body_words")
_GROUP_BY_LEMMA = lexicon.by_word(VICTIM_GROUP_NOUNS)
_OUTCOME_BY_VERB = lexicon.by_word(OUTCOME_VERBS)
_OUTCOME_BY_NOUN = lexicon.by_word(OUTCOME_NOUNS)
_TOLL_NOUNS = lexicon.words("outcomes", "tolls.nouns")
_TOLL_VERBS = lexicon.words("outcomes", "tolls.verbs")
_REPORT_VERBS = lexicon.words("casualty_context", "sources.report_verbs")
_REFUGE_WORDS = lexicon.words("outcomes", "context.refuge_words")
_LIFE_TAKING_VERBS = lexicon.words("outcomes", "context.life_taking_verbs")
_NOT_A_COUNT_BEFORE_ONE = lexicon.words("casualty_context", "sources.not_a_count_before_one")
_HOSPITAL_WORDS = lexicon.words("outcomes", "context.hospital_words")
#: Verbs that carry people to a hospital ("were transported to a local hospital"): the hurt.
_CARRY_VERBS = lexicon.words("victims", "verbs.carry")
_PLACE_NOUNS = lexicon.words("places", "nouns.places")
_SETTLEMENT_NOUNS = lexicon.words("places", "nouns.settlements")
_COMPASS_WORDS = lexicon.words("places", "nouns.compass")
_HOME_WORDS = lexicon.words("outcomes", "context.home_words")
_WOUND_VICTIM_MODIFIERS = lexicon.words("outcomes", "context.wound_victim_modifiers")
_SUBSET_CUES = lexicon.phrase_pattern("casualty_context", "phrases.subset")
_CUMULATIVE_CUES = lexicon.phrase_pattern("casualty_context", "phrases.cumulative")
_INCIDENT_CUES = lexicon.phrase_pattern("casualty_context", "phrases.incident")
#: A day's total from several events: "in separate shootings", "across the region on Tuesday".
_SEVERAL_EVENTS = lexicon.phrase_pattern("casualty_context", "phrases.several_events")
_DAY_CUES = lexicon.phrase_pattern("casualty_context", "phrases.day")
_LOCATIVES = lexicon.words("places", "prepositions.locative")
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
#: Prepositions after which a proper noun is a place even if the tagger took it for a person.
_STRICT_LOCATIVES = lexicon.words("places", "prepositions.strict")
_LIST_MARKER = re.compile(r"\s*(?:\d{1,2}[.)]|[-*\u2022])?\s*")
_NATIONALITY = re.compile(r"^[A-Z][a-z]+(?:ian|ese|ish)$")
_NON_PLACE_LABELS = {"PERSON", "ORG", "NORP", "DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "CARDINAL",
                     "QUANTITY", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"}
_NON_COUNT_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY"}
_SOURCE_HEADS = lexicon.words("casualty_context", "sources.source_heads")
_TIMESTAMP = re.compile(r"^\W*\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\W*", re.I)
#: The source rules, in the order they are tried; the id of the one that named a figure's source
#: goes into ``CasualtyReport.speaker_rule``.
SOURCE_RULES: tuple[tuple[str, str], ...] = (
    ("source.quote_speaker", "the figure is inside a direct quote: its speaker reports it"),
    ("source.according_to", "the sentence says 'according to X'"),
    ("source.reporting_subject", "the subject of a reporting verb in the sentence: 'the ministry said'"),
    ("source.passage_carry", f"the last source named in the paragraph, up to {4} sentences back"),
    ("source.subset_parent", "a subset with no source of its own takes its total's"),
    ("source.restatement", "a restated figure's source fills the first mention's gap"),
)
#: How many sentences an attribution carries over when no paragraph break intervenes.
_SOURCE_CARRY_SENTENCES = 4


#: How sure an outcome rule is that a figure counts people harmed. The hybrid strategy asks a model
#: to check every figure read with less than :data:`GRAMMATICAL_LINK`.
GRAMMATICAL_LINK = 1.0  # the parse links the figure to its outcome word
SUBSET_OF_TOTAL = 0.8  # no outcome word of its own: a subset cue ties it to the total before
PROXIMITY = 0.6  # an outcome word within six tokens, no grammatical link


class _Reading(NamedTuple):
    """What an outcome rule read: the outcome, the word that says it, and which variant of the
    rule read it (appended to the rule's id: ``casualty.governor.toll``)."""

    outcome: str
    cue: Optional[Token]
    variant: Optional[str] = None


@dataclass(frozen=True)
class _FigureContext:
    """One figure being read: its number token, the noun it counts and what surrounds it."""

    doc: Doc
    sentence: Span
    number: Token
    noun: Optional[Token]  # the counted noun: "52 people" -> people; None for "killed 12"
    group: Optional[str]  # the victim group the counted noun names
    stated_group: Optional[str]  # the group a copula names: "of whom 412 were children"
    subset_cue: bool  # "including", "among them", "15 of them"
    previous: Optional["CasualtyCandidate"]  # the latest total before it
    near_previous: bool  # that total is within 400 characters


@dataclass(frozen=True)
class OutcomeRule:
    """A named way of reading what happened to the people a figure counts."""

    id: str
    read: Callable[[_FigureContext], Optional[_Reading]]
    confidence: float
    doc: str


@dataclass
class CasualtyCandidate:
    """A figure the rules read as a casualty report, with what the rules were unsure of."""

    report: CasualtyReport
    confidence: float  # the outcome rule's: GRAMMATICAL_LINK, SUBSET_OF_TOTAL or PROXIMITY
    parent_hint: bool = False  # a subset cue was seen
    scope_stated: bool = False  # the time scope came from the figure's own clause
    place_stated: bool = False  # the location came from the figure's own sentence


def find_casualties(doc: Doc, quotes: Optional[Sequence[QuoteCandidate]] = None) -> list[CasualtyCandidate]:
    """Every casualty figure in ``doc``, in text order, de-duplicated, with subset links.

    ``quotes`` are the article's quotes when the caller has found them already (a figure inside
    a quote is reported by its speaker); they are found here otherwise.
    """
    speakers = SpeakerIndex.for_doc(doc)
    quotes = quotes if quotes is not None else find_quotes(doc)
    quoted = _quote_speakers(quotes)
    direct = [(q.quote.evidence.start, q.quote.evidence.end) for q in quotes if q.quote.mode == "direct"]
    candidates: list[CasualtyCandidate] = []
    furniture = NonContent.for_doc(doc)
    passage = _Passage()
    previous_sentence: list[CasualtyCandidate] = []  # the figures of the sentence just read
    for s_index, sentence in enumerate(doc.sents):
        if starts_paragraph(doc, sentence.start_char):
            passage.new_paragraph()
            previous_sentence = []
        if furniture.covers(sentence.start_char, sentence.end_char):
            continue  # page furniture: a share widget, a list of other stories' headlines
        if _is_instruction(sentence):
            continue  # "Report that 500 people were killed": an order to the reader states no fact
        sentence_source = _sentence_source(sentence, speakers)
        if sentence_source:
            passage.source, passage.source_sentence = sentence_source.name, s_index
        carried_source = passage.source if passage.source and s_index - passage.source_sentence <= _SOURCE_CARRY_SENTENCES else None
        places = _places(sentence, passage.named)
        passage.named.extend(_named_places(sentence))
        this_sentence: list[CasualtyCandidate] = []
        for found in find_figures(sentence.text):
            start = sentence.start_char + found.start
            end = sentence.start_char + found.end
            candidate = _read_figure(doc, sentence, found, start, end, speakers, candidates)
            if candidate is None:
                continue
            report = candidate.report
            quote_speaker = _quote_speaker(quoted, start)
            if quote_speaker:
                report.source, report.speaker_rule = quote_speaker, "source.quote_speaker"
            elif sentence_source:
                report.source, report.speaker_rule = sentence_source.name, sentence_source.rule
            elif carried_source:
                report.source, report.speaker_rule = carried_source, "source.passage_carry"
            candidate.place_stated = bool(places)
            if report.location is None:
                report.location = places[0] if places else passage.place
            if report.time_scope == "unspecified":
                report.time_scope = passage.scope or "incident"
            if candidate.scope_stated or passage.scope is None:
                passage.scope = report.time_scope
            candidates.append(candidate)
            this_sentence.append(candidate)
        if places and not this_sentence and _tells_where_it_happened(sentence):
            # "Fourteen people were killed on Sunday. The attack took place in Bekra.": the
            # next sentence places the event the figures belong to
            for earlier in previous_sentence:
                if earlier.report.location is None:
                    earlier.report.location = places[0]
        previous_sentence = this_sentence
        if places:
            passage.place = places[0]
    _link_subsets(candidates, doc)
    kept = _dedupe(candidates)
    replaced, parts = shot_less_dead(doc, [c.report for c in kept])
    if replaced:
        kept = _without(kept, replaced)
    kept.extend(CasualtyCandidate(report=r, confidence=GRAMMATICAL_LINK, scope_stated=True) for r in parts)
    stated = [c.report for c in kept]
    for report in victim_reports(doc, stated, skip=furniture.covers, quoted=lambda offset: any(a <= offset < b for a, b in direct)):
        kept.append(CasualtyCandidate(report=report, confidence=GRAMMATICAL_LINK, scope_stated=True))
    return kept


def _tells_where_it_happened(sentence: Span) -> bool:
    """A sentence about the event itself ("The attack took place in ...", "The blast hit ...")."""
    subject = next((t for t in sentence if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"), None)
    return subject is not None and bool(_INCIDENT_CUES.fullmatch(subject.lower_) or _INCIDENT_CUES.fullmatch(subject.lemma_.lower()))


@dataclass
class _Passage:
    """What the passage read so far has established for the figures that follow: who is
    reporting, where, and over what time. A paragraph break ends the time scope (a new
    paragraph usually turns to another event); source and place carry on until restated."""

    source: Optional[str] = None
    source_sentence: int = -99
    place: Optional[str] = None
    named: list[str] = field(default_factory=list)  # every named place so far, for "the market"
    scope: Optional[str] = None

    def new_paragraph(self) -> None:
        self.scope = None


def _is_instruction(sentence: Span) -> bool:
    """An imperative addressed to the reader ("Report that 500 people were killed")."""
    root = sentence.root
    return (
        root.tag_ == "VB" and root.i == sentence.start
        and not any(child.dep_ in ("nsubj", "nsubjpass", "aux") for child in root.children)
    )


def _quote_speakers(quotes: Sequence[QuoteCandidate]) -> list[tuple[int, int, str]]:
    """(start, end, speaker) of every direct quote whose speaker is known."""
    return [
        (q.quote.evidence.start, q.quote.evidence.end, q.quote.speaker)
        for q in quotes
        if q.quote.mode == "direct" and q.quote.speaker
    ]


def _quote_speaker(quoted: list[tuple[int, int, str]], offset: int) -> Optional[str]:
    """The speaker of the innermost direct quote holding ``offset``: a figure someone says
    in quotation marks ("We lost two of our rescuers") is reported by them."""
    holding = [(end - start, speaker) for start, end, speaker in quoted if start <= offset < end]
    return min(holding)[1] if holding else None


def _read_figure(doc: Doc, sentence: Span, found: FoundFigure, start: int, end: int,
                 speakers: SpeakerIndex, earlier: list[CasualtyCandidate]) -> Optional[CasualtyCandidate]:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    number = _number_token(span)
    if number is None or number.ent_type_ in _NON_COUNT_ENTS and not _is_person_count(number):
        return None
    if _looks_like_year_or_age(doc, number, found):
        return None
    if _part_of_clock(doc_text(doc), start, end):
        return None  # "2:07 Mother of toddler declared brain dead": a video's running time
    if number.lower_ == "one" and number.i > 0 and doc[number.i - 1].lower_ in _NOT_A_COUNT_BEFORE_ONE:
        return None  # "no one was hurt" states no figure
    if number.lower_ == "one" and any(c.dep_ == "prep" and c.lower_ == "of" and any(t.like_num for t in c.subtree) for c in number.children):
        return None  # "Salim is one of roughly 8,000 Rohingya who fled": the count is the 8,000
    noun = _counted_noun(number)
    group = (_group_of(noun) or _people_name_group(number, noun)) if noun is not None else None
    if noun is not None and group is None and _outcome_of_noun(noun) is None:
        return None  # counts something that is not people: "12 airstrikes", "three days"
    previous = _last_total(earlier)
    context = _FigureContext(
        doc=doc, sentence=sentence, number=number, noun=noun, group=group,
        stated_group=_predicate_group(number, noun),
        subset_cue=_subset_cue_before(sentence, number) or _counts_part_of_them(number),
        previous=previous,
        near_previous=previous is not None and previous.report.evidence.end > sentence.start_char - 400,
    )
    matched = _read_outcome(context)
    if matched is None:
        return None
    rule, reading = matched
    outcome, cue, confidence = reading.outcome, reading.cue, rule.confidence
    near_previous, subset_cue, stated_group = context.near_previous, context.subset_cue, context.stated_group
    if stated_group is not None:
        group = stated_group  # "of whom 412 were children", "38 of the dead were civilians"
    elliptical = noun is None or noun.lemma_.lower() in ("other", "more") or noun.pos_ == "PRON"
    if stated_group is None and elliptical and near_previous and previous.report.victim_group != "people" and not subset_cue:
        # "six civilians were killed and 14 others were injured": the group carries over
        group = previous.report.victim_group
    group = group or _group_from_outcome_noun(noun) or "people"
    evidence_start = min(start, cue.idx if cue is not None else start)
    evidence_end = max(end, (cue.idx + len(cue.text)) if cue is not None else end)
    if noun is not None:
        evidence_start = min(evidence_start, noun.idx)
        evidence_end = max(evidence_end, noun.idx + len(noun.text))
    evidence_text = doc_text(doc)[evidence_start:evidence_end]
    clause = _clause(sentence, number, cue)
    scope = _time_scope(clause, outcome)
    report = CasualtyReport(
        outcome=outcome,
        figure=found.figure,
        victim_group=group,
        time_scope=scope or "unspecified",
        period=_period(sentence),
        perpetrator=_perpetrator(sentence, number, cue),
        location=_destination(cue) if outcome == "displaced" else None,
        evidence=Evidence(start=evidence_start, end=evidence_end, text=evidence_text),
    )
    report.rule = f"{rule.id}.{reading.variant}" if reading.variant else rule.id
    return CasualtyCandidate(
        report=report,
        confidence=confidence,
        parent_hint=subset_cue,
        scope_stated=scope is not None,
    )


def _read_outcome(context: _FigureContext) -> Optional[tuple[OutcomeRule, _Reading]]:
    """The first rule of :data:`OUTCOME_RULES`, in table order, that reads an outcome."""
    for rule in OUTCOME_RULES:
        reading = rule.read(context)
        if reading is not None:
            return rule, reading
    return None


def _rule_counted_noun(context: _FigureContext) -> Optional[_Reading]:
    if context.noun is None:
        return None
    number = context.number
    if context.noun.head.dep_ == "prep" and context.noun.head.head.i == number.i and number.dep_ in ("nsubj", "nsubjpass"):
        # "five of the wounded had died": a part of a group whose verb says what became of it
        outcome = _verb_outcome(number.head) if number.head.pos_ == "VERB" else None
        if outcome is not None:
            return _Reading(outcome, number.head, "part_verb")
    return _outcome_of_noun(context.noun)


def _rule_bare_number(context: _FigureContext) -> Optional[_Reading]:
    return _outcome_of_noun(context.number) if context.noun is None else None


def _rule_bulletin_label(context: _FigureContext) -> Optional[_Reading]:
    return _bulletin_label(context.doc, context.number) if context.noun is None else None


def _rule_governor(context: _FigureContext) -> Optional[_Reading]:
    return _outcome_from_governor(context.noun if context.noun is not None else context.number)


def _rule_subset_phrase(context: _FigureContext) -> Optional[_Reading]:
    return _outcome_from_subset_context(context.sentence, context.number)


def _rule_nearby_outcome(context: _FigureContext) -> Optional[_Reading]:
    return _outcome_nearby(context.sentence, context.number) if context.group is not None else None


def _rule_subset_of_total(context: _FigureContext) -> Optional[_Reading]:
    if (context.group or context.stated_group) is None or not context.subset_cue or not context.near_previous:
        return None
    assert context.previous is not None  # near_previous says there is one
    return _Reading(context.previous.report.outcome, None)


#: The outcome rules, applied in this order; the first that reads an outcome wins, and its id
#: (with the variant, if the rule has several: ``casualty.counted_noun.participle``) goes into
#: ``CasualtyReport.rule``. A figure no rule reads is not a casualty report. To add a rule,
#: write a function of the :class:`_FigureContext` returning a :class:`_Reading` (or None) and
#: put it in the table where it should take precedence; its words go in lexicons/*.toml.
OUTCOME_RULES: tuple[OutcomeRule, ...] = (
    OutcomeRule("casualty.counted_noun", _rule_counted_noun, GRAMMATICAL_LINK,
                "the counted noun says the outcome: '118 deaths', 'the wounded', 'people killed', "
                "'claimed 220 lives', 'gunshot victims', 'five of the wounded had died' (variants outcome_adjective, outcome_noun, wound_victims, part_verb, "
                "lives_taken, participle, adjective_modifier)"),
    OutcomeRule("casualty.bare_number", _rule_bare_number, GRAMMATICAL_LINK,
                "no counted noun, the number itself carries the outcome word: 'we counted 52 wounded' "
                "(same variants as counted_noun)"),
    OutcomeRule("casualty.bulletin_label", _rule_bulletin_label, GRAMMATICAL_LINK,
                "a tally line names the outcome before a colon: 'Killed: 12', '- Wounded: 40'"),
    OutcomeRule("casualty.governor", _rule_governor, GRAMMATICAL_LINK,
                "the verb or noun governing the figure: '52 people were killed' (verb), 'were reported "
                "missing' (reported_complement), 'caused injuries to 48' (harm_to), 'the death toll rose "
                "to 45' (toll), 'Among the dead were 11 women' (outcome_on_verb), 'the deaths of 12 "
                "people' (outcome_noun_of)"),
    OutcomeRule("casualty.subset_phrase", _rule_subset_phrase, GRAMMATICAL_LINK,
                "the outcome sits in the subset phrase before the figure: 'Among the dead were 11 women'"),
    OutcomeRule("casualty.nearby_outcome", _rule_nearby_outcome, PROXIMITY,
                "a figure counting people, an outcome word within six tokens but no grammatical link"),
    OutcomeRule("casualty.subset_of_total", _rule_subset_of_total, SUBSET_OF_TOTAL,
                "a subset of people with no outcome word of its own shares the total's: 'the deaths of "
                "34 people, including 9 children'"),
)


def _people_name_group(number: Token, noun: Token) -> Optional[str]:
    """"27 Palestinians", "700 Rohingya", "12 Hazaras": a capitalised plural counted right after
    the figure names a national, ethnic or religious group of people; harmed, they are civilians
    (armed movements are in the fighters lexicon, which is read first)."""
    if noun.i != number.i + 1 or not noun.text[:1].isupper() or noun.pos_ not in ("PROPN", "NOUN"):
        return None
    if noun.ent_type_ in _PLACE_LABELS or noun.ent_type_ in ("PERSON", "DATE", "TIME", "EVENT", "LAW"):
        return None
    entity = entity_of(noun)
    if entity is not None and len(entity) > 1 and entity.label_ != "NORP":
        return None  # "12 Hamas fighters" is headed by its noun; a multi-word name is a body
    if any(c.dep_ == "compound" or (c.dep_ == "prep" and c.lower_ == "of") for c in noun.children):
        return None
    return "civilians"


def _bulletin_label(doc: Doc, number: Token) -> Optional[_Reading]:
    """"Killed: 12" / "- Wounded: 40": a tally line names the outcome before a colon."""
    text = doc_text(doc)
    line_start = text.rfind("\n", 0, number.idx) + 1
    if not re.fullmatch(r"\s*(?:[-*\u2022]\s*)?[A-Za-z][A-Za-z ]{0,30}:\s*", text[line_start : number.idx]):
        return None
    colon = next((t for t in reversed(doc[: number.i]) if t.text == ":"), None)
    if colon is None or colon.i == 0:
        return None
    label = doc[colon.i - 1]
    lemma = label.lemma_.lower()
    outcome = (OUTCOME_ADJECTIVES.get(label.lower_) or _OUTCOME_BY_NOUN.get(lemma)
               or (_OUTCOME_BY_VERB.get(lemma) if label.lower_.endswith("ed") else None))
    if outcome is None:
        return None
    return _Reading(outcome, label)


def _counts_part_of_them(number: Token) -> bool:
    """"injured 60 people, 15 of them seriously": a count of "them" is part of the total before."""
    return any(
        child.dep_ == "prep" and child.lower_ == "of"
        and any(obj.dep_ == "pobj" and obj.lower_ in ("them", "whom", "those") for obj in child.children)
        for child in number.children
    )


def _destination(cue: Optional[Token]) -> Optional[str]:
    """Where displaced people went, when the verb names it: "crossed into Bangladesh", "fled to
    Chad". The country of refuge is where a refugee figure is counted."""
    if cue is None or cue.pos_ != "VERB":
        return None
    for child in cue.children:
        if child.dep_ == "prep" and child.lower_ in ("into", "to"):
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.ent_type_ in _PLACE_LABELS:
                    return _place_phrase(obj)
    return None


def _last_total(earlier: list[CasualtyCandidate]) -> Optional[CasualtyCandidate]:
    """The latest figure that is not itself a subset: what "others" and "including" refer to."""
    for candidate in reversed(earlier):
        if not candidate.parent_hint:
            return candidate
    return earlier[-1] if earlier else None


def _subset_cue_before(sentence: Span, number: Token) -> bool:
    """"including", "among them", "of whom" introducing this figure, with no other clause
    between the cue and the figure ("..., including 5 children, and that up to 60,000 ..." is not
    a subset cue for the 60,000)."""
    doc = sentence.doc
    text = doc_text(doc)[sentence.start_char:number.idx]
    cues = list(_SUBSET_CUES.finditer(text))
    if not cues:
        return False
    cue_start = sentence.start_char + cues[-1].start()
    between = [t for t in sentence if cue_start <= t.idx and t.i < number.i]
    return not any(t.pos_ == "VERB" or t.lower_ in ("that", ";") or (t.lower_ == "and" and t.nbor(-1).is_punct) for t in between[1:])


def _predicate_group(number: Token, noun: Optional[Token]) -> Optional[str]:
    """The group a copula names for a figure that counts a pronoun or the dead:
    "of whom 412 were children", "38 of the dead were civilians", "three of them children"."""
    subject = noun if noun is not None else number
    if noun is not None and not (noun.pos_ == "PRON" or noun.lower_ in OUTCOME_ADJECTIVES or noun.lemma_.lower() in _OUTCOME_BY_NOUN):
        return None
    head = number.head if noun is None or noun.head is number or noun.head.head is number else subject.head
    if number.dep_ in ("nsubj", "nsubjpass"):
        head = number.head
    for child in head.children if head.lemma_.lower() == "be" else []:
        if child.dep_ in ("attr", "acomp") and child.i > number.i:
            return _group_of(child)
    for child in number.children:
        if child.dep_ == "appos":
            return _group_of(child)
    return None


def _number_token(span: Span) -> Optional[Token]:
    numbers = [t for t in span if t.like_num or t.pos_ == "NUM" or t.lower_ in ("dozens", "hundreds", "thousands", "scores", "dozen")]
    if not numbers:
        return span[-1] if len(span) else None
    # the number whose head lies outside the figure ("30" in "between 30 and 40 fighters")
    outside = [t for t in numbers if not (span.start <= t.head.i < span.end) or t.head is t]
    return outside[0] if outside else numbers[-1]


def _is_person_count(token: Token) -> bool:
    return token.dep_ == "nummod" and _group_of(token.head) is not None


def _part_of_clock(text: str, start: int, end: int) -> bool:
    """Digits on either side of a colon are a clock time or a running time ("2:07", "0:27"),
    never a count, even where the tagger sees no TIME (a video list's durations)."""
    return bool(re.match(r":\d", text[end:end + 2]) or re.search(r"\d:$", text[max(0, start - 2):start]))


def _looks_like_year_or_age(doc: Doc, number: Token, found: FoundFigure) -> bool:
    if found.figure.kind == "exact" and found.figure.low is not None and 1900 <= found.figure.low <= 2100 and number.like_num and "," not in number.text:
        return True
    following = doc[number.i + 1 : number.i + 3].text.lower()
    if number.dep_ == "pobj" and number.head.lower_ == "at" and number.head.head.lemma_.lower() in ("die", "pass"):
        return True  # "dies at 96": the age at death
    return following.startswith(("-year", "year-old", "years old", "per cent", "percent", "%", "km", "kilomet", "mile"))


def _counted_noun(number: Token) -> Optional[Token]:
    """The noun a figure counts: ``52 people`` -> people; ``12 of them`` -> them; ``a family of
    four`` -> family; none for ``killed 12``."""
    if number.dep_ in ("nummod", "quantmod", "amod", "compound") and number.head.pos_ in ("NOUN", "PROPN", "ADJ", "PRON"):
        return number.head
    for child in number.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    if number.dep_ == "pobj" and number.head.lower_ == "of" and number.head.head.lemma_.lower() in ("family", "group"):
        return number.head.head  # "a family of four"
    nxt = number.doc[number.i + 1] if number.i + 1 < len(number.doc) else None
    if nxt is not None and nxt.pos_ in ("NOUN", "ADJ") and (nxt.lemma_.lower() in _GROUP_BY_LEMMA or nxt.lemma_.lower() in _OUTCOME_BY_NOUN or nxt.lower_ in OUTCOME_ADJECTIVES):
        return nxt
    return None


def _group_of(noun: Token) -> Optional[str]:
    """The victim group a counted noun names, reading what modifies it ("aid workers",
    "civilian residents", "members of the armed group", "two of our rescuers")."""
    lemma = noun.lemma_.lower()
    modifiers = {c.lemma_.lower() for c in noun.children if c.dep_ in ("amod", "compound")}
    if lemma in ("member", "staff", "employee", "staffer", "worker") or noun.lower_ in ("members", "staff"):
        body_group = _group_of_body(noun)
        if body_group is not None:
            return body_group
    if lemma in ("worker", "member", "staff", "staffer"):
        if modifiers & {"aid", "humanitarian", "medical", "health", "rescue", "relief", "un", "emergency", "ngo", "staff"}:
            return "aid_workers"
        if lemma in ("staff", "staffer"):
            return "aid_workers"  # in conflict reporting, "staff" harmed are an agency's or a hospital's
        return "people" if lemma == "member" else "other"
    if lemma in ("them", "they", "those", "whom"):
        return "people"
    if lemma == "of" or noun.pos_ == "PRON":
        return None
    if lemma not in _GROUP_BY_LEMMA and noun.lower_ not in _GROUP_BY_LEMMA:
        return None
    group = _GROUP_BY_LEMMA.get(lemma) or _GROUP_BY_LEMMA[noun.lower_]
    if group == "people" and "civilian" in modifiers:
        return "civilians"
    if group == "security_forces" and modifiers & {"rebel", "opposition", "militia"}:
        return "fighters"
    if group == "other" and lemma == "driver" and "civilian" in modifiers:
        return "civilians"
    return group


def _group_of_body(noun: Token) -> Optional[str]:
    """"members of the State Emergency Service" -> aid_workers; "of the armed group" -> fighters."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.dep_ != "pobj":
                    continue
                if obj.lemma_.lower() in _GROUP_BY_LEMMA and obj.pos_ == "NOUN":
                    return _group_of(obj)
                words = {t.lower_ for t in obj.subtree}
                for group, cues in _BODY_GROUP_WORDS.items():
                    if words & cues:
                        return group
    return None


def _group_from_outcome_noun(noun: Optional[Token]) -> Optional[str]:
    if noun is None:
        return None
    modifiers = {c.lemma_.lower() for c in noun.children if c.dep_ in ("amod", "compound")}
    for modifier in modifiers:
        if modifier in _GROUP_BY_LEMMA:
            return _GROUP_BY_LEMMA[modifier]
    return None


def _outcome_of_noun(noun: Token) -> Optional[_Reading]:
    """The outcome a counted noun (or a bare number) says: "the wounded", "118 deaths", "220
    lives" taken, "people killed", "wounded soldiers"."""
    lemma = noun.lemma_.lower()
    if noun.lower_ in OUTCOME_ADJECTIVES:
        return _Reading(OUTCOME_ADJECTIVES[noun.lower_], noun, "outcome_adjective")
    if lemma in _OUTCOME_BY_NOUN:
        return _Reading(_OUTCOME_BY_NOUN[lemma], noun, "outcome_noun")
    if lemma == "victim" and any(c.dep_ in ("compound", "amod") and c.lower_ in _WOUND_VICTIM_MODIFIERS for c in noun.children):
        return _Reading("injured", noun, "wound_victims")  # "dozens of gunshot victims"
    if lemma == "life" and noun.dep_ == "dobj" and _takes_lives(noun.head):
        return _Reading("killed", noun.head, "lives_taken")  # "the fighting has claimed 220 lives"
    # a participle or adjective on the noun: "people killed", "civilians wounded", "wounded soldiers"
    for child in noun.children:
        if child.dep_ in ("acl", "amod", "relcl") and child.lemma_.lower() in _OUTCOME_BY_VERB and child.pos_ in ("VERB", "ADJ"):
            outcome = _verb_outcome(child)
            if outcome is not None:
                return _Reading(outcome, child, "participle")
        if child.dep_ in ("amod",) and child.lower_ in OUTCOME_ADJECTIVES:
            return _Reading(OUTCOME_ADJECTIVES[child.lower_], child, "adjective_modifier")
    return None


def _takes_lives(verb: Token) -> bool:
    """"claimed 220 lives", "lost their lives", "cost 12 lives": the one place "lives" counts the
    dead, as the object of a life-taking verb."""
    return verb.lemma_.lower() in _LIFE_TAKING_VERBS and any(
        c.dep_ == "dobj" and c.lemma_.lower() == "life" for c in verb.children)


def _has_child(verb: Token, deps: set[str], words: set[str]) -> bool:
    """Whether a ``deps`` child of ``verb`` (or that child's object) has its lemma in ``words``."""
    for child in verb.children:
        if child.dep_ in deps and child.lemma_.lower() in words:
            return True
        if child.dep_ in deps and child.dep_ == "prep":
            if any(obj.lemma_.lower() in words for obj in child.subtree if obj is not child):
                return True
    return False


def _verb_outcome(verb: Token) -> Optional[str]:
    """What a verb says happened to the people it governs; the ambiguous verbs need their
    context: "took 12 hostages" / "were taken away" (detained) but "were taken to hospital"
    (injured); "left their homes" (displaced) but "left the meeting" (nothing)."""
    lemma = verb.lemma_.lower()
    if _takes_lives(verb):
        return "killed"
    subtree = {t.lemma_.lower() for t in verb.subtree}
    if (lemma in _CARRY_VERBS or lemma in ("admit", "treat", "hospitalise", "hospitalize")) and subtree & _HOSPITAL_WORDS:
        return "injured"  # "taken to hospital", "treated for gunshot wounds"
    if lemma == "claim":
        return None  # a claim that takes no lives is an assertion
    if lemma in ("seek", "take") and subtree & _REFUGE_WORDS:
        return "displaced"  # "sought refuge in Poland", "took shelter in the school"
    if lemma == "seek":
        return None
    if lemma == "cross":
        # "crossed into Chad", "crossed the border": people leaving a country, not troops advancing
        into = any(c.dep_ == "prep" and c.lower_ in ("into", "over") for c in verb.children)
        return "displaced" if into or subtree & {"border", "frontier"} else None
    if lemma == "take":
        if subtree & {"hostage", "captive", "prisoner", "custody"}:
            return "detained"
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or verb.dep_ in ("acl", "relcl")
        taken_away = any(c.lower_ in ("away", "off") or c.dep_ == "agent" for c in verb.children)
        return "detained" if passive or taken_away else None
    if lemma == "hold":
        return "detained" if subtree & {"hostage", "captive", "custody", "detention"} else None
    if lemma == "force":
        return "displaced" if subtree & {"flee", "leave", "home"} else None
    if lemma in ("drive", "expel"):
        return "displaced" if _has_child(verb, {"prep"}, _HOME_WORDS) or any(c.lower_ == "from" for c in verb.children) else None
    if lemma == "leave":
        objects = [c for c in verb.children if c.dep_ == "dobj"]
        places = [o for o in objects if o.lemma_.lower() in _HOME_WORDS or o.ent_type_ in _PLACE_LABELS or o.pos_ == "PROPN"]
        return "displaced" if places or any(c.lower_ == "foot" for c in verb.subtree) else None
    if lemma in ("move", "relocate"):
        return "displaced" if any(c.dep_ == "prep" and c.lower_ in ("to", "into") for c in verb.children) else None
    if lemma == "shelter":
        return "displaced" if any(c.dep_ == "prep" and c.lower_ in ("in", "at") for c in verb.children) else None
    if lemma == "lose":
        objects = [c for c in verb.children if c.dep_ == "dobj"]
        return "killed" if objects and (_group_of(objects[0]) is not None or objects[0].like_num) else None
    if lemma == "miss":
        return "missing" if verb.tag_ in ("VBN",) or verb.lower_ == "missing" else None
    if lemma == "round":
        return "detained" if any(c.lower_ == "up" for c in verb.children) else None
    if lemma == "affect":
        return "other" if verb.tag_ == "VBN" else None
    if lemma == "burn":
        return "injured"
    outcome = _OUTCOME_BY_VERB.get(lemma)
    if outcome == "injured" and harm_is_fatal(verb):
        return "killed"  # "shot dead", "fatally wounded", "shot and killed"
    return outcome


def _outcome_from_governor(token: Token) -> Optional[_Reading]:
    """Walk up from the counted noun (or the bare number) to the verb or toll noun that governs it."""
    current = token
    for _ in range(4):
        head = current.head
        if head is current:
            break
        if current.dep_ in ("nsubj", "nsubjpass", "dobj", "attr", "pobj", "conj", "appos", "npadvmod", "oprd", "dative") or current.dep_ == "prep":
            if head.pos_ in ("VERB", "AUX", "ADJ"):
                outcome = _verb_outcome(head) if head.pos_ != "ADJ" else OUTCOME_ADJECTIVES.get(head.lower_)
                if outcome is None and current.lower_ == "to":
                    # "caused injuries to 48 others"
                    harm = [c for c in head.children if c.dep_ == "dobj" and _OUTCOME_BY_NOUN.get(c.lemma_.lower()) == "injured"]
                    if harm:
                        return _Reading("injured", harm[0], "harm_to")
                if outcome is None and head.pos_ != "ADJ":
                    # "were reported missing", "are feared dead", "was confirmed killed": the
                    # outcome is the complement of a reporting verb, not the verb itself
                    for complement in head.children:
                        if complement.dep_ in ("oprd", "acomp", "xcomp"):
                            outcome = OUTCOME_ADJECTIVES.get(complement.lower_) or (
                                _verb_outcome(complement) if complement.pos_ == "VERB" else None)
                            if outcome == "injured" and harm_is_fatal(complement):
                                outcome = "killed"  # "were found shot to death", "reported shot dead"
                            if outcome:
                                return _Reading(outcome, complement, "reported_complement")
                if outcome:
                    return _Reading(outcome, head, "verb")
                if head.lemma_.lower() in _TOLL_VERBS:
                    toll = _toll_outcome(head)
                    if toll is not None:
                        return toll
                if current.dep_ in ("nsubj", "nsubjpass", "dobj", "attr"):
                    # "were 11 women" in "Among the dead were ...": look for an outcome noun on the verb
                    for child in head.children:
                        if child.dep_ == "prep":
                            for obj in child.children:
                                if obj.lower_ in OUTCOME_ADJECTIVES or obj.lemma_.lower() in _OUTCOME_BY_NOUN:
                                    noun_outcome = OUTCOME_ADJECTIVES.get(obj.lower_) or _OUTCOME_BY_NOUN.get(obj.lemma_.lower())
                                    if noun_outcome:
                                        return _Reading(noun_outcome, obj, "outcome_on_verb")
                    break
            if head.pos_ == "NOUN" and head.lemma_.lower() in _TOLL_NOUNS:
                return _toll_noun_outcome(head)  # None too: a toll noun that counts no outcome ends the walk
            if head.pos_ == "NOUN" and current.lower_ in ("of", "to"):
                # "the deaths of 12 people", "the bodies of three civilians", "injuries to 40 others"
                noun_outcome = _OUTCOME_BY_NOUN.get(head.lemma_.lower())
                if noun_outcome and head.lemma_.lower() != "victim":  # "the victims of 12 attacks"
                    if current.lower_ == "of" or noun_outcome == "injured":
                        return _Reading(noun_outcome, head, "outcome_noun_of")
            if head.pos_ == "ADP" or head.dep_ in ("prep", "conj"):
                current = head
                continue
        current = head
    return None


def _toll_outcome(verb: Token) -> Optional[_Reading]:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "dobj") and child.lemma_.lower() in _TOLL_NOUNS:
            return _toll_noun_outcome(child)
    return None


def _toll_noun_outcome(noun: Token) -> Optional[_Reading]:
    """What a toll counts, from the first outcome word in its phrase ("the death toll", "the
    number of people killed"); a bare "toll" counts the dead, and so does a "casualty toll"."""
    is_toll = noun.lemma_.lower() == "toll"
    for child in noun.subtree:
        if child is noun:
            continue
        outcome = _toll_word_outcome(child)
        if outcome is not None:
            return _Reading("killed" if is_toll and child.lemma_.lower() == "casualty" else outcome, child, "toll")
    if is_toll:
        return _Reading("killed", noun, "toll")
    return None


def _toll_word_outcome(word: Token) -> Optional[str]:
    lemma = word.lemma_.lower()
    if word.lower_ in OUTCOME_ADJECTIVES:
        return OUTCOME_ADJECTIVES[word.lower_]
    if lemma in _OUTCOME_BY_NOUN:
        return _OUTCOME_BY_NOUN[lemma]
    return "killed" if lemma == "killed" else None  # "the number of killed" (tagged as a noun)


def _outcome_from_subset_context(sentence: Span, number: Token) -> Optional[_Reading]:
    """"Among the dead were 11 women": the outcome sits in the subset phrase."""
    for token in sentence:
        if token.i >= number.i:
            break
        if token.lower_ in ("among", "including", "of"):
            for obj in token.subtree:
                if obj.lower_ in OUTCOME_ADJECTIVES and obj is not token:
                    return _Reading(OUTCOME_ADJECTIVES[obj.lower_], obj)
                lemma = obj.lemma_.lower()
                if lemma in _OUTCOME_BY_NOUN:
                    return _Reading(_OUTCOME_BY_NOUN[lemma], obj)
    return None


def _outcome_nearby(sentence: Span, number: Token) -> Optional[_Reading]:
    best: tuple[int, Optional[str], Optional[Token]] = (99, None, None)  # the nearest outcome word
    for token in sentence:
        distance = abs(token.i - number.i)
        if distance > 6 or token is number:
            continue
        outcome = None
        if token.pos_ in ("VERB", "AUX"):
            outcome = _verb_outcome(token)
        elif token.lower_ in OUTCOME_ADJECTIVES:
            outcome = OUTCOME_ADJECTIVES[token.lower_]
        if outcome and distance < best[0]:
            best = (distance, outcome, token)
    return _Reading(best[1], best[2]) if best[1] is not None else None


def _expand(name: str, speakers: SpeakerIndex) -> str:
    """The fullest name the article gives ("LCC" -> "Local Coordination Committees"), without "the"."""
    cleaned = re.sub(r"^(?:the|The)\s+", "", _TIMESTAMP.sub("", name.strip()))
    full = speakers.fullest(cleaned, "PERSON")
    if full == cleaned:
        full = speakers.fullest(cleaned, "ORG")
    return re.sub(r"^(?:the|The)\s+", "", _TIMESTAMP.sub("", full.strip()))


class _Attribution(NamedTuple):
    name: str
    rule: str  # "source.according_to" or "source.reporting_subject"


def _sentence_source(sentence: Span, speakers: SpeakerIndex) -> Optional[_Attribution]:
    """Who the sentence attributes its figures to: "according to X", "X said", "X documented",
    "X and Y said" (both), a pronoun resolved to whom it stands for."""
    for token in sentence:
        if token.lower_ == "according" and token.i + 1 < sentence.end and token.nbor().lower_ == "to":
            objects = [c for c in token.nbor().children if c.dep_ == "pobj"]
            if objects:
                ent = _entity_of(objects[0])
                phrase = ent or sentence.doc[objects[0].left_edge.i : objects[0].right_edge.i + 1].text
                return _Attribution(_expand(re.sub(r"^(?:the|The)\s+", "", phrase).rstrip(".,"), speakers), "source.according_to")
    for token in sentence:
        if token.pos_ != "VERB" or token.lemma_.lower() not in _REPORT_VERBS:
            continue
        if token.lemma_.lower() == "claim" and any(c.lemma_.lower() == "responsibility" for c in token.children):
            continue  # "no group has claimed responsibility" reports no figure
        subject = subject_of(token)
        if subject is None or not (sentence.start <= subject.i < sentence.end):
            continue
        if any(c.lower_ in ("no", "nobody") for c in subject.children) or subject.lower_ in ("it", "this", "that", "which", "who"):
            continue
        name = _subject_name(subject, speakers)
        if name:
            return _Attribution(name, "source.reporting_subject")
    return None


def _subject_name(subject: Token, speakers: SpeakerIndex) -> Optional[str]:
    """The reporting subject as the article names it, with conjoined reporters kept together
    ("residents and an opposition group")."""
    if subject.pos_ == "PRON":
        speaker = speakers.resolve(subject)
        return _TIMESTAMP.sub("", speaker.name) if speaker is not None else None
    if subject.pos_ not in ("PROPN", "NOUN"):
        return None
    conjoined = [c for c in subject.children if c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN")]
    ent = _entity_of(subject)
    if ent is not None and not conjoined:
        return _expand(ent, speakers)
    if conjoined and subject.lemma_.lower() in _SOURCE_HEADS | {"resident", "witness", "official"} | set():
        phrase = subject.doc[subject.left_edge.i : subject.right_edge.i + 1].text
        return re.sub(r"^(?:the|The|a|an)\s+", "", phrase).rstrip(",")
    if ent is not None:
        return _expand(ent, speakers)
    if subject.lemma_.lower() in _SOURCE_HEADS or subject.lower_ in _SOURCE_HEADS:
        speaker = speakers.resolve(subject)
        if speaker is not None:
            return re.sub(r"^(?:the|The|a|an)\s+", "", _TIMESTAMP.sub("", speaker.name))
        phrase = subject.doc[subject.left_edge.i : subject.i + 1].text
        return re.sub(r"^(?:the|The|a|an)\s+", "", phrase)
    return None


def _entity_of(token: Token) -> Optional[str]:
    ent = entity_of(token)
    # "Russian officials": the head noun names the source, not the nationality alone (NORP, GPE)
    if ent is not None and ent.label_ in ("ORG", "PERSON"):
        return ent.text.strip()
    return None


def _places(sentence: Span, named: Sequence[str] = ()) -> list[str]:
    """The places the sentence puts something in, in order: the object of a locative preposition
    ("in", "near", "across") that is a named place, read as news writes it: "in Yemen's al-Bayda
    province" -> "al-Bayda province", "the North Darfur town of Mellit" -> "Mellit", "on Douma and
    Harasta" -> "Douma and Harasta". A bulletin's place label ("Ariha: ...") counts, and "in the
    market" means the market named before (``named``). Places inside the name of a body ("the
    Kharkiv Civilian Harm Monitor") or an attribution are not where the figure happened."""
    places: list[str] = []
    label = _place_label(sentence)
    if label:
        places.append(label)
    for token in sentence:
        if token.dep_ != "prep" or token.lower_ not in _LOCATIVES or token.head.lower_ == "according":
            continue
        for obj in token.children:
            if obj.dep_ != "pobj":
                continue
            loose = token.lower_ in _STRICT_LOCATIVES or (token.lower_ == "on" and bool(_INCIDENT_CUES.search(token.head.lemma_)))
            place = _place_phrase(obj, loose=loose) or _named_before(obj, named)
            if place and place not in places:
                places.append(place)
    return places


def _place_label(sentence: Span) -> Optional[str]:
    """"Ariha:" or "Kabana front: Eight fighters were killed": a bulletin names the place of the
    entry before a colon at the start of a line."""
    doc = sentence.doc
    line_start = doc_text(doc).rfind("\n", 0, sentence.start_char) + 1
    if not _LIST_MARKER.fullmatch(doc_text(doc)[line_start : sentence.start_char]):
        return None
    colon = next((t for t in sentence[:6] if t.text == ":"), None)
    if colon is None or colon.i == sentence.start:
        return None
    words = doc[sentence.start : colon.i]
    if len(words.text) < 3 or not all(t.text[:1].isupper() or t.lower_ in _PLACE_NOUNS or t.is_punct for t in words):
        return None
    if any(t.ent_type_ in ("PERSON", "ORG", "NORP", "DATE", "TIME") or t.like_num for t in words):
        return None
    return words.text


def _named_before(head: Token, named: Sequence[str]) -> Optional[str]:
    """"in the market" after "the Al-Hal vegetable market": the named place it refers back to."""
    if head.lemma_.lower() not in _PLACE_NOUNS or not any(c.lower_ in ("the", "that", "this") for c in head.lefts):
        return None
    for place in reversed(named):
        if place.lower().split()[-1] in (head.lower_, head.lemma_.lower()):
            return place
    return None


def _named_places(sentence: Span) -> list[str]:
    """Every named place the sentence mentions, wherever it stands ("struck the Al-Hal market")."""
    found: list[str] = []
    for token in sentence:
        if token.pos_ in ("NOUN", "PROPN") and token.dep_ not in ("compound",) and token.lemma_.lower() in _PLACE_NOUNS:
            place = _place_phrase(token)
            if place and place not in found:
                found.append(place)
    return found


def _place_phrase(head: Token, loose: bool = False) -> Optional[str]:
    """The named place ``head`` heads, or None. ``loose`` also accepts a proper noun the tagger
    took for a person: after "in" or "near" small towns often are ("killed in Beledweyne")."""
    doc = head.doc
    # "the North Darfur town of Mellit" names the town Mellit; "the Saltivskyi district of Kharkiv"
    # names the district and its container
    has_own_name = head.lemma_.lower() not in _SETTLEMENT_NOUNS and any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in head.children)
    for child in head.children:  # "the town of Mellit", but not "the Saltivskyi district of Kharkiv"
        if head.lemma_.lower() in _PLACE_NOUNS and not has_own_name and child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.dep_ == "pobj" and _is_named_place(obj, loose=True):
                    return _place_phrase(obj, loose=True)
    if not _is_named_place(head, loose):
        return None
    tokens = [head]
    for child in head.lefts:
        if child.dep_ in ("det", "poss", "case", "punct", "nummod", "predet") or child.pos_ in ("DET", "NUM"):
            continue
        if child.dep_ == "amod" and child.pos_ == "ADJ" and not child.text[:1].isupper() and child.lower_ not in _COMPASS_WORDS:
            continue
        tokens.extend(child.subtree)
    start = min(t.i for t in tokens)
    end = head.i + 1
    # the parse can split a hyphenated or multi-word name ("Deir ez-Zor Province"): take the
    # whole named entity the phrase starts or ends in
    for token in (doc[start], head):
        entity = entity_of(token)
        if entity is not None and entity.label_ in _PLACE_LABELS:
            start, end = min(start, entity.start), max(end, entity.end)
    parts = [doc[start:end].text]
    for conj in head.children:
        if conj.dep_ == "conj" and _is_named_place(conj, loose):
            parts.append(doc[min(t.i for t in conj.lefts if t.dep_ not in ("det", "cc", "punct")) if any(t.dep_ not in ("det", "cc", "punct") for t in conj.lefts) else conj.i: conj.i + 1].text)
    text = " and ".join(parts) if len(parts) > 1 else parts[0]
    return text.strip().rstrip(":,.") or None


def _is_named_place(token: Token, loose: bool = False) -> bool:
    """A place the article names: a GPE/LOC/FAC entity, or a proper noun the tagger left
    without a type (small towns often are), or a place noun with such a name ("Saltivskyi district").
    A nationality or language ("in Ukrainian") is not a place, whatever the tagger says."""
    if _NATIONALITY.search(token.text) and not any(c.dep_ == "compound" for c in token.children):
        return False
    if token.ent_type_ in _PLACE_LABELS:
        return True
    if loose and token.ent_type_ == "PERSON" and token.pos_ == "PROPN":
        return True
    if token.ent_type_ in _NON_PLACE_LABELS:
        return False
    if token.pos_ == "PROPN" and token.text[:1].isupper():
        return True
    if token.lemma_.lower() in _PLACE_NOUNS:
        return any(
            (c.ent_type_ in _PLACE_LABELS or (c.pos_ == "PROPN" and c.ent_type_ not in ("PERSON", "DATE", "TIME")))
            for c in token.lefts if c.dep_ in ("compound", "amod", "nmod")
        )
    return False


def _clause(sentence: Span, number: Token, cue: Optional[Token]) -> Span:
    """The clause that states the figure: the subtree of the verb governing it, unless that verb
    only reports (then the whole sentence), so that "..., in the deadliest attack this year" on
    the reporting verb does not date a figure."""
    doc = sentence.doc
    anchor: Optional[Token] = cue if cue is not None and cue.pos_ in ("VERB", "AUX") else None
    current = number
    for _ in range(6):
        if anchor is not None:
            break
        if current.pos_ in ("VERB", "AUX") and current is not number:
            anchor = current
            break
        if current.head is current:
            break
        current = current.head
    if anchor is None or anchor.lemma_.lower() in _REPORT_VERBS:
        return sentence
    while anchor.dep_ in ("aux", "auxpass", "xcomp", "acl", "relcl", "conj") and anchor.head is not anchor and anchor.head.lemma_.lower() not in _REPORT_VERBS:
        anchor = anchor.head
    return doc[anchor.left_edge.i : anchor.right_edge.i + 1]


def _time_scope(clause: Span, outcome: str) -> Optional[str]:
    """The scope the figure's own clause states, or None when it states none:
    cumulative ("since March", "so far", "the toll rose to", "have been displaced"), a day's
    total ("on Tuesday" over several events), one incident ("in an airstrike", "on Tuesday" for
    one attack)."""
    text = clause.text
    incident = _INCIDENT_CUES.search(text)
    if _CUMULATIVE_CUES.search(text):
        return "cumulative"
    if not incident and re.search(r"\b(?:toll|tally|number)\b.*\b(?:rose|risen|climbed|increased|reached|stands|stood)\b", text, re.I):
        return "cumulative"
    if outcome == "displaced" and re.search(r"\b(?:have|has) (?:been )?(?:displaced|fled|forced|driven|left|uprooted)\b", text, re.I):
        return "cumulative"  # a displacement figure in the perfect is the count so far
    if _DAY_CUES.search(text):
        return "day" if not incident or _SEVERAL_EVENTS.search(text) else "incident"
    if incident:
        return "incident"
    return None


def _period(sentence: Span) -> Optional[str]:
    for ent in entities_in(sentence):
        if ent.label_ in ("DATE", "TIME"):
            since = _since_clause_start(sentence, ent)
            if since is not None:
                # "since Russia began its bombing campaign on September 30": the date ends a
                # "since" clause, which is what makes the figure cumulative
                return sentence.doc[since.i : ent.end].text
            previous = sentence.doc[ent.start - 1] if ent.start > 0 else None
            text = ent.text.strip()
            if previous is not None and previous.lower_ in ("on", "since", "in", "during", "by", "until", "over"):
                return f"{previous.text} {text}"
            return text
    return None


def _since_clause_start(sentence: Span, date: Span) -> Optional[Token]:
    """The "since" that opens a clause ending in ``date`` ("since the offensive began on 3 May")."""
    for token in sentence:
        if token.i >= date.start - 1:
            return None
        if token.lower_ == "since" and token.head.i < date.end and date.start - token.i <= 12:
            if any(t.i >= date.start for t in token.head.subtree) and token.head.i > token.i:
                return token
    return None


def _perpetrator(sentence: Span, number: Token, cue: Optional[Token]) -> Optional[str]:
    if cue is not None and cue.pos_ == "VERB":
        for child in cue.children:
            if child.dep_ == "agent":
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return sentence.doc[objects[0].left_edge.i : objects[0].right_edge.i + 1].text
            if child.dep_ == "nsubj" and child.i != number.i and child.lemma_.lower() not in _GROUP_BY_LEMMA and child.pos_ != "PRON":
                return sentence.doc[child.left_edge.i : child.i + 1].text
    for token in sentence:
        if token.lower_ in ("from", "in", "by") and token.i > number.i:
            objects = [c for c in token.children if c.dep_ == "pobj"]
            if objects and _INCIDENT_CUES.search(objects[0].text) and objects[0].lemma_.lower() not in ("fire",):
                return sentence.doc[objects[0].left_edge.i : objects[0].i + 1].text
    return None


def _link_subsets(candidates: list[CasualtyCandidate], doc: Doc) -> None:
    """A figure after "among the dead" / "including" is part of an earlier total: the nearest one
    in its paragraph, or, when the subset opens a paragraph of its own, the article's first total
    for that outcome (the headline figure "the dead" refers back to). A subset shares its total's
    time scope and, unless it names its own, its place and source."""
    for i, candidate in enumerate(candidates):
        if not candidate.parent_hint:
            continue
        sentence_start = doc.char_span(candidate.report.evidence.start, candidate.report.evidence.end, alignment_mode="expand")
        own_paragraph = sentence_start is not None and starts_paragraph(doc, sentence_start.sent.start_char)
        order = range(0, i) if own_paragraph else range(i - 1, -1, -1)
        for j in order:
            parent = candidates[j]
            if parent.parent_hint or parent.report.outcome != candidate.report.outcome:
                continue
            if parent.report.figure.low is not None and candidate.report.figure.low is not None and parent.report.figure.low < candidate.report.figure.low:
                continue
            candidate.report.subset_of = j
            if not candidate.place_stated or candidate.report.location is None:
                candidate.report.location = parent.report.location
            candidate.report.time_scope = parent.report.time_scope
            if candidate.report.source is None and parent.report.source is not None:
                candidate.report.source, candidate.report.speaker_rule = parent.report.source, "source.subset_parent"
            break


def _without(candidates: list[CasualtyCandidate], removed: set[int]) -> list[CasualtyCandidate]:
    """``candidates`` less the ``removed`` indexes, ``subset_of`` links remapped (None if removed)."""
    new_index: dict[int, int] = {}
    for old in range(len(candidates)):
        if old not in removed:
            new_index[old] = len(new_index)
    kept = [c for i, c in enumerate(candidates) if i not in removed]
    for candidate in kept:
        if candidate.report.subset_of is not None:
            candidate.report.subset_of = new_index.get(candidate.report.subset_of)
    return kept


def _dedupe(candidates: list[CasualtyCandidate]) -> list[CasualtyCandidate]:
    """Keep the first mention of a figure restated for the same outcome and group ("at least 17
    people were killed" ... "police confirmed 17 deaths"); fill its gaps from the restatement."""
    kept: list[CasualtyCandidate] = []
    index_map: dict[int, int] = {}

    def key(report: CasualtyReport) -> tuple[str, object, str]:
        value = stated_value(report.figure)
        return (report.outcome, value if value is not None else report.figure.interval(), report.victim_group)

    for i, candidate in enumerate(candidates):
        report = candidate.report
        twin = next((k for k, c in enumerate(kept) if key(c.report) == key(report)), None)
        if twin is None:
            index_map[i] = len(kept)
            kept.append(candidate)
            continue
        index_map[i] = twin
        first = kept[twin].report
        if first.source is None and report.source is not None:
            first.source, first.speaker_rule = report.source, "source.restatement"
        for name in ("location", "perpetrator", "period"):
            if getattr(first, name) is None and getattr(report, name) is not None:
                setattr(first, name, getattr(report, name))
        if first.time_scope == "unspecified":
            first.time_scope = report.time_scope
    for candidate in kept:
        if candidate.report.subset_of is not None:
            candidate.report.subset_of = index_map.get(candidate.report.subset_of)
    return kept
