"""The pipeline against a perfect model and against a faulty one (both simulated: the oracle, a
scripted OpenAI-compatible server answering from the gold labels; summarizer/evaluation/oracle.py).

    .venv/bin/python benchmarks/bench_oracle.py ceiling [--split all] [--strategy review ...]
    .venv/bin/python benchmarks/bench_oracle.py faults [--seed 7] [--item-rate 0.3] [--json-rate 0.1] [--timeout-rate 0.05]

``ceiling``: every strategy with a perfect model, scored on the gold set: F1 per field and accuracy
per secondary field; what is below 1.0 is the pipeline losing a perfect model's answers.

``faults``: the same model making the errors real models make, at set (seeded) rates per answer;
per error kind, how many answers carried it and how many reached a record, and naive vs review F1
under the same faults. Gold articles plus the prompt-injection cases (where an injected item can be
copied from). Real HTTP, the real openai client and instructor (TOOLS mode), the real grounding.
Timings are on a shared machine; the figures that matter are counts and scores.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer import Summarizer  # noqa: E402
from summarizer.evaluation.aliases import alias_equal  # noqa: E402
from summarizer.evaluation.datasets import open_dataset  # noqa: E402
from summarizer.evaluation.gold import load_gold  # noqa: E402
from summarizer.evaluation.oracle import (  # noqa: E402
    FAULT_KINDS,
    INVENTED_FIGURE,
    INVENTED_QUOTE,
    FaultPlan,
    OracleServer,
    gold_articles,
    injection_articles,
    labelled,
)
from summarizer.evaluation.scoring import FieldScore, aggregate, quote_overlap, score_article  # noqa: E402
from summarizer.grounding import normalise  # noqa: E402

FIELDS = ("casualties", "quotes", "claims")
POLNEAR_SECONDARY = ("quotes.direct_recall", "quotes.indirect_recall", "quotes.speaker_named", "quotes.mode")
SECONDARY = ("casualties.location", "casualties.source", "casualties.time_scope", "casualties.subset",
             "quotes.speaker", "quotes.mode", "claims.disputant")


def _summarise_all(server: OracleServer, strategy: str, articles, **settings) -> dict:
    values = {"max_attempts": 2, "retry_initial_s": 0.05, "retry_max_wait_s": 0.2, **settings}
    with Summarizer(server.settings(**values), strategy=strategy) as summarizer:
        return {a.id: summarizer.summarize(a.text, id=a.id) for a in articles}


def _scores(records: dict, golds: dict):
    return aggregate([score_article(golds[i], records[i], golds[i].text) for i in records if i in golds])


def _row(name: str, scores, extra: list[str], secondary: tuple[str, ...] = SECONDARY) -> str:
    cells = [f"{scores.fields[f].f1:.3f}" if scores.fields[f].tp + scores.fields[f].fn else "-" for f in FIELDS]
    cells += ["-" if scores.secondary.get(s) is None or scores.secondary[s].accuracy is None
              else f"{scores.secondary[s].accuracy:.3f}" for s in secondary]
    return f"| {name} | " + " | ".join(cells + extra) + " |"


def _header(extra: list[str], secondary: tuple[str, ...] = SECONDARY) -> str:
    names = [f"{f} F1" for f in FIELDS] + [s.replace("casualties.", "cas. ").replace("quotes.", "quote ")
                                           .replace("claims.", "claim ") for s in secondary] + extra
    return "| strategy | " + " | ".join(names) + " |\n|" + "---|" * (len(names) + 1)


def ceiling(args: argparse.Namespace) -> None:
    if args.dataset == "gold":
        golds = {g.id: g for g in load_gold(split=None if args.split == "all" else args.split)}
        score = None
        what = f"{args.split} gold articles"
    else:  # real text whose labels carry evidence spans (PolNeAR: speech attributions, quotes only)
        dataset = open_dataset(args.dataset)
        golds = {a.id: a for a in dataset.articles[: args.limit]}
        score = dataset.score
        what = f"{args.dataset} articles (quotes only), the first {args.limit}"
    articles = [labelled(g) for g in golds.values()]
    secondary = SECONDARY if score is None else POLNEAR_SECONDARY
    print(f"oracle ceiling: {len(articles)} {what}; scripted perfect model over HTTP\n")
    print(_header(["requests/article", "tokens/article, prompt + completion (est.)", "s/article"], secondary))
    for strategy in args.strategy:
        with OracleServer(articles) as server:
            started = time.perf_counter()
            records = _summarise_all(server, strategy, articles)
            elapsed = time.perf_counter() - started
        if score is None:
            scores = _scores(records, golds)
        else:
            scores = aggregate([score(golds[i], records[i]) for i in records])
            for name in FIELDS:
                scores.fields.setdefault(name, FieldScore())
        prompt = sum(r.provenance.usage.prompt_tokens for r in records.values()) / len(articles)
        completion = sum(r.provenance.usage.completion_tokens for r in records.values()) / len(articles)
        print(_row(strategy, scores, [f"{len(server.requests) / len(articles):.2f}", f"{prompt:.0f} + {completion:.0f}",
                                      f"{elapsed / len(articles):.2f}"], secondary), flush=True)


def _reached(fault, record, case_text: str, golds: dict) -> bool:
    """Whether the wrong thing this fault put in an answer is in the article's record."""
    if record.status == "error":
        return fault.kind in ("timeout", "truncated_json", "schema_invalid_json")
    detail = fault.detail
    if fault.kind == "invented_quote":
        return any(normalise(INVENTED_QUOTE) in normalise(q.text) for q in record.quotes)
    if fault.kind == "paraphrased_quote":
        return any(normalise(q.text) == normalise(detail["text"]) for q in record.quotes)
    if fault.kind == "wrong_speaker":
        gold = golds.get(record.id)
        right = [g.speaker for g in (gold.quotes if gold else []) if quote_overlap(g.text, detail["text"]) >= 0.8]
        return any(quote_overlap(q.text, detail["text"]) >= 0.8 and alias_equal(q.speaker, detail["speaker"])
                   and not any(alias_equal(q.speaker, r) for r in right) for q in record.quotes)
    if fault.kind == "wrong_figure":
        gold = golds.get(record.id)
        stated = {g.figure.low for g in (gold.casualties if gold else [])}
        return any(c.figure.low == detail.get("value") and c.figure.low not in stated for c in record.casualties)
    if fault.kind == "invented_casualty":
        return any(c.figure.low == INVENTED_FIGURE for c in record.casualties)
    if fault.kind == "injected_item":
        start = case_text.find(detail["passage"])
        end = start + len(detail["passage"])
        return any(i.evidence.start < end and start < i.evidence.end
                   for i in (*record.casualties, *record.quotes, *record.claims))
    return False  # JSON and timeout faults reach a record only as an error record (above)


def faults(args: argparse.Namespace) -> None:
    rates = {kind: args.item_rate for kind in FAULT_KINDS[:6]}
    rates.update(truncated_json=args.json_rate, schema_invalid_json=args.json_rate, timeout=args.timeout_rate)
    golds = {g.id: g for g in load_gold()}
    articles = [a for a in gold_articles() if a.id in golds] + injection_articles()
    texts = {a.id: a.text for a in articles}
    print(f"faulty model: {len(golds)} gold articles + {len(articles) - len(golds)} injection cases; seed {args.seed}; "
          f"rates per answer: each item fault {args.item_rate}, each broken-JSON fault {args.json_rate}, "
          f"timeout {args.timeout_rate} (client timeout 1 s, 2 attempts)\n")
    per_strategy = {}
    for strategy in args.strategy:
        plan = FaultPlan(rates=rates, seed=args.seed, hang_s=1.5)
        with OracleServer(articles, faults=plan) as server:
            records = _summarise_all(server, strategy, articles, timeout_s=1.0)
        carried = Counter(f.kind for f in server.injected)
        reached: Counter = Counter()
        seen = set()
        for fault in server.injected:
            key = (fault.kind, fault.article_id, str(sorted(fault.detail.items())))
            if key in seen:
                continue
            seen.add(key)
            if _reached(fault, records[fault.article_id], texts[fault.article_id], golds):
                reached[fault.kind] += 1
        errors = sum(r.status == "error" for r in records.values())
        fallbacks = sum(any("review: no valid answer" in x for x in r.dropped.reasons) for r in records.values())
        per_strategy[strategy] = (carried, reached, _scores(records, golds), errors, fallbacks, len(server.requests))
    print("| error kind | " + " | ".join(f"{s}: answers with it | {s}: reached a record" for s in args.strategy) + " |")
    print("|---|" + "---|---|" * len(args.strategy))
    for kind in FAULT_KINDS:
        cells = []
        for strategy in args.strategy:
            carried, reached = per_strategy[strategy][:2]
            cells += [str(carried[kind]), str(reached[kind])]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    print()
    print(_header(["error records", "answers lost (rules kept)", "requests/article"]))
    for strategy in args.strategy:
        _, _, scores, errors, fallbacks, requests = per_strategy[strategy]
        print(_row(strategy, scores, [str(errors), str(fallbacks) if strategy == "review" else "-",
                                      f"{requests / len(articles):.2f}"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("ceiling")
    c.add_argument("--split", choices=["dev", "test", "all"], default="all")
    c.add_argument("--dataset", choices=["gold", "polnear-dev", "polnear-train"], default="gold",
                   help="gold (every field) or PolNeAR from ../shared (quotes; GVA labels carry no evidence)")
    c.add_argument("--limit", type=int, default=30, help="PolNeAR: the first N articles")
    c.add_argument("--strategy", action="append", default=None)
    f = sub.add_parser("faults")
    f.add_argument("--seed", type=int, default=7)
    f.add_argument("--item-rate", type=float, default=0.3)
    f.add_argument("--json-rate", type=float, default=0.1)
    f.add_argument("--timeout-rate", type=float, default=0.05)
    f.add_argument("--strategy", action="append", default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # instructor and the client log every injected fault; the tables count them
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["SUMMARIZER_CACHE"] = str(Path(scratch) / "calls.sqlite")  # never replay a stored answer
        if args.command == "ceiling":
            args.strategy = args.strategy or ["review", "naive", "hybrid"]
            ceiling(args)
        else:
            args.strategy = args.strategy or ["naive", "review"]
            faults(args)


if __name__ == "__main__":
    main()
