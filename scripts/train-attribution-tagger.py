#!/usr/bin/env python
"""Train the optional attribution tagger on PolNeAR *train* (never dev), reproducibly, on CPU.

    nice -n 10 .venv/bin/python scripts/train-attribution-tagger.py \
        --out ~/.cache/summarizer/attribution-tagger

The first run parses the 840 training articles once with the shared spaCy pipeline and keeps
them as a DocBin (``--docbin``, default ``.scratch/polnear-train.spacy``); later runs reuse it.
The model directory it writes is what ``--attribution-model PATH`` and
``Summarizer(attribution_model=PATH)`` load; its ``training.json`` records the settings, the
per-epoch held-out scores, the time and the weights' sha256. The weights are trained on PolNeAR
(research use, no license stated): keep them out of the repository and out of any default install.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.attribution.training import (  # noqa: E402
    Settings, build_docbin, label_doc, load_docbin, polnear_items, train)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache" / "summarizer" / "attribution-tagger",
                        help="model directory to write (default: %(default)s)")
    parser.add_argument("--train", type=Path, default=None,
                        help="PolNeAR train.jsonl (default: $SUMMARIZER_DATASETS or ../shared/datasets)/polnear/train.jsonl")
    parser.add_argument("--docbin", type=Path, default=ROOT / ".scratch" / "polnear-train.spacy",
                        help="parsed training articles, built on the first run (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N training articles (a quick run)")
    defaults = Settings()
    for name in ("seed", "epochs", "width", "depth", "window", "hidden", "batch_words", "heldout"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    parser.add_argument("--max-minutes", type=float, default=defaults.max_minutes,
                        help="stop after the epoch that passes this wall-clock time")
    parser.add_argument("--dropout", type=float, default=defaults.dropout)
    args = parser.parse_args()

    train_path = args.train
    if train_path is None:
        from summarizer.evaluation.datasets import datasets_root

        train_path = datasets_root() / "polnear" / "train.jsonl"
    if not train_path.is_file():
        print(f"no PolNeAR train split at {train_path}", file=sys.stderr)
        return 2
    data_sha = hashlib.sha256(train_path.read_bytes()).hexdigest()
    docbin = args.docbin
    stamp = docbin.with_suffix(".sha256")
    items = [item for _, item in polnear_items(train_path)]
    if not docbin.is_file() or not stamp.is_file() or stamp.read_text().strip() != data_sha:
        started = time.perf_counter()
        print(f"parsing {len(items)} training articles into {docbin} ...", file=sys.stderr)
        build_docbin([text for text, _ in items], docbin, progress=lambda n: n % 100 == 0 and print(f"  {n}", file=sys.stderr))
        stamp.write_text(data_sha + "\n")
        print(f"parsed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # the DocBin keeps the parse only; the labels are set here, from the data, each time
    docs = [label_doc(doc, spans) for doc, (_, spans) in zip(load_docbin(docbin), items)]
    if args.limit:
        docs = docs[: args.limit]
    settings = Settings(seed=args.seed, epochs=args.epochs, max_minutes=args.max_minutes, width=args.width,
                        depth=args.depth, window=args.window, hidden=args.hidden, dropout=args.dropout,
                        batch_words=args.batch_words, heldout=min(args.heldout, max(0, len(docs) // 5)))
    meta = {"trained_on": "PolNeAR v1.0.0 train split (Newell, Margolin and Ruths, LREC 2018; research use, "
                          "no license stated): speech attributions only, cue lexicon of evals/POLNEAR.md",
            "train_sha256": data_sha, "articles": len(docs),
            "command": " ".join(["scripts/train-attribution-tagger.py", *sys.argv[1:]])}
    result = train(docs, args.out, settings, meta=meta, log=lambda line: print(line, file=sys.stderr))
    print(f"kept epoch {result.best_epoch} (held-out CONTENT F {result.best_f:.3f}); {result.seconds / 60:.1f} min; "
          f"weights sha256 {result.sha256}; model at {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
