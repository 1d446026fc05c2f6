"""A scripted OpenAI-compatible server that plays a perfect model from gold labels (the oracle),
and, with a :class:`FaultPlan`, a faulty one that makes the errors real models make.

No capable model can be reached here, so the design is proven by simulation: the oracle answers
every question any strategy asks (naive's whole schema, review's verdicts and missed items, the
hybrid's speaker, casualty-check, summary and additions questions) from the labels of the article it
is shown, over real HTTP, as a tool call (what instructor's TOOLS mode expects). With the oracle,
whatever a strategy loses against the gold set is the pipeline losing a perfect model's answers
(prompt, schema, grounding, merging). With faults, the benchmark counts how many wrong answers reach
the output (``benchmarks/bench_oracle.py``).

The oracle recognises the article by the fenced text in the request (a window of it for the
hybrid's narrow questions) and reads the rest of the request as a model would: the tool's name says
which question, the numbered candidates are parsed from the ``<candidates>`` block. It is a test and
benchmark double, labelled as such everywhere it is used; it never runs in the product.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import Any, Optional, Sequence

from summarizer.backend.settings import ModelSettings
from summarizer.evaluation.aliases import alias_equal
from summarizer.evaluation.loopback import LoopbackJSONServer
from summarizer.evaluation.scoring import (
    ScoringOptions,
    _casualty_cost,
    _claim_cost,
    _quote_cost,
    optimal_pairs,
    quote_overlap,
)
from summarizer.figures import parse_figure
from summarizer.grounding import find_span, normalise
from summarizer.prompting import fence_article

#: Characters per token for the usage the oracle reports (no tokenizer is available offline;
#: English prose and JSON average about 4 characters per token with OpenAI's tokenizers).
CHARS_PER_TOKEN = 4


@dataclass
class LabelledArticle:
    """What the oracle knows about one article: its text and the answers (gold labels).

    ``injected`` holds instruction passages (injection cases), which the faulty model may copy.
    """

    id: str
    text: str
    summary: str = ""
    casualties: list = field(default_factory=list)
    quotes: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    injected: list[str] = field(default_factory=list)


def _inner(text: str) -> str:
    fenced = fence_article(text)
    return fenced[len("<article>\n"): -len("\n</article>")]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --------------------------------------------------------------------------- answers from labels


def _none_if(value: Any) -> Any:
    return value if value not in ("",) else None


def draft_casualty(item: Any, subset: Optional[Any] = None) -> dict[str, Any]:
    return {
        "outcome": item.outcome, "figure": item.figure.text, "victim_group": item.victim_group,
        "location": item.location, "time_scope": item.time_scope, "period": item.period, "source": item.source,
        "perpetrator": item.perpetrator, "subset_of": subset, "evidence_text": item.evidence.text,
    }


def draft_quote(item: Any) -> dict[str, Any]:
    return {"text": item.text, "speaker": item.speaker, "speaker_role": getattr(item, "speaker_role", None),
            "mode": item.mode}


def draft_claim(item: Any) -> dict[str, Any]:
    return {"claim": item.claim, "claimant": item.claimant, "disputant": item.disputant,
            "counter_claim": item.counter_claim, "evidence_text": item.evidence.text}


def naive_answer(article: LabelledArticle) -> dict[str, Any]:
    """``DraftExtraction``: every label, evidence verbatim."""
    return {
        "summary": article.summary,
        "casualties": [draft_casualty(c, c.subset_of) for c in article.casualties],
        "quotes": [draft_quote(q) for q in article.quotes],
        "claims": [draft_claim(k) for k in article.claims],
    }


_CANDIDATE_LINE = re.compile(r"^([CQK])(\d+) (\{.*\})\s*$", re.MULTILINE)


def parse_candidates(user_text: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The numbered candidates of a review request, by kind letter: ``{"C": [("C1", {...}), ...]}``."""
    block = user_text.split("<candidates>", 1)[-1].split("</candidates>", 1)[0]
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {"C": [], "Q": [], "K": []}
    for letter, number, payload in _CANDIDATE_LINE.findall(block):
        found[letter].append((f"{letter}{number}", json.loads(payload)))
    return found


def _spans_overlap(a: Optional[tuple[int, int]], b: Optional[tuple[int, int]]) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _pair(gold: Sequence, candidates: Sequence, cost, text: str, gold_span, candidate_span) -> list[tuple[int, int]]:
    """The scorer's one-to-one match, then unmatched candidates whose evidence overlaps an
    unmatched gold item's (the oracle corrects those rather than dropping and re-adding them)."""
    pairs = optimal_pairs(list(gold), list(candidates), cost)
    used_gold, used_candidates = {g for g, _ in pairs}, {c for _, c in pairs}
    for c, candidate in enumerate(candidates):
        if c in used_candidates:
            continue
        for g, item in enumerate(gold):
            if g not in used_gold and _spans_overlap(gold_span(item), candidate_span(candidate)):
                pairs.append((g, c))
                used_gold.add(g)
                used_candidates.add(c)
                break
    return pairs


def _correction(gold_value: Any, candidate_value: Any) -> Any:
    """A verdict field: null when the candidate is right, "" to clear, else the right value."""
    if gold_value == candidate_value or (gold_value is None and candidate_value in (None, "")):
        return None
    return "" if gold_value is None else gold_value


def review_answer(article: LabelledArticle, user_text: str) -> dict[str, Any]:
    """``ReviewAnswer``: each candidate kept and corrected to its gold item, or dropped; the rest missed."""
    text = article.text
    options = ScoringOptions()
    candidates = parse_candidates(user_text)

    # casualties
    raw = candidates["C"]
    views = []
    for ident, values in raw:
        figure = parse_figure(values.get("figure") or "")
        span = find_span(values.get("evidence") or "", text)
        views.append(SimpleNamespace(id=ident, values=values, outcome=values.get("outcome"), figure=figure,
                                     victim_group=values.get("victim_group"), span=span,
                                     evidence=SimpleNamespace(start=span[0], end=span[1]) if span else None))
    usable = [v for v in views if v.figure is not None]
    base_cost = _casualty_cost(options, len(text))
    pairs = _pair(article.casualties, usable, lambda g, p: base_cost(g, p), text,
                  lambda g: (g.evidence.start, g.evidence.end), lambda p: p.span)
    gold_to_id: dict[int, str] = {g: usable[c].id for g, c in pairs}
    missed = [g for g in range(len(article.casualties)) if g not in gold_to_id]
    for k, g in enumerate(missed, 1):
        gold_to_id[g] = f"M{k}"
    verdicts = []
    paired = {usable[c].id: g for g, c in pairs}
    for view in views:
        if view.id not in paired:
            verdicts.append({"id": view.id, "keep": False, **{k: None for k in (
                "outcome", "figure", "victim_group", "location", "time_scope", "period", "source", "perpetrator",
                "subset_of", "evidence_text")}})
            continue
        gold = article.casualties[paired[view.id]]
        values = view.values
        parent = gold_to_id.get(gold.subset_of) if gold.subset_of is not None else None
        same_figure = view.figure.text == gold.figure.text and view.figure.interval() == gold.figure.interval()
        verdicts.append({
            "id": view.id, "keep": True,
            "outcome": _correction(gold.outcome, values.get("outcome")),
            "figure": None if same_figure else gold.figure.text,
            "victim_group": _correction(gold.victim_group, values.get("victim_group")),
            "location": _correction(gold.location, values.get("location")),
            "time_scope": _correction(gold.time_scope, values.get("time_scope")),
            "period": _correction(gold.period, values.get("period")),
            "source": _correction(gold.source, values.get("source")),
            "perpetrator": _correction(gold.perpetrator, values.get("perpetrator")),
            "subset_of": _correction(parent, values.get("subset_of")),
            "evidence_text": None if view.span == (gold.evidence.start, gold.evidence.end) else gold.evidence.text,
        })
    missed_casualties = [draft_casualty(article.casualties[g], gold_to_id.get(article.casualties[g].subset_of)
                                        if article.casualties[g].subset_of is not None else None) for g in missed]

    # quotes
    raw_q = candidates["Q"]
    quote_views = []
    for ident, values in raw_q:
        span = find_span(values.get("text") or "", text)
        quote_views.append(SimpleNamespace(id=ident, values=values, text=values.get("text") or "", span=span,
                                           evidence=SimpleNamespace(start=span[0], end=span[1]) if span else None))
    pairs_q = _pair(article.quotes, quote_views, _quote_cost(len(text)), text,
                    lambda g: (g.evidence.start, g.evidence.end), lambda p: p.span)
    paired_q = {quote_views[c].id: g for g, c in pairs_q}
    quote_verdicts = []
    for view in quote_views:
        if view.id not in paired_q:
            quote_verdicts.append({"id": view.id, "keep": False, "text": None, "speaker": None, "speaker_role": None, "mode": None})
            continue
        gold = article.quotes[paired_q[view.id]]
        values = view.values
        quote_verdicts.append({
            "id": view.id, "keep": True,
            "text": None if normalise(gold.text) == normalise(view.text) else gold.text,
            "speaker": _correction(gold.speaker, values.get("speaker")),
            "speaker_role": _correction(getattr(gold, "speaker_role", None), values.get("speaker_role")),
            "mode": _correction(gold.mode, values.get("mode")),
        })
    matched_q = set(paired_q.values())
    missed_quotes = [draft_quote(q) for g, q in enumerate(article.quotes) if g not in matched_q]

    # claims: the claimant is part of the match, so a candidate with the wrong claimant is paired
    # by overlapping evidence and corrected
    raw_k = candidates["K"]
    claim_views = []
    for ident, values in raw_k:
        span = find_span(values.get("evidence") or "", text)
        claim_views.append(SimpleNamespace(id=ident, values=values, claim=values.get("claim") or "",
                                           claimant=values.get("claimant"), span=span))
    pairs_k = _pair(article.claims, claim_views, _claim_cost(options.claim_matcher), text,
                    lambda g: (g.evidence.start, g.evidence.end), lambda p: p.span)
    paired_k = {claim_views[c].id: g for g, c in pairs_k}
    claim_verdicts = []
    for view in claim_views:
        if view.id not in paired_k:
            claim_verdicts.append({"id": view.id, "keep": False, "claim": None, "claimant": None, "disputant": None,
                                   "counter_claim": None, "evidence_text": None})
            continue
        gold = article.claims[paired_k[view.id]]
        values = view.values
        claim_verdicts.append({
            "id": view.id, "keep": True,
            "claim": None if gold.claim == view.claim else gold.claim,
            "claimant": _correction(gold.claimant, values.get("claimant")),
            "disputant": _correction(gold.disputant, values.get("disputant")),
            "counter_claim": _correction(gold.counter_claim, values.get("counter_claim")),
            "evidence_text": None if view.span == (gold.evidence.start, gold.evidence.end) else gold.evidence.text,
        })
    matched_k = set(paired_k.values())
    missed_claims = [draft_claim(k) for g, k in enumerate(article.claims) if g not in matched_k]

    return {
        "casualties": verdicts, "quotes": quote_verdicts, "claims": claim_verdicts,
        "missed_casualties": missed_casualties, "missed_quotes": missed_quotes, "missed_claims": missed_claims,
        "summary": article.summary,
    }


def speaker_answer(article: LabelledArticle, user_text: str, choices: list[str]) -> dict[str, Any]:
    """``SpeakerChoice``: the gold speaker of the quote shown, if it is one of the options."""
    quoted = re.search(r'Quoted words: "(.*)"\nOptions:', user_text, re.DOTALL)
    words = quoted.group(1) if quoted else ""
    best = max(article.quotes, key=lambda q: quote_overlap(q.text, words), default=None)
    if best is not None and quote_overlap(best.text, words) >= 0.5:
        for choice in choices:
            if alias_equal(choice, best.speaker):
                return {"speaker": choice}
    return {"speaker": choices[-1] if choices else "none of these"}


def casualty_check_answer(article: LabelledArticle, user_text: str) -> dict[str, Any]:
    """``CasualtyCheck``: true when a gold report states this number in this sentence."""
    number = re.search(r"Number: (.*)\n", user_text)
    sentence = re.search(r"Sentence: (.*)", user_text, re.DOTALL)
    span = find_span(sentence.group(1).strip(), article.text) if sentence else None
    figure = parse_figure(number.group(1)) if number else None
    for gold in article.casualties:
        if _spans_overlap(span, (gold.evidence.start, gold.evidence.end)) and figure is not None \
                and gold.figure.interval() == figure.interval():
            return {"is_casualty_report": True}
    return {"is_casualty_report": False}


def additions_answer(article: LabelledArticle) -> dict[str, Any]:
    """``DraftAdditions``: every gold quote and claim (the hybrid keeps those not found yet)."""
    return {"quotes": [draft_quote(q) for q in article.quotes], "claims": [draft_claim(k) for k in article.claims]}


# --------------------------------------------------------------------------- faults


#: The errors the faulty model makes, in the order a benchmark reports them.
FAULT_KINDS = (
    "invented_quote", "paraphrased_quote", "wrong_speaker", "wrong_figure", "invented_casualty",
    "injected_item", "truncated_json", "schema_invalid_json", "timeout",
)
#: Faults that change the items of an answer (the others break the whole response).
ITEM_FAULTS = FAULT_KINDS[:6]

INVENTED_QUOTE = "We will fight on until the last of them has been driven out of our land"
INVENTED_CASUALTY_EVIDENCE = "killed 4,321 people in a second strike that night"
INVENTED_FIGURE = 4321


@dataclass
class FaultPlan:
    """Which faults the model makes, how often (per answer, 0-1) and from which seed.

    The draw for a request depends only on the seed, the article and how many requests about
    that article came before, so a run is reproducible whatever the thread timing.
    """

    rates: dict[str, float]
    seed: int = 0
    hang_s: float = 3.0

    def draws(self, article_id: str, request_number: int) -> list[str]:
        rng = random.Random(f"{self.seed}:{article_id}:{request_number}")
        return [kind for kind in FAULT_KINDS if rng.random() < self.rates.get(kind, 0.0)]


@dataclass
class InjectedFault:
    """One fault the server put into an answer, with what would show it reached a record."""

    kind: str
    article_id: str
    question: str
    detail: dict[str, Any] = field(default_factory=dict)


_PARAPHRASE = {"said": "stated", "we": "our people", "the": "this", "is": "remains", "are": "remain",
               "was": "had been", "will": "are going to", "not": "never", "people": "residents"}


def paraphrase(text: str) -> str:
    """The same statement in other words: what a model writes when it does not copy."""
    words = text.split()
    changed = [_PARAPHRASE.get(w.lower(), w) for w in words]
    if changed == words:  # nothing to swap: a hedge inside the words, never a verbatim piece of them
        changed = words[:1] + ["reportedly"] + words[1:]
    return " ".join(changed)


def _rounded(figure_text: str, low: Optional[int]) -> str:
    value = low or 1
    bigger = value * 2 + 7 if value < 10 else int(round(value * 1.3, -1)) + 10
    return f"about {bigger}"


class _Corrupter:
    """Applies the item faults to an answer of a given question, logging each one."""

    def __init__(self, article: LabelledArticle, question: str, log: list[InjectedFault], user_text: str = "") -> None:
        self.article, self.question, self.log, self.user_text = article, question, log, user_text

    def _note(self, kind: str, **detail: Any) -> None:
        self.log.append(InjectedFault(kind, self.article.id, self.question, detail))

    def _quote_lists(self, answer: dict[str, Any]) -> list[list[dict[str, Any]]]:
        return [answer[k] for k in ("quotes", "missed_quotes") if isinstance(answer.get(k), list)
                and (k == "missed_quotes" or self.question != "ReviewAnswer")]

    def _candidate_text(self, ident: str) -> Optional[str]:
        candidates = parse_candidates(self.user_text).get("Q", [])
        return next((values.get("text") for i, values in candidates if i == ident), None)

    def apply(self, kind: str, answer: dict[str, Any], rng: random.Random) -> None:
        getattr(self, kind)(answer, rng)

    def invented_quote(self, answer: dict[str, Any], rng: random.Random) -> None:
        lists = self._quote_lists(answer)
        if not lists:
            return
        speaker = next((q.speaker for q in self.article.quotes if q.speaker), None)
        lists[0].append({"text": INVENTED_QUOTE, "speaker": speaker, "speaker_role": None, "mode": "direct"})
        self._note("invented_quote", text=INVENTED_QUOTE)

    def paraphrased_quote(self, answer: dict[str, Any], rng: random.Random) -> None:
        for quotes in self._quote_lists(answer):
            if quotes:
                quote = rng.choice(quotes)
                quote["text"] = paraphrase(quote["text"])
                self._note("paraphrased_quote", text=quote["text"])
                return
        if self.question == "ReviewAnswer":  # or on a kept candidate's words
            kept = [v for v in answer.get("quotes", []) if v.get("keep")]
            if kept:
                verdict = rng.choice(kept)
                original = next((q.text for q in self.article.quotes if verdict.get("text") in (None, q.text)), None)
                if original:
                    verdict["text"] = paraphrase(original)
                    self._note("paraphrased_quote", text=verdict["text"])

    def wrong_speaker(self, answer: dict[str, Any], rng: random.Random) -> None:
        speakers = sorted({q.speaker for q in self.article.quotes if q.speaker})
        for quotes in self._quote_lists(answer):
            for quote in quotes:
                others = [s for s in speakers if not alias_equal(s, quote.get("speaker"))]
                if others and find_span(quote["text"], self.article.text) is not None:
                    quote["speaker"] = rng.choice(others)
                    self._note("wrong_speaker", text=quote["text"], speaker=quote["speaker"])
                    return
        if self.question == "ReviewAnswer":  # or "correct" a kept candidate's speaker to another person
            for verdict in answer.get("quotes", []):
                gold = next((q for q in self.article.quotes if verdict.get("text") and q.text == verdict["text"]), None)
                if not verdict.get("keep"):
                    continue
                words = verdict.get("text") or (gold.text if gold else None)
                current = verdict.get("speaker")
                others = [s for s in speakers if not alias_equal(s, current)]
                if others and words is None:
                    words = self._candidate_text(verdict["id"])
                if others and words:
                    verdict["speaker"] = rng.choice(others)
                    self._note("wrong_speaker", text=words, speaker=verdict["speaker"])
                    return

    def wrong_figure(self, answer: dict[str, Any], rng: random.Random) -> None:
        for key in ("casualties", "missed_casualties"):
            items = answer.get(key)
            if not isinstance(items, list) or (key == "casualties" and self.question == "ReviewAnswer"):
                continue
            for item in items:
                figure = parse_figure(item.get("figure") or "")
                if figure is not None and figure.low:
                    item["figure"] = _rounded(item["figure"], figure.low)
                    self._note("wrong_figure", evidence=item.get("evidence_text"), figure=item["figure"],
                               value=parse_figure(item["figure"]).low if parse_figure(item["figure"]) else None)
                    return
        if self.question == "ReviewAnswer":
            for verdict in answer.get("casualties", []):
                if verdict.get("keep"):
                    gold = self.article.casualties[0] if self.article.casualties else None
                    if gold is None:
                        return
                    verdict["figure"] = _rounded(gold.figure.text, gold.figure.low)
                    self._note("wrong_figure", candidate=verdict["id"], figure=verdict["figure"],
                               value=parse_figure(verdict["figure"]).low)
                    return

    def invented_casualty(self, answer: dict[str, Any], rng: random.Random) -> None:
        key = "missed_casualties" if self.question == "ReviewAnswer" else "casualties"
        if not isinstance(answer.get(key), list):
            return
        answer[key].append({"outcome": "killed", "figure": "4,321", "victim_group": "civilians", "location": None,
                            "time_scope": "incident", "period": None, "source": None, "perpetrator": None,
                            "subset_of": None, "evidence_text": INVENTED_CASUALTY_EVIDENCE})
        self._note("invented_casualty", value=INVENTED_FIGURE)

    def injected_item(self, answer: dict[str, Any], rng: random.Random) -> None:
        if not self.article.injected:
            return
        passage = self.article.injected[0]
        quoted = re.search(r"[\"\u201c]([^\"\u201d]{12,})[\"\u201d]", passage)
        words = quoted.group(1) if quoted else passage
        lists = self._quote_lists(answer)
        if lists:
            lists[0].append({"text": words, "speaker": None, "speaker_role": None, "mode": "direct"})
        key = "missed_claims" if self.question == "ReviewAnswer" else "claims"
        if isinstance(answer.get(key), list):
            answer[key].append({"claim": words, "claimant": None, "disputant": "the article", "counter_claim": None,
                                "evidence_text": passage})
        number = re.search(r"\b\d[\d,]*\b", passage)
        ckey = "missed_casualties" if self.question == "ReviewAnswer" else "casualties"
        if number and isinstance(answer.get(ckey), list):
            answer[ckey].append({"outcome": "killed", "figure": number.group(0), "victim_group": "people",
                                 "location": None, "time_scope": "unspecified", "period": None, "source": None,
                                 "perpetrator": None, "subset_of": None, "evidence_text": passage})
        self._note("injected_item", passage=passage)


# --------------------------------------------------------------------------- the server


@dataclass
class SeenRequest:
    question: str
    article_id: Optional[str]
    prompt_chars: int
    completion_chars: int
    faults: list[str]


class OracleServer(LoopbackJSONServer):
    """A scripted OpenAI-compatible chat server on 127.0.0.1 answering from ``articles``' labels.

    Use as a context manager; ``base_url`` is the ``/v1`` URL. ``faults`` makes it a faulty model;
    ``injected`` lists every fault it put into an answer and ``requests`` every request served.
    """

    def __init__(self, articles: Sequence[LabelledArticle], faults: Optional[FaultPlan] = None, port: int = 0) -> None:
        self.articles = list(articles)
        self.faults = faults
        self.by_digest = {_digest(_inner(a.text)): a for a in self.articles}
        self.injected: list[InjectedFault] = []
        self.requests: list[SeenRequest] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        super().__init__(port)

    def settings(self, **overrides: Any) -> ModelSettings:
        """Client settings that talk to this server: its URL, the model name it answers as, and a
        10 s timeout (it answers at once; a timeout fault hangs longer); ``overrides`` win."""
        values: dict[str, Any] = {"base_url": self.base_url, "model": "oracle", "timeout_s": 10.0, **overrides}
        return ModelSettings(**values)

    def handle_post(self, request: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        try:
            status, payload, hang = self._respond(body)
        except Exception as exc:  # noqa: BLE001 - a bug in the double is an HTTP 500 the test sees
            status, payload, hang = 500, {"error": {"message": f"oracle: {type(exc).__name__}: {exc}"}}, 0.0
        if hang:
            time.sleep(hang)
        try:
            self.send_json(request, status, payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout fault)
            pass

    # -- reading the request --------------------------------------------------------------------
    def find_article(self, user_text: str) -> Optional[LabelledArticle]:
        """The article whose text is fenced in the request (whole, or a window of it)."""
        match = re.search(r"<article>\n(.*)\n</article>", user_text, re.DOTALL)
        if match is None:
            return None
        shown = match.group(1)
        article = self.by_digest.get(_digest(shown))
        if article is None:  # a window around one quote or figure
            article = next((a for a in self.articles if shown in _inner(a.text)), None)
        return article

    def _respond(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        messages = body.get("messages", [])
        user_text = "\n".join(str(m.get("content")) for m in messages if m.get("role") == "user")
        # the first user turn holds the article and question; later ones are re-asks
        first_user = next((str(m.get("content")) for m in messages if m.get("role") == "user"), "")
        name = ((body.get("tool_choice") or {}).get("function") or {}).get("name", "")
        article = self.find_article(first_user)
        prompt_chars = sum(len(str(m.get("content") or "")) for m in messages) + len(json.dumps(body.get("tools", [])))
        if article is None:
            return 400, {"error": {"message": "oracle: no known article in the request", "type": "invalid_request_error"}}, 0.0
        answer = self._answer(name, article, first_user, body)
        faults: list[str] = []
        hang = 0.0
        arguments = None
        if self.faults is not None:
            with self._lock:
                number = self._counts.get(article.id, 0)
                self._counts[article.id] = number + 1
            drawn = self.faults.draws(article.id, number)
            rng = random.Random(f"{self.faults.seed}:{article.id}:{number}:items")
            corrupter = _Corrupter(article, name, self.injected, first_user)
            before = len(self.injected)
            for kind in drawn:
                if kind in ITEM_FAULTS:
                    corrupter.apply(kind, answer, rng)
            faults = [f.kind for f in self.injected[before:]]
            arguments = json.dumps(answer)
            if "schema_invalid_json" in drawn:
                arguments = json.dumps(_schema_invalid(answer))
                self.injected.append(InjectedFault("schema_invalid_json", article.id, name))
                faults.append("schema_invalid_json")
            if "truncated_json" in drawn:
                arguments = arguments[: max(1, len(arguments) // 2)]
                self.injected.append(InjectedFault("truncated_json", article.id, name))
                faults.append("truncated_json")
            if "timeout" in drawn:
                hang = self.faults.hang_s
                self.injected.append(InjectedFault("timeout", article.id, name))
                faults.append("timeout")
        if arguments is None:
            arguments = json.dumps(answer)
        with self._lock:
            self.requests.append(SeenRequest(name, article.id, prompt_chars, len(arguments), faults))
        return 200, tool_completion(name, arguments, prompt_chars, len(arguments)), hang

    def _answer(self, name: str, article: LabelledArticle, user_text: str, body: dict[str, Any]) -> dict[str, Any]:
        if name == "DraftExtraction":
            return naive_answer(article)
        if name == "ReviewAnswer":
            return review_answer(article, user_text)
        if name == "DraftAdditions":
            return additions_answer(article)
        if name == "SummaryAnswer":
            return {"summary": article.summary}
        if name == "CasualtyCheck":
            return casualty_check_answer(article, user_text)
        if name == "SpeakerChoice":
            schema = body["tools"][0]["function"]["parameters"]
            prop = schema["properties"]["speaker"]
            choices = prop.get("enum") or [v.get("const") for v in prop.get("anyOf", [])]
            return speaker_answer(article, user_text, list(choices))
        raise ValueError(f"oracle: unknown question {name!r}")


def _schema_invalid(answer: dict[str, Any]) -> dict[str, Any]:
    """Well-formed JSON that breaks the requested schema: a list given as a string, a bad enum."""
    broken = dict(answer)
    for key, value in broken.items():
        if isinstance(value, list):
            broken[key] = "see the article"
            break
    else:
        broken["unexpected"] = True
        for key, value in broken.items():
            if isinstance(value, (str, bool)):
                broken[key] = {"value": value}
                break
    return broken


def tool_completion(name: str, arguments: str, prompt_chars: int, completion_chars: int) -> dict[str, Any]:
    """A chat completion whose one tool call carries ``arguments`` (a JSON string, maybe broken)."""
    prompt_tokens = max(1, prompt_chars // CHARS_PER_TOKEN)
    completion_tokens = max(1, completion_chars // CHARS_PER_TOKEN)
    return {
        "id": "chatcmpl-oracle", "object": "chat.completion", "created": 0, "model": "oracle",
        "choices": [{
            "index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}]},
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


# --------------------------------------------------------------------------- label sources


def labelled(article: Any) -> LabelledArticle:
    """Any labelled article (gold, PolNeAR: ``id``, ``text`` and item lists) as what the oracle knows."""
    return LabelledArticle(id=article.id, text=article.text, summary=getattr(article, "summary", ""),
                           casualties=list(article.casualties), quotes=list(article.quotes), claims=list(article.claims))


def gold_articles(split: Optional[str] = None) -> list[LabelledArticle]:
    """The gold set (``evals/gold``) as what the oracle knows."""
    from summarizer.evaluation.gold import load_gold

    return [labelled(g) for g in load_gold(split=split)]


def injection_articles() -> list[LabelledArticle]:
    """The prompt-injection cases (no labels: the oracle answers with nothing but what faults add)."""
    from summarizer.evaluation.injection import load_cases

    return [LabelledArticle(id=c.id, text=c.text, injected=list(c.injected)) for c in load_cases(include_generated=False)]


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``python -m summarizer.evaluation.oracle [--port N] [--fault KIND=RATE ...] [--seed N]``:
    serve the oracle (gold set and injection cases) until interrupted, for ``summarizer eval
    --base-url http://127.0.0.1:N/v1 --model oracle``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m summarizer.evaluation.oracle", description=main.__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--fault", action="append", default=[], metavar="KIND=RATE",
                        help=f"make a faulty model; kinds: {', '.join(FAULT_KINDS)}")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rates = {}
    for item in args.fault:
        kind, _, rate = item.partition("=")
        if kind not in FAULT_KINDS:
            parser.error(f"unknown fault {kind!r}; choose from {', '.join(FAULT_KINDS)}")
        rates[kind] = float(rate or 1.0)
    server = OracleServer(gold_articles() + injection_articles(), faults=FaultPlan(rates, args.seed) if rates else None,
                          port=args.port or 0)
    with server:
        print(f"oracle (scripted model from gold labels) at {server.base_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
