"""Throughput of the embedded llama.cpp server with 1, 2 and 4 requests in flight.

Asks the same small structured question (uncached) ``--requests`` times at each concurrency
level through :class:`summarizer.backend.AsyncModelClient` and prints a table. Parallel slots
are requested from the server; if the installed llama-cpp-python cannot decode in parallel,
requests queue behind one slot and the table shows what concurrency does anyway.

    .venv/bin/python benchmarks/bench_embedded_parallel.py [--requests 6] [--levels 1 2 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass

from pydantic import BaseModel, Field

from summarizer.backend import AsyncModelClient, ModelSettings
from summarizer.embedded import EmbeddedServer

QUESTION = [
    {
        "role": "user",
        "content": "Rebels attacked the town of Kidal on Tuesday. Officials said 12 soldiers were killed. "
        "Extract the place, the number killed and who was killed.",
    }
]


class Incident(BaseModel):
    place: str = Field(description="Where it happened.")
    killed: int = Field(description="How many people were killed.")
    victims: str = Field(description="Who was killed.")


@dataclass
class LevelResult:
    in_flight: int
    requests: int
    wall_s: float
    latencies_s: list[float]
    completion_tokens: int
    failures: int

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.wall_s

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.wall_s


async def run_level(client: AsyncModelClient, in_flight: int, requests: int) -> LevelResult:
    gate = asyncio.Semaphore(in_flight)
    latencies: list[float] = []
    tokens = 0
    failures = 0

    async def one() -> None:
        nonlocal tokens, failures
        async with gate:
            started = time.monotonic()
            answer = await client.ask(Incident, QUESTION, max_reasks=0)
            latencies.append(time.monotonic() - started)
            tokens += answer.usage.completion_tokens
            failures += answer.value is None

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(requests)))
    return LevelResult(in_flight, requests, time.monotonic() - started, latencies, tokens, failures)


async def main(levels: list[int], requests: int, n_threads: int | None) -> None:
    settings = ModelSettings(max_tokens=96, parallel=max(levels), n_threads=n_threads, timeout_s=600)
    server = EmbeddedServer(n_ctx=2048, n_threads=n_threads, parallel=max(levels))
    with server:
        print(f"server: {server.gguf_path.name}, startup {server.startup_s:.2f} s, "
              f"{server.n_threads} threads, parallel slots {server.parallel_slots} (requested {max(levels)})")
        async with AsyncModelClient(settings, cache=None, server=server) as client:
            await run_level(client, 1, 1)  # warm-up, not reported
            results = [await run_level(client, level, requests) for level in levels]
    print(f"{'in flight':>9} {'requests':>8} {'wall s':>7} {'req/s':>6} {'gen tok/s':>9} "
          f"{'p50 lat s':>9} {'max lat s':>9} {'invalid':>7}")
    for result in results:
        print(f"{result.in_flight:>9} {result.requests:>8} {result.wall_s:>7.2f} {result.requests_per_s:>6.3f} "
              f"{result.tokens_per_s:>9.1f} {statistics.median(result.latencies_s):>9.2f} "
              f"{max(result.latencies_s):>9.2f} {result.failures:>7}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6, help="requests per concurrency level")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: all cores)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.levels, arguments.requests, arguments.threads))
