"""Portable vs native llama.cpp build: prompt and generation tokens/s on the same prompt (printed figures).

Usage: python benchmarks/bench_llama_build.py PYTHON_A [PYTHON_B ...] [--repeats 5]
Each PYTHON is the interpreter of a venv holding one llama-cpp-python build (e.g. .venv/bin/python
for the portable one from scripts/build-embedded-runtime.sh, and a scratch venv with a
GGML_NATIVE=ON wheel). Every run is a fresh subprocess (a native build may die with SIGILL: that is
reported, not raised); the median over repeats is printed. Timings come from llama.cpp's own
perf counters (prompt eval and eval), on whatever load the machine has: say so with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from summarizer.embedded import _how_it_ended, find_default_gguf

PROMPT = ("Reporters in the capital said on Tuesday that the ministry of health had counted at least twelve people "
          "killed and more than forty injured after the storm, while officials in the northern province said that "
          "roads to three villages were still cut off. ") * 6 + "Summarise the report in one sentence:"

CODE = """
import json, sys, time
import llama_cpp
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=1024, n_threads=2, n_threads_batch=2, verbose=False, seed=0)
tokens = llm.tokenize(sys.argv[2].encode())
llm.reset()
t0 = time.perf_counter(); llm.eval(tokens); t1 = time.perf_counter()
generated = 0
for token in llm.generate([], temp=0.0, reset=False):
    generated += 1
    if generated >= 64:
        break
t2 = time.perf_counter()
print(json.dumps({"prompt_tokens": len(tokens), "prompt_s": t1 - t0, "gen_tokens": generated, "gen_s": t2 - t1}))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pythons", nargs="+")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    model = str(find_default_gguf())
    for python in args.pythons:
        prompt_rates, gen_rates, failure = [], [], None
        for _ in range(args.repeats):
            done = subprocess.run([python, "-c", CODE, model, PROMPT], capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                how, cause = _how_it_ended(done.returncode)
                failure = f"{how}{cause}: {done.stderr.strip().splitlines()[-1:] }"
                break
            row = json.loads(done.stdout.strip().splitlines()[-1])
            prompt_rates.append(row["prompt_tokens"] / row["prompt_s"])
            gen_rates.append(row["gen_tokens"] / row["gen_s"])
        if failure:
            print(f"{python}: {failure}")
        else:
            print(f"{python}: prompt {statistics.median(prompt_rates):.0f} tok/s, generation {statistics.median(gen_rates):.1f} tok/s "
                  f"(median of {len(prompt_rates)}; {row['prompt_tokens']}-token prompt, 64 generated, 2 threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
