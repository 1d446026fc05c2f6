"""Disputed-claim candidates from dispute cues: who says what, and who (or the article) says
it is false.

News signals a dispute in a few recurring ways, all read here from the dependency parse:

* a dispute verb with the disputed thing as its complement: "X denied carrying out the strike",
  "X rejected claims that ...", "X dismissed the report", "X called the accusations baseless",
  "the claim was challenged by X", and the relative form "..., which X denies";
* the disputed thing described as false: by a copula ("the claims are untrue", "that is not
  true"), or by an adjective on a word for a statement ("circulated fabricated claims that ...");
* the article's own voice: "falsely labeling ...", "wrongly claimed ...", "covered up ...",
  "there is no evidence that ...", "despite claims that ...", "contrary to ...";
* a finding against a statement: "found no sign of ...", "witnesses describe the opposite";
* a figure called too high: "the figure was exaggerated", "the numbers had been inflated";
* a claim noun in apposition with its verdict: "..., a claim the army denies", "..., something
  the military has denied";
* a statement set against an earlier one: "Y said instead that ...", "contradicting the army,
  Y said ...", "Y insisted his soldiers had not fired" (negating the earlier statement's own
  verb), "It is not dismantled." after "X said the front was dismantled", and "..., but
  satellite images show ..." (a record, after a contrast word);
* the newswire's "claimed, without evidence, that ...".

Look-alikes are kept out on purpose: "did not deny", "neither confirmed nor denied", "denied
entry/bail/access" (a refusal), "rejected a request", "could not verify" (no verdict), a negated
sentence about something else.

When the complement only points back ("the claims", "this", "that account", "no evidence of any
military site"), the claim is an earlier statement by someone other than the disputant, chosen
in the order a reader would: an accusation aimed at the disputant; a statement by the named owner
("the army's account"); for "the accusation", the nearest accusation; for "the figure", the
nearest statement that gives a number; a statement introduced with
the same word ("a report by X said ..." for "the report"); else the nearest statement (the first,
outermost one of its sentence). A plain denial ("X denied shelling the camp") takes the
accusation against X (looked for as far back as the lede), a statement about X, or an earlier
statement the denied clause repeats ("denied that prisoners had been beaten" after "40 prisoners
were beaten, former detainees said") as the claim; with none it is a claim with no claimant,
worded with the article's own words of the denied complement. Reported speech inside a quote
("they say the guard works for the army. It is false.") is a statement of its own.

A speaker's side counts as the speaker: a statement by "the RSF" is not disputed by "RSF
spokesman Al-Fateh Qurashi" (he is restating it).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

from spacy.tokens import Doc, Span, Token

from summarizer.rules import lexicon
from summarizer.rules.quotes import REPORTING_VERBS, SPEECH_VERBS, QuoteCandidate
from summarizer.rules.nlp import doc_text
from summarizer.rules.speakers import SpeakerIndex, noun_phrase, same_speaker, subject_of
from summarizer.schema import ARTICLE_VOICE, DisputedClaim, Evidence

#: Verbs whose subject disputes their complement.
DISPUTE_VERBS = lexicon.words("disputes", "verbs.dispute")
#: Words that call a statement false.
FALSITY_WORDS = lexicon.words("disputes", "words.falsity")
#: Words that, negated, call a statement false: "that is not true".
TRUTH_WORDS = lexicon.words("disputes", "words.truth")
#: Adverbs with which the article itself calls a statement false.
FALSITY_ADVERBS = lexicon.words("disputes", "words.falsity_adverbs")
#: Nouns that stand for a statement: "rejected the claims", "dismissed the report".
CLAIM_NOUNS = lexicon.words("disputes", "nouns.claims")
#: Words that say a figure is too high: "the toll was exaggerated", "inflated the numbers".
EXAGGERATION_WORDS = lexicon.words("disputes", "words.exaggeration")
#: Nouns for a count, which an exaggeration word disputes: "the numbers had been inflated".
FIGURE_NOUNS = lexicon.words("disputes", "nouns.figures")
#: Things that record what happened and can show a statement wrong: "satellite images show ...".
RECORD_NOUNS = lexicon.words("disputes", "nouns.records")
#: Verbs with which a record shows something: "footage shows police firing".
_SHOWING_VERBS = lexicon.words("disputes", "verbs.showing")
#: Speech verbs that mark a statement as held against another: "insisted", "maintained".
_INSISTING_VERBS = lexicon.words("disputes", "verbs.insisting")
#: Objects with which "deny" means refuse, not dispute: "denied entry", "denied bail".
_REFUSED_THINGS = lexicon.words("disputes", "nouns.refused_things")
#: Dispute verbs whose object can be a party standing for its account: "contradicting the army".
_PARTY_OBJECT_VERBS = lexicon.words("disputes", "verbs.party_object")
#: Claim nouns that point back to an accusation in particular.
ACCUSATION_NOUNS = lexicon.words("disputes", "nouns.accusations")
#: Verbs that make an accusation a later denial can point back to.
ACCUSING_VERBS = lexicon.words("disputes", "verbs.accusing")
#: Nouns for a finding that can tell against a statement: "no evidence of", "no sign of".
EVIDENCE_NOUNS = lexicon.words("disputes", "nouns.evidence")
#: Verbs through which evidence bears on a claim: "no evidence to support the claim".
_SUPPORTING_VERBS = lexicon.words("disputes", "verbs.supporting")
#: Verbs for offering evidence: "offered no evidence" is the article's doubt, not a finding.
_OFFERING_VERBS = lexicon.words("disputes", "verbs.offering")
#: Verbs that, with "the opposite", report a contrary account: "witnesses describe the opposite".
_OPPOSITE_VERBS = lexicon.words("disputes", "verbs.opposite")
#: Verbs of calling, which dispute only with a falsity word: "called the report a tissue of lies".
_VERBAL_VERBS = lexicon.words("disputes", "verbs.calling")
#: Verbs whose object relative clause names a statement rather than states it: "the report that X published".
_ISSUING_VERBS = SPEECH_VERBS | lexicon.words("disputes", "verbs.issuing")
#: Nouns standing for their owner's act: "the government's response was to call ..." -> the government.
_ACT_NOUNS = lexicon.words("disputes", "nouns.acts")
#: Dispute verbs that also take non-statements ("rejected a request", "dismissed an officer").
_NEEDS_STATEMENT = lexicon.words("disputes", "verbs.needs_statement")
#: Sentences a pointing-back complement ("the claims", "this") may reach over.
_LOOKBACK_SENTENCES = 3
#: Sentences a specific pointer (an accusation, a named owner, "the report") may reach over.
_SPECIFIC_LOOKBACK_SENTENCES = 8
#: Sentences an accusation may lie behind the denial that answers it: news puts the accusation
#: in the lede and the denial paragraphs later.
_ACCUSATION_LOOKBACK_SENTENCES = 40
#: Sentences a finding ("no sign of ...") may reach over: it answers what was just said.
_FINDING_LOOKBACK_SENTENCES = 2
#: Reporting verbs whose noun object is what they report: "activists reported mass arrests".
_NOMINAL_REPORTING_VERBS = lexicon.words("disputes", "verbs.nominal_reporting")
#: Capitalised words that do not name anyone ("The RSF" names the RSF).
_NAME_FILLERS = lexicon.words("disputes", "words.name_fillers")
#: Determiners that point back to something already said: "that account", "these claims".
_POINTERS = lexicon.words("disputes", "words.pointers")
_WORD_RE = re.compile(r"[\w][\w'’-]*")


@dataclass(frozen=True)
class ClaimCandidate:
    """One disputed claim the rules found; ``claim.rule`` names the dispute rule that read it."""

    claim: DisputedClaim
    cue: str  # the word that signalled the dispute, lower case: "denied", "falsely"


@dataclass(frozen=True)
class _Statement:
    """Something said earlier that a dispute may point back to."""

    start: int
    end: int
    speaker: Optional[str]
    sentence: int  # index of its sentence
    accused: Optional[str] = None  # whom an accusation blames: "the RSF" in "X blamed the RSF"
    is_accusation: bool = False
    disputes: bool = False  # it disputes something itself ("that claim was challenged by ...")


@dataclass(frozen=True)
class _Party:
    """Who disputes: the resolved name, plus the words around it that tell whose side they
    speak for ("M23 spokesman Lawrence Kanyuka")."""

    name: Optional[str]
    context: str = ""

    def includes(self, speaker: Optional[str]) -> bool:
        """Whether ``speaker`` is this party or the body it speaks for."""
        if not speaker:
            return False
        return same_speaker(speaker, self.name) or bool(self.context) and _mentions(self.context, speaker)

    def named_in(self, text: Optional[str]) -> bool:
        """Whether ``text`` names this party (or the body it speaks for)."""
        if not text:
            return False
        return bool(self.name) and _mentions(text, self.name) or bool(self.context) and _mentions(text, self.context)


def find_claims(doc: Doc, quotes: Sequence[QuoteCandidate]) -> list[ClaimCandidate]:
    """Disputed claims in ``doc``, in article order; ``quotes`` are :func:`find_quotes`'s
    output for the same doc (they give the disputant of words inside quotes and the statements
    a denial points back to)."""
    return _ClaimFinder(doc, quotes).run()


class _ClaimFinder:
    def __init__(self, doc: Doc, quotes: Sequence[QuoteCandidate]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.quotes = list(quotes)
        self.speakers = SpeakerIndex.for_doc(doc)
        self.sentences = list(doc.sents)
        self._sentence_starts = [s.start_char for s in self.sentences]
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
        """The claim the first rule of :data:`DISPUTE_RULES` whose cue is at ``token`` reads."""
        for rule in DISPUTE_RULES:
            if not rule.cue(self, token):
                continue
            if rule.once_per_sentence and token.sent.start in used_sentences:
                continue
            candidate = rule.read(self, token)
            if candidate is None and rule.falls_through:
                continue
            if rule.once_per_sentence:
                used_sentences.add(token.sent.start)
            if candidate is not None:
                candidate.claim.rule = rule.id
            return candidate
        return None

    def _dispute_verb(self, verb: Token) -> Optional[ClaimCandidate]:
        if _negated(verb):
            return None  # "did not deny", "have not been challenged": no dispute
        party = self._disputing_party(verb)
        complement = self._complement(verb)
        if complement is None:
            return None
        if verb.dep_ == "relcl" and complement.tag_ in {"WDT", "WP"}:
            return self._relative_dispute(verb, party)
        if any(_is_refused_thing(c) for c in verb.children if c.dep_ in {"dobj", "dative", "nsubjpass"}):
            return None  # "denied entry to the convoy", "were denied access": a refusal
        if verb.lemma_.lower() in _PARTY_OBJECT_VERBS and _claim_noun(complement) is None and not _is_statement(complement):
            # "Contradicting the army, hospital staff said ...": the party stands for its account
            owner = self._name(complement)
            said = [s for s in self._earlier(verb, party, None, _LOOKBACK_SENTENCES) if same_speaker(s.speaker, owner)]
            statement = _nearest(said)
            if statement is None:
                return None
            counter = self._counter_claim(verb, party.name)
            return self._candidate((statement.start, statement.end), statement.speaker, party.name, counter, verb)
        claim_noun = _claim_noun(complement)
        if (
            verb.lemma_.lower() in _NEEDS_STATEMENT
            and claim_noun is None
            and not _is_statement(complement)
            and not self._falsity_complement(verb)
        ):
            return None  # "rejected a request", "dismissed the commander": not a statement
        claimant: Optional[str] = None
        span = _span_of(complement)
        if complement.pos_ == "PRON" or claim_noun is not None:
            clause = _noun_clause(claim_noun) if claim_noun is not None else None
            owner = _owner(claim_noun) if claim_noun is not None else None
            claimant = self._name(owner) if owner is not None else None
            reported = _reported_thing(claim_noun) if claim_noun is not None and clause is None else None
            if clause is not None:
                span = _span_of(clause)
            elif reported is not None:
                span = _span_of(reported)
            else:
                statement = self._pointed_statement(verb, party, claim_noun, claimant)
                if statement is None:
                    return None
                span = (statement.start, statement.end)
                claimant = claimant or statement.speaker
        else:
            statement = self._statement_against(verb, party)
            if statement is None and complement.dep_ == "ccomp":
                statement = self._echoed_statement(verb, party, complement)
            if statement is not None:
                span, claimant = (statement.start, statement.end), statement.speaker
            elif not any(t.i != complement.i and not (t.is_punct or t.is_space) for t in complement.subtree):
                return None  # "denies involvement": a bare noun says too little to be a claim
        counter = self._counter_claim(verb, party.name)
        return self._candidate(span, claimant, party.name, counter, verb)

    def _misread_dispute_verb(self, word: Token) -> Optional[ClaimCandidate]:
        """"The refugee council disputes that account", tagged as a noun phrase ending in the
        plural noun "disputes": the words before it name the disputant, the claim noun after it
        is the complement."""
        names = [c for c in word.lefts if c.dep_ == "compound"]
        following = word.doc[word.i + 1 : min(word.i + 4, word.sent.end)]
        claim_noun = next((n for n in (_claim_noun(t) for t in following) if n is not None), None)
        if not names or claim_noun is None:
            return None
        party = _Party(self._name(names[-1]), _context_of(names[-1]))
        owner = _owner(claim_noun)
        claimant = self._name(owner) if owner is not None else None
        clause = _noun_clause(claim_noun)
        if clause is not None:
            return self._candidate(_span_of(clause), claimant, party.name, None, word)
        statement = self._pointed_statement(word, party, claim_noun, claimant)
        if statement is None:
            return None
        return self._candidate((statement.start, statement.end), claimant or statement.speaker, party.name, None, word)

    def _relative_dispute(self, verb: Token, party: _Party) -> Optional[ClaimCandidate]:
        """"X said the group is backed by Rwanda, which Kigali denies": the claim is the clause
        the relative clause hangs on (the reported clause when there is one)."""
        clause: Optional[Token] = verb.head
        while clause is not None and clause.dep_ not in {"ccomp", "ROOT"}:
            clause = clause.head if clause.head.i != clause.i else None
        if clause is None:
            return None
        excluded = set(t.i for t in verb.subtree)
        tokens = _trim_tokens(sorted((t for t in clause.subtree if t.i not in excluded), key=lambda t: t.i))
        if clause.dep_ == "ccomp" and clause.head.lemma_.lower() in SPEECH_VERBS:
            speech = clause.head
            claimant_token = subject_of(speech)
            claimant = self._name(claimant_token) if claimant_token is not None else None
        else:
            claimant = None
            subject = next((t for t in tokens if t.dep_ in {"nsubj", "nsubjpass"} and t.head.i == clause.i), None)
            tokens = [t for t in tokens if subject is None or t.i >= min(s.i for s in subject.subtree)]
        if len(tokens) < 2:
            return None
        span = (tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
        return self._candidate(span, claimant, party.name, None, verb)

    def _false_copula(self, word: Token) -> Optional[ClaimCandidate]:
        """"The claims are false" / "These are lies" / "That is not true": the subject is the claim."""
        copula = word.head
        subject = next((c for c in copula.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is None:
            return None
        enclosing = self._enclosing_quote(word.idx)
        party = self._voice_at(copula)
        claim_noun = _claim_noun(subject)
        clause = _noun_clause(claim_noun) if claim_noun is not None else None
        owner = _owner(claim_noun) if claim_noun is not None else None
        claimant = self._name(owner) if owner is not None else None
        if clause is not None:
            span = _span_of(clause)
        else:
            if claim_noun is None and subject.pos_ != "PRON":
                return None  # "the bridge is not accurate": not about a statement
            before = enclosing.quote.evidence.start if enclosing else None
            statement = self._reported_in_quote(word, party, enclosing) if claim_noun is None else None
            statement = statement or self._pointed_statement(word, party, claim_noun, claimant, before=before)
            if statement is None:
                return None
            span, claimant = (statement.start, statement.end), claimant or statement.speaker
        return self._candidate(span, claimant, party.name, None, word)

    def _false_noun(self, word: Token) -> Optional[ClaimCandidate]:
        """"circulated fabricated claims that X", "spread false reports": the word for the
        statement carries the verdict; whoever spread it is the claimant."""
        noun = word.head
        if noun.head.lemma_.lower() in DISPUTE_VERBS | _VERBAL_VERBS:
            return None  # "rejected the false claims": the dispute verb's own candidate
        party = self._voice_at(noun)
        owner = _owner(noun)
        claimant_token = owner
        if claimant_token is None and noun.dep_ in {"dobj", "nsubjpass"}:
            claimant_token = subject_of(noun.head)
        claimant = self._name(claimant_token) if claimant_token is not None else None
        clause = _noun_clause(noun)
        if clause is not None:
            return self._candidate(_span_of(clause), claimant, party.name, None, word)
        statement = self._pointed_statement(word, party, noun, claimant)
        if statement is None:
            return None
        return self._candidate((statement.start, statement.end), claimant or statement.speaker, party.name, None, word)

    def _article_voice(self, verb: Token, cue: Token) -> Optional[ClaimCandidate]:
        """"falsely labeling X as Y", "covered up X": the article calls the subject's account
        false. The claim is the verb's complement; the claimant its subject."""
        subject = subject_of(verb)
        claimant = self._name(subject) if subject is not None else None
        party = self._voice_at(verb)
        tokens = [t for t in verb.subtree if t.i > cue.i and not (t.dep_ == "prt" or t.lower_ == "up" and t.i == cue.i + 1)]
        if cue.i != verb.i:
            tokens = [verb] + [t for t in verb.subtree if t.i > verb.i]
        tokens = [t for t in tokens if not (t.dep_ in {"nsubj", "nsubjpass"} and t.head.i == verb.i)]
        tokens = _trim_tokens(sorted(tokens, key=lambda t: t.i))
        if len(tokens) < 2:
            return None
        span = (tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
        return self._candidate(span, claimant, party.name, None, cue)

    def _no_evidence(self, evidence: Token) -> Optional[ClaimCandidate]:
        """"There is no evidence that X", "no evidence for X's claim", "found no sign of X".

        A finding of nothing about a plain thing ("no sign of any military presence") answers
        what was just said: the claim is the statement before it, when there is one."""
        if evidence.head.lower_ == "without":
            return self._without_evidence(evidence)
        target = next((c for c in evidence.children if c.dep_ in {"acl", "ccomp", "relcl"}), None)
        if target is not None and target.lemma_.lower() in _SUPPORTING_VERBS:
            # "no evidence to support the minister's claim": what is not supported is the claim
            target = next((c for c in target.children if c.dep_ == "dobj"), target)
        if target is None:
            prep = next((c for c in evidence.children if c.dep_ == "prep" and c.lower_ in {"for", "of", "that", "to"}), None)
            target = next((c for c in prep.children if c.dep_ in {"pobj", "pcomp"}), None) if prep is not None else None
        if target is None:
            return None
        verb = evidence.head
        finder = subject_of(verb) if evidence.dep_ == "dobj" and verb.lemma_.lower() not in _OFFERING_VERBS else None
        party = self._voice_at(verb) if finder is None or finder.pos_ == "PRON" and finder.lower_ in {"we", "i"} else _Party(self._name(finder), _context_of(finder))
        claimant = None
        claim_noun = _claim_noun(target)
        if claim_noun is not None:
            clause = _noun_clause(claim_noun)
            owner = _owner(claim_noun)
            claimant = self._name(owner) if owner is not None else None
            if clause is None:
                statement = self._pointed_statement(evidence, party, claim_noun, claimant)
                if statement is None:
                    return None
                return self._candidate((statement.start, statement.end), claimant or statement.speaker, party.name, None, evidence)
            target = clause
        elif target.pos_ in {"NOUN", "PROPN"}:
            statement = self._pointed_statement(evidence, party, None, None, lookback=_FINDING_LOOKBACK_SENTENCES)
            if statement is not None:
                return self._candidate((statement.start, statement.end), statement.speaker, party.name, None, evidence)
        return self._candidate(_span_of(target), claimant, party.name, None, evidence)

    def _without_evidence(self, evidence: Token) -> Optional[ClaimCandidate]:
        """"X claimed, without evidence, that Y" (also "without providing evidence"): the
        newswire's way of saying the claim is unsupported; the claim is the reported clause."""
        verb = evidence.head.head
        while verb.pos_ != "VERB" or verb.lemma_.lower() in _OFFERING_VERBS:
            if verb.head.i == verb.i:
                return None
            verb = verb.head
        if verb.lemma_.lower() not in SPEECH_VERBS:
            return None
        clause = next((c for c in verb.children if c.dep_ == "ccomp"), None)
        subject = subject_of(verb)
        if clause is None:
            return None
        claimant = self._name(subject) if subject is not None else None
        return self._candidate(_span_of(clause), claimant, self._voice_at(verb).name, None, evidence)

    def _the_opposite(self, word: Token) -> Optional[ClaimCandidate]:
        """"Aid workers describe the opposite": the subject disputes what was just said."""
        subject = subject_of(word.head)
        if subject is None:
            return None
        party = _Party(self._name(subject), _context_of(subject))
        statement = self._pointed_statement(word, party, None, None, lookback=_FINDING_LOOKBACK_SENTENCES)
        if statement is None:
            return None
        return self._candidate((statement.start, statement.end), statement.speaker, party.name, None, word)

    def _despite(self, word: Token) -> Optional[ClaimCandidate]:
        """"despite claims by X that Y", "contrary to X's claims"."""
        noun = next((t for t in word.subtree if t.lemma_.lower() in CLAIM_NOUNS), None)
        if noun is None:
            return None
        owner = _owner(noun)
        clause = _noun_clause(noun)
        if clause is None:
            return None
        party = self._voice_at(word.head)
        claimant = self._name(owner) if owner is not None else None
        return self._candidate(_span_of(clause), claimant, party.name, None, word)

    def _exaggerated(self, word: Token) -> Optional[ClaimCandidate]:
        """"The figure was exaggerated", "the numbers had been inflated", "X inflated the toll":
        the count (or claim) is disputed by whoever says so; the claim is the statement that gave
        the count, or the claim noun's own clause."""
        if _negated(word) or _negated(word.head):
            return None
        claimant_token: Optional[Token] = None
        if word.dep_ in {"acomp", "attr"} and word.head.lemma_ == "be":
            counted = next((c for c in word.head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        elif word.pos_ == "VERB":
            counted = next((c for c in word.children if c.dep_ == "nsubjpass"), None)
            if counted is None:
                counted = next((c for c in word.children if c.dep_ == "dobj"), None)
                claimant_token = subject_of(word) if counted is not None else None
        else:
            counted = None
        if counted is None:
            return None
        if counted.lemma_.lower() not in FIGURE_NOUNS | CLAIM_NOUNS and counted.lower_ not in FIGURE_NOUNS:
            return None  # "exaggerated his role": not a count or a statement
        party = self._voice_at(word)
        owner = _owner(counted)
        claimant_token = owner if owner is not None else claimant_token
        claimant = self._name(claimant_token) if claimant_token is not None else None
        clause = _noun_clause(counted) if counted.lemma_.lower() in CLAIM_NOUNS else None
        if clause is not None:
            return self._candidate(_span_of(clause), claimant, party.name, None, word)
        statement = self._pointed_statement(word, party, counted, claimant)
        if statement is None:
            return None
        return self._candidate((statement.start, statement.end), claimant or statement.speaker, party.name, None, word)

    def _appositive_verdict(self, noun: Token) -> Optional[ClaimCandidate]:
        """"X say they took the airport, a claim the army denies" / "..., something Y has
        denied": a claim noun after a comma whose own (relative) clause disputes it. The claim is
        what the sentence said before the comma. Read from the words, as the parser often
        attaches the noun to the wrong word or tags the verb as a noun ("an allegation the
        service rejects")."""
        verb = None
        for token in noun.doc[noun.i + 1 : min(noun.i + 8, noun.sent.end)]:
            if token.is_punct or token.lower_ in {"that", "which", "who"}:
                break  # "a claim that ..." states the content; "a claim which ..." is the relative rule's
            if token.lemma_.lower() in DISPUTE_VERBS and token.tag_ in {"VBZ", "VBD", "VBN", "VBP", "NNS"}:
                verb = token
                break
        if verb is None:
            return None
        between = noun.doc[noun.i + 1 : verb.i]
        if any(t.dep_ == "neg" or t.lower_ in {"not", "n't", "never"} for t in between):
            return None
        names = [t for t in between if t.pos_ in {"NOUN", "PROPN"}]
        party_token = next((c for c in verb.children if c.dep_ == "nsubj"), None) or (names[-1] if names else None)
        if party_token is None:
            return None
        party = _Party(self._name(party_token), _context_of(party_token))
        comma = noun.doc[noun.i - 1] if noun.doc[noun.i - 1].is_punct else noun.doc[noun.i - 2]
        sentence = noun.sent
        before = [
            s for s in self.statements
            if s.sentence == self._sentence_index(noun.idx) and s.start < comma.idx and not party.includes(s.speaker)
        ]
        if before:
            # the parser may hang the apposition on the reported clause: cut it at the comma
            statement = min(before, key=lambda s: s.start)
            span = (statement.start, min(statement.end, comma.idx))
            return self._candidate(span, statement.speaker, party.name, None, verb)
        if comma.i - sentence.start < 3:
            return None
        return self._candidate((sentence.start_char, comma.idx), None, party.name, None, verb)

    def _counter_statement(self, verb: Token) -> Optional[ClaimCandidate]:
        """A statement said against an earlier one without a dispute verb: "Y said instead that
        ...", or "Y insisted his soldiers had not fired" after "X said troops had fired". The
        negated form counts only when it negates the earlier statement's own verb, so that two
        different statements side by side are not read as a dispute."""
        clause = next((c for c in verb.children if c.dep_ == "ccomp" and c.i > verb.i), None)
        subject = subject_of(verb)
        if clause is None or subject is None or _negated(verb):
            return None
        instead = any(c.lower_ in {"instead", "rather"} for c in list(verb.children) + list(clause.children))
        if not instead and not _negated(clause):
            return None
        party = _Party(self._name(subject), _context_of(subject))
        if not party.name:
            return None
        earlier = [
            s for s in self._earlier(verb, party, None, _FINDING_LOOKBACK_SENTENCES)
            if s.sentence < self._sentence_index(verb.idx) or s.end <= verb.idx
        ]
        if not instead:
            earlier = [s for s in earlier if self._asserts(s, clause.lemma_.lower())]
        statement = _nearest(earlier)
        if statement is None:
            return None
        return self._candidate((statement.start, statement.end), statement.speaker, party.name, _span_of(clause), verb)

    def _flat_contradiction(self, root: Token) -> Optional[ClaimCandidate]:
        """"The general said the front was dismantled. It is not dismantled.": a short negated
        sentence about "it/that/this/they" that denies the predicate of the statement just before
        it. The predicate must be the same word, so that a negation about something else is not
        read as a dispute."""
        words = [t for t in root.subtree if not (t.is_punct or t.is_space)]
        subject = next((c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if len(words) > 8 or subject is None or subject.lower_ not in {"it", "that", "this", "they"}:
            return None
        predicate = _predicate_words(root)
        if not predicate:
            return None
        party = self._voice_at(root)
        here = self._sentence_index(root.idx)
        earlier = [
            s for s in self.statements
            if here - 2 <= s.sentence < here and s.end <= root.idx and s.speaker and not party.includes(s.speaker)
        ]
        matching = []
        for statement in earlier:
            span = self.doc.char_span(statement.start, statement.end, alignment_mode="expand")
            if span is not None and not _negated(span.root) and predicate & _predicate_words(span.root):
                matching.append(statement)
        statement = _nearest(matching)
        if statement is None:
            return None
        return self._candidate((statement.start, statement.end), statement.speaker, party.name, None, root)

    def _main_clause(self, token: Token) -> bool:
        """A sentence's root, or the clause a quote consists of ("'It has not been reopened,'
        said X")."""
        if token.dep_ == "ROOT":
            return True
        enclosing = self._enclosing_quote(token.idx)
        if enclosing is None or token.dep_ != "ccomp":
            return False
        start, end = _span_of(token)
        quote = enclosing.quote.evidence
        return quote.start <= start and end <= quote.end + 1

    def _asserts(self, statement: _Statement, lemma: str) -> bool:
        """Whether ``statement``'s main verb is ``lemma``, not negated."""
        span = self.doc.char_span(statement.start, statement.end, alignment_mode="expand")
        if span is None:
            return False
        root = span.root
        return root.lemma_.lower() == lemma and not _negated(root)

    def _contrary_record(self, verb: Token) -> Optional[ClaimCandidate]:
        """"X claimed ..., but satellite images show ...", "But footage shows ...": a record set
        against what was just said, in the article's (or a speaker's) voice. Needs the "but":
        without it footage showing something is plain reporting."""
        sentence = verb.sent
        contrasts = {"but", "however", "yet"}
        contrast = (
            any(c.lower_ in contrasts for c in verb.children)
            or verb.dep_ == "conj" and any(c.lower_ in contrasts for c in verb.head.children)
            or sentence[0].lower_ in contrasts
        )
        if not contrast or _negated(verb):
            return None
        party = self._voice_at(verb)
        earlier = [s for s in self._earlier(verb, party, None, 1) if s.end <= verb.idx]
        statement = _nearest(earlier)
        if statement is None:
            return None
        shown = next((c for c in verb.children if c.dep_ in {"ccomp", "dobj"}), None)
        counter = _span_of(shown) if shown is not None else None
        return self._candidate((statement.start, statement.end), statement.speaker, party.name, counter, verb)

    # -- who disputes ------------------------------------------------------------------------

    def _disputing_party(self, verb: Token) -> _Party:
        """The subject (or passive agent) of a dispute verb; inside a quote, "we" and "I" are
        the quote's speaker; "the government's response was to call ..." is the government."""
        token = self._disputant_token(verb)
        if token is not None and token.lemma_.lower() in _ACT_NOUNS:
            token = next((c for c in token.children if c.dep_ == "poss" and c.pos_ != "PRON"), token)
        enclosing = self._enclosing_quote(verb.idx)
        if enclosing is not None and (token is None or token.lower_ in {"we", "i"}):
            return _Party(enclosing.quote.speaker, enclosing.quote.speaker_role or "")
        if token is None:
            return _Party(None)
        return _Party(self._name(token), _context_of(token))

    def _voice_at(self, token: Token) -> _Party:
        """Who speaks at ``token``: the quote it sits in, the speaker whose reported clause it is
        in, else the article itself."""
        enclosing = self._enclosing_quote(token.idx)
        if enclosing is not None:
            return _Party(enclosing.quote.speaker, enclosing.quote.speaker_role or "")
        reporter = self._reporting_verb_above(token)
        if reporter is not None:
            subject = subject_of(reporter)
            if subject is not None:
                return _Party(self._name(subject), _context_of(subject))
        return _Party(ARTICLE_VOICE)

    def _reporting_verb_above(self, token: Token) -> Optional[Token]:
        """The speech verb whose reported clause holds ``token`` ("..., the source said")."""
        child, current = token, token.head
        while current.i != child.i:
            if child.dep_ == "ccomp" and current.pos_ == "VERB" and current.lemma_.lower() in SPEECH_VERBS:
                return current
            child, current = current, current.head
        return _trailing_attribution(token.sent)

    def _disputant_token(self, verb: Token) -> Optional[Token]:
        for child in verb.children:
            if child.dep_ == "agent":
                return next((g for g in child.children if g.dep_ == "pobj"), None)
        for child in verb.children:
            if child.dep_ == "nsubj":
                return child
        if verb.dep_ in {"conj", "advcl", "xcomp", "relcl"}:
            return subject_of(verb)
        # "The AA rejects ...", with the name tagged as a compound of the verb
        return next((c for c in verb.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"), None)

    # -- what is disputed --------------------------------------------------------------------

    def _complement(self, verb: Token) -> Optional[Token]:
        passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if passive is not None:
            return passive
        # a clause left of the verb is mostly the parser gluing the previous clause on ("X
        # accused Y; Z rejected the accusation"): the verb's object comes first then
        for dep in ("ccomp", "dobj", "xcomp", "pcomp"):
            child = next((c for c in verb.children if c.dep_ == dep and not (dep == "ccomp" and c.i < verb.i)), None)
            if child is not None:
                return child
        child = next((c for c in verb.children if c.dep_ == "ccomp"), None)
        if child is not None:
            return child
        prep = next((c for c in verb.children if c.dep_ == "prep"), None)
        if prep is not None:
            return next((c for c in prep.children if c.dep_ in {"pobj", "pcomp"}), None)
        return None

    def _falsity_complement(self, verb: Token) -> bool:
        objects = [c for c in verb.children if c.dep_ == "dobj"]
        for child in verb.children:
            words = [child] + ([g for g in child.children if g.dep_ == "pobj"] if child.dep_ == "prep" else [])
            as_clause = child.dep_ == "advcl" and any(g.lower_ == "as" for g in child.children)
            second_object = child.dep_ == "dobj" and len(objects) > 1 and child.i != objects[0].i
            verdict_slot = child.dep_ in {"oprd", "xcomp", "ccomp", "prep", "acomp", "attr"} or as_clause or second_object
            for word in words:
                if verdict_slot and _is_falsity(word):
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

    # -- statements pointed back to ----------------------------------------------------------

    def _earlier(self, cue: Token, party: _Party, before: Optional[int], lookback: int) -> list[_Statement]:
        """Statements before ``cue`` (or ``before``) within ``lookback`` sentences, by anyone
        but the disputing party."""
        here = self._sentence_index(cue.idx)
        ceiling = before if before is not None else cue.idx
        return [
            s
            for s in self.statements
            if here - lookback <= s.sentence <= here
            and s.start < ceiling
            and not (s.start <= cue.idx < s.end)
            and not party.includes(s.speaker)
        ]

    def _pointed_statement(
        self,
        cue: Token,
        party: _Party,
        noun: Optional[Token],
        owner: Optional[str],
        before: Optional[int] = None,
        lookback: int = _LOOKBACK_SENTENCES,
    ) -> Optional[_Statement]:
        """The statement a pointing-back complement ("the accusation", "that account", "this")
        stands for, in the order described in the module docstring."""
        wide = self._earlier(cue, party, before, max(lookback, _SPECIFIC_LOOKBACK_SENTENCES))
        near = [s for s in wide if s.sentence >= self._sentence_index(cue.idx) - lookback]
        accusations = [s for s in self._earlier(cue, party, before, _ACCUSATION_LOOKBACK_SENTENCES) if s.is_accusation]
        noun_lemma = noun.lemma_.lower() if noun is not None else None
        owner_token = _owner(noun) if noun is not None else None
        owner_word = owner_token.lemma_.lower() if owner_token is not None and owner_token.pos_ == "NOUN" else None
        preferences: list[Iterable[_Statement]] = [
            (s for s in accusations if party.named_in(s.accused)),
        ]
        if owner is not None:
            preferences.append(s for s in wide if same_speaker(s.speaker, owner))
        if owner_word is not None:
            preferences.append(s for s in wide if self._spoken_by_word(s, owner_word))
        if noun_lemma in ACCUSATION_NOUNS:
            preferences.append(accusations)
        if noun is not None and (noun_lemma in FIGURE_NOUNS or noun.lower_ in FIGURE_NOUNS):
            preferences.append(s for s in near if self._states_a_number(s))
        if noun_lemma is not None:
            preferences.append(s for s in wide if self._introduced_with(s, noun_lemma))
        preferences.append(near)
        for statements in preferences:
            chosen = _nearest(list(statements))
            if chosen is not None:
                return chosen
        return None

    def _reported_in_quote(self, cue: Token, party: _Party, enclosing: Optional[QuoteCandidate]) -> Optional[_Statement]:
        """What the quoted speaker just reported someone else as saying, inside the same quote
        ("they say the guard works for the army. It is false.")."""
        if enclosing is None:
            return None
        quote = enclosing.quote.evidence
        here = self._sentence_index(cue.idx)
        inner = [
            s for s in self.statements
            if quote.start <= s.start and s.end <= cue.idx and (s.start, s.end) != (quote.start, quote.end)
            and s.sentence >= here - _FINDING_LOOKBACK_SENTENCES and s.speaker and not party.includes(s.speaker)
        ]
        return _nearest(inner)

    def _echoed_statement(self, cue: Token, party: _Party, clause: Token) -> Optional[_Statement]:
        """The earlier statement a denied clause repeats ("denied that civilians had been
        killed" after "... civilians were killed, witnesses said"): most of the clause's content
        words occur in it."""
        words = _content_lemmas(clause.subtree)
        if len(words) < 2:
            return None
        echoes = []
        for statement in self._earlier(cue, party, None, _SPECIFIC_LOOKBACK_SENTENCES):
            span = self.doc.char_span(statement.start, statement.end, alignment_mode="expand")
            if span is None or statement.end > clause.idx:
                continue
            common = words & _content_lemmas(span)
            if len(common) >= 2 and len(common) >= 0.6 * len(words):
                echoes.append(statement)
        return _nearest(echoes)

    def _statement_against(self, cue: Token, party: _Party) -> Optional[_Statement]:
        """For a plain denial: the accusation aimed at the denier, else a nearby statement that
        names the denier."""
        if not party.name:
            return None
        wide = self._earlier(cue, party, None, _SPECIFIC_LOOKBACK_SENTENCES)
        accusations = self._earlier(cue, party, None, _ACCUSATION_LOOKBACK_SENTENCES)
        accusation = _nearest([s for s in accusations if s.is_accusation and party.named_in(s.accused)])
        if accusation is not None:
            return accusation
        here = self._sentence_index(cue.idx)
        return _nearest(
            [s for s in wide if s.sentence >= here - _LOOKBACK_SENTENCES and party.named_in(self.text[s.start : s.end])]
        )

    def _states_a_number(self, statement: _Statement) -> bool:
        """Whether the statement gives a count ("the figure" points back to one)."""
        span = self.doc.char_span(statement.start, statement.end, alignment_mode="expand")
        return span is not None and any(t.like_num for t in span)

    def _spoken_by_word(self, statement: _Statement, lemma: str) -> bool:
        """Whether the statement's sentence has ``lemma`` as a subject outside the statement
        ("The Congolese army says ..." for "the army's account")."""
        sentence = self.sentences[statement.sentence]
        return any(
            t.lemma_.lower() == lemma and t.dep_ in {"nsubj", "nsubjpass"} and not (statement.start <= t.idx < statement.end)
            for t in sentence
        )

    def _introduced_with(self, statement: _Statement, lemma: str) -> bool:
        """Whether the statement's sentence names it with ``lemma`` outside the statement itself
        ("According to a report by X, ..." for "the report")."""
        sentence = self.sentences[statement.sentence]
        return any(
            t.lemma_.lower() == lemma and not (statement.start <= t.idx < statement.end) for t in sentence
        )

    def _statements(self) -> list[_Statement]:
        statements = [
            self._statement(q.quote.evidence.start, q.quote.evidence.end, q.quote.speaker)
            for q in self.quotes
            if q.quote.nested_in is None
        ]
        for verb in self.doc:
            # "X told reporters that ...": the reported clause, also when the quote finder read
            # the sentence another way
            if verb.pos_ != "VERB" or verb.lemma_.lower() not in REPORTING_VERBS or _negated(verb):
                continue
            clause = next((c for c in verb.children if c.dep_ == "ccomp" and c.i > verb.i), None)
            if clause is None:
                # "Forty prisoners were beaten, former detainees said": the clause comes first
                clause = next((c for c in verb.children if c.dep_ == "ccomp" and c.i < verb.i), None)
            subject = subject_of(verb)
            if clause is None and verb.lemma_.lower() in _NOMINAL_REPORTING_VERBS:
                clause = next((c for c in verb.children if c.dep_ == "dobj" and c.pos_ in {"NOUN", "PROPN"}), None)
            if clause is None or subject is None:
                continue
            start, end = _span_of(clause) if clause.dep_ == "ccomp" else _reported_span(verb, clause)
            overlapping = [q for q in statements if q.start <= start < q.end or start <= q.start < end]
            # reported speech inside a quote ("They say the guard works for the army. It is
            # false.") is a statement of its own, by someone other than the quoted speaker
            nested = bool(overlapping) and all(
                q.start <= start and end <= q.end and (q.start, q.end) != (start, end) for q in overlapping
            )
            if nested and subject.lower_ in {"i", "we", "you"}:
                continue
            if not overlapping or nested:
                statements.append(self._statement(start, end, self._name(subject)))
        accusations: list[_Statement] = []
        for token in self.doc:
            if token.pos_ != "VERB" or token.lemma_.lower() not in ACCUSING_VERBS:
                continue
            if any(a.start <= token.idx < a.end for a in accusations):
                continue  # "blamed X, accusing the group of ...": part of the outer accusation
            subject = subject_of(token)
            accused = _accused(token)
            skipped = set()
            if accused is not None:
                skipped = {t.i for c in accused.children if c.dep_ in {"relcl", "appos", "acl"} for t in c.subtree}
            tokens = _trim_tokens(_without_brackets([t for t in token.subtree if t.i > token.i and t.i not in skipped]))
            if subject is None or len(tokens) < 2:
                continue
            accused_text = " ".join(t.text for t in accused.subtree) if accused is not None else None
            accusations.append(
                self._statement(
                    tokens[0].idx,
                    tokens[-1].idx + len(tokens[-1]),
                    self._name(subject),
                    accused=accused_text,
                    is_accusation=token.lemma_.lower() != "claim" or accused is not None,
                )
            )
        return sorted(statements + accusations, key=lambda s: s.start)

    def _statement(
        self, start: int, end: int, speaker: Optional[str], accused: Optional[str] = None, is_accusation: bool = False
    ) -> _Statement:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        disputes = span is not None and any(
            t.pos_ == "VERB" and t.lemma_.lower() in DISPUTE_VERBS and not _negated(t) for t in span
        )
        return _Statement(start, end, speaker, self._sentence_index(start), accused, is_accusation, disputes)

    # -- lookups -----------------------------------------------------------------------------

    def _enclosing_quote(self, offset: int) -> Optional[QuoteCandidate]:
        inside = [c for c in self.quotes if c.quote.evidence.start <= offset < c.quote.evidence.end]
        return min(inside, key=lambda c: c.quote.evidence.end - c.quote.evidence.start) if inside else None

    def _name(self, token: Optional[Token]) -> Optional[str]:
        if token is None:
            return None
        speaker = self.speakers.resolve(token)
        if speaker is None:
            return None
        # an owner named with its possessive ("the junta's claim") is the junta
        return re.sub(r"\s*['’]s$", "", speaker.name) or speaker.name

    def _sentence_index(self, offset: int) -> int:
        return max(0, bisect_right(self._sentence_starts, offset) - 1)

    def _candidate(
        self,
        span: tuple[int, int],
        claimant: Optional[str],
        disputant: Optional[str],
        counter: Optional[tuple[int, int]],
        cue: Token,
    ) -> Optional[ClaimCandidate]:
        start, end = span
        while start < end and (self.text[start].isspace() or self.text[start] in "\"“”'‘’"):
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
        return ClaimCandidate(claim, cue.lower_)


@dataclass(frozen=True)
class DisputeRule:
    """A named dispute cue: where it is (``cue``) and how the claim around it is read (``read``)."""

    id: str
    cue: Callable[[_ClaimFinder, Token], bool]
    read: Callable[[_ClaimFinder, Token], Optional[ClaimCandidate]]
    doc: str
    #: the rule reads at most one claim per sentence (the first cue in it)
    once_per_sentence: bool = False
    #: when it reads nothing, later rules still look at the token (otherwise its cue decides)
    falls_through: bool = False


def _cover_up_cue(finder: _ClaimFinder, token: Token) -> bool:
    return (
        token.lemma_.lower() == "cover"
        and any(c.lower_ == "up" for c in token.children)
        and finder._enclosing_quote(token.idx) is None  # a speaker's "cover-up" is an accusation
        and finder._reporting_verb_above(token) is None
    )


#: The dispute rules, tried in this order on every token; the first whose cue is at the token
#: decides (reads a claim, or rules the token out), except a ``falls_through`` rule that reads
#: nothing. The id goes into ``DisputedClaim.rule``. To add a rule: a cue predicate over the
#: token, a reader (usually a ``_ClaimFinder`` method building a candidate with
#: ``_ClaimFinder._candidate``), a row here at its precedence, and its words in
#: lexicons/disputes.toml.
DISPUTE_RULES: tuple[DisputeRule, ...] = (
    DisputeRule("dispute.verb", lambda f, t: t.pos_ == "VERB" and t.lemma_.lower() in DISPUTE_VERBS,
                _ClaimFinder._dispute_verb,
                "a dispute verb and its complement: 'X denied carrying out the strike', 'the claim was "
                "challenged by X', '..., which X denies'"),
    DisputeRule("dispute.verb_tagged_as_noun",
                lambda f, t: t.lemma_.lower() in DISPUTE_VERBS and t.tag_ == "NNS" and t.dep_ == "ROOT",
                _ClaimFinder._misread_dispute_verb, "'X denies ...' where the tagger took 'denies' for a plural noun"),
    DisputeRule("dispute.called_false",
                lambda f, t: t.pos_ == "VERB" and t.lemma_.lower() in _VERBAL_VERBS and f._falsity_complement(t),
                _ClaimFinder._dispute_verb, "a verb of calling with a falsity word: 'X called the accusations baseless'"),
    DisputeRule("dispute.false_copula",
                lambda f, t: t.lemma_.lower() in FALSITY_WORDS and t.dep_ in {"attr", "acomp"} and t.head.lemma_ == "be",
                _ClaimFinder._false_copula, "'the claims are untrue', 'this is propaganda'"),
    DisputeRule("dispute.not_true",
                lambda f, t: t.lemma_.lower() in TRUTH_WORDS and t.dep_ in {"attr", "acomp"} and _negated(t.head) and t.head.lemma_ == "be",
                _ClaimFinder._false_copula, "'that is not true', 'this is not the case'"),
    DisputeRule("dispute.false_noun",
                lambda f, t: _is_falsity(t) and t.dep_ == "amod" and t.head.lemma_.lower() in CLAIM_NOUNS,
                _ClaimFinder._false_noun, "a falsity adjective on a claim noun: 'circulated fabricated claims that ...'"),
    DisputeRule("dispute.falsity_adverb", lambda f, t: t.lower_ in FALSITY_ADVERBS,
                lambda f, t: f._article_voice(t.head, t),
                "the article's own voice: 'falsely labeling ...', 'wrongly claimed ...'", once_per_sentence=True),
    DisputeRule("dispute.cover_up", _cover_up_cue, lambda f, t: f._article_voice(t, t),
                "the article says something was covered up (not inside a quote or a report)", once_per_sentence=True),
    DisputeRule("dispute.exaggerated",
                lambda f, t: (t.lemma_.lower() in EXAGGERATION_WORDS or t.lower_ in EXAGGERATION_WORDS) and t.pos_ in {"VERB", "ADJ"},
                _ClaimFinder._exaggerated, "a figure called too high: 'the figure was exaggerated', 'inflated the numbers'"),
    DisputeRule("dispute.appositive_verdict",
                lambda f, t: (t.lemma_.lower() in CLAIM_NOUNS or t.lower_ == "something") and _after_comma(t),
                _ClaimFinder._appositive_verdict, "'..., a claim the army denies', '..., something the military has denied'"),
    DisputeRule("dispute.flat_contradiction", lambda f, t: _negated(t) and f._main_clause(t),
                _ClaimFinder._flat_contradiction,
                "a negated main clause denying an earlier statement's own words: 'It is not dismantled.'",
                once_per_sentence=True, falls_through=True),
    DisputeRule("dispute.counter_statement", lambda f, t: t.pos_ == "VERB" and t.lemma_.lower() in _INSISTING_VERBS,
                _ClaimFinder._counter_statement,
                "a statement set against an earlier one: 'Y said instead that ...', 'Y insisted ...'"),
    DisputeRule("dispute.contrary_record",
                lambda f, t: t.pos_ == "VERB" and t.lemma_.lower() in _SHOWING_VERBS and _record_subject(t) is not None,
                _ClaimFinder._contrary_record, "'..., but satellite images show ...'"),
    DisputeRule("dispute.no_evidence", lambda f, t: t.lemma_.lower() in EVIDENCE_NOUNS and _denied_noun(t),
                _ClaimFinder._no_evidence,
                "a finding against a statement: 'there is no evidence that ...', 'claimed, without evidence, that ...'"),
    DisputeRule("dispute.the_opposite",
                lambda f, t: t.lower_ == "opposite" and t.dep_ in {"dobj", "attr"} and t.head.lemma_.lower() in _OPPOSITE_VERBS,
                _ClaimFinder._the_opposite, "'witnesses describe the opposite'"),
    DisputeRule("dispute.despite", lambda f, t: t.lower_ in {"despite", "contrary"}, _ClaimFinder._despite,
                "'despite claims that ...', 'contrary to ...'"),
)


# -- grammar helpers ---------------------------------------------------------------------------


def _span_of(token: Token) -> tuple[int, int]:
    tokens = _trim_tokens(sorted(token.subtree, key=lambda t: t.i))
    if not tokens:
        return token.idx, token.idx + len(token)
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _trim_tokens(tokens: list[Token]) -> list[Token]:
    while tokens and (
        tokens[0].is_punct
        or tokens[0].dep_ in {"mark", "cc"} and tokens[0].lower_ in {"that", "and", "but"}
        or tokens[0].dep_ == "dobj" and tokens[0].lower_ == "that" and len(tokens) > 1  # a misread "that"-clause
    ):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        tokens = tokens[:-1]
    return tokens


def _without_brackets(tokens: list[Token]) -> list[Token]:
    """Tokens in order without parenthesised asides: "the Rapid Support Forces (RSF)"."""
    kept: list[Token] = []
    depth = 0
    for token in sorted(tokens, key=lambda t: t.i):
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            kept.append(token)
    return kept


def _is_statement(token: Token) -> bool:
    """A clause, a pronoun pointing back, or a noun for something said."""
    return token.dep_ in {"ccomp", "nsubjpass"} and token.pos_ in {"VERB", "AUX"} or token.pos_ == "PRON" or (
        token.lemma_.lower() in CLAIM_NOUNS
    )


def _claim_noun(token: Token) -> Optional[Token]:
    """``token`` when it is a word for a statement; also "that account" when the tagger took
    the demonstrative for the object and the noun for a verb."""
    if token.lemma_.lower() in CLAIM_NOUNS and (
        token.pos_ in {"NOUN", "PROPN"} or any(c.lower_ in _POINTERS | {"the"} for c in token.children)
    ):
        return token
    if token.lower_ in _POINTERS and token.i + 1 < len(token.doc):
        following = token.doc[token.i + 1]
        if following.lower_.rstrip("s") in CLAIM_NOUNS or following.lemma_.lower() in CLAIM_NOUNS:
            return following
    return None


def _noun_clause(noun: Token) -> Optional[Token]:
    """"claims that X" -> X's clause head, from the parse or, when the parser attached the
    clause elsewhere ("a statement by the agency that X"), from the nearest following "that"."""
    for child in noun.children:
        if child.dep_ in {"acl", "ccomp", "relcl"} and any(g.lower_ == "that" and g.dep_ == "mark" for g in child.children):
            return child
        if child.dep_ == "ccomp":
            return child
        if child.dep_ == "relcl" and _content_clause_misread_as_relative(child):
            return child
    if any(c.lower_ in _POINTERS for c in noun.children):
        return None  # "these statements" points back; a later "that" belongs to something else
    sentence_end = noun.sent.end
    for token in noun.doc[noun.i + 1 : min(noun.i + 10, sentence_end)]:
        if token.is_punct and token.text in ".;:,":
            return None
        if token.lower_ == "that" and token.dep_ == "mark" and token.head.i > token.i:
            return token.head
    return None


def _content_clause_misread_as_relative(clause: Token) -> bool:
    """"a statement that officers had fired at smugglers", parsed as a relative clause with
    "that" as its object. A real object relative has a verb of issuing or saying ("the report
    that the agency published"); a clause with its own subject and any other verb states the
    claim's content."""
    first = clause.doc[min(t.i for t in clause.subtree)]
    has_subject = any(c.dep_ in {"nsubj", "nsubjpass"} and c.i != first.i for c in clause.children)
    return first.lower_ == "that" and has_subject and clause.lemma_.lower() not in _ISSUING_VERBS


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


def _accused(verb: Token) -> Optional[Token]:
    """Whom an accusing verb aims at: "accused X of", "blamed X for", "blamed the attack on X",
    "held X responsible"."""
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if verb.lemma_.lower() == "blame":
        on = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "on"), None)
        target = next((g for g in on.children if g.dep_ == "pobj"), None) if on is not None else None
        if target is not None:
            return target
    if verb.lemma_.lower() in {"allege", "claim"}:
        return None
    return obj


def _trailing_attribution(sentence: Span) -> Optional[Token]:
    """The speech verb of a sentence that ends ", the military source said." (the parser does
    not always make the rest of the sentence its clause)."""
    words = [t for t in sentence if not (t.is_punct or t.is_space)]
    if len(words) < 4:
        return None
    verb = words[-1]
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in SPEECH_VERBS:
        return None
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None:
        return None
    before = sentence.doc[min(t.i for t in subject.subtree) - 1]
    return verb if before.text == "," else None


#: Verbs that carry no content of their own when two statements are compared.
_LIGHT_LEMMAS = lexicon.words("disputes", "words.light_verbs")


def _content_lemmas(tokens: Iterable[Token]) -> set[str]:
    """The content words of a stretch of text, by lemma: what two statements share when one
    repeats the other."""
    return {
        t.lemma_.lower()
        for t in tokens
        if t.pos_ in {"NOUN", "PROPN", "VERB", "ADJ", "NUM"} and not t.is_stop and t.lemma_.lower() not in _LIGHT_LEMMAS
    }


def _predicate_words(root: Token) -> set[str]:
    """What a clause says of its subject: the verb, or for "was (not) dismantled" / "is false"
    the word after the copula; word and lemma, so "dismantled" meets "dismantle"."""
    heads = [root]
    if root.lemma_.lower() == "be":
        heads = [c for c in root.children if c.dep_ in {"acomp", "attr"}]
    found: set[str] = set()
    for head in heads:
        if head.lemma_.lower() in _LIGHT_LEMMAS:
            continue
        found |= {head.lower_, head.lemma_.lower()}
    return found


def _is_falsity(word: Token) -> bool:
    """A word that calls a statement false, also in a verb form ("dismissed it as fabricated")."""
    return word.lemma_.lower() in FALSITY_WORDS or word.lower_ in FALSITY_WORDS


def _is_refused_thing(noun: Token) -> bool:
    """"entry", "bail", "access": what "deny" withholds when it means refuse. Not when a verb
    hangs on it ("denied blocking aid", parsed with "blocking" as the noun's modifier)."""
    return noun.lemma_.lower() in _REFUSED_THINGS and not any(c.pos_ == "VERB" for c in noun.children)


def _after_comma(noun: Token) -> bool:
    """", a claim ..." / ", something ...": the noun opens an apposition to what went before."""
    doc = noun.doc
    if noun.i >= 1 and doc[noun.i - 1].text == "," and noun.lower_ == "something":
        return True
    return noun.i >= 2 and doc[noun.i - 1].lower_ in {"a", "an"} and doc[noun.i - 2].text == ","


def _record_subject(verb: Token) -> Optional[Token]:
    """The record a showing verb has as subject: "satellite images show", "footage shows"."""
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is not None and (subject.lemma_.lower() in RECORD_NOUNS or subject.lower_ in RECORD_NOUNS):
        return subject
    return None


def _reported_thing(noun: Token) -> Optional[Token]:
    """"reports of a cholera outbreak" -> the outbreak: what a claim noun reports, when it is
    not its owner ("the report of the commission")."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            target = next((g for g in child.children if g.dep_ == "pobj"), None)
            if target is not None and target.ent_type_ not in {"PERSON", "ORG", "GPE", "NORP"} and target.pos_ != "PRON":
                return target
    return None


def _reported_span(verb: Token, obj: Token) -> tuple[int, int]:
    """What "X reported <noun> ..." reports: the object and the verb's modifiers after it
    ("mass arrests in the capital overnight")."""
    tokens = _trim_tokens(sorted((t for t in verb.subtree if t.i >= min(o.i for o in obj.subtree)), key=lambda t: t.i))
    if not tokens:
        return _span_of(obj)
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _negated(token: Token) -> bool:
    """"did not deny", and "neither confirmed nor denied" (the "nor" verb and the "neither" one)."""
    if any(c.dep_ == "neg" or c.dep_ == "preconj" and c.lower_ == "neither" for c in token.children):
        return True
    if token.dep_ == "conj" and any(c.lower_ == "nor" for c in token.head.children):
        return True
    return False


def _denied_noun(noun: Token) -> bool:
    """"no evidence", or "any evidence" under a negated verb ("did not find any evidence")."""
    if any(c.lower_ == "no" and c.dep_ == "det" for c in noun.children):
        return True
    if noun.dep_ == "pobj" and noun.head.lower_ == "without" or noun.dep_ == "dobj" and noun.head.head.lower_ == "without":
        return True  # "claimed, without (providing) evidence, that ..."
    return any(c.lower_ == "any" for c in noun.children) and _negated(noun.head)


def _context_of(token: Token) -> str:
    """The words around a disputant that may say whom they speak for: the noun phrase with its
    apposition ("Kyaw Zaw, a spokesman for the opposition National Unity Government")."""
    phrase = noun_phrase(token)
    words = [phrase.text] if phrase is not None else [token.text]
    for child in token.children:
        if child.dep_ in {"appos", "compound"}:
            words.append(" ".join(t.text for t in child.subtree))
    return " ".join(words)


def _nearest(statements: list[_Statement]) -> Optional[_Statement]:
    """The statement in the latest sentence; within it the first one (the outermost)."""
    if not statements:
        return None
    latest = max(s.sentence for s in statements)
    return min((s for s in statements if s.sentence == latest), key=lambda s: (s.disputes, s.start, -s.end))


def _name_words(name: str) -> list[str]:
    words = [w.removesuffix("'s").removesuffix("’s") for w in _WORD_RE.findall(name)]
    return [w for w in words if w[:1].isupper() and w.lower() not in _NAME_FILLERS]


def _mentions(text: str, name: str) -> bool:
    """Whether ``text`` names ``name``: one of its name words, its initials ("RSF" for "Rapid
    Support Forces"), or the words an acronym in it stands for ("Arakan Army" for "AA")."""
    words = {w.removesuffix("'s").removesuffix("’s").lower() for w in _WORD_RE.findall(text)}
    name_words = _name_words(name)
    if not name_words:
        return False
    if any(w.lower() in words for w in name_words):
        return True
    initials = "".join(w[0] for w in name_words).lower()
    if len(initials) >= 2 and initials in words:
        return True
    acronyms = {w.lower() for w in name_words if len(w) >= 2 and w.isupper()}
    return bool(acronyms & _initialisms(text))


def _initialisms(text: str) -> set[str]:
    """Initials of each run of capitalised words: "the Arakan Army said" -> {"aa"}."""
    found: set[str] = set()
    run: list[str] = []
    for word in _WORD_RE.findall(text) + [""]:
        if word[:1].isupper() and word.lower() not in _NAME_FILLERS:
            run.append(word)
            continue
        if word.lower() in {"of", "for", "and"} and run:
            continue
        if len(run) >= 2:
            found.add("".join(w[0] for w in run).lower())
        run = []
    return found


def _same_claim(a: ClaimCandidate, b: ClaimCandidate) -> bool:
    ea, eb = a.claim.evidence, b.claim.evidence
    overlap = min(ea.end, eb.end) - max(ea.start, eb.start)
    return overlap > 0.5 * min(ea.end - ea.start, eb.end - eb.start)


__all__ = ["ClaimCandidate", "DISPUTE_RULES", "DisputeRule", "find_claims", "DISPUTE_VERBS", "FALSITY_WORDS", "FALSITY_ADVERBS"]
