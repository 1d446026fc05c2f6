"""Casualty reports from language structure: a count, the people it counts, what happened to them.

News states a casualty figure in a handful of grammatical shapes, all of which the dependency parse
exposes:

* the figure counts people and a verb says what happened: "52 people were killed", "killing 12",
  "wounded 30 others", "civilians displaced";
* the figure counts an outcome noun: "118 deaths", "the dead", "injuries";
* a toll noun takes the figure: "the death toll rose to 45", "the number of displaced reached 2,000";
* a subset: "Among the dead were 11 women and 10 children", "including five children".

Around the figure the sentence (and the passage before it) gives the reporting source ("X said",
"according to X", "X documented"), the place, the time and the cause. No model is involved; a
strategy may ask a model to confirm or classify what is ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from spacy.tokens import Doc, Span, Token

from summarizer.figures import FoundFigure, find_figures
from summarizer.rules.nlp import starts_paragraph
from summarizer.rules.speakers import SpeakerIndex
from summarizer.schema import CasualtyReport, Evidence

OUTCOME_VERBS = {
    "killed": {"kill", "die", "slay", "murder", "massacre", "execute", "perish", "behead", "assassinate",
               "drown", "claim", "martyr", "eliminate", "neutralize", "neutralise", "liquidate"},
    "injured": {"injure", "wound", "hurt", "maim", "burn"},
    "missing": {"miss", "disappear", "vanish"},
    "detained": {"detain", "arrest", "abduct", "kidnap", "seize", "capture", "hold", "jail", "imprison",
                 "round", "apprehend", "take"},
    "displaced": {"displace", "flee", "evacuate", "uproot", "expel", "force", "relocate", "shelter"},
}
OUTCOME_NOUNS = {
    "killed": {"death", "dead", "fatality", "body", "corpse", "victim", "killing", "life", "toll"},
    "injured": {"injury", "wounded", "injured", "casualty"},
    "missing": {"missing"},
    "detained": {"detainee", "arrest", "hostage", "captive", "prisoner", "abductee", "detention"},
    "displaced": {"displaced", "refugee", "evacuee", "homeless", "displacement"},
}
OUTCOME_ADJECTIVES = {"dead": "killed", "wounded": "injured", "injured": "injured", "missing": "missing",
                      "displaced": "displaced", "homeless": "displaced", "detained": "detained"}
GROUP_NOUNS = {
    "people": {"people", "person", "other", "resident", "villager", "inhabitant", "individual", "family",
               "passenger", "member", "one"},
    "civilians": {"civilian", "non-combatant", "noncombatant", "bystander"},
    "children": {"child", "kid", "boy", "girl", "minor", "infant", "baby", "toddler", "teenager",
                 "schoolchild", "student", "pupil"},
    "women": {"woman", "mother"},
    "men": {"man"},
    "fighters": {"fighter", "rebel", "militant", "insurgent", "jihadist", "gunman", "guerrilla",
                 "combatant", "militiaman", "attacker", "extremist", "terrorist", "paramilitary"},
    "security_forces": {"soldier", "troop", "police", "policeman", "officer", "guard", "serviceman",
                        "personnel", "marine", "trooper", "gendarme", "conscript", "army", "policemen"},
    "journalists": {"journalist", "reporter", "photographer", "cameraman", "correspondent"},
    "aid_workers": {"worker", "medic", "doctor", "nurse", "paramedic", "volunteer", "rescuer", "staff"},
    "other": {"prisoner", "migrant", "worshipper", "protester", "demonstrator", "pilgrim", "miner",
              "refugee", "patient", "farmer", "fisherman", "shepherd", "teacher", "employee"},
}
_GROUP_BY_LEMMA = {lemma: group for group, lemmas in GROUP_NOUNS.items() for lemma in lemmas}
_OUTCOME_BY_VERB = {lemma: outcome for outcome, lemmas in OUTCOME_VERBS.items() for lemma in lemmas}
_OUTCOME_BY_NOUN = {lemma: outcome for outcome, lemmas in OUTCOME_NOUNS.items() for lemma in lemmas}
_TOLL_NOUNS = {"toll", "number", "count", "tally", "total", "figure"}
_TOLL_VERBS = {"rise", "reach", "climb", "stand", "increase", "jump", "hit", "be", "soar", "top", "exceed",
               "surpass", "pass", "mount", "grow", "put"}
_REPORT_VERBS = {"say", "report", "document", "record", "count", "tell", "state", "announce", "confirm",
                 "estimate", "put", "add", "note", "tally", "register", "verify", "claim", "list", "give"}
_SUBSET_CUES = re.compile(r"\b(among (?:the|them|those|whom)|including|of whom|of them|of those|among)\b", re.I)
_CUMULATIVE_CUES = re.compile(
    r"\b(since|so far|to date|in total|a total of|total of|cumulative|this year|last year|over the (?:past|last)|"
    r"each of|every day|per day|a day|daily|in all|overall|in recent (?:days|weeks|months)|the war began|"
    r"the conflict began|altogether|throughout)\b",
    re.I,
)
_INCIDENT_CUES = re.compile(
    r"\b(attack|strike|airstrike|air strike|blast|explosion|bomb|bombing|shelling|raid|ambush|shooting|"
    r"crash|collapse|clash|clashes|assault|massacre|fire|incident|offensive|stampede|earthquake|flood)\b",
    re.I,
)
_DAY_CUES = re.compile(
    r"\b(on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday|today|overnight|"
    r"on (?:january|february|march|april|may|june|july|august|september|october|november|december) \d+|"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:'s)?)\b",
    re.I,
)
_LOCATIVES = {"in", "across", "near", "at", "around", "outside", "inside", "throughout", "from", "on", "of"}
_NON_COUNT_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY"}
_SOURCE_HEADS = {"ministry", "observatory", "office", "committee", "committees", "agency", "official",
                 "officials", "spokesman", "spokeswoman", "spokesperson", "authorities", "group", "monitor",
                 "center", "centre", "council", "network", "organization", "organisation", "police",
                 "army", "military", "hospital", "doctors", "medics", "service", "department", "un",
                 "coalition", "government", "media", "activists", "witnesses", "residents", "sources"}


@dataclass
class CasualtyCandidate:
    """A figure the rules read as a casualty report, with what the rules were unsure of."""

    report: CasualtyReport
    confidence: float  # 1.0 = grammatical link; lower = proximity only
    outcome_cue: str  # the word that gave the outcome
    source_options: list[str] = field(default_factory=list)
    parent_hint: bool = False  # a subset cue was seen


def find_casualties(doc: Doc) -> list[CasualtyCandidate]:
    """Every casualty figure in ``doc``, in text order, de-duplicated, with subset links."""
    candidates: list[CasualtyCandidate] = []
    last_source: Optional[tuple[str, int]] = None  # (name, sentence index)
    speakers = SpeakerIndex.for_doc(doc)
    sentences = list(doc.sents)
    for s_index, sentence in enumerate(sentences):
        sentence_source = _sentence_source(sentence, speakers)
        if sentence_source:
            last_source = (sentence_source, s_index)
        carried = last_source[0] if last_source and s_index - last_source[1] <= 4 else None
        for found in find_figures(sentence.text):
            start = sentence.start_char + found.start
            end = sentence.start_char + found.end
            previous = candidates[-1] if candidates else None
            candidate = _read_figure(doc, sentence, found, start, end, sentence_source or carried, speakers, previous)
            if candidate is not None:
                candidates.append(candidate)
    _link_subsets(candidates, doc)
    return _dedupe(candidates)


def _read_figure(doc: Doc, sentence: Span, found: FoundFigure, start: int, end: int,
                 source: Optional[str], speakers: SpeakerIndex,
                 previous: Optional["CasualtyCandidate"] = None) -> Optional[CasualtyCandidate]:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    number = _number_token(span)
    if number is None or number.ent_type_ in _NON_COUNT_ENTS and not _is_person_count(number):
        return None
    if _looks_like_year_or_age(doc, number, found):
        return None
    noun = _counted_noun(number)
    group = _group_of(noun) if noun is not None else None
    outcome, cue = None, None
    if noun is not None:
        outcome, cue = _outcome_of_noun(noun)
        if outcome is None and group is None:
            return None  # counts something that is not people: "12 airstrikes", "three days"
    if outcome is None:
        outcome, cue = _outcome_from_governor(noun if noun is not None else number)
    confidence = 1.0
    if outcome is None:
        outcome, cue = _outcome_from_subset_context(sentence, number)
    if outcome is None and group is not None:
        outcome, cue = _outcome_nearby(sentence, number)
        confidence = 0.6
    near_previous = previous is not None and previous.report.evidence.end > sentence.start_char - 400
    subset_cue = bool(_SUBSET_CUES.search(doc.text[sentence.start_char:start]))
    if outcome is None and group is not None and subset_cue and near_previous:
        # "the deaths of 34 people, including 9 children": the subset shares the total's outcome
        outcome, cue, confidence = previous.report.outcome, None, 0.8
    if outcome is None:
        return None
    elliptical = noun is None or noun.lemma_.lower() in ("other", "more") or noun.pos_ == "PRON"
    if elliptical and near_previous and previous.report.victim_group != "people" and not subset_cue:
        # "six civilians were killed and 14 others were injured": the group carries over
        group = previous.report.victim_group
    group = group or _group_from_outcome_noun(noun) or "people"
    evidence_start = min(start, cue.idx if cue is not None else start)
    evidence_end = max(end, (cue.idx + len(cue.text)) if cue is not None else end)
    if noun is not None:
        evidence_start = min(evidence_start, noun.idx)
        evidence_end = max(evidence_end, noun.idx + len(noun.text))
    evidence_text = doc.text[evidence_start:evidence_end]
    report = CasualtyReport(
        outcome=outcome,
        figure=found.figure,
        victim_group=group,
        location=_location(sentence, number),
        time_scope=_time_scope(sentence.text),
        period=_period(sentence),
        source=source,
        perpetrator=_perpetrator(sentence, number, cue),
        evidence=Evidence(start=evidence_start, end=evidence_end, text=evidence_text),
    )
    return CasualtyCandidate(
        report=report,
        confidence=confidence,
        outcome_cue=cue.text if cue is not None else "",
        source_options=_source_options(sentence, speakers, source),
        parent_hint=bool(_SUBSET_CUES.search(doc.text[sentence.start_char:end])),
    )


def _number_token(span: Span) -> Optional[Token]:
    numbers = [t for t in span if t.like_num or t.pos_ == "NUM" or t.lower_ in ("dozens", "hundreds", "thousands", "scores", "dozen")]
    if not numbers:
        return span[-1] if len(span) else None
    # the number whose head lies outside the figure ("30" in "between 30 and 40 fighters")
    outside = [t for t in numbers if not (span.start <= t.head.i < span.end) or t.head is t]
    return outside[0] if outside else numbers[-1]


def _is_person_count(token: Token) -> bool:
    return token.dep_ == "nummod" and _group_of(token.head) is not None


def _looks_like_year_or_age(doc: Doc, number: Token, found: FoundFigure) -> bool:
    if found.figure.kind == "exact" and found.figure.low is not None and 1900 <= found.figure.low <= 2100 and number.like_num and "," not in number.text:
        return True
    following = doc[number.i + 1 : number.i + 3].text.lower()
    return following.startswith(("-year", "year-old", "years old", "per cent", "percent", "%", "km", "kilomet", "mile"))


def _counted_noun(number: Token) -> Optional[Token]:
    """The noun a figure counts: ``52 people`` -> people; ``12 of them`` -> them; none for ``killed 12``."""
    if number.dep_ in ("nummod", "quantmod", "amod", "compound") and number.head.pos_ in ("NOUN", "PROPN", "ADJ", "PRON"):
        return number.head
    for child in number.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    nxt = number.doc[number.i + 1] if number.i + 1 < len(number.doc) else None
    if nxt is not None and nxt.pos_ in ("NOUN", "ADJ") and (nxt.lemma_.lower() in _GROUP_BY_LEMMA or nxt.lemma_.lower() in _OUTCOME_BY_NOUN or nxt.lower_ in OUTCOME_ADJECTIVES):
        return nxt
    return None


def _group_of(noun: Token) -> Optional[str]:
    lemma = noun.lemma_.lower()
    if lemma in _GROUP_BY_LEMMA and lemma not in ("worker", "staff"):
        group = _GROUP_BY_LEMMA[lemma]
    elif lemma in ("worker", "staff", "member"):
        modifiers = {c.lemma_.lower() for c in noun.children if c.dep_ in ("compound", "amod")}
        if modifiers & {"aid", "humanitarian", "medical", "health", "rescue", "relief", "un"}:
            return "aid_workers"
        return "people" if lemma != "worker" else "other"
    elif lemma in ("them", "they", "those"):
        return "people"
    else:
        return None
    modifiers = {c.lemma_.lower() for c in noun.children if c.dep_ in ("amod", "compound")}
    if group == "people" and "civilian" in modifiers:
        return "civilians"
    if group == "security_forces" and modifiers & {"rebel", "opposition", "militia"}:
        return "fighters"
    if lemma in ("man",) and "young" in modifiers:
        return "men"
    return group


def _group_from_outcome_noun(noun: Optional[Token]) -> Optional[str]:
    if noun is None:
        return None
    modifiers = {c.lemma_.lower() for c in noun.children if c.dep_ in ("amod", "compound")}
    for modifier in modifiers:
        if modifier in _GROUP_BY_LEMMA:
            return _GROUP_BY_LEMMA[modifier]
    return None


def _outcome_of_noun(noun: Token) -> tuple[Optional[str], Optional[Token]]:
    lemma = noun.lemma_.lower()
    if noun.lower_ in OUTCOME_ADJECTIVES:
        return OUTCOME_ADJECTIVES[noun.lower_], noun
    if lemma in _OUTCOME_BY_NOUN and lemma not in ("life", "toll", "victim", "body"):
        return _OUTCOME_BY_NOUN[lemma], noun
    if lemma in ("victim", "body"):
        return "killed", noun
    # a participle or adjective on the noun: "people killed", "civilians wounded", "wounded soldiers"
    for child in noun.children:
        if child.dep_ in ("acl", "amod", "relcl") and child.lemma_.lower() in _OUTCOME_BY_VERB and child.pos_ in ("VERB", "ADJ"):
            return _verb_outcome(child), child
        if child.dep_ in ("amod",) and child.lower_ in OUTCOME_ADJECTIVES:
            return OUTCOME_ADJECTIVES[child.lower_], child
    return None, None


def _verb_outcome(verb: Token) -> Optional[str]:
    lemma = verb.lemma_.lower()
    if lemma == "claim":
        objects = {c.lemma_.lower() for c in verb.children if c.dep_ == "dobj"}
        return "killed" if "life" in objects else None
    if lemma == "take":
        return "detained" if any(c.lower_ in ("hostage", "captive", "prisoner") for c in verb.subtree) else None
    if lemma == "hold":
        return "detained" if any(c.lower_ in ("hostage", "captive", "custody", "detention") for c in verb.subtree) else None
    if lemma == "force":
        return "displaced" if any(c.lemma_.lower() in ("flee", "leave", "home") for c in verb.subtree) else None
    if lemma == "miss":
        return "missing" if verb.tag_ in ("VBN",) or verb.lower_ == "missing" else None
    if lemma == "round":
        return "detained" if any(c.lower_ == "up" for c in verb.children) else None
    if lemma in ("burn", "shelter"):
        return None if lemma == "shelter" else "injured"
    return _OUTCOME_BY_VERB.get(lemma)


def _outcome_from_governor(token: Token) -> tuple[Optional[str], Optional[Token]]:
    """Walk up from the counted noun (or the bare number) to the verb or toll noun that governs it."""
    current = token
    for _ in range(4):
        head = current.head
        if head is current:
            break
        if current.dep_ in ("nsubj", "nsubjpass", "dobj", "attr", "pobj", "conj", "appos", "npadvmod", "oprd", "dative") or current.dep_ == "prep":
            if head.pos_ in ("VERB", "AUX", "ADJ"):
                outcome = _verb_outcome(head) if head.pos_ != "ADJ" else OUTCOME_ADJECTIVES.get(head.lower_)
                if outcome:
                    return outcome, head
                if head.lemma_.lower() in _TOLL_VERBS:
                    toll = _toll_outcome(head)
                    if toll[0]:
                        return toll
                if current.dep_ in ("nsubj", "nsubjpass", "dobj", "attr"):
                    # "were 11 women" in "Among the dead were ...": look for an outcome noun on the verb
                    for child in head.children:
                        if child.dep_ == "prep":
                            for obj in child.children:
                                if obj.lower_ in OUTCOME_ADJECTIVES or obj.lemma_.lower() in _OUTCOME_BY_NOUN:
                                    noun_outcome = OUTCOME_ADJECTIVES.get(obj.lower_) or _OUTCOME_BY_NOUN.get(obj.lemma_.lower())
                                    if noun_outcome and obj.lemma_.lower() not in ("toll", "life"):
                                        return noun_outcome, obj
                    break
            if head.pos_ == "NOUN" and head.lemma_.lower() in _TOLL_NOUNS:
                return _toll_noun_outcome(head)
            if head.pos_ == "NOUN" and current.lower_ == "of":
                noun_outcome = _OUTCOME_BY_NOUN.get(head.lemma_.lower())
                if noun_outcome and head.lemma_.lower() not in ("toll", "life", "victim", "body"):
                    return noun_outcome, head
            if head.pos_ == "ADP" or head.dep_ in ("prep", "conj"):
                current = head
                continue
        current = head
    return None, None


def _toll_outcome(verb: Token) -> tuple[Optional[str], Optional[Token]]:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.lemma_.lower() in _TOLL_NOUNS:
            return _toll_noun_outcome(child)
    return None, None


def _toll_noun_outcome(noun: Token) -> tuple[Optional[str], Optional[Token]]:
    for child in noun.subtree:
        if child is noun:
            continue
        lemma = child.lemma_.lower()
        if lemma in ("death", "dead", "fatality", "killed"):
            return "killed", child
        if lemma in ("injury", "injured", "wounded", "casualty"):
            return ("killed" if lemma == "casualty" and noun.lemma_.lower() == "toll" else "injured"), child
        if lemma in ("displaced", "refugee", "displacement"):
            return "displaced", child
        if lemma in ("missing",):
            return "missing", child
        if lemma in ("detainee", "arrest", "detained"):
            return "detained", child
    if noun.lemma_.lower() == "toll":
        return "killed", noun
    return None, None


def _outcome_from_subset_context(sentence: Span, number: Token) -> tuple[Optional[str], Optional[Token]]:
    """"Among the dead were 11 women": the outcome sits in the subset phrase."""
    for token in sentence:
        if token.i >= number.i:
            break
        if token.lower_ in ("among", "including", "of"):
            for obj in token.subtree:
                if obj.lower_ in OUTCOME_ADJECTIVES and obj is not token:
                    return OUTCOME_ADJECTIVES[obj.lower_], obj
                lemma = obj.lemma_.lower()
                if lemma in _OUTCOME_BY_NOUN and lemma not in ("toll", "life"):
                    return _OUTCOME_BY_NOUN[lemma], obj
    return None, None


def _outcome_nearby(sentence: Span, number: Token) -> tuple[Optional[str], Optional[Token]]:
    best: tuple[int, Optional[str], Optional[Token]] = (99, None, None)
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
    return best[1], best[2]


def _expand(name: str, speakers: SpeakerIndex) -> str:
    """The fullest name the article gives ("LCC" -> "Local Coordination Committees"), without "the"."""
    cleaned = re.sub(r"^(?:the|The)\s+", "", name.strip())
    full = speakers.fullest(cleaned, "PERSON")
    if full == cleaned:
        full = speakers.fullest(cleaned, "ORG")
    return re.sub(r"^(?:the|The)\s+", "", full.strip())


def _sentence_source(sentence: Span, speakers: SpeakerIndex) -> Optional[str]:
    """Who the sentence attributes its figures to: "X said", "according to X", "X documented"."""
    for token in sentence:
        if token.lower_ == "according" and token.i + 1 < sentence.end and token.nbor().lower_ == "to":
            objects = [c for c in token.nbor().children if c.dep_ == "pobj"]
            if objects:
                ent = _entity_of(objects[0])
                phrase = ent or sentence.doc[objects[0].left_edge.i : objects[0].right_edge.i + 1].text
                return _expand(re.sub(r"^(?:the|The)\s+", "", phrase).rstrip(".,"), speakers)
    for token in sentence:
        if token.pos_ == "VERB" and token.lemma_.lower() in _REPORT_VERBS:
            for child in token.children:
                if child.dep_ in ("nsubj",) and child.pos_ in ("PROPN", "NOUN"):
                    ent = _entity_of(child)
                    if ent is not None:
                        return _expand(ent, speakers)
                    if child.lemma_.lower() in _SOURCE_HEADS:
                        phrase = sentence.doc[child.left_edge.i : child.i + 1].text
                        return re.sub(r"^(?:the|The|a|an)\s+", "", phrase)
    return None


def _entity_of(token: Token) -> Optional[str]:
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end and ent.label_ in ("ORG", "PERSON", "NORP", "GPE"):
            if ent.label_ in ("NORP", "GPE"):
                # "Russian officials": the head noun names the source, not the nationality alone
                continue
            return ent.text.strip()
    return None


def _source_options(sentence: Span, speakers: SpeakerIndex, chosen: Optional[str]) -> list[str]:
    options = [chosen] if chosen else []
    for ent in sentence.ents:
        if ent.label_ in ("ORG", "PERSON"):
            name = _expand(ent.text, speakers)
            if name not in options:
                options.append(name)
    return options


def _location(sentence: Span, number: Token) -> Optional[str]:
    """The place named after a locative preposition ("in", "across", "near") in the sentence."""
    doc = sentence.doc
    places = [
        e for e in sentence.ents
        if e.label_ in ("GPE", "LOC", "FAC") and e.start > 0
        and (doc[e.start - 1].lower_ in _LOCATIVES or (e.start > 1 and doc[e.start - 1].lower_ == "the" and doc[e.start - 2].lower_ in _LOCATIVES))
    ]
    if not places:
        return None
    after = [e for e in places if e.start > number.i]
    preferred = after[0] if after else places[-1]
    return preferred.text.strip().rstrip(":,.")


def _time_scope(sentence_text: str) -> str:
    if _CUMULATIVE_CUES.search(sentence_text):
        return "cumulative"
    if _DAY_CUES.search(sentence_text):
        return "day"
    if _INCIDENT_CUES.search(sentence_text):
        return "incident"
    return "unspecified"


def _period(sentence: Span) -> Optional[str]:
    for ent in sentence.ents:
        if ent.label_ in ("DATE", "TIME"):
            previous = sentence.doc[ent.start - 1] if ent.start > 0 else None
            text = ent.text.strip()
            if previous is not None and previous.lower_ in ("on", "since", "in", "during", "by", "until", "over"):
                return f"{previous.text} {text}"
            return text
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
    for that outcome (the headline figure "the dead" refers back to)."""
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
            if candidate.report.location is None:
                candidate.report.location = parent.report.location
            if candidate.report.time_scope == "unspecified":
                candidate.report.time_scope = parent.report.time_scope
            break


def _dedupe(candidates: list[CasualtyCandidate]) -> list[CasualtyCandidate]:
    """Keep the first mention of a figure restated for the same outcome and group; fill its gaps."""
    kept: list[CasualtyCandidate] = []
    index_map: dict[int, int] = {}
    for i, candidate in enumerate(candidates):
        report = candidate.report
        key = (report.outcome, report.figure.low, report.figure.high, report.victim_group)
        twin = next((k for k, c in enumerate(kept) if (c.report.outcome, c.report.figure.low, c.report.figure.high, c.report.victim_group) == key), None)
        if twin is None:
            index_map[i] = len(kept)
            kept.append(candidate)
            continue
        index_map[i] = twin
        first = kept[twin].report
        for name in ("source", "location", "perpetrator", "period"):
            if getattr(first, name) is None and getattr(report, name) is not None:
                setattr(first, name, getattr(report, name))
        if first.time_scope == "unspecified":
            first.time_scope = report.time_scope
    for candidate in kept:
        if candidate.report.subset_of is not None:
            candidate.report.subset_of = index_map.get(candidate.report.subset_of)
    return kept
