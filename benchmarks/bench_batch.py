"""Batch throughput, resume cost and memory; prints figures, asserts nothing about time.

    .venv/bin/python benchmarks/bench_batch.py                 # everything (embedded: 3 articles)
    .venv/bin/python benchmarks/bench_batch.py --skip-model    # no llama.cpp server

Measures, on synthetic articles generated here (no data files):

1. articles/minute with ``--strategy rules`` (spaCy + rules, no model);
2. articles/minute on the embedded backend (naive strategy, a few articles) and the pipeline's
   overhead as a share of the time spent waiting for the model;
3. re-running a finished 1,000-article job: model/summarizer calls (target 0) and wall time
   (target < 10 s);
4. peak memory of 1,000- and 10,000-article jobs through inputs -> batch -> store -> output
   (tracemalloc peak and RSS growth; target: flat). The summarizer is a stub here, so the
   figure is the job machinery's, not spaCy's or the model's.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.batch import run_job, summarize_many  # noqa: E402
from summarizer.schema import ArticleRecord, Provenance  # noqa: E402
from summarizer.store import RunStore  # noqa: E402

PLACES = ["Kharkiv", "Gaza City", "Khartoum", "Goma", "Aleppo", "Mariupol", "Mogadishu", "Sana'a"]
NAMES = ["Anna Kovalenko", "Omar Haddad", "Fatima Idris", "John Mbeki", "Leila Nasser", "Pavel Orlov"]
SOURCES = ["the regional governor", "the health ministry", "a police spokesman", "the UN office"]


def synthetic_article(seed: int, paragraphs: int = 4) -> str:
    """A news-like article with casualty figures, quotes and a denial, different for each seed."""
    rng = random.Random(seed)
    parts = []
    for _ in range(paragraphs):
        place, name, source = rng.choice(PLACES), rng.choice(NAMES), rng.choice(SOURCES)
        killed, wounded = rng.randint(2, 300), rng.randint(5, 900)
        parts.append(
            f"At least {killed} people were killed and {wounded} wounded in strikes on {place} on Tuesday, "
            f"{source} said. \"We lost everything,\" said {name}, who fled the area with her children. "
            f"The army denied targeting civilians and said it had struck only military sites near {place}."
        )
    return "\n\n".join(parts)


def _rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CountingProxy:
    """Forwards to a real summarizer and counts ``summarize`` calls."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls = 0

    def summarize(self, *args: Any, **kwargs: Any) -> ArticleRecord:
        self.calls += 1
        return self._inner.summarize(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class StubSummarizer:
    """An instant summarizer: measures the job machinery without spaCy or a model."""

    strategy = "stub"  # not "rules": the job would load spaCy for it
    client = None
    max_article_chars = 1_000_000

    def describe(self) -> dict[str, Any]:
        return {"strategy": "stub"}

    def summarize(self, text: str, *, id: Optional[str] = None, title: Optional[str] = None,
                  date: Optional[str] = None, url: Optional[str] = None) -> ArticleRecord:
        import hashlib

        return ArticleRecord(id=id or "?", summary=text[:120], chars=len(text), title=title,
                             input_sha256=hashlib.sha256(text.encode()).hexdigest(),
                             provenance=Provenance(summarizer_version="0", strategy="stub", backend="none"))

    def close(self) -> None:
        pass


class TimedClient:
    """Wraps a model client and sums the wall time of its ``ask`` calls."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.model_s = 0.0

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._inner.ask(*args, **kwargs)
        finally:
            self.model_s += time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _write_jsonl(path: Path, count: int, paragraphs: int, offset: int = 0) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps({"id": f"a{n:05d}", "text": synthetic_article(n + offset, paragraphs)}) + "\n")


def bench_rules(count: int) -> None:
    from summarizer.pipeline import Summarizer

    articles = [{"id": str(n), "text": synthetic_article(n)} for n in range(count)]
    with Summarizer(strategy="rules") as summarizer:
        list(summarize_many(articles[:1], summarizer=summarizer))  # load spaCy outside the timing
        started = time.perf_counter()
        records = list(summarize_many(articles, summarizer=summarizer, concurrency=2))
        elapsed = time.perf_counter() - started
    chars = sum(len(a["text"]) for a in articles) / count
    ok = sum(r.status == "ok" for r in records)
    print(f"[rules] {count} articles (~{chars:,.0f} chars): {elapsed:.1f} s, {count / elapsed * 60:,.0f} articles/min, {ok} ok")


def bench_embedded(count: int) -> None:
    from summarizer.backend import ModelSettings, open_client
    from summarizer.pipeline import Summarizer

    settings = ModelSettings.load(None, n_ctx=4096)
    client = TimedClient(open_client(settings, cache=None))
    articles = [{"id": str(n), "text": synthetic_article(1000 + n, paragraphs=2)} for n in range(count)]
    summarizer = Summarizer(settings, strategy="naive", client=client)
    try:
        server = client.embedded_server
        if server is not None:
            server.start()
            print(f"[embedded] server started in {server.startup_s or 0:.1f} s (not counted below)")
        started = time.perf_counter()
        records = list(summarize_many(articles, summarizer=summarizer, concurrency=1))
        elapsed = time.perf_counter() - started
    finally:
        summarizer.close()
    ok = sum(r.status == "ok" for r in records)
    calls = sum(r.provenance.usage.calls for r in records if r.provenance)
    tokens = sum(r.provenance.usage.prompt_tokens + r.provenance.usage.completion_tokens for r in records if r.provenance)
    overhead = max(0.0, elapsed - client.model_s)
    print(f"[embedded] {count} articles, naive strategy: {elapsed:.1f} s, {count / elapsed * 60:.1f} articles/min, "
          f"{ok} ok, {calls} model calls, {tokens:,} tokens")
    print(f"[embedded] model time {client.model_s:.1f} s; pipeline overhead {overhead:.2f} s = "
          f"{overhead / max(client.model_s, 1e-9):.1%} of model time")
    for record in records:
        if record.error:
            print(f"[embedded]   {record.id}: {record.error.kind}: {record.error.message[:120]}")


def bench_rerun(count: int, workdir: Path) -> None:
    from summarizer.pipeline import Summarizer

    source = workdir / "rerun.jsonl"
    _write_jsonl(source, count, paragraphs=1)
    store_path = workdir / "rerun.sqlite"
    with Summarizer(strategy="rules") as summarizer, RunStore(store_path) as store:
        started = time.perf_counter()
        first = run_job([str(source)], workdir / "rerun-1.jsonl", summarizer=summarizer, store=store)
        print(f"[rerun] first run of {count:,} articles (rules, 1 paragraph): {time.perf_counter() - started:.1f} s, {first.ok} ok")
    # A fresh process state would also pay imports; count the job itself, as `summarizer run` would.
    with RunStore(store_path) as store:
        proxy = CountingProxy(Summarizer(strategy="rules"))
        started = time.perf_counter()
        second = run_job([str(source)], workdir / "rerun-2.jsonl", summarizer=proxy, store=store)
        elapsed = time.perf_counter() - started
    print(f"[rerun] second run: {elapsed:.2f} s, summarize() calls {proxy.calls}, model calls {second.model_calls}, "
          f"reused {second.reused:,}/{second.articles:,}  (target: 0 calls, < 10 s)")


def bench_memory(counts: list[int], workdir: Path) -> None:
    for count in counts:
        source = workdir / f"mem-{count}.jsonl"
        _write_jsonl(source, count, paragraphs=3)
        size_mb = source.stat().st_size / 1e6
        rss_before = _rss_mb()
        tracemalloc.start()
        started = time.perf_counter()
        with RunStore(workdir / f"mem-{count}.sqlite") as store:
            summary = run_job([str(source)], workdir / f"mem-{count}.jsonl.out", summarizer=StubSummarizer(), store=store, concurrency=4)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"[memory] {count:,} articles ({size_mb:.1f} MB of JSONL): tracemalloc peak {peak / 1e6:.1f} MB, "
              f"RSS {rss_before:.0f} -> {_rss_mb():.0f} MB, {elapsed:.1f} s, {summary.ok:,} ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules-articles", type=int, default=40)
    parser.add_argument("--model-articles", type=int, default=3)
    parser.add_argument("--rerun-articles", type=int, default=1000)
    parser.add_argument("--memory-articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--skip-model", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as directory:
        workdir = Path(directory)
        bench_memory(args.memory_articles, workdir)
        bench_rules(args.rules_articles)
        bench_rerun(args.rerun_articles, workdir)
        if not args.skip_model:
            bench_embedded(args.model_articles)


if __name__ == "__main__":
    main()
