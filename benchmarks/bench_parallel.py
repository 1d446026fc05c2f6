"""Threads vs processes vs one at a time for a rules batch on real news; prints a table, asserts nothing.

    .venv/bin/python benchmarks/bench_parallel.py                       # 300 articles, 3 rounds
    .venv/bin/python benchmarks/bench_parallel.py --rounds 1 --variants cli-default parse
    .venv/bin/python benchmarks/bench_parallel.py --articles 100 300 600 --variants cli-processes   # memory vs job size

The input is built at run time from the real articles in ``../shared/datasets`` (issue 17's job:
300 articles, about 545,000 characters): the first PolNeAR dev articles (long political news)
and GVA dev articles (short local news), interleaved, written to a temporary JSONL file and
never copied anywhere else. Without ``../shared`` the script says so and exits 0.

Every variant runs in its own fresh process with a fresh run store and call cache; variants run
back to back within a round, rounds repeat, and the table gives medians (wall time, CPU time
user+sys of all processes, peak of the summed RSS of the process tree, sampled every 0.2 s).
The CLI variants' JSONL outputs are compared with the first CLI variant's, byte for byte after
removing the ``latency_s`` fields. Linux only (reads /proc).

Variants:

* ``cli-default``: ``summarizer run IN -o OUT`` (no key: rules; default parallelism)
* ``cli-c1``: the same with ``--concurrency 1``
* ``cli-threads`` / ``cli-processes``: the same with ``--parallel threads`` / ``--parallel processes``
  (skipped when this checkout's CLI has no ``--parallel``)
* ``inprocess``: ``Summarizer(strategy="rules").summarize`` over the texts, one process, timed
  after spaCy is loaded
* ``parse``: ``nlp(text)`` per article, timed after loading; ``pipe2``: ``nlp.pipe(texts,
  n_process=2)`` (includes its two workers' start-up)
* ``startup``: the worker pool of the process path started and ready (spaCy loaded in every
  worker), then closed: the fixed cost a process job pays before its first article

Model strategies, against a **fast local model server**: the scripted oracle
(:class:`summarizer.evaluation.oracle.OracleServer`) in a process of its own, knowing the job's
articles but no labels (so it answers at once, with what an unlabelled article gets: the speaker
"none of these", no casualty confirmed, no additions, review verdicts that drop). It is no real
model: the figures say what the parallelism does to the rules half and the client's request
handling when the model costs nothing; a real endpoint's latency would dominate. The server's own
CPU time is printed per variant.

* ``hybrid-threads`` / ``review-threads``: ``summarizer run IN -o OUT --strategy S --base-url URL
  --model oracle --parallel threads``
* ``hybrid-procs`` / ``review-procs``: the same with ``--parallel processes`` (what ``auto`` picks
  against a base URL on 2 CPUs): 2 spawned worker processes, each with its own ``Summarizer``
  against the same server and 2 articles in flight on threads of its own (4 in all, the default
  ``--concurrency``), records written in input order
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
PYTHON = sys.executable
CLI = str(Path(sys.executable).with_name("summarizer"))

CLI_VARIANTS: dict[str, list[str]] = {
    "cli-default": [],
    "cli-c1": ["--concurrency", "1"],
    "cli-threads": ["--parallel", "threads"],
    "cli-processes": ["--parallel", "processes"],
}
INNER_VARIANTS = ("inprocess", "parse", "pipe2", "startup")
#: Model-strategy variants: (strategy, --parallel).
MODEL_VARIANTS: dict[str, tuple[str, str]] = {
    "hybrid-threads": ("hybrid", "threads"), "hybrid-procs": ("hybrid", "processes"),
    "review-threads": ("review", "threads"), "review-procs": ("review", "processes"),
}


# -------------------------------------------------------------------------------------------------
# Input


def real_articles(count: int, target_chars: int) -> list[dict[str, str]]:
    """``count`` real articles, about ``target_chars`` characters in all, in a fixed order.

    The stream is one PolNeAR dev article (long political news) to every nine GVA dev articles
    (short local news) in file order; articles over a length cap are passed over, the cap being
    the lowest that brings ``count`` articles to ``target_chars`` (so the job has the issue's
    size and no one crawled page dominates it)."""
    polnear = [json.loads(line) for line in open(SHARED / "polnear" / "dev.jsonl", encoding="utf-8")]
    gva = [json.loads(line) for line in open(SHARED / "gva" / "dev.jsonl", encoding="utf-8")]
    stream: list[dict[str, Any]] = []
    for n, article in enumerate(gva):
        if n % 9 == 0 and n // 9 < len(polnear):
            stream.append({"id": f"polnear-{polnear[n // 9]['id']}", "text": polnear[n // 9]["text"]})
        stream.append({"id": f"gva-{n:04d}-{article['id']}", "text": article["text"], "title": article.get("title"),
                       "date": article.get("date")})

    def under(cap: int) -> list[dict[str, Any]]:
        return [a for a in stream if len(a["text"]) <= cap][:count]

    low, high = 200, max(len(a["text"]) for a in stream)
    while low < high:
        middle = (low + high) // 2
        if sum(len(a["text"]) for a in under(middle)) >= target_chars:
            high = middle
        else:
            low = middle + 1
    return [{k: v for k, v in a.items() if v is not None} for a in under(low)]


# -------------------------------------------------------------------------------------------------
# Measuring a process tree


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def tree_rss_mb(root: int) -> float:
    """Sum of VmRSS over ``root`` and all its descendants (shared pages counted in each)."""
    children = _children_map()
    total_kb, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
                        break
        except OSError:
            pass
    return total_kb / 1024


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    inner: dict[str, Any] = field(default_factory=dict)


def measure(command: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run ``command``; its wall time, CPU time (user+sys, with waited-for children) and peak tree RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_mb(process.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
    inner: dict[str, Any] = {}
    for line in out.splitlines():
        if line.startswith("{\"bench\""):
            inner = json.loads(line)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, peak, inner)


# -------------------------------------------------------------------------------------------------
# The fast local model server (`bench_parallel.py --inner serve INPUT`)


def serve(source: Path) -> None:
    """The oracle over the job's articles, unlabelled; prints its URL, serves until killed."""
    from summarizer.evaluation.oracle import LabelledArticle, OracleServer

    articles = [json.loads(line) for line in open(source, encoding="utf-8")]
    with OracleServer([LabelledArticle(id=a["id"], text=a["text"]) for a in articles]) as server:
        print(server.base_url, flush=True)
        while True:
            time.sleep(3600)


def _process_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -------------------------------------------------------------------------------------------------
# Inner variants (run in a child process: `bench_parallel.py --inner NAME INPUT`)


def inner(name: str, source: Path) -> None:
    articles = [json.loads(line) for line in open(source, encoding="utf-8")]
    texts = [a["text"] for a in articles]
    result: dict[str, Any] = {"bench": name}
    if name == "startup":
        from summarizer.worker_pool import SummarizerPool, WorkerSpec, available_cpus

        started = time.perf_counter()
        with SummarizerPool(WorkerSpec("rules"), min(2, available_cpus())) as pool:
            pool.wait_ready()
            result["ready_s"] = time.perf_counter() - started
            result["worker_rss_mb"] = [tree_rss_mb(pid) for pid in pool.worker_pids()]
        result["seconds"] = time.perf_counter() - started
    elif name == "inprocess":
        from summarizer.pipeline import Summarizer

        summarizer = Summarizer(strategy="rules")
        summarizer.summarize("Loading the pipeline.")
        started = time.perf_counter()
        for article in articles:
            summarizer.summarize(article["text"], id=article["id"], title=article.get("title"), date=article.get("date"))
        result["seconds"] = time.perf_counter() - started
    elif name in ("parse", "pipe2"):
        from summarizer.rules.nlp import load_nlp

        nlp = load_nlp()
        nlp("Loading the pipeline.")
        started = time.perf_counter()
        if name == "parse":
            for text in texts:
                nlp(text)
        else:
            for _ in nlp.pipe(texts, n_process=2, batch_size=8):
                pass
        result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


# -------------------------------------------------------------------------------------------------
# The table


def comparable(path: Path) -> list[str]:
    """The output's lines with every ``latency_s`` removed (the only field that differs run to run)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "latency_s"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [json.dumps(strip(json.loads(line)), ensure_ascii=False) for line in path.read_text(encoding="utf-8").splitlines()]


def print_table(variants: list[str], runs: dict[str, list["Run"]], outputs: dict[str, list[str]],
                articles: list[dict[str, Any]]) -> None:
    """Medians so far per variant, as a Markdown table."""
    input_order = [a["id"] for a in articles]

    def reference_of(variant: str) -> Optional[str]:
        """The first variant with output of the same strategy (rules: the first rules CLI variant)."""
        strategy = MODEL_VARIANTS.get(variant, ("rules", ""))[0]
        return next((v for v in outputs if MODEL_VARIANTS.get(v.split(":", 1)[-1], ("rules", ""))[0] == strategy), None)

    print("\n| how | wall s (median) | CPU s | peak RSS, all processes (MB) | inner timing s | "
          "same records as (bytes, latency aside) | records in input order |")
    print("|---|---|---|---|---|---|---|")
    for variant in variants:
        measured = runs[variant]
        inner_s = [r.inner["seconds"] for r in measured if "seconds" in r.inner]
        extra = f"{statistics.median(inner_s):.1f}" if inner_s else "-"
        if variant == "startup":
            ready = statistics.median(r.inner["ready_s"] for r in measured)
            rss = measured[-1].inner.get("worker_rss_mb", [])
            extra = f"ready {ready:.1f} (workers {', '.join(f'{m:.0f}' for m in rss)} MB)"
        if variant in MODEL_VARIANTS:
            extra = f"server CPU {statistics.median(r.inner['server_cpu_s'] for r in measured):.1f}"
        same = order = "-"
        reference = reference_of(variant)
        if variant in outputs and reference is not None:
            same = ("yes" if sorted(outputs[variant]) == sorted(outputs[reference]) else "NO") + f" ({reference})"
            order = "yes" if [json.loads(line)["id"] for line in outputs[variant]] == input_order else "no"
        print(f"| {variant} | {statistics.median(r.wall_s for r in measured):.1f} | "
              f"{statistics.median(r.cpu_s for r in measured):.1f} | "
              f"{statistics.median(r.peak_rss_mb for r in measured):.0f} | {extra} | {same} | {order} |")


def cli_has_parallel() -> bool:
    help_text = subprocess.run([CLI, "run", "--help"], capture_output=True, text=True).stdout
    return "--parallel" in help_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[300])
    parser.add_argument("--chars", type=int, default=545_000, help="characters in all for the first --articles count")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=["cli-default", "cli-c1", "cli-threads", "cli-processes",
                                                           "inprocess", "parse", "pipe2", "startup"])
    parser.add_argument("--before", metavar="REV", default=None,
                        help="also run the cli-default, cli-c1 and inprocess variants on the package as of git REV "
                             "(extracted with git archive, put first on PYTHONPATH), back to back with today's")
    parser.add_argument("--inner", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        if args.inner[0] == "serve":
            serve(Path(args.inner[1]))
        else:
            inner(args.inner[0], Path(args.inner[1]))
        return
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is absent (the benchmark reads real articles from ../shared/datasets)")
        return
    variants = list(args.variants)
    if args.before:
        variants = [f"before:{v}" for v in ("cli-default", "cli-c1", "inprocess") if v in variants] + variants
    if not cli_has_parallel():
        skipped = [v for v in variants if v in ("cli-threads", "cli-processes")]
        variants = [v for v in variants if v not in skipped]
        if skipped:
            print(f"note: this CLI has no --parallel; skipped {', '.join(skipped)}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (shared machine)")
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as directory:
        workdir = Path(directory)
        before_src = workdir / "before-src"
        if args.before:
            before_src.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "summarizer", "prompts"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(before_src)], input=archive, check=True)
            print(f"before: the package at {args.before} ({before_src}), first on PYTHONPATH")
        for count in args.articles:
            target = round(args.chars * count / args.articles[0])
            articles = real_articles(count, target)
            source = workdir / f"articles-{count}.jsonl"
            with open(source, "w", encoding="utf-8") as handle:
                for article in articles:
                    handle.write(json.dumps(article, ensure_ascii=False) + "\n")
            chars = sum(len(a["text"]) for a in articles)
            print(f"\n{len(articles)} articles, {chars:,} characters "
                  f"({sum(a['id'].startswith('polnear') for a in articles)} PolNeAR + "
                  f"{sum(a['id'].startswith('gva') for a in articles)} GVA), {args.rounds} round(s), medians:")
            runs: dict[str, list[Run]] = {v: [] for v in variants}
            outputs: dict[str, list[str]] = {}
            server = None
            if any(v in MODEL_VARIANTS for v in variants):
                server = subprocess.Popen([PYTHON, str(Path(__file__).resolve()), "--inner", "serve", str(source)],
                                          stdout=subprocess.PIPE, text=True)
                base_url = server.stdout.readline().strip()  # type: ignore[union-attr]
                print(f"fast local model server (scripted oracle, unlabelled articles; pid {server.pid}) at {base_url}")
            for round_number in range(args.rounds):
                for variant in variants:
                    run_dir = workdir / f"{count}-{variant.replace(':', '-')}-{round_number}"
                    run_dir.mkdir()
                    env = {**os.environ, "SUMMARIZER_CACHE": str(run_dir / "cache"),
                           "SUMMARIZER_STORE": str(run_dir / "runs.sqlite")}
                    env.pop("OPENAI_API_KEY", None)
                    env.pop("SUMMARIZER_API_KEY", None)
                    base = variant.split(":", 1)[-1]
                    if variant.startswith("before:"):
                        env["PYTHONPATH"] = os.pathsep.join([str(before_src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
                    if base in CLI_VARIANTS:
                        output = run_dir / "out.jsonl"
                        command = [CLI, "run", str(source), "-o", str(output), "--quiet", *CLI_VARIANTS[base]]
                    elif base in MODEL_VARIANTS:
                        strategy, how = MODEL_VARIANTS[base]
                        output = run_dir / "out.jsonl"
                        command = [CLI, "run", str(source), "-o", str(output), "--quiet", "--strategy", strategy,
                                   "--base-url", base_url, "--model", "oracle", "--parallel", how]
                    else:
                        output = None
                        command = [PYTHON, str(Path(__file__).resolve()), "--inner", base, str(source)]
                    server_cpu = _process_cpu_s(server.pid) if server is not None else 0.0
                    run = measure(command, env, cwd=run_dir)
                    if base in MODEL_VARIANTS and server is not None:
                        run.inner["server_cpu_s"] = round(_process_cpu_s(server.pid) - server_cpu, 1)
                    runs[variant].append(run)
                    if output is not None and round_number == 0:
                        outputs[variant] = comparable(output)
                    print(f"  round {round_number + 1} {variant:14s} {run.wall_s:6.1f} s wall, {run.cpu_s:6.1f} s CPU, "
                          f"{run.peak_rss_mb:5.0f} MB {json.dumps({k: v for k, v in run.inner.items() if k != 'bench'})}",
                          flush=True)
                print_table(variants, runs, outputs, articles)
            if server is not None:
                server.kill()
                server.wait()
    print(f"\nload average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
