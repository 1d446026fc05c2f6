#!/usr/bin/env bash
# Set up (idempotent), then run the whole test suite (real embedded model and headless Chromium
# included) and the eval gate against the committed baselines. What CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash .ci/install-browser.sh || echo "chromium not installed: browser tests will skip"
.venv/bin/python -m summarizer.evaluation.gold check evals/gold
.venv/bin/pytest -q -p no:cacheprovider tests
bash scripts/eval-gate.sh
