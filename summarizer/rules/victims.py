"""Victims reported one by one, counted per article into the incident's killed and injured.

Local crime reporting rarely states a toll as a figure. It names each victim in turn and tells
what happened to them: "A 15-year-old boy was shot to death ...", "Police found a woman with a
gunshot wound ...", "He was taken to hospital, where he later died." A reader counts people, not
sentences: the headline and the lead name the same boy, "he died" turns the man already counted
as shot into one of the dead (not a second person), and "four people were shot, one fatally" is
one killed and three injured. This module reads those mentions from the parse and adds them up
into one killed and one injured report per article, each with a
:class:`~summarizer.schema.Derivation` listing the spans it was counted from (the grounding
checkpoint verifies every one of them).

The rules, by id (in ``CasualtyReport.rule``):

* ``casualty.victims.one_by_one``: the sum of single victims (``Derivation.rule == "sum"``);
* ``casualty.victims.shot_less_dead``: a figure of people shot less those of them who died
  ("four people were shot, one fatally"; "4 shot, 1 dead"): the injured
  (``Derivation.rule == "difference"``).

What a mention is and what happened to the person is read by the :data:`MENTION_RULES`; the words
are in ``lexicons/victims.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from spacy.tokens import Doc, Span, Token

from summarizer.rules import lexicon
from summarizer.rules.nlp import doc_text, parse
from summarizer.schema import CasualtyReport, CountTerm, Derivation, Evidence, Figure

_HARM_VERBS = lexicon.words("victims", "verbs.harm")
_KILL_VERBS = lexicon.words("victims", "verbs.kill")
_DIE_VERBS = lexicon.words("victims", "verbs.die")
_STATE_DEAD_VERBS = lexicon.words("victims", "verbs.state_dead")
_TAKE_WOUND_VERBS = lexicon.words("victims", "verbs.take_wound")
_CARRY_VERBS = lexicon.words("victims", "verbs.carry")
_TAKE_LIFE_VERBS = lexicon.words("victims", "verbs.take_life")
_TURN_ON_VERBS = lexicon.words("victims", "verbs.turn_on")
_COME_UPON_VERBS = lexicon.words("victims", "verbs.come_upon")
_PAIRS = lexicon.words("victims", "words.pairs")
_CONDITIONS = lexicon.words("victims", "words.conditions")
_HOSPITALS = lexicon.words("victims", "words.hospitals")
_WEAPONS = lexicon.words("victims", "words.weapons")
_AGE_UNITS = lexicon.words("victims", "words.age_units")
_CHILD_NOUNS = lexicon.words("victims", "kinds.child")
_ADULT_NOUNS = lexicon.words("victims", "kinds.adult")
_BACKGROUND = lexicon.phrase_pattern("victims", "phrases.background")
_BACKGROUND_MARKS = lexicon.words("victims", "words.background_marks")
_MALE = lexicon.words("victims", "gender.male")
_FEMALE = lexicon.words("victims", "gender.female")
_FATAL_WORDS = lexicon.words("victims", "words.fatal")
_WOUND_NOUNS = lexicon.words("victims", "words.wounds")
_HYPOTHETICAL = lexicon.words("victims", "words.hypothetical")
_PERSON_NOUNS = lexicon.words("victims", "words.persons")
_PRONOUNS = lexicon.words("victims", "words.pronouns")
_DEATH_NOUNS = lexicon.words("victims", "events.death_nouns")
_FATAL_MODIFIERS = lexicon.words("victims", "events.fatal_modifiers")
_SHOOTING_NOUNS = lexicon.words("victims", "events.shooting_nouns")
#: A victim counted from a killing noun alone ("a fatal shooting") is a place for the person the
#: article describes next.
_EVENT_NOUNS = _DEATH_NOUNS | _SHOOTING_NOUNS
_ANOTHER = lexicon.words("victims", "words.another")
_REFLEXIVE = {"himself": "he", "herself": "she"}
_AGE_WORD = re.compile(r"(\d{1,3})[- ](" + "|".join(sorted(map(re.escape, _AGE_UNITS))) + r")s?[- ]old", re.I)

#: Ids of the rules that turn one mention into a victim event (``_Event.rule``).
MENTION_RULES: tuple[tuple[str, str], ...] = (
    ("victim.harmed", "a harm verb takes the person: 'a man was shot', 'shot his neighbour' (fatal with "
                      "'fatally', 'dead', 'to death', '... and killed')"),
    ("victim.killed", "a killing verb takes the person: 'was killed', 'murdered his wife'"),
    ("victim.died", "the person is the subject of a dying verb: 'he later died'"),
    ("victim.found_dead", "a verb states the person dead: 'was found dead', 'pronounced dead'"),
    ("victim.wounded", "the person suffered a wound: 'suffered a gunshot wound', 'suffering from a gunshot wound'"),
    ("victim.found_wounded", "the person was found with a wound: 'officers found a woman with a gunshot wound' (hurt)"),
    ("victim.killing_noun", "a singular killing noun: 'the shooting death of a student', 'the fatal shooting' "
                            "(its victim, else the person already counted, else one unnamed person); 'the death "
                            "of X', 'X's death' when X is a person"),
    ("victim.left_dead", "an active verb leaves or finds the person dead: 'left a 16-year-old boy dead', "
                         "'found Jared Winkers dead'"),
    ("victim.life_taken", "a life taken: 'took the life of a teen' (the teen), 'took his own life' (the subject)"),
    ("victim.turned_gun", "the subject turned a weapon on himself or herself: the shooter's death"),
    ("victim.condition", "a hospital condition of a living patient: 'is in stable condition', 'was listed in "
                         "critical condition' (hurt)"),
    ("victim.hospital", "carried to a hospital: 'was taken to a hospital', 'was rushed to Stroger Hospital' (hurt)"),
    ("victim.pair", "any rule above whose person is a pair word, two people: 'both died', 'both men were shot', "
                    "'they were both pronounced dead', 'a couple was found dead' (the two victims mentioned "
                    "last, else new ones)"),
)
#: The counting rules: ids in ``CasualtyReport.rule``.
COUNT_RULES: tuple[tuple[str, str], ...] = (
    ("casualty.victims.one_by_one", "single victims of the article added up, by outcome"),
    ("casualty.victims.shot_less_dead", "a figure of people shot less those of them who died: the injured"),
)


@dataclass
class _Event:
    """One mention of one person harmed: who (the mention token), what, and the span saying it."""

    person: Token
    killed: bool
    start: int
    end: int
    rule: str
    background: bool = False  # its clause places it at another time or in another incident
    count: int = 1  # people the mention stands for: 2 for a pair word ("both died")


@dataclass
class _Victim:
    """One person the article reports harmed, from all the mentions that refer to them."""

    lemma: str
    age: Optional[str]
    name_words: set[str]
    gender: Optional[str]
    killed: bool
    first: tuple[int, int]
    death: Optional[tuple[int, int]] = None
    group: str = "people"
    mentions: list[tuple[int, int]] = field(default_factory=list)
    sentence: int = -1  # start of the sentence of the first mention
    child: Optional[bool] = None  # a child or teen (True), an adult (False), unknown (None)
    background: bool = False  # harmed in another incident the article recalls


def harm_is_fatal(verb: Token) -> bool:
    """Whether a harm verb says the harm killed: 'fatally shot', 'shot dead', 'shot to death', 'was shot and killed'."""
    for child in verb.children:
        if child.lower_ in _FATAL_WORDS and child.dep_ in ("advmod", "oprd", "acomp", "xcomp", "amod", "attr", "dobj"):
            return True
        if child.dep_ == "prep" and child.lower_ == "to" and any(o.lemma_.lower() == "death" for o in child.children):
            return True
        if (child.dep_ == "conj" and child.lemma_.lower() in _KILL_VERBS | _DIE_VERBS and child.pos_ == "VERB"
                and not any(c.dep_ in ("dobj", "nsubj", "nsubjpass") for c in child.children)):
            return True  # "was shot and killed", "shot and killed a man" (one person, both verbs)
    return False


def _negated(verb: Token) -> bool:
    for child in verb.children:
        if child.dep_ == "neg" or (child.dep_ == "aux" and child.lower_ in _HYPOTHETICAL):
            return True
    return False


def _subject(verb: Token, deps: tuple[str, ...]) -> Optional[Token]:
    """The verb's subject; of two (a dateline the parser took for one: "DALLAS (KTVT) - A man died
    ..."), the one that names a person."""
    subjects = [c for c in verb.children if c.dep_ in deps]
    if subjects:
        return next((c for c in subjects if _person_head(c) is not None), subjects[0])
    if verb.dep_ == "conj":  # "was shot and later died": the subject of the first verb
        return _subject(verb.head, deps + ("nsubj", "nsubjpass"))
    return None


def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
        verb.tag_ == "VBN" and verb.dep_ in ("acl", "ROOT", "conj") and not any(c.dep_ == "dobj" for c in verb.children))


def _events(sentence: Span, headline: bool = False) -> list[_Event]:
    """The victim events of one sentence, one per person mention (the strongest outcome).
    A headline drops the auxiliary: "Juvenile shot in the leg" is passive."""
    found: dict[int, _Event] = {}

    def span(one: Token, verb: Token) -> tuple[int, int]:
        if verb.i > one.i:
            return min(one.left_edge.idx, one.idx), verb.idx + len(verb)
        return min(one.left_edge.idx, verb.idx), max(verb.idx + len(verb), one.idx + len(one))

    def keep(event: _Event) -> None:
        previous = found.get(event.person.i)
        if previous is None or (event.killed and not previous.killed):
            found[event.person.i] = event

    def add(person: Optional[Token], verb: Token, killed: bool, rule: str) -> None:
        if person is None:
            return
        background = _background(verb)  # the verb's clause, the same for every conjunct
        if _is_pair(person, verb):
            keep(_Event(person, killed, *span(person, verb), "victim.pair", background, count=2))
            return
        for one in [person] + [c for c in person.conjuncts if c.i > person.i]:
            one = _person_head(one)
            if one is None:
                continue
            keep(_Event(one, killed, *span(one, verb), rule, background))

    for verb in sentence:
        if verb.pos_ not in ("VERB", "AUX", "ADJ") or _negated(verb):
            continue
        lemma = verb.lemma_.lower()
        if lemma in _HARM_VERBS | _KILL_VERBS:
            killed = lemma in _KILL_VERBS or harm_is_fatal(verb)
            rule = "victim.killed" if lemma in _KILL_VERBS else "victim.harmed"
            if _passive(verb) or (headline and verb.tag_ == "VBD" and not any(c.dep_ == "dobj" for c in verb.children)):
                subject = _subject(verb, ("nsubjpass", "nsubj"))
                if subject is None and verb.dep_ == "acl":
                    subject = verb.head  # "a man shot in the leg"
                add(subject, verb, killed, rule)
            else:
                obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
                if obj is not None and obj.lower_ in _REFLEXIVE:
                    obj = _subject(verb, ("nsubj",))  # "shot himself": the shooter is the victim
                if obj is not None and lemma in ("hit", "strike") and not _struck_by_gunfire(verb):
                    obj = None  # "hit a car", "struck a deal"
                add(obj, verb, killed, rule)
        elif lemma in _DIE_VERBS and verb.pos_ == "VERB":
            add(_subject(verb, ("nsubj",)), verb, True, "victim.died")
        elif lemma in _STATE_DEAD_VERBS and verb.pos_ == "VERB" and _passive(verb):
            if any(c.lower_ == "dead" for c in verb.children):
                add(_subject(verb, ("nsubjpass", "nsubj")), verb, True, "victim.found_dead")
        elif lemma in _STATE_DEAD_VERBS and verb.pos_ == "VERB":
            obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
            if obj is not None and (any(c.lower_ == "dead" and c.dep_ in ("oprd", "ccomp", "xcomp", "acomp") for c in verb.children)
                                    or any(c.lower_ == "dead" and c.dep_ == "amod" and c.i > obj.i for c in obj.children)):
                add(obj, verb, True, "victim.left_dead")  # "left a teen dead", "found a man dead"
        elif lemma in _TAKE_WOUND_VERBS and verb.pos_ == "VERB":
            wound = next((c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in _WOUND_NOUNS), None)
            if wound is None:  # "suffering from a gunshot wound"
                wound = next((o for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"
                              for o in c.children if o.dep_ == "pobj" and o.lemma_.lower() in _WOUND_NOUNS), None)
            if wound is not None:
                fatal = any(c.lower_ in ("fatal", "mortal") for c in wound.children)
                subject = _subject(verb, ("nsubj",))
                if subject is None and verb.dep_ == "acl":
                    subject = verb.head  # "a man suffering from a gunshot wound"
                add(subject, verb, fatal, "victim.wounded")
        if lemma in _COME_UPON_VERBS and verb.pos_ == "VERB":  # "find" also states a person dead (above)
            person = _subject(verb, ("nsubjpass",)) if _passive(verb) else next((c for c in verb.children if c.dep_ == "dobj"), None)
            wound = _with_wound(verb, person) if person is not None else None
            if wound is not None:
                add(person, verb, any(c.lower_ in ("fatal", "mortal") for c in wound.children), "victim.found_wounded")
        if lemma in _TAKE_LIFE_VERBS and verb.pos_ == "VERB" and not _passive(verb):
            life = next((c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() == "life"), None)
            if life is not None:
                if any(c.lower_ == "own" for c in life.subtree):
                    add(_subject(verb, ("nsubj",)), verb, True, "victim.life_taken")  # "took his own life"
                else:
                    add(_life_owner(life), verb, True, "victim.life_taken")  # "took the life of a teen"
        if lemma in _TURN_ON_VERBS and verb.pos_ == "VERB" and any(c.dep_ == "dobj" and c.lemma_.lower() in _WEAPONS for c in verb.children):
            if any(c.dep_ == "prep" and c.lower_ == "on" and any(o.lower_ in _REFLEXIVE for o in c.children) for c in verb.children):
                add(_subject(verb, ("nsubj",)), verb, True, "victim.turned_gun")
        if verb.pos_ in ("VERB", "AUX") and _in_condition(verb):
            add(_subject(verb, ("nsubj", "nsubjpass")), verb, False, "victim.condition")
        if lemma in _CARRY_VERBS and verb.pos_ == "VERB" and _passive(verb) and _to_hospital(verb):
            add(_subject(verb, ("nsubjpass", "nsubj")), verb, False, "victim.hospital")
    for noun in sentence:
        if noun.pos_ != "NOUN" or noun.tag_ != "NN":
            continue
        lemma = noun.lemma_.lower()
        if lemma not in _EVENT_NOUNS:  # a killing noun is a death or a shooting noun (below)
            continue
        modifiers = {c.lower_ for c in noun.children if c.dep_ in ("amod", "compound")}
        person = next((c for c in noun.children if c.dep_ == "poss" and _person_head(c) is not None), None)
        if person is None:
            of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            person = next((o for o in of.children if o.dep_ == "pobj" and _person_head(o) is not None), None) if of else None
        # "the death of a teen", "the boy's death": a death with its person is a killing; a bare
        # "death" is not ("death threats", "the death penalty")
        killing = (lemma in _DEATH_NOUNS and ("shooting" in modifiers or lemma != "death" or (person is not None and noun.dep_ != "compound"))) or (
            lemma in _SHOOTING_NOUNS and modifiers & _FATAL_MODIFIERS)
        if not killing or any(c.dep_ == "nummod" or c.lower_ in ("no", "any") for c in noun.children):
            continue
        if person is not None:
            add(person, noun, True, "victim.killing_noun")
        elif noun.i not in found:
            found[noun.i] = _Event(noun, True, noun.left_edge.idx if noun.left_edge.i >= sentence.start else noun.idx,
                                   noun.idx + len(noun), "victim.killing_noun", _background(noun))
    return list(found.values())


def _with_wound(verb: Token, person: Token) -> Optional[Token]:
    """The wound in 'found a woman with a gunshot wound', 'was located with gunshot wounds': a 'with'
    phrase of the verb, of the person or of a person joined to them."""
    for owner in [verb, person, *person.conjuncts]:
        for prep in owner.children:
            if prep.dep_ == "prep" and prep.lower_ == "with":
                wound = next((o for o in prep.children if o.dep_ == "pobj" and o.lemma_.lower() in _WOUND_NOUNS), None)
                if wound is not None:
                    return wound
    return None


def _is_pair(person: Token, verb: Token) -> bool:
    """Whether the person slot names two people by a pair word, not a figure: 'both' ('both died',
    'both of them'), 'both men', 'they were both ...', 'a couple', 'the pair'."""
    lower = person.lower_
    if lower in _PAIRS and person.tag_ == "DT":
        return True  # "Both were pronounced dead", "both of them"
    if person.lemma_.lower() in _PAIRS and person.tag_ == "NN":
        return not any(c.dep_ == "prep" and c.lower_ == "of" for c in person.children)  # not "a couple of men"
    if person.tag_ == "NNS" or lower in ("they", "them"):
        if any(c.lower_ in _PAIRS and c.dep_ in ("det", "predet", "preconj", "appos", "dep") for c in person.children):
            return True  # "both men", "they both"
        return lower == "they" and any(c.lower_ in _PAIRS and c.dep_ in ("dep", "advmod", "appos", "preconj", "det")
                                       for c in verb.children)  # "they were both pronounced dead"
    return False


def _life_owner(life: Token) -> Optional[Token]:
    """Whose life a verb took: 'the life of a teen', 'his life', 'Smith's life'."""
    owner = next((c for c in life.children if c.dep_ == "poss"), None)
    if owner is None:
        of = next((c for c in life.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        owner = next((o for o in of.children if o.dep_ == "pobj"), None) if of is not None else None
    return owner


def _in_condition(verb: Token) -> bool:
    """'is in stable condition', 'was listed in critical but stable condition'."""
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ == "in":
            for noun in prep.children:
                if noun.dep_ == "pobj" and noun.lemma_.lower() == "condition" and any(
                        t.lower_ in _CONDITIONS for t in noun.subtree):
                    return True
    return False


def _to_hospital(verb: Token) -> bool:
    """'taken to a hospital', 'rushed to Stroger Hospital', 'transported to the trauma center'."""
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ == "to":
            if any(t.lower_ in _HOSPITALS for t in prep.subtree):
                return True
    return False


#: Dependents that open a clause of their own: a cue inside one ("where a man was killed last
#: week") places that clause, not the verb it hangs from.
_OWN_CLAUSES = {"relcl", "advcl", "ccomp", "acl", "xcomp", "parataxis"}


def _background(verb: Token) -> bool:
    """Whether the verb's own clause places the harm at another time or in another incident:
    'was shot and killed on the same block last week', 'A year earlier, X was killed', 'in an
    unrelated shooting'. Local news recalls earlier shootings beside the one it reports."""
    tokens, todo = [], [verb]
    while todo:
        token = todo.pop()
        tokens.append(token)
        todo.extend(c for c in token.children if c.dep_ not in _OWN_CLAUSES)
    if verb.dep_ == "conj":  # "was shot and killed last week": the first verb's clause too
        tokens.extend(c for c in verb.head.subtree if c.i < verb.i and c.dep_ not in _OWN_CLAUSES)
    if any(c.dep_ == "mark" and c.lower_ in _BACKGROUND_MARKS for c in verb.children):
        return True  # "it had been quiet since a girl was stabbed there": the start of a period, earlier
    words = " ".join(t.text for t in sorted(tokens, key=lambda t: t.i))
    return bool(_BACKGROUND.search(words))


def _struck_by_gunfire(verb: Token) -> bool:
    """'was struck by a bullet', 'hit in the chest': a hit that is a wound."""
    words = {t.lemma_.lower() for t in verb.subtree}
    return bool(words & {"bullet", "gunfire", "round", "shot", "gunshot", "chest", "head", "leg", "arm", "neck", "back", "stray"})


def _age_noun(token: Token) -> bool:
    """'a 17-year-old', 'the 9-month-old': an age that names a person (spaCy splits it at the
    hyphens; the head is 'old', the unit its child, the number the unit's)."""
    return token.lower_ == "old" and any(
        c.dep_ in ("npadvmod", "compound") and c.lemma_.lower() in _AGE_UNITS and any(n.like_num for n in c.children)
        for c in token.children)  # "a 16-year old" leaves the unit a compound


def _person_head(token: Token) -> Optional[Token]:
    """The token naming one person, or None: a pronoun, a person's name, a singular person noun,
    an age ('the 17-year-old'); a relative pronoun stands for its antecedent ('a boy who died')."""
    if token.tag_ in ("WP", "WDT") and token.head.dep_ == "relcl" and token.head.head.i != token.i:
        return _person_head(token.head.head)
    if token.lower_ in _PRONOUNS:
        return token
    if _age_noun(token):
        return token
    if token.tag_ in ("NNS", "NNPS") or any(c.dep_ == "nummod" and c.lower_ != "one" for c in token.children):
        return None
    if any(c.lower_ in ("no", "nobody") for c in token.children) or token.lower_ in ("nobody", "none"):
        return None
    if token.ent_type_ == "PERSON" and token.pos_ == "PROPN":
        return token
    lemma = token.lemma_.lower()
    if lemma in _PERSON_NOUNS or lemma in VICTIM_NOUNS:
        return token
    if token.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "amod" and _age_noun(c) for c in token.children):
        return token  # "a 15-year-old basketball player", "5-year-old Noelle": an age makes a person
    return None


#: Victim-group nouns (lexicons/victim_groups.toml), singular, that name one person harmed.
VICTIM_GROUP_NOUNS = lexicon.table("victim_groups", "nouns")
VICTIM_NOUNS = {w for words in VICTIM_GROUP_NOUNS.values() for w in words} - {"family", "one", "other", "people", "police", "army", "staff", "personnel", "troop", "member"}
_GROUP_BY_NOUN = {w: g for g, words in VICTIM_GROUP_NOUNS.items() for w in words}


def _age(person: Token) -> Optional[str]:
    """'a 15-year-old boy' -> '15 year', 'the 9-month-old' -> '9 month', 'John Smith, 25,' -> '25 year'."""
    doc = person.doc
    match = _AGE_WORD.search(doc_text(doc)[person.left_edge.idx: person.idx + len(person)])
    if match:
        return f"{int(match.group(1))} {match.group(2).lower()}"
    for t in person.children:
        if t.dep_ == "appos" and t.like_num and t.text.isdigit():
            return f"{int(t.text)} year"
    return None


def _gender(person: Token) -> Optional[str]:
    lemma = person.lemma_.lower()
    if lemma in _MALE:
        return "m"
    if lemma in _FEMALE:
        return "f"
    return None


def _refers_back(person: Token) -> bool:
    if person.lower_ in _PRONOUNS:
        return True
    dets = [c for c in person.children if c.dep_ in ("det", "poss")]
    return any(d.lower_ in ("the", "this", "that") for d in dets) and not any(d.lower_ in ("a", "an", "another") for d in dets)


def _name_words(person: Token) -> set[str]:
    if person.ent_type_ != "PERSON":
        return set()
    ent = next((e for e in person.doc.ents if e.start <= person.i < e.end), None)
    words = ent.text.split() if ent is not None else [person.text]
    return {w.lower().strip(".,'’s") for w in words if w[:1].isupper()}


def _resolve(event: _Event, victims: list[_Victim]) -> Optional[_Victim]:
    """The victim already counted that this mention refers to, or None (a new person)."""
    person = event.person
    if event.rule == "victim.killing_noun" and _person_head(person) is None:
        # "the fatal shooting" names no one: one of the dead already counted, else one unnamed person
        killed = [v for v in victims if v.killed]
        return killed[-1] if killed else None
    names = _name_words(person)
    gender = _gender(person)
    age = _age(person)
    child = _is_child(person, age)
    placeholder = next((v for v in victims if v.lemma in _EVENT_NOUNS), None)
    if names:
        for victim in reversed(victims):
            if victim.name_words & names:
                return victim
        # news introduces a victim by description and then names them: "a man was shot ...
        # John Smith, 25, died": the name goes to the latest victim not yet named that nothing
        # sets apart (a 6-year-old's name is not his father's)
        unnamed = [v for v in victims if not v.name_words and v.lemma not in _PRONOUNS and _compatible(v, age, gender, child)]
        if event.killed and any(v.killed for v in unnamed):
            unnamed = [v for v in unnamed if v.killed]  # "the death of Jeremy Mardis": one of the dead
        return unnamed[-1] if unnamed else placeholder
    if person.lower_ in _PRONOUNS:
        # "he" is the person last spoken of whom it can be, one known to be a man before one
        # whose gender is not known: "Smith and a woman were shot ... Smith was taken to a hospital.
        # He died" is Smith, even if the woman was introduced after him
        return _likeliest(_recent(victims), None, gender, None)
    lemma = person.lemma_.lower()
    if any(c.lower_ in _ANOTHER for c in person.children) or _also(event):
        return None  # "another man", "a second victim", "a woman was also shot": a new person
    if placeholder is not None:
        return placeholder  # "a deadly shooting ... claimed the life of a 9-year-old": its victim
    if age is not None:
        for victim in reversed(victims):
            if victim.age == age:
                return victim  # "a 7-year-old girl" ... "the 7-year-old"
    for victim in reversed(victims):
        same_kind = victim.lemma == lemma or lemma in ("victim", "person")
        if same_kind and (age is None or victim.age is None or victim.age == age):
            if _refers_back(person) or victim.lemma == lemma:
                return victim
    if _refers_back(person) and victims:
        # "the 17-year-old female": the victim last spoken of that agrees with it, one known to
        # agree before one of whom nothing is known
        recent = _recent(victims)
        return _likeliest(recent, age, gender, child) or recent[0]
    # local news introduces the same victim again in another paragraph, often quoting another
    # source ("a 16-year-old boy died ..." then "a teen had been brought to the hospital"): an
    # indefinite mention that nothing sets apart (age, gender, child or adult, "another", "also")
    # from a victim of an earlier sentence is that victim
    for victim in reversed(victims):
        if victim.sentence == person.sent.start_char:
            continue  # "a man was killed and a man was wounded": one sentence, two people
        if _compatible(victim, age, gender, child):
            return victim
    return None


def _recent(victims: list[_Victim]) -> list[_Victim]:
    """The victims, the one mentioned last first (by their latest mention; the one introduced
    later first when two were last mentioned together)."""
    order = {id(v): i for i, v in enumerate(victims)}
    return sorted(victims, key=lambda v: (max((m[0] for m in v.mentions), default=v.first[0]), order[id(v)]), reverse=True)


def _likeliest(candidates: list[_Victim], age: Optional[str], gender: Optional[str], child: Optional[bool]) -> Optional[_Victim]:
    """The first candidate known to agree with what the mention says (same age, gender or child
    or adult), else the first that nothing sets apart from it, else None."""
    compatible = [v for v in candidates if _compatible(v, age, gender, child)]
    agreeing = [v for v in compatible if (age is not None and v.age == age) or (gender is not None and v.gender == gender)
                or (child is not None and v.child == child)]
    return (agreeing or compatible or [None])[0]


def _compatible(victim: _Victim, age: Optional[str], gender: Optional[str], child: Optional[bool]) -> bool:
    """Nothing the mention says (age, gender, child or adult) sets it apart from the victim."""
    return not ((age is not None and victim.age is not None and age != victim.age)
                or (gender is not None and victim.gender is not None and gender != victim.gender)
                or (child is not None and victim.child is not None and child != victim.child))


def _also(event: _Event) -> bool:
    """'a woman was also shot': the verb says this is one more person."""
    sentence = event.person.sent
    return any(t.lower_ == "also" and t.dep_ == "advmod" and t.head.i != event.person.i
               and event.start <= t.idx < event.end for t in sentence)


def _is_child(person: Token, age: Optional[str]) -> Optional[bool]:
    """Whether the mention names a child or teen, an adult, or says neither."""
    if age is not None:
        number, unit = age.split()
        return unit != "year" or int(number) < 18
    lemma = person.lemma_.lower()
    if lemma in _CHILD_NOUNS:
        return True
    if lemma in _ADULT_NOUNS:
        return False
    return None


def find_victims(doc: Doc, skip: Optional[Callable[[int, int], bool]] = None,
                 region: Optional[tuple[int, int]] = None,
                 quoted: Optional[Callable[[int], bool]] = None) -> list[_Victim]:
    """Every person the article reports harmed one by one, in order of first mention, in
    ``region`` (character offsets) if given. ``skip(start, end)`` says a span is not the
    article's content (boilerplate); ``quoted(offset)`` that an offset is inside a direct quote,
    where a mention may point back to a victim but adds no one ("he didn't deserve to die",
    "they killed my cousin": what relatives say of the victim, or of someone else)."""
    victims: list[_Victim] = []
    in_headline = region is not None and region[0] == 0
    for sentence in doc.sents:
        if skip is not None and skip(sentence.start_char, sentence.end_char):
            continue
        if region is not None and not (region[0] <= sentence.start_char < region[1]):
            continue
        for event in sorted(_events(sentence, in_headline), key=lambda e: e.start):
            span = (event.start, event.end)
            if event.count > 1:
                _add_group(event, victims, sentence, quoted)
                continue
            # an earlier incident's victim is not this one's, and a mention of this one's is not it
            victim = _resolve(event, [v for v in victims if v.background == event.background])
            if victim is None:
                if quoted is not None and quoted(event.start):
                    continue
                if event.person.dep_ == "poss" and event.person.lower_ in _PRONOUNS:
                    continue  # "her death" points back; before anyone is named it adds no one
                person = event.person
                age = _age(person)
                victim = _Victim(
                    lemma=person.lemma_.lower(), age=age, name_words=_name_words(person),
                    gender=_gender(person), killed=False, first=span,
                    group=_GROUP_BY_NOUN.get(person.lemma_.lower(), "people"),
                    sentence=sentence.start_char, child=_is_child(person, age), background=event.background,
                )
                victims.append(victim)
            else:
                if victim.lemma in _EVENT_NOUNS and _person_head(event.person) is not None:
                    victim.lemma = event.person.lemma_.lower()  # the killing noun's victim, now described
                    victim.group = _GROUP_BY_NOUN.get(victim.lemma, "people")
                victim.name_words |= _name_words(event.person)
                victim.gender = victim.gender or _gender(event.person)
                victim.age = victim.age or _age(event.person)
                if victim.child is None:
                    victim.child = _is_child(event.person, victim.age)
            victim.mentions.append(span)
            if event.killed and not victim.killed:
                victim.killed, victim.death = True, span
    return victims


def _add_group(event: _Event, victims: list[_Victim], sentence: Span,
               quoted: Optional[Callable[[int], bool]]) -> None:
    """A mention of several people at once ("both died"): the victims mentioned last, as many as
    it names, and new unnamed ones for those not counted yet (none inside a direct quote)."""
    pool = [v for v in victims if v.background == event.background]
    chosen = sorted(pool, key=lambda v: v.mentions[-1][0] if v.mentions else v.first[0])[-event.count:]
    span = (event.start, event.end)
    if len(chosen) < event.count and not (quoted is not None and quoted(event.start)):
        person = event.person
        lemma = person.lemma_.lower() if person.tag_ == "NNS" else "person"
        for _ in range(event.count - len(chosen)):
            victim = _Victim(lemma=lemma, age=None, name_words=set(), gender=_gender(person) if person.tag_ == "NNS" else None,
                             killed=False, first=span, group=_GROUP_BY_NOUN.get(lemma, "people"),
                             sentence=sentence.start_char, child=_is_child(person, None) if person.tag_ == "NNS" else None,
                             background=event.background)
            victims.append(victim)
            chosen.append(victim)
    for victim in chosen:
        victim.mentions.append(span)
        if event.killed and not victim.killed:
            victim.killed, victim.death = True, span


def _this_incident(victims: list[_Victim], figures: bool) -> list[_Victim]:
    """The victims of the incident the article reports: those of earlier incidents it recalls
    are left out when it reports one of its own (other victims, or ``figures`` it states),
    not when it is all about an earlier incident (a trial, an anniversary: "charged in a July
    2014 shooting that left a teen dead")."""
    current = [v for v in victims if not v.background]
    return current if current or figures else victims


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _sentence_cased(headline: str) -> Optional[Doc]:
    """A title-case headline ("Teen Shot And Killed Near School") parsed in sentence case.

    The tagger reads a run of capitalised words as a proper name and finds no verb in it; the
    same words in sentence case parse as the sentence they are. Lower-casing keeps every offset
    (the text's length is checked), so evidence is still cut from the article. None when the
    headline is not in title case."""
    words = [w.group() for w in _WORD.finditer(headline) if len(w.group()) > 3]
    if len(words) < 3 or sum(w[0].isupper() for w in words) < 0.8 * len(words) or headline.isupper():
        return None
    first = _WORD.search(headline)
    cased = headline[: first.end()] + headline[first.end():].lower() if first else headline.lower()
    if len(cased) != len(headline):
        return None
    return parse(cased)


def _headline_end(text: str) -> int:
    """Where the headline ends: the first blank line within the first 300 characters, else 0."""
    end = text.find("\n\n", 0, 300)
    return end if end > 0 else 0


def _evidence(doc: Doc, span: tuple[int, int]) -> Evidence:
    text = doc_text(doc)
    return Evidence(start=span[0], end=span[1], text=text[span[0]:span[1]])


def victim_reports(doc: Doc, stated: Sequence[CasualtyReport],
                   skip: Optional[Callable[[int, int], bool]] = None,
                   quoted: Optional[Callable[[int], bool]] = None) -> list[CasualtyReport]:
    """The article's victims counted one by one: a killed and an injured report with the mentions
    as a sum, unless a figure the article states already says the same."""
    text = doc_text(doc)
    headline_end = _headline_end(text)
    figures = any(r.outcome in ("killed", "injured") for r in stated)
    headline_doc = _sentence_cased(text[:headline_end]) if headline_end else None
    if headline_doc is not None:  # "Coachella Shooting Leaves Teenage Boy Dead": parsed as "... leaves teenage boy dead"
        headline = _this_incident(find_victims(headline_doc, None, (0, headline_end)), figures)
    else:
        headline = _this_incident(find_victims(doc, skip, (0, headline_end), quoted), figures)
    body = _this_incident(find_victims(doc, skip, (headline_end, len(text)), quoted), figures)
    reports: list[CasualtyReport] = []
    for outcome in ("killed", "injured"):
        # the headline names the lead's victims again: count the one that names more of them
        in_headline = [v for v in headline if v.killed == (outcome == "killed")]
        in_body = [v for v in body if v.killed == (outcome == "killed")]
        chosen = in_body if len(in_body) >= len(in_headline) else in_headline
        if not chosen:
            continue
        count = len(chosen)
        if any(r.outcome == outcome for r in stated):
            continue  # the article states its own figure for this outcome: it is the count
        terms = [CountTerm(evidence=_evidence(doc, (v.death if outcome == "killed" and v.death else v.first))) for v in chosen]
        groups = {v.group for v in chosen}
        report = CasualtyReport(
            outcome=outcome,
            figure=Figure(text=str(count), kind="exact", low=count, high=count),
            victim_group=groups.pop() if len(groups) == 1 else "people",
            time_scope="incident",
            evidence=terms[0].evidence,
            derivation=Derivation(rule="sum", terms=terms),
        )
        report.rule = "casualty.victims.one_by_one"
        reports.append(report)
    return reports


_FATAL_PART = re.compile(
    r"^\W*(?:and\s+|with\s+|including\s+)?(?P<num>one|two|three|four|five|\d{1,2})\s+(?:of\s+(?:them|whom|the\s+victims)\s+)?"
    r"(?:(?:was|were|is|are|has|have)\s+)?(?:(?:been\s+)?(?:fatally|mortally)|dead|died|killed|dying|later\s+died|fatal(?:ly)?)\b",
    re.I,
)


def shot_less_dead(doc: Doc, reports: Sequence[CasualtyReport]) -> tuple[set[int], list[CasualtyReport]]:
    """"Four people were shot, one fatally", "4 shot, 1 dead": a figure of people shot counts
    the dead too. Returns the indexes of the shot figures read as injured that this rule replaces
    and the reports replacing them: the dead part (killed, stated) unless already read, and the
    injured as the difference (``casualty.victims.shot_less_dead``)."""
    text = doc_text(doc)
    replaced: set[int] = set()
    added: list[CasualtyReport] = []
    for index, report in enumerate(reports):
        shot = report.evidence.text.lower()
        if report.outcome != "injured" or report.figure.kind != "exact" or not re.search(r"\bshot\b", shot):
            continue
        total = report.figure.low or 0
        line_end = text.find("\n", report.evidence.end)
        sentence_end = min(e for e in (line_end if line_end != -1 else len(text), text.find(". ", report.evidence.end) + 1 or len(text)) if e > 0)
        rest = text[report.evidence.end:sentence_end]
        part = _FATAL_PART.match(rest)
        dead: Optional[CasualtyReport] = None
        if part is not None:
            from summarizer.figures import parse_figure

            figure = parse_figure(part.group("num"))
            start = report.evidence.end + part.start("num")
            end = report.evidence.end + part.end()
            if figure is not None and figure.kind == "exact":
                dead = next((r for r in reports if r.outcome == "killed" and r.evidence.start >= report.evidence.end
                             and r.evidence.start < end), None)
                if dead is None:
                    dead = CasualtyReport(outcome="killed", figure=figure.model_copy(update={"text": part.group("num")}),
                                          victim_group=report.victim_group, time_scope=report.time_scope,
                                          location=report.location, source=report.source, speaker_rule=report.speaker_rule,
                                          evidence=_evidence(doc, (start, end)))
                    dead.rule = "casualty.victims.shot_fatally"
                    added.append(dead)
        if dead is None or dead.figure.kind != "exact" or (dead.figure.low or 0) >= total:
            continue
        injured = total - (dead.figure.low or 0)
        first = CountTerm(evidence=report.evidence, figure=report.figure)
        difference = CasualtyReport(
            outcome="injured", figure=Figure(text=str(injured), kind="exact", low=injured, high=injured),
            victim_group=report.victim_group, time_scope=report.time_scope, location=report.location,
            source=report.source, speaker_rule=report.speaker_rule, evidence=report.evidence,
            derivation=Derivation(rule="difference", terms=[first, CountTerm(evidence=dead.evidence, figure=dead.figure)]),
        )
        difference.rule = "casualty.victims.shot_less_dead"
        replaced.add(index)
        added.append(difference)
    return replaced, added
