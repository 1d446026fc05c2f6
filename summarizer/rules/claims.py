"""Disputed-claim candidates from dispute cues: who says what, and who (or the article) says
it is false.

News signals a dispute in a few recurring ways, all read here from the dependency parse:

* a dispute verb with the disputed thing as its complement: "X denied carrying out the strike",
  "X rejected claims that ...", "X dismissed the report", "X called the accusations baseless";
* the disputed thing described as false by a copula: "the claims are untrue", "these are lies";
* the article's own voice: "falsely labeling ...", "wrongly claimed ...", "covered up ...",
  "there is no evidence that ...", "despite claims that ...", "contrary to ...".

When the complement only points back ("the claims", "this", "the accusation"), the claim is
the nearest earlier statement by someone other than the disputant: a quote, or an accusation
("X accused Y of ...", "X blamed Y for ..."). A plain denial with nothing to point back to is a
claim with no claimant, worded with the article's own words of the denied complement.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Optional, Sequence

from spacy.tokens import Doc, Span, Token

from summarizer.rules.quotes import QuoteCandidate
from summarizer.rules.speakers import SpeakerIndex, same_speaker, subject_of
from summarizer.schema import ARTICLE_VOICE, DisputedClaim, Evidence

#: Verbs whose subject disputes their complement.
DISPUTE_VERBS = frozenset(
    "deny reject dismiss dispute refute contradict rebut debunk contest repudiate disavow".split()
)
#: Words that call a statement false.
FALSITY_WORDS = frozenset(
    """
    false baseless fabricated fabrication fabrications lie lies propaganda fake untrue unfounded
    groundless nonsense misinformation disinformation slander smear incorrect inaccurate
    misleading bogus absurd ridiculous fiction invented fantasy
    """.split()
)
#: Adverbs with which the article itself calls a statement false.
FALSITY_ADVERBS = frozenset("falsely wrongly erroneously mistakenly baselessly untruthfully".split())
#: Nouns that stand for a statement: "rejected the claims", "dismissed the report".
CLAIM_NOUNS = frozenset(
    """
    claim allegation accusation charge assertion report account statement suggestion version
    narrative story rumour rumor figure toll assessment characterization characterisation
    """.split()
)
#: Verbs that make an accusation a later denial can point back to.
ACCUSING_VERBS = frozenset("accuse blame allege claim charge hold".split())
_VERBAL_VERBS = frozenset("call describe label brand term dismiss characterize characterise".split())
_LOOKBACK_SENTENCES = 3
#: Dispute verbs that also take non-statements ("rejected a request", "dismissed an officer").
_NEEDS_STATEMENT = frozenset("reject dismiss contest".split())


@dataclass(frozen=True)
class ClaimCandidate:
    """One disputed claim the rules found, with options for a model to choose among."""

    claim: DisputedClaim
    claimant_options: list[str]
    disputant_options: list[str]
    cue: str  # the word that signalled the dispute, lower case: "denied", "falsely"


@dataclass(frozen=True)
class _Statement:
    """Something said earlier that a denial may point back to."""

    start: int
    end: int
    speaker: Optional[str]
    sentence: Span


def find_claims(doc: Doc, quotes: Sequence[QuoteCandidate]) -> list[ClaimCandidate]:
    """Disputed claims in ``doc``, in article order; ``quotes`` are :func:`find_quotes`'s
    output for the same doc (they give the disputant of words inside quotes and the statements
    a denial points back to)."""
    return _ClaimFinder(doc, quotes).run()


class _ClaimFinder:
    def __init__(self, doc: Doc, quotes: Sequence[QuoteCandidate]) -> None:
        self.doc = doc
        self.text = doc.text
        self.quotes = list(quotes)
        self.speakers = SpeakerIndex.for_doc(doc)
        self._token_starts = [t.idx for t in doc]
        self.statements = self._statements()

    def run(self) -> list[ClaimCandidate]:
        found: list[ClaimCandidate] = []
        used_sentences: set[int] = set()
        for token in self.doc:
            candidate = self._from_cue(token, used_sentences)
            if candidate is not None and not any(_same_claim(candidate, other) for other in found):
                found.append(candidate)
        return sorted(found, key=lambda c: c.claim.evidence.start)

    # -- cues --------------------------------------------------------------------------------

    def _from_cue(self, token: Token, used_sentences: set[int]) -> Optional[ClaimCandidate]:
        lemma = token.lemma_.lower()
        if token.pos_ == "VERB" and lemma in DISPUTE_VERBS:
            return self._dispute_verb(token)
        if token.pos_ == "VERB" and lemma in _VERBAL_VERBS and self._falsity_complement(token):
            return self._dispute_verb(token)
        if lemma in FALSITY_WORDS and token.dep_ in {"attr", "acomp"} and token.head.lemma_ == "be":
            return self._false_copula(token)
        if token.lower_ in FALSITY_ADVERBS and token.sent.start not in used_sentences:
            used_sentences.add(token.sent.start)
            return self._article_voice(token.head, token)
        if (
            lemma == "cover"
            and any(c.lower_ == "up" for c in token.children)
            and token.sent.start not in used_sentences
            and self._enclosing_quote(token.idx) is None  # a speaker's "cover-up" is an accusation
        ):
            used_sentences.add(token.sent.start)
            return self._article_voice(token, token)
        if token.lower_ == "evidence" and any(c.lower_ == "no" for c in token.children):
            return self._no_evidence(token)
        if token.lower_ in {"despite", "contrary"}:
            return self._despite(token)
        return None

    def _dispute_verb(self, verb: Token) -> Optional[ClaimCandidate]:
        disputant_token = self._disputant_token(verb)
        disputant = self._name(disputant_token) if disputant_token is not None else None
        enclosing = self._enclosing_quote(verb.idx)
        if enclosing is not None and (disputant_token is None or disputant_token.lower_ in {"we", "i"}):
            disputant = enclosing.quote.speaker
        complement = self._complement(verb)
        if complement is None:
            return None
        if verb.lemma_.lower() in _NEEDS_STATEMENT and not _is_statement(complement) and not self._falsity_complement(verb):
            return None  # "rejected a request", "dismissed the commander": not a statement
        claimant: Optional[str] = None
        span = _span_of(complement)
        claim_noun = complement if complement.lemma_.lower() in CLAIM_NOUNS else None
        if complement.pos_ == "PRON" or claim_noun is not None:
            clause = _noun_clause(claim_noun) if claim_noun is not None else None
            owner = _owner(claim_noun) if claim_noun is not None else None
            claimant = self._name(owner) if owner is not None else None
            if clause is not None:
                span = _span_of(clause)
            else:
                statement = self._earlier_statement(verb, disputant)
                if statement is None:
                    return None
                span = (statement.start, statement.end)
                claimant = claimant or statement.speaker
        else:
            statement = self._earlier_statement(verb, disputant, about=disputant)
            if statement is not None:
                span, claimant = (statement.start, statement.end), statement.speaker
        counter = self._counter_claim(verb, disputant)
        return self._candidate(span, claimant, disputant, counter, verb)

    def _false_copula(self, word: Token) -> Optional[ClaimCandidate]:
        """"The claims are false" / "These are lies": the subject is the claim."""
        copula = word.head
        subject = next((c for c in copula.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is None:
            return None
        enclosing = self._enclosing_quote(word.idx)
        disputant = enclosing.quote.speaker if enclosing is not None else self._reporting_speaker(copula) or ARTICLE_VOICE
        clause = _noun_clause(subject)
        claimant = self._name(_owner(subject)) if _owner(subject) is not None else None
        if clause is not None:
            span = _span_of(clause)
        else:
            statement = self._earlier_statement(word, disputant, before=enclosing.quote.evidence.start if enclosing else None)
            if statement is None:
                return None
            span, claimant = (statement.start, statement.end), claimant or statement.speaker
        return self._candidate(span, claimant, disputant, None, word)

    def _article_voice(self, verb: Token, cue: Token) -> Optional[ClaimCandidate]:
        """"falsely labeling X as Y", "covered up X": the article calls the subject's account
        false. The claim is the verb's complement; the claimant its subject."""
        subject = subject_of(verb)
        claimant = self._name(subject) if subject is not None else None
        enclosing = self._enclosing_quote(verb.idx)
        disputant = enclosing.quote.speaker if enclosing is not None else self._reporting_speaker(verb) or ARTICLE_VOICE
        tokens = [t for t in verb.subtree if t.i > cue.i and not (t.dep_ == "prt" or t.lower_ == "up" and t.i == cue.i + 1)]
        if cue is not verb:
            tokens = [verb] + [t for t in verb.subtree if t.i > verb.i]
        tokens = [t for t in tokens if not (t.dep_ in {"nsubj", "nsubjpass"} and t.head is verb)]
        tokens = _trim_tokens(sorted(tokens, key=lambda t: t.i))
        if len(tokens) < 2:
            return None
        span = (tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
        return self._candidate(span, claimant, disputant, None, cue)

    def _no_evidence(self, evidence: Token) -> Optional[ClaimCandidate]:
        """"There is no evidence that X" / "no evidence for X"."""
        target = next((c for c in evidence.children if c.dep_ in {"acl", "ccomp", "relcl"}), None)
        if target is None:
            prep = next((c for c in evidence.children if c.dep_ == "prep" and c.lower_ in {"for", "of", "that"}), None)
            target = next((c for c in prep.children if c.dep_ in {"pobj", "pcomp"}), None) if prep is not None else None
        if target is None:
            return None
        disputant = self._reporting_speaker(evidence.head) or ARTICLE_VOICE
        enclosing = self._enclosing_quote(evidence.idx)
        if enclosing is not None:
            disputant = enclosing.quote.speaker
        claimant = None
        if target.lemma_.lower() in CLAIM_NOUNS:
            clause = _noun_clause(target)
            owner = _owner(target)
            claimant = self._name(owner) if owner is not None else None
            if clause is None:
                statement = self._earlier_statement(evidence, disputant)
                if statement is None:
                    return None
                return self._candidate((statement.start, statement.end), claimant or statement.speaker, disputant, None, evidence)
            target = clause
        return self._candidate(_span_of(target), claimant, disputant, None, evidence)

    def _despite(self, word: Token) -> Optional[ClaimCandidate]:
        """"despite claims by X that Y", "contrary to X's claims"."""
        noun = next((t for t in word.subtree if t.lemma_.lower() in CLAIM_NOUNS), None)
        if noun is None:
            return None
        owner = _owner(noun)
        clause = _noun_clause(noun)
        if clause is None:
            return None
        enclosing = self._enclosing_quote(word.idx)
        disputant = enclosing.quote.speaker if enclosing is not None else self._reporting_speaker(word.head) or ARTICLE_VOICE
        claimant = self._name(owner) if owner is not None else None
        return self._candidate(_span_of(clause), claimant, disputant, None, word)

    # -- pieces ------------------------------------------------------------------------------

    def _disputant_token(self, verb: Token) -> Optional[Token]:
        for child in verb.children:
            if child.dep_ == "agent":
                return next((g for g in child.children if g.dep_ == "pobj"), None)
        for child in verb.children:
            if child.dep_ == "nsubj":
                return child
        return subject_of(verb) if verb.dep_ in {"conj", "advcl", "xcomp"} else None

    def _complement(self, verb: Token) -> Optional[Token]:
        passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if passive is not None:
            return passive
        for dep in ("ccomp", "dobj", "xcomp", "pcomp"):
            child = next((c for c in verb.children if c.dep_ == dep), None)
            if child is not None:
                return child
        prep = next((c for c in verb.children if c.dep_ == "prep"), None)
        if prep is not None:
            return next((c for c in prep.children if c.dep_ in {"pobj", "pcomp"}), None)
        return None

    def _falsity_complement(self, verb: Token) -> bool:
        for child in verb.children:
            words = [child] + ([g for g in child.children if g.dep_ == "pobj"] if child.dep_ == "prep" else [])
            for word in words:
                if child.dep_ in {"oprd", "xcomp", "ccomp", "prep", "acomp", "attr"} and word.lemma_.lower() in FALSITY_WORDS:
                    return True
                if child.dep_ in {"oprd", "xcomp", "ccomp"} and any(t.lemma_.lower() in FALSITY_WORDS for t in child.subtree):
                    return True
        return False

    def _counter_claim(self, verb: Token, disputant: Optional[str]) -> Optional[tuple[int, int]]:
        """"..., saying (instead) that Z" under the dispute verb, or the disputant's own next
        quote in the same or the following sentence."""
        for child in verb.children:
            if child.dep_ in {"advcl", "conj"} and child.lemma_.lower() in {"say", "insist", "argue", "maintain", "add", "claim", "state"}:
                clause = next((c for c in child.children if c.dep_ == "ccomp"), None)
                if clause is not None:
                    return _span_of(clause)
        sentence = verb.sent
        limit = sentence.end_char + 400
        for candidate in self.quotes:
            quote = candidate.quote
            if sentence.start_char <= quote.evidence.start < limit and same_speaker(quote.speaker, disputant):
                if not (quote.evidence.start <= verb.idx < quote.evidence.end):
                    return quote.evidence.start, quote.evidence.end
        return None

    def _earlier_statement(
        self, cue: Token, disputant: Optional[str], about: Optional[str] = None, before: Optional[int] = None
    ) -> Optional[_Statement]:
        """The nearest statement in the few sentences before ``cue`` by someone other than the
        disputant (when ``about`` is given, one that names the disputant: an accusation)."""
        sentence_starts = sorted({s.start_char for s in self.doc.sents})
        here = bisect_left(sentence_starts, cue.sent.start_char)
        floor = sentence_starts[max(0, here - _LOOKBACK_SENTENCES)]
        ceiling = before if before is not None else cue.sent.end_char
        best: Optional[_Statement] = None
        for statement in self.statements:
            if not (floor <= statement.start and statement.end <= ceiling):
                continue
            if statement.start <= cue.idx < statement.end:
                continue
            if disputant and same_speaker(statement.speaker, disputant):
                continue
            if about is not None and not _mentions(self.text[statement.start : statement.end], about):
                continue
            best = statement
        return best

    def _statements(self) -> list[_Statement]:
        statements = [
            _Statement(q.quote.evidence.start, q.quote.evidence.end, q.quote.speaker, self._sentence_at(q.quote.evidence.start))
            for q in self.quotes
            if q.quote.nested_in is None
        ]
        for token in self.doc:
            if token.pos_ == "VERB" and token.lemma_.lower() in ACCUSING_VERBS:
                subject = subject_of(token)
                tokens = [t for t in token.subtree if t.i > token.i]
                tokens = _trim_tokens(tokens)
                if subject is None or len(tokens) < 2:
                    continue
                statements.append(
                    _Statement(tokens[0].idx, tokens[-1].idx + len(tokens[-1]), self._name(subject), token.sent)
                )
        return sorted(statements, key=lambda s: s.start)

    def _reporting_speaker(self, token: Token) -> Optional[str]:
        """Whose reported clause ``token`` sits in ("X said the claims were false"), if anyone's."""
        for candidate in self.quotes:
            evidence = candidate.quote.evidence
            if evidence.start <= token.idx < evidence.end:
                return candidate.quote.speaker
        return None

    def _enclosing_quote(self, offset: int) -> Optional[QuoteCandidate]:
        inside = [c for c in self.quotes if c.quote.evidence.start <= offset < c.quote.evidence.end]
        return min(inside, key=lambda c: c.quote.evidence.end - c.quote.evidence.start) if inside else None

    def _name(self, token: Optional[Token]) -> Optional[str]:
        if token is None:
            return None
        speaker = self.speakers.resolve(token)
        return speaker.name if speaker is not None else None

    def _sentence_at(self, offset: int) -> Span:
        i = max(0, bisect_left(self._token_starts, offset + 1) - 1)
        return self.doc[i].sent

    def _candidate(
        self,
        span: tuple[int, int],
        claimant: Optional[str],
        disputant: Optional[str],
        counter: Optional[tuple[int, int]],
        cue: Token,
    ) -> Optional[ClaimCandidate]:
        start, end = span
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and (self.text[end - 1].isspace() or self.text[end - 1] in ",.;:"):
            end -= 1
        if end - start < 3:
            return None
        text = self.text[start:end]
        counter_text = self.text[counter[0] : counter[1]] if counter is not None else None
        if counter_text is not None and counter_text == text:
            counter_text = None
        claim = DisputedClaim(
            claim=text,
            claimant=claimant,
            disputant=disputant,
            counter_claim=counter_text,
            evidence=Evidence(start=start, end=end, text=text),
        )
        options = self.speakers.options(start, claimant)
        disputant_options = self.speakers.options(cue.idx, disputant)
        return ClaimCandidate(claim, options, disputant_options, cue.lower_)


# -- grammar helpers ---------------------------------------------------------------------------


def _span_of(token: Token) -> tuple[int, int]:
    tokens = _trim_tokens(sorted(token.subtree, key=lambda t: t.i))
    if not tokens:
        return token.idx, token.idx + len(token)
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _trim_tokens(tokens: list[Token]) -> list[Token]:
    while tokens and (tokens[0].is_punct or tokens[0].dep_ in {"mark", "cc"} and tokens[0].lower_ in {"that", "and", "but"}):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        tokens = tokens[:-1]
    return tokens


def _is_statement(token: Token) -> bool:
    """A clause, a pronoun pointing back, or a noun for something said."""
    return token.dep_ in {"ccomp", "nsubjpass"} and token.pos_ in {"VERB", "AUX"} or token.pos_ == "PRON" or (
        token.lemma_.lower() in CLAIM_NOUNS
    )


def _noun_clause(noun: Token) -> Optional[Token]:
    """"claims that X" -> X's clause head."""
    for child in noun.children:
        if child.dep_ in {"acl", "ccomp", "relcl"} and any(g.lower_ == "that" and g.dep_ == "mark" for g in child.children):
            return child
        if child.dep_ == "ccomp":
            return child
    return None


def _owner(noun: Token) -> Optional[Token]:
    """Whose claim: "Russia's claims", "claims by X", "accusations from X"."""
    for child in noun.children:
        if child.dep_ == "poss" and child.pos_ != "PRON":
            return child
        if child.dep_ == "prep" and child.lower_ in {"by", "from", "of"}:
            target = next((g for g in child.children if g.dep_ == "pobj"), None)
            if target is not None and (target.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"} or child.lower_ != "of"):
                return target
    return None


def _mentions(text: str, name: str) -> bool:
    words = {w.strip(".,'’\"").lower() for w in text.split()}
    name_words = [w.strip(".,'’\"").lower() for w in name.split() if w[:1].isupper()]
    initials = "".join(w[0] for w in name.split() if w[:1].isupper()).lower()
    return any(w in words for w in name_words) or (len(initials) >= 2 and initials in words)


def _same_claim(a: ClaimCandidate, b: ClaimCandidate) -> bool:
    ea, eb = a.claim.evidence, b.claim.evidence
    overlap = min(ea.end, eb.end) - max(ea.start, eb.start)
    return overlap > 0.5 * min(ea.end - ea.start, eb.end - eb.start)


__all__ = ["ClaimCandidate", "find_claims", "DISPUTE_VERBS", "FALSITY_WORDS", "FALSITY_ADVERBS"]
