"""PolNeAR (Newell, Margolin and Ruths, LREC 2018) as a real-text quote and speaker benchmark.

PolNeAR annotates every *attribution* in 1,028 US political news articles as source, cue and
content spans. Read at run time from ``../shared/datasets/polnear/{train,dev}.jsonl`` (never
copied here). The mapping onto our quotes is in ``evals/POLNEAR.md``; in short:

* an attribution is a **speech quote** when its cue is a speech or writing cue (lexicon:
  ``lexicons/polnear_cues.toml``), not belief, intention, evidence or an evaluation of a target;
* it is **direct** when at least half of its content's characters lie inside quotation marks;
* a predicted quote **matches** an attribution when the character-span F1 of our quote text
  (located in the article) and the content span is at least :data:`SPAN_MATCH_F1`; pieces of
  one content (a quote broken by its attribution) match it together (:func:`match_quotes`);
* its **speaker is right** when the attribution's source mention names someone (contains a
  proper noun, :func:`names_someone`) and our speaker is alias-equal to that mention. A pronoun
  or description source ("he", "the newspaper") is not scored for correctness: PolNeAR does not
  resolve it; the report only says how often we name a speaker for those.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence

from summarizer.evaluation.aliases import alias_equal
from summarizer.evaluation.datasets import jsonl_rows
from summarizer.evaluation.scoring import (
    Accuracy,
    ArticleScore,
    FieldDiff,
    FieldScore,
    ItemRef,
    MatchedPair,
    ScoringOptions,
    TOKEN_CLAIMS,
    optimal_pairs,
    score_article,
)
from summarizer.grounding import find_span
from summarizer.rules.marks import mostly_quoted
from summarizer.schema import Evidence, Extraction, Quote

#: Character-span F1 at or above which a predicted quote matches an attribution's content.
SPAN_MATCH_F1 = 0.5

#: Share of a prediction's span inside a content span that makes it a fragment of that content.
FRAGMENT_INSIDE = 0.8


_NO_FIELDS = ScoringOptions(fields=(), secondary=False, match_victim_group=False, claim_matcher=TOKEN_CLAIMS)
_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)?")


# --------------------------------------------------------------------------- cue lexicon


@dataclass(frozen=True)
class CueLexicon:
    """Which cue words make an attribution speech (see ``lexicons/polnear_cues.toml``)."""

    speech: frozenset[str]
    negators: frozenset[str]
    punctuation: frozenset[str]

    def is_speech(self, cue: Optional[str]) -> bool:
        """A speech or writing cue: punctuation only, or a speech word and no negator."""
        if cue is None:
            return False
        stripped = cue.strip()
        if stripped and all(not ch.isalnum() for ch in stripped):
            return any(mark in stripped for mark in self.punctuation)
        words = set(_WORD_RE.findall(stripped.lower().replace("\u2019", "'")))
        return not (words & self.negators) and bool(words & self.speech)


@lru_cache(maxsize=1)
def cue_lexicon() -> CueLexicon:
    """The packaged cue lexicon (read once)."""
    raw = tomllib.loads(resources.files("summarizer.evaluation").joinpath("lexicons/polnear_cues.toml").read_text("utf-8"))
    return CueLexicon(
        speech=frozenset(raw["speech"]), negators=frozenset(raw["negators"]), punctuation=frozenset(raw["punctuation"])
    )


# --------------------------------------------------------------------------- named sources

#: Capitalised words that do not name anyone when they start a mention: pronouns, determiners,
#: and the common nouns of unnamed sources.
_NOT_NAMES = frozenset(
    """
    i he she it we they you his her its our their my your this that these those the a an some
    many most several both all each every one two three others other another any such
    officials official sources source aides aide critics supporters experts analysts people
    residents voters democrats republicans advocates observers reports polls police
    demonstrators protesters officers investigators authorities prosecutors lawmakers witnesses
    neighbors neighbours students parents members leaders conservatives liberals economists
    researchers scientists surveys studies documents records emails insiders friends relatives
    """.split()
)

#: Capitalised words that describe an affiliation or a country, not who: "the Republican
#: nominee", "the former U.S. senator" are descriptions when these are their only capitals.
_AFFILIATIONS = frozenset(
    """
    republican republicans democratic democrat democrats gop libertarian u.s u.s. us american
    americans america federal state congressional presidential senate house
    """.split()
)
_DETERMINERS = frozenset("the a an this that these those his her its their our my your".split())


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\u00a0\"'\u201c\u2018(")
    return not before or before[-1] in ".!?\n:\u201d\"'"


def names_someone(mention: str, start: int, text: str) -> bool:
    """Does a source mention contain a proper noun? Orthographic test, no parser: a capitalised
    word that is not the mention's first word, or a first word that is capitalised mid-sentence,
    or a sentence-initial first word that is not a pronoun, determiner or common source noun and
    never occurs in lower case in the article; and a mention that starts with a determiner
    needs a capital other than an affiliation ("the Republican nominee", "the former U.S.
    senator" are descriptions). "Hillary Clinton's team", "The Post", "NYPD" name someone; "he",
    "sources", "The newspaper" do not."""
    words = list(re.finditer(r"[^\W\d_][\w'\u2019.-]*", mention))
    if words and words[0].group(0).lower() in _DETERMINERS:
        capitals = [w.group(0).rstrip(".").lower() for w in words[1:] if w.group(0)[0].isupper()]
        if all(c in _AFFILIATIONS or c.rstrip(".") in _AFFILIATIONS for c in capitals):
            return False
    for position, match in enumerate(words):
        word = match.group(0).rstrip(".").replace("\u2019", "'")
        base = re.sub(r"'s$", "", word)
        if not base or not base[0].isupper() or base.lower() in _NOT_NAMES:
            continue
        if position > 0 or not _sentence_initial(text, start + match.start()):
            return True
        if re.search(rf"(?<![\w]){re.escape(base.lower())}(?![\w])", text) is None:
            return True
    return False


# --------------------------------------------------------------------------- articles


@dataclass(frozen=True)
class Span:
    """Offsets into the article (Python string offsets) and the text between them."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class PolnearAttribution:
    """One PolNeAR attribution, with what the eval derives from it."""

    source: Optional[Span]
    cue: Optional[Span]
    content: Span
    speech: bool
    direct: bool
    named_source: bool


@dataclass(frozen=True)
class PolnearQuote:
    """A speech attribution in the shape the quote scorer and the report read."""

    text: str
    speaker: Optional[str]
    mode: str
    evidence: Evidence
    attribution: PolnearAttribution


@dataclass(frozen=True)
class PolnearArticle:
    """An article with its attributions; ``quotes`` are the speech attributions."""

    id: str
    split: str
    annotator: str
    text: str
    attributions: tuple[PolnearAttribution, ...]
    summary: str = ""
    casualties: tuple = ()
    claims: tuple = ()

    @property
    def quotes(self) -> tuple[PolnearQuote, ...]:
        return tuple(
            PolnearQuote(
                text=a.content.text,
                speaker=a.source.text if a.source else None,
                mode="direct" if a.direct else "indirect",
                evidence=Evidence(start=a.content.start, end=a.content.end, text=a.content.text),
                attribution=a,
            )
            for a in self.attributions
            if a.speech
        )

    @property
    def other_attributions(self) -> tuple[PolnearAttribution, ...]:
        """Belief, intention, evidence and evaluation attributions: not quotes."""
        return tuple(a for a in self.attributions if not a.speech)


def _span(raw: Optional[dict], text: str, where: str) -> Optional[Span]:
    if not raw:
        return None
    start, end = int(raw["start"]), int(raw["end"])
    if text[start:end] != raw["text"]:
        raise ValueError(f"{where}: offsets {start}:{end} do not slice the text to {raw['text'][:60]!r}")
    return Span(start, end, raw["text"])


def _attribution(raw: dict, text: str, where: str) -> Optional[PolnearAttribution]:
    content = _span(raw.get("content"), text, where)
    if content is None or not content.text.strip():
        return None
    source, cue = _span(raw.get("source"), text, where), _span(raw.get("cue"), text, where)
    return PolnearAttribution(
        source=source,
        cue=cue,
        content=content,
        speech=cue_lexicon().is_speech(cue.text if cue else None),
        direct=mostly_quoted(content.text),  # read in the content alone, as annotated
        named_source=bool(source and names_someone(source.text, source.start, text)),
    )


def load_polnear(path: Path | str) -> list[PolnearArticle]:
    """Every article of a PolNeAR JSONL file (``train.jsonl`` or ``dev.jsonl``), in file order.

    Raises FileNotFoundError when the file is absent and ValueError when a span does not slice
    its article (a corrupt file must not be scored silently).
    """
    articles = []
    for line, raw in jsonl_rows(Path(path)):
        text = raw["text"]
        where = f"{line} ({raw.get('id')})"
        attributions = tuple(
            a for a in (_attribution(r, text, where) for r in raw.get("attributions", [])) if a is not None
        )
        articles.append(
            PolnearArticle(
                id=str(raw["id"]), split=str(raw.get("split", "")), annotator=str(raw.get("annotator", "")),
                text=text, attributions=attributions,
            )
        )
    return articles


# --------------------------------------------------------------------------- scoring


def quote_span(quote: Quote, article: str) -> Optional[tuple[int, int]]:
    """Where a predicted quote's text sits in the article (nearest its evidence)."""
    return find_span(quote.text, article, near=quote.evidence.start)


def span_f1(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Character-span F1 (Dice) of two half-open spans."""
    overlap = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    total = (a[1] - a[0]) + (b[1] - b[0])
    return 2 * overlap / total if total else 0.0


def _label_gold(quote: PolnearQuote) -> str:
    text = " ".join(quote.text.split())
    return f"{quote.speaker or '?'}: {text[:69] + '…' if len(text) > 70 else text}"


def _label_predicted(quote: Quote) -> str:
    text = " ".join(quote.text.split())
    return f"{quote.speaker or '?'}: {text[:69] + '…' if len(text) > 70 else text}"


def _covered(span: tuple[int, int], parts: Sequence[tuple[int, int]]) -> int:
    """Characters of ``span`` covered by the union of ``parts``."""
    clipped = sorted((max(a, span[0]), min(b, span[1])) for a, b in parts if min(b, span[1]) > max(a, span[0]))
    total, reach = 0, span[0]
    for a, b in clipped:
        a = max(a, reach)
        if b > a:
            total += b - a
            reach = b
    return total


def match_quotes(
    gold: Sequence[PolnearQuote], predicted: Sequence[Quote], article: str
) -> list[tuple[int, list[int]]]:
    """Gold index -> the predicted quotes that match it, longest first.

    PolNeAR's content spans a quote broken by its attribution ("A," he said. "B.") and the
    sentences that continue it; our quotes are the pieces. So a prediction lying at least
    :data:`FRAGMENT_INSIDE` inside a content span (the tightest such span) is a *fragment* of
    it; a content matches the union of its fragments when their span F1 is at least
    :data:`SPAN_MATCH_F1`. Contents and predictions left over are matched one to one on span
    F1 (optimal assignment) with the same threshold."""
    spans = [quote_span(q, article) for q in predicted]
    contents = [(g.evidence.start, g.evidence.end) for g in gold]
    fragments: dict[int, list[int]] = {}
    for j, span in enumerate(spans):
        if span is None or span[1] <= span[0]:
            continue
        inside = [i for i, c in enumerate(contents) if _covered(span, [c]) >= FRAGMENT_INSIDE * (span[1] - span[0])]
        if inside:
            tightest = min(inside, key=lambda i: (contents[i][1] - contents[i][0], i))
            fragments.setdefault(tightest, []).append(j)
    matches: dict[int, list[int]] = {}
    for i, members in fragments.items():
        covered = _covered(contents[i], [spans[j] for j in members])  # type: ignore[misc]
        length = sum(spans[j][1] - spans[j][0] for j in members)  # type: ignore[index]
        if 2 * covered / ((contents[i][1] - contents[i][0]) + length) >= SPAN_MATCH_F1:
            matches[i] = sorted(members, key=lambda j: spans[j][0] - spans[j][1])  # type: ignore[index]
    used = {j for members in matches.values() for j in members}
    rest_gold = [i for i in range(len(gold)) if i not in matches]
    rest_predicted = [j for j in range(len(predicted)) if j not in used and spans[j] is not None]

    def cost(i: int, j: int) -> Optional[float]:
        f1 = span_f1(contents[i], spans[j])  # type: ignore[arg-type]
        return 1 - f1 if f1 >= SPAN_MATCH_F1 else None

    for a, b in optimal_pairs(rest_gold, rest_predicted, cost):
        matches[rest_gold[a]] = [rest_predicted[b]]
    return sorted(matches.items())


def score_polnear(article: PolnearArticle, predicted: Extraction) -> ArticleScore:
    """Quotes only: P/R/F1 against the speech attributions, and secondary measures:

    ``quotes.direct_recall`` / ``quotes.indirect_recall`` (gold quotes of that mode matched),
    ``quotes.speaker_named`` (matched pairs whose source names someone: speaker alias-equal),
    ``quotes.speaker_given_unnamed`` (matched pairs with a pronoun/description source: we name
    a speaker at all; coverage, not correctness), ``quotes.mode`` (matched pairs, same mode),
    ``quotes.fp_on_nonspeech`` (false positives that match a belief/intention/evidence
    attribution instead)."""
    result = score_article(article, predicted, article.text, options=_NO_FIELDS, article_id=article.id)  # type: ignore[arg-type]
    gold = article.quotes
    quotes = list(predicted.quotes)
    matches = match_quotes(gold, quotes, article.text)
    used = {j for _, members in matches for j in members}
    result.fields["quotes"] = FieldScore(tp=len(matches), fp=len(quotes) - len(used), fn=len(gold) - len(matches))
    measures = {name: Accuracy() for name in (
        "quotes.direct_recall", "quotes.indirect_recall", "quotes.speaker_named",
        "quotes.speaker_given_unnamed", "quotes.mode", "quotes.fp_on_nonspeech",
    )}
    matched_gold = dict(matches)
    for i, g in enumerate(gold):
        recall = measures["quotes.direct_recall" if g.mode == "direct" else "quotes.indirect_recall"]
        recall.total += 1
        recall.right += int(i in matched_gold)
    diff = FieldDiff()
    for g_index, members in matches:
        g, p = gold[g_index], quotes[members[0]]  # the longest fragment speaks for the group
        mismatches = []
        if g.attribution.named_source:
            measures["quotes.speaker_named"].total += 1
            if alias_equal(g.speaker, p.speaker):
                measures["quotes.speaker_named"].right += 1
            else:
                mismatches.append(f"speaker: gold source {g.speaker!r}, predicted {p.speaker!r}")
        elif g.attribution.source is not None:
            measures["quotes.speaker_given_unnamed"].total += 1
            measures["quotes.speaker_given_unnamed"].right += int(p.speaker is not None)
        measures["quotes.mode"].total += 1
        if g.mode == p.mode:
            measures["quotes.mode"].right += 1
        else:
            mismatches.append(f"mode: gold {g.mode}, predicted {p.mode}")
        diff.matched.append(MatchedPair(gold=g_index, predicted=members[0], mismatches=mismatches))
        diff.matched += [MatchedPair(gold=g_index, predicted=j, mismatches=["fragment"]) for j in members[1:]]
    extra = [j for j in range(len(quotes)) if j not in used]
    others = article.other_attributions
    for j in extra:
        span = quote_span(quotes[j], article.text)
        measures["quotes.fp_on_nonspeech"].total += 1
        if span and any(span_f1((a.content.start, a.content.end), span) >= SPAN_MATCH_F1 for a in others):
            measures["quotes.fp_on_nonspeech"].right += 1
    diff.missed = [ItemRef(index=i, label=_label_gold(g)) for i, g in enumerate(gold) if i not in matched_gold]
    diff.extra = [ItemRef(index=j, label=_label_predicted(quotes[j])) for j in extra]
    result.diffs["quotes"] = diff
    result.secondary.update(measures)
    return result


@dataclass(frozen=True)
class PolnearStatistics:
    """What the benchmark can measure: counts by the eval's mapping."""

    articles: int
    attributions: int
    speech: int
    direct: int
    named_sources: int
    no_source: int


def statistics(articles: Sequence[PolnearArticle]) -> PolnearStatistics:
    attributions = [a for article in articles for a in article.attributions]
    speech = [a for a in attributions if a.speech]
    return PolnearStatistics(
        articles=len(articles), attributions=len(attributions), speech=len(speech),
        direct=sum(a.direct for a in speech), named_sources=sum(a.named_source for a in speech),
        no_source=sum(a.source is None for a in speech),
    )
