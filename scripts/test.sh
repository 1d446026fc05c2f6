#!/usr/bin/env bash
# Set up (idempotent), add the dev tools, the Ray extra and the embedded model runtime (portable
# build, scripts/build-embedded-runtime.sh), check that runtime runs a real prompt on this CPU,
# then run the whole test suite (real embedded model and headless Chromium included) and the
# eval gate against the committed baselines. What CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet() { "$@" 2>&1 | { grep -v "^WARNING: Location" || true; }; }  # keeps the command's exit status (pipefail)
bash scripts/setup.sh
# the Ray extra is optional for users; the tests run the job on a one-node local Ray with it
quiet .venv/bin/pip install -q -e ".[dev,ray]"
bash scripts/build-embedded-runtime.sh
# A 40-token prompt through llama_cpp.Llama in a subprocess: a build this CPU cannot run dies here,
# with the signal and the fix, instead of in every model test.
.venv/bin/python -m summarizer.embedded probe || {
  echo "test.sh: the embedded runtime cannot run a prompt on this machine (see above); the model tests would all fail" >&2
  exit 1
}
bash .ci/install-browser.sh || echo "chromium not installed: browser tests will skip"
.venv/bin/python -m summarizer.evaluation.gold check evals/gold
.venv/bin/pytest -q -p no:cacheprovider tests
bash scripts/eval-gate.sh
