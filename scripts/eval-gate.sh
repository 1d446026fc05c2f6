#!/usr/bin/env bash
# The eval gate: the rules floor over the whole gold set, and the default (auto) side by side with
# the hybrid strategy on the embedded model (real model calls) on a stated subset, the first 6
# held-out test articles; the first strategy of each run is held to its committed baseline (noise
# margin 0.02 F1) and to hard floors. The side-by-side table is in eval-out/default-test6/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${EVAL_OUT:-eval-out}
gate() { local name=$1; shift; local base="evals/baseline/$name.json"; local extra=();
  [ -f "$base" ] && extra=(--baseline "$base" --margin 0.02) || echo "eval-gate: no baseline $base yet: floors only"
  .venv/bin/summarizer eval "$@" --out "$out/$name" "${extra[@]}"; }
gate rules-all --strategy rules --split all --fail-under summary_faithfulness=1.0
gate default-test6 --strategy auto --strategy hybrid --questions speaker --split test --limit 6 \
  --fail-under summary_faithfulness=1.0
