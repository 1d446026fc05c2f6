#!/usr/bin/env bash
# Set up (idempotent), then run the whole test suite (real embedded model and headless Chromium
# included) and the eval gate against the committed baselines. What CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# the Ray extra is optional for users; the tests run the job on a one-node local Ray with it
.venv/bin/pip install -q -e ".[ray]" 2>&1 | grep -v "^WARNING: Location" || true
bash .ci/install-browser.sh || echo "chromium not installed: browser tests will skip"
.venv/bin/python -m summarizer.evaluation.gold check evals/gold
.venv/bin/pytest -q -p no:cacheprovider tests
bash scripts/eval-gate.sh
