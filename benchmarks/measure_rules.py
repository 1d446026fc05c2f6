"""Score the rules-only quote and claim finders against the dev gold set.

    .venv/bin/python benchmarks/measure_rules.py [--show] [evals/gold/dev]

Quotes match one to one (optimal assignment) when the normalised token overlap F1 of their texts
is at least 0.5; the speaker is right when the names are alias-equal. Claims match on claim token
overlap >= 0.3 with the claimant alias-equal (or both null). This mirrors the scoring rules in
``evals/GUIDELINES.md``; it is a quick local measure, not the project's scorer. Only the dev split
is read: never point it at the held-out test split.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from scipy.optimize import linear_sum_assignment

from summarizer.evaluation.gold import load_gold
from summarizer.grounding import normalise
from summarizer.rules.claims import find_claims
from summarizer.rules.nlp import parse
from summarizer.rules.quotes import find_quotes
from summarizer.rules.speakers import same_speaker


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", normalise(text))


def overlap_f1(a: str, b: str) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    common = sum(min(ta.count(w), tb.count(w)) for w in set(ta))
    if common == 0:
        return 0.0
    precision, recall = common / len(ta), common / len(tb)
    return 2 * precision * recall / (precision + recall)


def match(gold: list, predicted: list, ok) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs (gold index, predicted index) among acceptable pairs."""
    if not gold or not predicted:
        return []
    cost = [[-(score if (score := ok(g, p)) else 0.0) for p in predicted] for g in gold]
    rows, cols = linear_sum_assignment(cost)
    return [(r, c) for r, c in zip(rows, cols) if cost[r][c] < 0]


def quote_score(g, p) -> float:
    score = overlap_f1(g.text, p.text)
    return score if score >= 0.5 else 0.0


def claim_score(g, p) -> float:
    score = overlap_f1(g.claim, p.claim)
    claimant_ok = (g.claimant is None and p.claimant is None) or same_speaker(g.claimant, p.claimant)
    return score if score >= 0.3 and claimant_ok else 0.0


def f1(tp: int, n_gold: int, n_pred: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if tp else 0.0)


def main(argv: list[str]) -> int:
    show = "--show" in argv
    paths = [a for a in argv if not a.startswith("--")] or ["evals/gold/dev"]
    if any("test" in Path(p).parts for p in paths):
        print("refusing to read the held-out test split")
        return 2
    totals = dict(qg=0, qp=0, qtp=0, spk=0, dq=0, iq=0, dtp=0, itp=0, cg=0, cp=0, ctp=0, disp=0)
    seconds = 0.0
    for article in load_gold(Path(paths[0])):
        doc = parse(article.text)
        began = time.perf_counter()
        quotes = find_quotes(doc)
        claims = find_claims(doc, quotes)
        seconds += time.perf_counter() - began
        predicted = [q.quote for q in quotes]
        pairs = match(article.quotes, predicted, quote_score)
        totals["qg"] += len(article.quotes)
        totals["qp"] += len(predicted)
        totals["qtp"] += len(pairs)
        totals["spk"] += sum(same_speaker(article.quotes[g].speaker, predicted[p].speaker) for g, p in pairs)
        claim_pairs = match(article.claims, [c.claim for c in claims], claim_score)
        totals["cg"] += len(article.claims)
        totals["cp"] += len(claims)
        totals["ctp"] += len(claim_pairs)
        totals["disp"] += sum(
            same_speaker(article.claims[g].disputant, claims[p].claim.disputant) for g, p in claim_pairs
        )
        if show:
            print(f"===== {article.id} ({article.style})")
            matched_g = {g for g, _ in pairs}
            matched_p = {p for _, p in pairs}
            for g, p in pairs:
                gq, pq = article.quotes[g], predicted[p]
                flag = "ok " if same_speaker(gq.speaker, pq.speaker) else "SPK"
                print(f"  {flag} {gq.mode[:3]} gold={gq.speaker!r} got={pq.speaker!r} [{quotes[p].speaker_cue}] | {gq.text[:70]}")
            for g, gq in enumerate(article.quotes):
                if g not in matched_g:
                    print(f"  MISS {gq.mode[:3]} {gq.speaker!r} | {gq.text[:90]}")
            for p, pq in enumerate(predicted):
                if p not in matched_p:
                    print(f"  EXTRA {pq.mode[:3]} {pq.speaker!r} | {pq.text[:90]}")
            matched_c = {p for _, p in claim_pairs}
            for g, gc in enumerate(article.claims):
                hit = [p for gg, p in claim_pairs if gg == g]
                print(f"  {'CLAIM ok ' if hit else 'CLAIM MISS'} {gc.claimant!r} vs {gc.disputant!r} | {gc.claim[:80]}")
            for p, pc in enumerate(claims):
                if p not in matched_c:
                    c = pc.claim
                    print(f"  CLAIM EXTRA [{pc.cue}] {c.claimant!r} vs {c.disputant!r} | {c.claim[:80]}")
    qp, qr, qf = f1(totals["qtp"], totals["qg"], totals["qp"])
    cp, cr, cf = f1(totals["ctp"], totals["cg"], totals["cp"])
    speaker = totals["spk"] / totals["qtp"] if totals["qtp"] else 0.0
    disputant = totals["disp"] / totals["ctp"] if totals["ctp"] else 0.0
    print(f"quotes: gold {totals['qg']} predicted {totals['qp']} matched {totals['qtp']}  P {qp:.2f} R {qr:.2f} F1 {qf:.2f}  speaker right {speaker:.0%}")
    print(f"claims: gold {totals['cg']} predicted {totals['cp']} matched {totals['ctp']}  P {cp:.2f} R {cr:.2f} F1 {cf:.2f}  disputant right {disputant:.0%}")
    print(f"finder time: {seconds:.2f}s total")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
