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

#: Entity labels that can speak or make a claim.
SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})

#: Words that are a title or function rather than part of a name ("Foreign Minister", "Gen.").
TITLE_WORDS = frozenset(
    """
    president vice prime minister foreign defence defense interior secretary state general gen gen.
    col col. colonel lt lt. lieutenant major maj maj. brigadier brig brig. commander captain capt
    capt. admiral sgt sgt. sergeant mr mr. mrs mrs. ms ms. dr dr. sheikh king queen prince
    princess senator sen sen. rep rep. representative governor gov gov. mayor spokesman
    spokeswoman spokesperson chief head director envoy ambassador ayatollah imam pope judge
    chancellor premier emir sultan deputy acting former top senior official officer chairman
    chairwoman chair leader rapporteur coordinator
    """.split()
)

#: Common nouns that name a person by function: "the spokesman said".
PERSON_NOUNS = frozenset(
    """
    spokesman spokeswoman spokesperson official officer minister president commander general
    governor mayor director chief head leader envoy ambassador source witness resident villager
    doctor medic volunteer activist analyst expert diplomat researcher monitor survivor man woman
    farmer journalist correspondent reporter worker nurse surgeon teacher student father mother
    """.split()
)

#: Common nouns that name a body: "the ministry said".
BODY_NOUNS = frozenset(
    """
    ministry agency army military government council committee committees observatory
    organisation organization group network office department directorate authority authorities
    command forces force police coalition alliance movement party administration junta
    commission union service outlet newspaper channel broadcaster station embassy mission
    monitor center centre company firm charity organisation alliance
    """.split()
)

#: Nouns for a document that speaks for whoever issued it: "the statement said".
DOCUMENT_NOUNS = frozenset("statement report communique communiqué release post message letter text bulletin".split())

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
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
        self.mentions: list[Mention] = [m for ent in doc.ents if (m := _mention(ent)) is not None]
        self.subjects: list[Mention] = []
        self._roles: dict[str, str] = {}
        for mention in self.mentions:
            full = self.fullest(mention.text, mention.label)
            if mention.role and full not in self._roles:
                self._roles[full] = mention.role
        self.subjects = self._subject_mentions(doc)

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
        words = _name_words(name)
        if not words:
            return name
        best = name
        for mention in self.mentions:
            other = _name_words(mention.text)
            if len(other) <= len(_name_words(best)):
                continue
            same_person = mention.label == "PERSON" and words[-1] == other[-1] and set(words) <= set(other)
            same_body = label != "PERSON" and mention.label != "PERSON" and (
                _is_acronym_of(name, mention.text) or _contains_words(other, words)
            )
            if same_person or same_body:
                best = mention.text
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
        later pronouns refer to), else the nearest compatible mention."""
        lower = pronoun.lower_
        if lower in {"he", "she", "him", "her"}:
            labels = {"PERSON"}
        elif lower in {"they", "them", "it", "we"}:
            labels = {"ORG", "GPE", "NORP", "GROUP"}
        else:
            return None
        subjects = [m for m in self.subjects if m.end <= pronoun.idx and m.label in labels]
        paragraph_start = self.doc.text.rfind("\n", 0, pronoun.idx) + 1
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

    def _subject_mentions(self, doc: Doc) -> list[Mention]:
        """Subjects of verbs that name a person or a body, entity or not ("a villager who
        helped", "the ministry"), labelled PERSON / ORG / GROUP (plural common nouns)."""
        out: list[Mention] = []
        for token in doc:
            if token.dep_ not in _SUBJECT_DEPS or token.pos_ == "PRON":
                continue
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
        phrase as written ("a military source", "local medics")."""
        lemma = head.lemma_.lower()
        named = _named_apposition(head)
        if named is not None:
            mention = _mention(named)
            if mention is not None:
                phrase = noun_phrase(head)
                role = phrase.text if phrase is not None else None
                return Speaker(self.fullest(mention.text, mention.label), role)
        definite = any(child.lower_ in {"the", "this", "that", "its"} for child in head.lefts)
        if lemma in DOCUMENT_NOUNS and not any(c.dep_ == "poss" for c in head.children):
            mention = self.nearest_before(head.idx, {"ORG", "PERSON"})
            if mention is not None:
                name = self.fullest(mention.text, mention.label)
                return Speaker(name, self.role_of(name), via_antecedent=True)
        if definite and lemma in BODY_NOUNS and not _has_modifier(head):
            bodies = self.mentions_before(head.idx, {"ORG"})
            same_word = [m for m in bodies if lemma in m.text.lower() or head.lower_ in m.text.lower()]
            subjects = [m for m in self.subjects if m.end <= head.idx and m.label == "ORG" and _entity_like(m.text)]
            for mention in reversed(same_word or subjects or bodies):
                name = self.fullest(mention.text, mention.label)
                return Speaker(name, self.role_of(name), via_antecedent=True)
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
        phrase = noun_phrase(head)
        return Speaker(phrase.text, None) if phrase is not None else None

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
        for child in current.children:
            if child.dep_ in _SUBJECT_DEPS:
                return child
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


def _entity_like(text: str) -> bool:
    return any(word[:1].isupper() for word in text.split()[1:]) or text[:1].isupper() and len(text.split()) == 1


def _role_near(token: Token) -> Optional[str]:
    ent = _entity_of(token)
    if ent is None:
        return None
    mention = _mention(ent)
    return mention.role if mention else None


def _entity_of(token: Token) -> Optional[Span]:
    if not token.ent_type_:
        return None
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


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
