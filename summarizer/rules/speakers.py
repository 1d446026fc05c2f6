"""Who is speaking: names, roles and antecedents for the people and bodies an article quotes.

News names a source once in full ("Russian Foreign Minister Sergei Lavrov", "the Local
Coordination Committees") and then shortens it ("Lavrov", "the LCC", "he", "the ministry").
:class:`SpeakerIndex` collects every mention of a person or body once per article so that the
quote and claim finders can turn the subject of a speech verb into the fullest name the article
gives, with the role written next to it, and can offer a short ranked list of alternatives for a
model to choose among.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from spacy.tokens import Doc, Span, Token

from summarizer.rules import lexicon
from summarizer.rules.marks import quoted_spans
from summarizer.rules.nlp import doc_text, entities, entity_of, tokens_starting_in

#: Entity labels that can speak or make a claim.
SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})

#: Words that are a title or function rather than part of a name ("Foreign Minister", "Gen.").
TITLE_WORDS = lexicon.words("speakers", "names.titles")

#: Common nouns that name a person by function: "the spokesman said".
PERSON_NOUNS = lexicon.words("speakers", "nouns.persons")

#: Common nouns that name a body: "the ministry said".
BODY_NOUNS = lexicon.words("speakers", "nouns.bodies")

#: Body nouns that stand for any kind of body, so "the group" is whichever group the text is
#: about; "the army" or "the police" name themselves.
GENERIC_BODY_NOUNS = lexicon.words("speakers", "nouns.generic_bodies")

#: Words for what a business is, written before its name ("solar developer Jua Grid"): the name
#: is what "the company" or "the firm" later means, whatever the tagger labelled it.
_BUSINESS_ROLE_WORDS = lexicon.words("speakers", "names.business_roles")

#: Words in a person's description that say whether "he" or "she" can stand for them.
_MALE_WORDS = lexicon.words("speakers", "gender.male")
_FEMALE_WORDS = lexicon.words("speakers", "gender.female")

#: Plural nouns for a crowd of unnamed people who speak together: "residents said" (not
#: casualties.VICTIM_GROUP_NOUNS, the people a figure counts).
SPEAKING_GROUP_NOUNS = lexicon.words("speakers", "nouns.speaking_groups")

#: Prepositions that put a name in the place of a location: "near Maungdaw", "in Kaya".
_LOCATIVE_PREPOSITIONS = lexicon.words("speakers", "prepositions.locative")

#: Nouns for a document that speaks for whoever issued it: "the statement said".
DOCUMENT_NOUNS = lexicon.words("speakers", "nouns.documents")

#: Nouns for something a body issues, which speaks for whoever issued it: "a report by X",
#: "figures released by X".
ISSUED_NOUNS = DOCUMENT_NOUNS | lexicon.words("speakers", "nouns.issued")

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_DASHES = frozenset({"-", "\u2013", "\u2014", "--"})

#: Words that end the names of bodies rather than people ("the Sahel Rights Observatory").
_ALIAS_BODY_WORDS = lexicon.words("speakers", "names.body_name_ends")
_NP_CUT_DEPS = frozenset({"relcl", "acl", "appos", "punct", "cc", "conj", "advcl"})


@dataclass(frozen=True)
class Mention:
    """One place where the article names a person or body."""

    text: str
    label: str
    start: int
    end: int
    role: Optional[str] = None


@dataclass(frozen=True)
class Speaker:
    """A resolved speaker: the fullest name, its role, and how it was found."""

    name: str
    role: Optional[str]
    via_antecedent: bool = False


_USER_DATA_KEY = "summarizer.speaker_index"


class SpeakerIndex:
    """Every named person or body in one article, with fullest names and roles.

    Built once per document; all lookups are by character offset so that callers working on
    character spans (quote marks, paragraphs) and callers working on tokens can share it.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.mentions: list[Mention] = [m for ent in entities(doc) if (m := _mention(ent)) is not None]
        untagged = self._untagged = _untagged_people(doc)
        if untagged:  # "Burkina Faso — Aminata" tagged ORG inside "Aminata Sawadogo keeps ...": the person wins
            overlapped = [m for m in self.mentions if any(m.start < u.end and u.start < m.end for u in untagged)]
            self.mentions = sorted([m for m in self.mentions if m not in overlapped] + untagged, key=lambda m: m.start)
        # each mention's name words, and fullest() answers per name: long articles repeat the same
        # names hundreds of times, and matching every mention against every other was quadratic
        self._mention_words = [(mention, _name_words(mention.text)) for mention in self.mentions]
        self._fullest: dict[tuple[str, str], str] = {}
        self.subjects: list[Mention] = []
        self._roles: dict[str, str] = {}
        for mention in self.mentions:
            full = self.fullest(mention.text, mention.label)
            if mention.role and full not in self._roles:
                self._roles[full] = mention.role
        self._quoted = quoted_spans(doc_text(doc))
        self._person_words, self._place_words = self._name_kinds(doc)
        self.subjects = self._subject_mentions(doc)
        self._genders = self._stated_genders(doc)

    @classmethod
    def for_doc(cls, doc: Doc) -> "SpeakerIndex":
        """The index of ``doc``, built on first use and shared by every finder that reads it."""
        index = doc.user_data.get(_USER_DATA_KEY)
        if index is None:
            index = doc.user_data[_USER_DATA_KEY] = cls(doc)
        return index

    # -- names -------------------------------------------------------------------------------

    def fullest(self, name: str, label: str = "PERSON") -> str:
        """The longest mention of the same person or body: "Lavrov" -> "Sergei Lavrov",
        "LCC" -> "Local Coordination Committees"."""
        key = (name, label)
        cached = self._fullest.get(key)
        if cached is not None:
            return cached
        words = _name_words(name)
        if not words:
            return name
        best = name
        best_length = len(words)
        for mention, other in self._mention_words:
            if len(other) <= best_length:
                continue
            same_person = mention.label == "PERSON" and words[-1] == other[-1] and set(words) <= set(other)
            same_body = label != "PERSON" and mention.label != "PERSON" and (
                _is_acronym_of(name, mention.text) or _contains_words(other, words)
            )
            if same_person or same_body:
                best = mention.text
                best_length = len(_name_words(best))
        self._fullest[key] = best
        return best

    def role_of(self, name: str) -> Optional[str]:
        """The role written next to any mention of ``name`` ("Russian Foreign Minister")."""
        return self._roles.get(name)

    # -- resolution --------------------------------------------------------------------------

    def resolve(self, token: Token) -> Optional[Speaker]:
        """The speaker a subject token stands for: its entity, its antecedent, or its noun phrase."""
        lower = token.lower_
        if token.tag_ in {"WP", "WDT"} and token.head.dep_ == "relcl":
            return self.resolve(token.head.head)
        if token.tag_ == "WP$":
            return None
        if token.pos_ == "PRON" or lower in {"he", "she", "they", "it", "i", "we"}:
            return self._antecedent(token)
        ent = _entity_of(token)
        if ent is not None and ent.label_ in SPEAKER_LABELS:
            mention = _mention(ent)
            if mention is not None:
                name = self.fullest(mention.text, mention.label)
                role = _role_near(token) or mention.role or self.role_of(name)
                return Speaker(name, role)
        if token.pos_ in {"NOUN", "PROPN"}:
            return self._noun_phrase(token)
        return None

    def _antecedent(self, pronoun: Token) -> Optional[Speaker]:
        """Nearest earlier compatible subject (people and bodies that did something are what
        later pronouns refer to), else the nearest compatible mention.

        "he"/"she" only take a name the article treats as a person (see :meth:`is_person`), and
        names inside quotation marks are skipped: in "'... the man behind me ...,' he said" the
        pronoun is the speaker, not someone the speaker talks about."""
        lower = pronoun.lower_
        if lower in {"he", "she", "him", "her"}:
            return self._person_antecedent(pronoun)
        if lower in {"they", "them", "it", "we"}:
            labels = {"ORG", "GPE", "NORP", "GROUP"}
        else:
            return None
        subjects = [m for m in self.subjects if m.end <= pronoun.idx and m.label in labels]
        paragraph_start = doc_text(self.doc).rfind("\n", 0, pronoun.idx) + 1
        in_paragraph = [m for m in self.mentions + subjects if paragraph_start <= m.start and m.end <= pronoun.idx and m.label in labels]
        in_paragraph.sort(key=lambda m: m.start)
        if in_paragraph:
            mention: Optional[Mention] = in_paragraph[-1]
        elif subjects:
            mention = subjects[-1]
        else:
            mention = self.nearest_before(pronoun.idx, labels)
        if mention is None and lower in {"they", "them", "we"}:
            mention = self.nearest_before(pronoun.idx, {"PERSON"})
        if mention is None:
            return None
        label = "ORG" if mention.label == "GROUP" else mention.label
        name = self.fullest(mention.text, label) if mention.label != "GROUP" else mention.text
        return Speaker(name, mention.role or self.role_of(name), via_antecedent=True)

    def _person_antecedent(self, pronoun: Token, hops: int = 3) -> Optional[Speaker]:
        """"he"/"she": the last person named in the paragraph, else the last person who was the
        subject of a verb, else the last person named at all."""
        def usable(m: Mention) -> bool:
            return m.end <= pronoun.idx and not self.in_quotes(m.start) and self.is_person(m)

        paragraph_start = doc_text(self.doc).rfind("\n", 0, pronoun.idx) + 1
        named = [m for m in self.mentions if usable(m)]
        subjects = [m for m in self.subjects if usable(m)]
        in_paragraph = sorted((m for m in named + subjects if m.start >= paragraph_start), key=lambda m: m.start)
        if not in_paragraph and hops > 0:
            carried = self._carried_pronoun(pronoun, paragraph_start, hops - 1)
            if carried is not None and (not subjects or carried[0].idx > subjects[-1].end):
                return carried[1]
        pick = in_paragraph[-1] if in_paragraph else subjects[-1] if subjects else named[-1] if named else None
        if pick is None:
            return None
        gender = "male" if pronoun.lower_ in {"he", "him"} else "female"
        if self.gender_of(pick) not in {None, gender}:
            # the nearest person is known to be of the other gender: the nearest one who is not
            ranked = list(reversed(in_paragraph)) + list(reversed(subjects)) + list(reversed(named))
            ranked = [m for m in ranked if m.text.split()[0].lower() not in {"his", "her", "their", "its"}]
            pick = next((m for m in ranked if self.gender_of(m) in {None, gender}), pick)
        if pick.label == "PERSON" and not _entity_like(pick.text):
            return Speaker(pick.text, pick.role, via_antecedent=True)  # "a woman who fled", as written
        name = self.fullest(pick.text, "PERSON")
        return Speaker(name, pick.role or self.role_of(name), via_antecedent=True)

    def _carried_pronoun(self, pronoun: Token, paragraph_start: int, hops: int) -> Optional[tuple[Token, Speaker]]:
        """A paragraph that names nobody and says "she" goes on about whoever the same "she"
        of the paragraph before was: a profile keeps its subject across paragraphs (followed
        back ``hops`` more paragraphs at most)."""
        text = doc_text(self.doc)
        previous_end = len(text[:paragraph_start].rstrip())
        if previous_end <= 0:
            return None
        previous_start = text.rfind("\n", 0, previous_end) + 1
        same = [
            t for t in self.doc.char_span(previous_start, previous_end, alignment_mode="expand") or []
            if t.lower_ == pronoun.lower_ and t.dep_ in _SUBJECT_DEPS and not self.in_quotes(t.idx)
        ]
        if not same:
            return None
        speaker = self._person_antecedent(same[-1], hops)
        return (same[-1], speaker) if speaker is not None else None

    def it_antecedent(self, pronoun: Token) -> Optional[Speaker]:
        """"it said" / "It estimates": the body that was the subject of a recent sentence (this
        paragraph or the one before), as in "The ministry denied the report. In a statement, it
        said ..."."""
        text = doc_text(self.doc)
        paragraph_start = text.rfind("\n", 0, pronoun.idx) + 1
        previous_end = len(text[:paragraph_start].rstrip())
        window_start = text.rfind("\n", 0, previous_end) + 1 if previous_end > 0 else 0
        bodies = [
            m
            for m in self.subjects
            if window_start <= m.start and m.end <= pronoun.idx and m.label in {"ORG", "GPE", "NORP"}
            and not self.in_quotes(m.start) and not self.is_person(m)
            and m.text.split()[0].lower() not in {"its", "their", "his", "her", "our"}
            and not self._plural_description(m)
        ]
        if not bodies:
            return None
        mention = bodies[-1]
        name = self.fullest(mention.text, "ORG") if _entity_like(mention.text) else mention.text
        return Speaker(name, mention.role or self.role_of(name), via_antecedent=True)

    def _plural_description(self, mention: Mention) -> bool:
        """"Armed groups", "the militias": a plural common-noun phrase, which "it" cannot stand
        for (a plural name such as "the United Nations" can)."""
        if _entity_like(mention.text):
            return False
        span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        return span is not None and len(span) > 0 and span.root.tag_ == "NNS"

    # -- what a name is ---------------------------------------------------------------------

    def is_person(self, mention: Mention) -> bool:
        """Whether the article treats ``mention`` as a person: a full personal name, a name
        sharing its last word with one, a name with a person's role ("Elmi, a former
        schoolteacher"), or a single PERSON-tagged word never used as a place ("near Kaya")."""
        words = _name_words(mention.text)
        if not words or any(w in BODY_NOUNS or w in _ALIAS_BODY_WORDS for w in words):
            return False
        if not _entity_like(mention.text):
            return mention.label == "PERSON"  # "a woman who fled", "the official"
        if words[-1] in self._person_words:
            return True
        return mention.label == "PERSON" and " ".join(words) not in self._place_words

    def gender_of(self, mention: Mention) -> Optional[str]:
        """"male" / "female" when the article says so for this person (a title such as "Mr",
        a gendered role, or "his"/"her" in a clause the person is the subject of); else None."""
        if not _entity_like(mention.text):
            return _gender_in(_name_words(mention.text))
        return self._genders.get(self.fullest(mention.text, "PERSON"))

    def _stated_genders(self, doc: Doc) -> dict[str, str]:
        """Each named person's gender where the article states it, by fullest name. A name given
        both genders (two relatives sharing a surname) gets none."""
        found: dict[str, set[str]] = {}
        for mention in self.mentions:
            if mention.label != "PERSON" or not _entity_like(mention.text):
                continue
            gender = _gender_in([w for w in _name_words(mention.role or "") if w not in {"his", "her", "their"}][-3:])
            if gender is None:
                gender = _gender_of_clause(doc, mention)
            if gender is not None:
                found.setdefault(self.fullest(mention.text, "PERSON"), set()).add(gender)
        return {name: genders.pop() for name, genders in found.items() if len(genders) == 1}

    def in_quotes(self, offset: int) -> bool:
        """Whether ``offset`` lies inside quotation marks (:func:`~summarizer.rules.marks.quoted_spans`)."""
        return any(start < offset < end for start, end in self._quoted)

    def _name_kinds(self, doc: Doc) -> tuple[set[str], set[str]]:
        """Last words of names that are surely people, and single words used as places."""
        people: set[str] = set()
        for mention in self.mentions:
            words = _name_words(mention.text)
            if not words or any(w in BODY_NOUNS or w in _ALIAS_BODY_WORDS for w in words):
                continue
            role_words = set(_name_words(mention.role or ""))
            if len(words) <= 4 and role_words & (PERSON_NOUNS | TITLE_WORDS):
                people.add(words[-1])
        people.update(_name_words(m.text)[-1] for m in self._untagged)
        places: set[str] = set()
        for ent in entities(doc):
            words = _name_words(ent.text)
            head = ent.root.head
            if words and (ent.label_ in {"GPE", "LOC", "FAC"} or (ent.root.dep_ == "pobj" and head.lower_ in _LOCATIVE_PREPOSITIONS)):
                places.add(" ".join(words))
        for ent in entities(doc):
            mention = _mention(ent)
            words = _name_words(mention.text) if mention is not None else []
            if not (2 <= len(words) <= 4) or " ".join(words) in places or not _entity_like(mention.text):
                continue
            if any(w in BODY_NOUNS or w in _ALIAS_BODY_WORDS for w in words) or mention.text.isupper():
                continue
            if ent.label_ == "PERSON" or ent.root.dep_ in _SUBJECT_DEPS:
                people.add(words[-1])
        return people, places

    def _subject_mentions(self, doc: Doc) -> list[Mention]:
        """Subjects of verbs that name a person or a body, entity or not ("a villager who
        helped", "the ministry"), labelled PERSON / ORG / GROUP (plural common nouns)."""
        out: list[Mention] = []
        for token in doc:
            if token.pos_ == "PRON" or not (token.dep_ in _SUBJECT_DEPS or _is_according_object(token)):
                continue
            if any(t.tag_ in {"WP", "WP$", "WDT"} for t in token.lefts):
                continue  # "whose brother was among the wounded": not who the paragraph is about
            ent = _entity_of(token)
            if ent is not None:
                mention = _mention(ent)
                if mention is not None:
                    out.append(mention)
                continue
            lemma = token.lemma_.lower()
            if lemma in PERSON_NOUNS:
                label = "GROUP" if token.tag_ == "NNS" else "PERSON"
            elif lemma in BODY_NOUNS:
                label = "ORG"
            else:
                continue
            speaker = self._noun_phrase(token)
            if speaker is not None:
                out.append(Mention(speaker.name, label, token.idx, token.idx + len(token), speaker.role))
        return out

    def _noun_phrase(self, head: Token) -> Optional[Speaker]:
        """"the ministry" -> the nearest earlier body whose name has "ministry"; otherwise the
        phrase as written ("a military source", "local medics").

        A phrase that carries a name speaks under that name: "the UN mission, MONUSCO," and
        "a man who gave his name only as Ibrahim" -> "MONUSCO", "Ibrahim"."""
        lemma = head.lemma_.lower()
        if lemma in ISSUED_NOUNS:
            issuer = _issuer(head)
            if issuer is not None:  # "a report by Human Rights Watch" speaks for Human Rights Watch
                return self.resolve(issuer)
        named = _named_apposition(head)
        if named is not None:
            mention = _mention(named)
            if mention is not None:
                phrase = noun_phrase(head)
                role = phrase.text if phrase is not None else None
                return Speaker(self.fullest(mention.text, mention.label), role)
        given = _given_name(head)
        if given is not None:
            phrase = noun_phrase(head)
            label = "PERSON" if lemma in PERSON_NOUNS else "ORG"
            return Speaker(self.fullest(given, label), phrase.text if phrase is not None else None)
        definite = any(child.lower_ in {"the", "this", "that", "its"} for child in head.lefts)
        if lemma in DOCUMENT_NOUNS and not any(c.dep_ == "poss" for c in head.children):
            mention = self.nearest_before(head.idx, {"ORG", "PERSON"})
            if mention is not None:
                name = self.fullest(mention.text, mention.label)
                return Speaker(name, self.role_of(name), via_antecedent=True)
        if definite and lemma in BODY_NOUNS and not _has_modifier(head):
            bodies = [m for m in self.mentions_before(head.idx, {"ORG"}) if not self.in_quotes(m.start)]
            paragraph_start = doc_text(self.doc).rfind("\n", 0, head.idx) + 1
            acting = [
                m for m in self.subjects
                if paragraph_start <= m.start and m.end <= head.idx and m.label == "ORG" and _entity_like(m.text)
                and not self.in_quotes(m.start)
            ]
            if acting and lemma in GENERIC_BODY_NOUNS:  # "The RSF rejected it. In a statement, the group said ..."
                name = self.fullest(acting[-1].text, "ORG")
                return Speaker(name, self.role_of(name), via_antecedent=True)
            topic = self._recent_topic_body(head) if lemma in GENERIC_BODY_NOUNS else None
            if topic is not None:  # "Save the Children runs clinics, where Oxfam ... The charity said"
                return topic
            described = [m for m in bodies if lemma in _name_words(m.role or self.role_of(self.fullest(m.text, "ORG")) or "")]
            same_word = [m for m in bodies if lemma in m.text.lower() or head.lower_ in m.text.lower()]
            described = described if lemma in GENERIC_BODY_NOUNS else []
            if described or same_word:
                mention = (described or same_word)[-1]
                name = self.fullest(mention.text, mention.label)
                return Speaker(name, self.role_of(name), via_antecedent=True)
            salient = self._most_mentioned(bodies) if lemma in GENERIC_BODY_NOUNS else None
            if salient is not None:
                return Speaker(salient, self.role_of(salient), via_antecedent=True)
        if definite and lemma in BODY_NOUNS:
            for mention in reversed(self.mentions_before(head.idx, {"ORG"})):
                if lemma in mention.text.lower() or head.lower_ in mention.text.lower():
                    name = self.fullest(mention.text, mention.label)
                    return Speaker(name, self.role_of(name), via_antecedent=True)
        if definite and lemma in PERSON_NOUNS and not _has_modifier(head):
            for mention in reversed(self.mentions_before(head.idx, {"PERSON"})):
                role = mention.role or self.role_of(self.fullest(mention.text))
                if role and lemma in role.lower():
                    name = self.fullest(mention.text)
                    return Speaker(name, role, via_antecedent=True)
            introduced = _indefinite_before(head)
            if introduced is not None:
                return Speaker(introduced, None, via_antecedent=True)
        phrase = noun_phrase(head)
        return Speaker(phrase.text, None) if phrase is not None else None

    def _recent_topic_body(self, head: Token) -> Optional[Speaker]:
        """"the charity" / "the company" a paragraph or two after a body was the subject of a
        sentence's main verb: that body (a body named only in a side clause is not the topic).
        A name introduced by what the business is ("solar developer Jua Grid") counts whatever
        the tagger labelled it."""
        text = doc_text(self.doc)
        start = text.rfind("\n", 0, head.idx) + 1
        for _ in range(2):  # this paragraph and the two before it
            previous_end = len(text[:start].rstrip())
            if previous_end <= 0:
                start = 0
                break
            start = text.rfind("\n", 0, previous_end) + 1
        candidates = [
            m for m in self.subjects
            if start <= m.start and m.end <= head.idx and not self.in_quotes(m.start) and _entity_like(m.text)
            and (m.label == "ORG" or (m.label == "PERSON" and _names_business(m.role or text[max(0, m.start - 40) : m.start])))
            and self._is_main_subject(m)
        ]
        if not candidates:
            return None
        mention = candidates[-1]
        name = self.fullest(mention.text, "ORG")
        return Speaker(name, self.role_of(name) or mention.role, via_antecedent=True)

    def _is_main_subject(self, mention: Mention) -> bool:
        """Whether ``mention`` is the subject of its sentence's main verb (not of a relative or
        adverbial clause)."""
        for token in self.doc.char_span(mention.start, mention.end, alignment_mode="expand") or []:
            if token.dep_ not in _SUBJECT_DEPS:
                continue
            verb = token.head
            for _ in range(3):  # "X has raised $38m, the company said": the reported clause counts
                if verb.dep_ not in {"conj", "ccomp"}:
                    break
                verb = verb.head
            if verb.dep_ == "ROOT":
                return True
        return False

    def _most_mentioned(self, bodies: list[Mention]) -> Optional[str]:
        """The body named most often among ``bodies`` (by fullest name; the latest on a tie):
        what "the company" or "the organisation" means in a text about one of them."""
        counts: dict[str, tuple[int, int]] = {}
        for order, mention in enumerate(bodies):
            if not _entity_like(mention.text):
                continue
            name = self.fullest(mention.text, "ORG")
            key = next((seen for seen in counts if same_speaker(seen, name)), name)
            count, _ = counts.get(key, (0, 0))
            counts[key] = (count + 1, order)
        if not counts:
            return None
        return max(counts, key=lambda k: counts[k])

    # -- lookups -----------------------------------------------------------------------------

    def mentions_before(self, offset: int, labels: Iterable[str]) -> list[Mention]:
        wanted = set(labels)
        return [m for m in self.mentions if m.end <= offset and m.label in wanted]

    def nearest_before(self, offset: int, labels: Iterable[str]) -> Optional[Mention]:
        before = self.mentions_before(offset, labels)
        return before[-1] if before else None

    def options(self, offset: int, first: Optional[str] = None, limit: int = 5) -> list[str]:
        """Ranked candidate speakers for something said at ``offset``: ``first`` (the rules'
        pick), then named people and bodies, nearest preceding ones first, then following."""
        ranked: list[str] = []
        if first:
            ranked.append(first)
        before = [m for m in self.mentions if m.end <= offset and m.label in {"PERSON", "ORG"}]
        after = [m for m in self.mentions if m.start > offset and m.label in {"PERSON", "ORG"}]
        for mention in list(reversed(before)) + after:
            name = self.fullest(mention.text, mention.label)
            if not any(same_speaker(name, seen) for seen in ranked):
                ranked.append(name)
            if len(ranked) >= limit:
                break
        return ranked


# -- helpers used by the quote and claim finders -----------------------------------------------


def subject_of(verb: Token) -> Optional[Token]:
    """The grammatical subject of ``verb``, following conjunctions and auxiliaries up
    ("X condemned the attack and said ..." -> X); the agent of a passive ("was denied by X")."""
    current: Optional[Token] = verb
    for _ in range(4):
        if current is None:
            return None
        subjects = [child for child in current.children if child.dep_ in _SUBJECT_DEPS]
        if subjects:
            # two subjects are a parse of "Note: The ministry said": the nearer one speaks
            before = [child for child in subjects if child.i < current.i]
            return before[-1] if before else subjects[0]
        for child in current.children:
            if child.dep_ == "agent":
                for grandchild in child.children:
                    if grandchild.dep_ == "pobj":
                        return grandchild
        if current.dep_ in {"conj", "xcomp", "advcl"} and current.head is not current:
            current = current.head
        else:
            return None
    return None


def noun_phrase(head: Token) -> Optional[Span]:
    """The noun phrase around ``head``, cut before relative clauses, appositions and commas:
    "A source at Hama National Hospital", "the junta's information ministry"."""
    tokens = [head]
    for child in head.lefts:
        tokens.extend(child.subtree)
    for child in head.rights:
        if child.dep_ in _NP_CUT_DEPS:
            break
        tokens.extend(child.subtree)
    start = min(t.i for t in tokens)
    end = max(t.i for t in tokens) + 1
    span = head.doc[start:end]
    while len(span) > 1 and span[-1].is_punct:
        span = span[:-1]
    return span if len(span) else None


def same_speaker(a: Optional[str], b: Optional[str]) -> bool:
    """Alias equality as the scorer reads it: one's name words contain the other's last word."""
    if not a or not b:
        return False
    words_a, words_b = _name_words(a), _name_words(b)
    if not words_a or not words_b:
        return False
    return words_b[-1] in words_a or words_a[-1] in words_b or _is_acronym_of(a, b) or _is_acronym_of(b, a)


def _mention(ent: Span) -> Optional[Mention]:
    """An entity as a mention: titles inside it moved to the role, possessives dropped."""
    if ent.label_ not in SPEAKER_LABELS:
        return None
    tokens = list(ent)
    while tokens and tokens[-1].lower_ in {"'s", "’s", "'"}:
        tokens.pop()
    while tokens and tokens[0].lower_ in {"the", "a", "an"} and ent.label_ == "PERSON":
        tokens.pop(0)
    title: list[Token] = []
    if ent.label_ == "PERSON":
        while len(tokens) > 1 and tokens[0].lower_ in TITLE_WORDS:
            title.append(tokens.pop(0))
    cut = next((i for i, t in enumerate(tokens) if "\n" in t.text or t.text in {":", ";", "("}), None)
    if cut is not None:
        tokens = tokens[:cut]
    dash = max((i for i, t in enumerate(tokens) if t.text in _DASHES and t.whitespace_ and i > 0 and tokens[i - 1].whitespace_), default=None)
    if dash is not None:
        tokens = tokens[dash + 1 :]  # "TEKNAF, Bangladesh - Mohammed Salim": a dateline glued on
    if not tokens or (len(tokens) == 1 and tokens[0].text.isupper() and len(tokens[0]) > 4):
        return None
    doc = ent.doc
    span = doc[tokens[0].i : tokens[-1].i + 1]
    role = _role_before(span, title)
    return Mention(span.text, ent.label_, span.start_char, span.end_char, role)


def _role_before(name: Span, title: list[Token]) -> Optional[str]:
    """The words before a name that belong to its noun phrase: "Russian Foreign Minister"."""
    doc = name.doc
    root = name.root
    start = title[0].i if title else name.start
    left = [t for t in root.subtree if t.i < name.start]
    if left:
        contiguous = name.start
        for t in sorted(left, key=lambda t: -t.i):
            if t.i == contiguous - 1:
                contiguous = t.i
        start = min(start, contiguous)
    while start < name.start and (doc[start].pos_ == "DET" or doc[start].is_punct):
        start += 1
    if start >= name.start:
        return _apposition(root)
    role = doc[start : name.start].text.strip(" ,")
    return role or _apposition(root)


def _apposition(root: Token) -> Optional[str]:
    """"Adam Yahya, a volunteer with ..., said" -> "a volunteer with ..."."""
    for child in root.rights:
        if child.dep_ == "appos" and child.pos_ in {"NOUN", "PROPN"} and _entity_of(child) is None:
            span = noun_phrase(child)
            if span is not None:
                return span.text
    return None


def _named_apposition(head: Token) -> Optional[Span]:
    """"An army spokesman, Brigadier Nabil Abdallah, said" -> the named apposition."""
    for child in head.rights:
        if child.dep_ == "appos":
            ent = _entity_of(child)
            if ent is not None and ent.label_ in {"PERSON", "ORG"}:
                return ent
    return None


def _issuer(document: Token) -> Optional[Token]:
    """Who issued a report or figures: "a report by X", "a statement from X", "figures
    released by X", "an investigation published by X" -> X."""
    for child in document.children:
        if child.dep_ == "prep" and child.lower_ in {"by", "from"}:
            target = next((c for c in child.children if c.dep_ == "pobj"), None)
            if target is not None and (target.ent_type_ in SPEAKER_LABELS or target.lemma_.lower() in BODY_NOUNS | PERSON_NOUNS):
                return target
        if child.dep_ == "acl":
            for grandchild in child.children:
                if grandchild.dep_ in {"agent", "prep"} and grandchild.lower_ in {"by", "from"}:
                    target = next((c for c in grandchild.children if c.dep_ == "pobj"), None)
                    if target is not None and (target.ent_type_ in SPEAKER_LABELS or target.lemma_.lower() in BODY_NOUNS | PERSON_NOUNS):
                        return target
    return None


def _given_name(head: Token) -> Optional[str]:
    """The name a described speaker is given in their own phrase: "a man who gave his name only
    as Ibrahim", "a young man ... who gave only his first name, Rafiq", "the UN peacekeeping
    mission, MONUSCO" -> the proper name."""
    for child in head.rights:
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            return _proper_run(child)
        if child.dep_ not in {"relcl", "acl"}:
            continue
        tokens = sorted(child.subtree, key=lambda t: t.i)
        cue = next((t for t in tokens if t.lemma_.lower() in {"name", "identify", "call"}), None)
        if cue is None:
            continue
        proper = next((t for t in tokens if t.i > cue.i and t.pos_ == "PROPN" and t.text[:1].isupper()), None)
        if proper is not None:
            return _proper_run(proper)
    return None


def _proper_run(token: Token) -> str:
    """The run of capitalised proper-noun tokens around ``token`` ("Marie - Claude" glued back)."""
    doc = token.doc
    start = end = token.i
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper():
        start -= 1
    while end + 1 < len(doc) and (
        (doc[end + 1].pos_ == "PROPN" and doc[end + 1].text[:1].isupper())
        or (doc[end + 1].text == "-" and not doc[end].whitespace_ and end + 2 < len(doc) and doc[end + 2].text[:1].isupper())
    ):
        end += 2 if doc[end + 1].text == "-" else 1
    return doc[start : end + 1].text


def _indefinite_before(head: Token) -> Optional[str]:
    """"the official said" -> "a local official": the earlier phrase that introduced the same
    unnamed person ("medical sources and a local official said")."""
    lemma = head.lemma_.lower()
    for token in reversed(head.doc[: head.i]):
        if token.lemma_.lower() != lemma or token.pos_ != "NOUN":
            continue
        if any(child.lower_ in {"a", "an", "one"} for child in token.lefts):
            phrase = noun_phrase(token)
            return phrase.text if phrase is not None else None
    return None


def _is_according_object(token: Token) -> bool:
    """"according to a coordinator for ..." -> "coordinator": a source named as such."""
    head = token.head
    return token.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according"


def _names_business(role: Optional[str]) -> bool:
    """"Kenyan solar mini-grid developer" -> True: the role ends in a word for a business."""
    words = _name_words(role or "")
    return bool(words) and words[-1] in _BUSINESS_ROLE_WORDS


def _gender_in(words: Iterable[str]) -> Optional[str]:
    """"male"/"female" when ``words`` hold a title or noun of one gender only ("Mr", "mother")."""
    seen = set(words)
    male, female = bool(seen & _MALE_WORDS), bool(seen & _FEMALE_WORDS)
    return "male" if male and not female else "female" if female and not male else None


def _gender_of_clause(doc: Doc, mention: Mention) -> Optional[str]:
    """The gender of a "his"/"her"/"he"/"she" in the clause whose subject is ``mention``
    ("Joseph Kamau says his brother ..."), unless a clause in between has a subject of its own
    ("X said the soldier shot his cousin": "his" is the soldier's)."""
    tokens = list(tokens_starting_in(doc, mention.start, mention.end))
    if not tokens:
        return None
    root = min(tokens, key=lambda t: len(list(t.ancestors)))
    if root.dep_ not in _SUBJECT_DEPS:
        return None
    verb = root.head
    own_phrase = {t.i for t in root.subtree}  # "Peter Otieno, her neighbour, ...": someone else's
    for token in verb.subtree:
        if token.i <= root.i or token.i in own_phrase:
            continue
        refers_back = (
            token.tag_ == "PRP$" or token.lower_ in {"himself", "herself"}
            or (token.lower_ in {"he", "she"} and token.dep_ in _SUBJECT_DEPS)
        )  # "helped bury him": an object pronoun is someone else
        if not refers_back or token.lower_ not in {"he", "his", "himself", "she", "her", "herself"}:
            continue
        if token.ent_type_ == "PERSON" or _owned_by_other_subject(token, verb):
            continue
        return _gender_in([token.lower_])
    return None


def _owned_by_other_subject(pronoun: Token, verb: Token) -> bool:
    """Whether a clause between ``pronoun`` and ``verb`` has a subject of its own, which the
    pronoun may stand for instead; True too when ``pronoun`` does not hang from ``verb``."""
    path = {pronoun.i}
    node = pronoun
    while node.head.i != node.i:
        node = node.head
        if node.i == verb.i:
            return False
        if any(c.dep_ in _SUBJECT_DEPS and c.i not in path for c in node.children):
            return True
        path.add(node.i)
    return True


def _untagged_people(doc: Doc) -> list[Mention]:
    """Two or three capitalised proper nouns that are the subject of a verb but that spaCy did
    not tag as one name ("Burkina Faso — Aminata Sawadogo keeps ..."): a person, unless a word
    of the run says it is a body or a title."""
    out: list[Mention] = []
    for token in doc:
        if token.dep_ not in _SUBJECT_DEPS or token.pos_ != "PROPN" or token.head.pos_ not in {"VERB", "AUX"}:
            continue
        start = end = token.i
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper() and "\n" not in doc[start - 1].whitespace_:
            start -= 1
        while end + 1 < len(doc) and doc[end + 1].pos_ == "PROPN" and doc[end + 1].text[:1].isupper() and end + 1 < token.head.i:
            end += 1
        run = doc[start : end + 1]
        words = [t.text for t in run]
        if not (2 <= len(words) <= 3) or any(not w.isalpha() or w.isupper() for w in words):
            continue
        lower = {w.lower() for w in words}
        if lower & (BODY_NOUNS | _ALIAS_BODY_WORDS | TITLE_WORDS):
            continue
        ent = entity_of(token)
        if ent is not None and (ent.start == run.start and ent.end == run.end or ent.label_ in {"PERSON", "GPE", "LOC", "FAC", "NORP"}):
            continue
        if any(t.ent_type_ in {"GPE", "LOC", "FAC", "NORP"} for t in run):
            continue
        out.append(Mention(run.text, "PERSON", run.start_char, run.end_char, None))
    return out


def _entity_like(text: str) -> bool:
    return any(word[:1].isupper() for word in text.split()[1:]) or text[:1].isupper() and len(text.split()) == 1


def _role_near(token: Token) -> Optional[str]:
    ent = _entity_of(token)
    if ent is None:
        return None
    mention = _mention(ent)
    return mention.role if mention else None


def _entity_of(token: Token) -> Optional[Span]:
    return entity_of(token)


def _has_modifier(head: Token) -> bool:
    return any(child.dep_ in {"amod", "compound", "prep", "poss"} for child in head.children)


def _name_words(name: str) -> list[str]:
    words = [w.strip(".,'’\"").lower() for w in name.split()]
    return [w for w in words if w and w not in {"the", "a", "an", "'s", "’s"}]


def _contains_words(longer: list[str], shorter: list[str]) -> bool:
    """Every content word of ``shorter`` appears in ``longer`` ("the Observatory" in "the Syrian
    Observatory for Human Rights")."""
    return bool(shorter) and set(shorter) <= set(longer)


def _is_acronym_of(short: str, long: str) -> bool:
    letters = short.strip().strip(".").replace(".", "")
    if letters.lower().startswith("the "):
        letters = letters[4:]
    if not (2 <= len(letters) <= 6 and letters.isupper()):
        return False
    initials = "".join(w[0] for w in long.split() if w[:1].isupper())
    return initials == letters
