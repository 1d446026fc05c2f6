"""Rules-strategy throughput: one-node Ray vs the thread pool, on the same synthetic articles.

    .venv/bin/python benchmarks/bench_ray.py                       # 500 articles, 2 actors
    .venv/bin/python benchmarks/bench_ray.py --articles 200 --actors 2 --num-cpus 2

Prints articles/minute for :func:`summarizer.batch.summarize_many` and for
:func:`summarizer.ray_job.ray_records` (actor start-up included, Ray start-up reported apart),
and checks both gave the same records. Asserts nothing about time. Needs the ``ray`` extra.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import synthetic_article  # noqa: E402

from summarizer.batch import summarize_many  # noqa: E402
from summarizer.pipeline import Summarizer  # noqa: E402


def _per_minute(count: int, seconds: float) -> float:
    return count / seconds * 60 if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--actors", type=int, default=2, help="Ray actors (one CPU each)")
    parser.add_argument("--num-cpus", type=int, default=2, help="CPUs of the local one-node Ray")
    parser.add_argument("--concurrency", type=int, default=2, help="threads for summarize_many")
    options = parser.parse_args()

    import ray

    from summarizer.ray_job import ray_records, ray_session

    articles = [{"id": f"bench-{seed}", "text": synthetic_article(seed)} for seed in range(options.articles)]
    summarizer = Summarizer(strategy="rules")
    summarizer.summarize(synthetic_article(-1))  # load spaCy before timing, as each actor does before its work

    started = time.perf_counter()
    threaded = {record.id: record for record in summarize_many(articles, summarizer=summarizer,
                                                               concurrency=options.concurrency)}
    threaded_s = time.perf_counter() - started

    started = time.perf_counter()
    with ray_session(num_cpus=options.num_cpus):
        ray_start_s = time.perf_counter() - started
        started = time.perf_counter()
        on_ray = {item.record.id: item.record for item in ray_records(articles, summarizer=summarizer,
                                                                      actors=options.actors)}
        ray_s = time.perf_counter() - started

    same = all(
        threaded[key].model_dump(exclude={"provenance"}) == on_ray[key].model_dump(exclude={"provenance"})
        for key in threaded
    ) and threaded.keys() == on_ray.keys()
    print(f"{options.articles} synthetic articles, rules strategy, ray {ray.__version__}")
    print(f"summarize_many ({options.concurrency} threads): {threaded_s:6.1f} s  {_per_minute(len(threaded), threaded_s):7.0f} articles/min")
    print(f"ray_records ({options.actors} actors):        {ray_s:6.1f} s  {_per_minute(len(on_ray), ray_s):7.0f} articles/min"
          f"  (+{ray_start_s:.1f} s to start Ray)")
    print(f"same records: {same}")


if __name__ == "__main__":
    main()
