#!/usr/bin/env bash
# The eval gate: the rules floor over the whole gold set, and the embedded default on a stated
# subset (the first 6 held-out test articles, real model calls), each against its committed
# baseline (noise margin 0.02 F1) with hard floors.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${EVAL_OUT:-eval-out}
gate() { local name=$1; shift; local base="evals/baseline/$name.json"; local extra=();
  [ -f "$base" ] && extra=(--baseline "$base" --margin 0.02) || echo "eval-gate: no baseline $base yet: floors only"
  .venv/bin/summarizer eval "$@" --out "$out/$name" "${extra[@]}"; }
gate rules-all --strategy rules --split all --fail-under summary_faithfulness=1.0
gate default-test6 --strategy auto --split test --limit 6 --fail-under summary_faithfulness=1.0
