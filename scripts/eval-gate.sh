#!/usr/bin/env bash
# The eval gate: the rules floor over the whole gold set, and the default (auto) side by side with
# the hybrid strategy on the embedded model (real model calls) on a stated subset, the first 6
# held-out test articles; the first strategy of each run is held to its committed baseline (noise
# margin 0.02 F1) and to hard floors. The side-by-side table is in eval-out/default-test6/.
#
# Real text (when ../shared/datasets or $SUMMARIZER_DATASETS is there; skipped with the reason
# otherwise): the rules on the first 40 PolNeAR dev articles (speech-quote P/R/F1, direct-quote
# recall, speaker right on named sources) and on 200 GVA dev articles drawn with seed 18 (killed /
# injured toll found, death stated where none happened, toll above the final), each against a
# figures-only baseline in evals/baseline/ (ids and numbers, no article text; margin 0.02 on every
# headline measure, in its direction). After a deliberate change, rewrite those baselines with
# EVAL_GATE_UPDATE=1 bash scripts/eval-gate.sh and commit them with the figures in the message.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${EVAL_OUT:-eval-out}
gate() { local name=$1; shift; local base="evals/baseline/$name.json"; local extra=();
  [ -f "$base" ] && extra=(--baseline "$base" --margin 0.02) || echo "eval-gate: no baseline $base yet: floors only"
  .venv/bin/summarizer eval "$@" --out "$out/$name" "${extra[@]}"; }
real_gate() { local name=$1; shift; local base="evals/baseline/$name.json"
  if [ "${EVAL_GATE_UPDATE:-0}" = 1 ]; then
    .venv/bin/summarizer eval "$@" --out "$out/$name" --write-baseline "$base"; echo "eval-gate: wrote $base"
  else gate "$name" "$@"; fi; }
gate rules-all --strategy rules --split all --fail-under summary_faithfulness=1.0
gate default-test6 --strategy auto --strategy hybrid --questions speaker --split test --limit 6 \
  --fail-under summary_faithfulness=1.0
datasets=${SUMMARIZER_DATASETS:-../shared/datasets}
if [ -f "$datasets/polnear/dev.jsonl" ] && [ -f "$datasets/gva/dev.jsonl" ]; then
  real_gate polnear-dev40 --strategy rules --dataset polnear-dev --datasets-root "$datasets" --limit 40
  real_gate gva-dev200 --strategy rules --dataset gva-dev --datasets-root "$datasets" --sample 200 --seed 18
else
  echo "eval-gate: real-text gates skipped: PolNeAR dev and GVA dev not found under $datasets (../shared absent)"
fi
