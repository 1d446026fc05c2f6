"""Many articles: bounded concurrency, rate budgets, backoff on 429, resume from the run store.

:func:`summarize_many` is the library entry point (an iterator of records in the order they
finish); :func:`summarize_many_async` is the same for asyncio; :func:`run_job` is what
``summarizer run`` does: inputs -> records -> store -> output file, with progress events and a
final :class:`JobSummary`.

The parallelism follows the work (:func:`worker_processes`). Parsing is CPU-bound, and threads
parsing in one process only contend for the GIL, so the strategies that parse (rules, and the
rules half of hybrid and review) run on worker processes, one per CPU
(:mod:`summarizer.worker_pool`); a model strategy's worker runs a few articles at once on threads
of its own, which wait on HTTP, so ``concurrency`` requests are still in flight in all. The naive
strategy only waits on the model: it runs in a thread pool around the synchronous
:meth:`Summarizer.summarize` (the model client is thread-safe). Either way one loop, in this
process, reads the inputs, paces the requests, commits to the store and writes the output. At
most ``concurrency`` model articles are in flight, and inputs are read lazily, so memory does not
grow with the size of the job. When records fail because the server said "429 Too Many Requests"
(after the backend's own retries), :class:`AdaptiveThrottle` lowers the concurrency, spaces out
new requests and re-queues the article; successes slowly restore the pace.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, BinaryIO, Callable, Iterable, Iterator, Literal, Mapping, Optional, Protocol, Union

from summarizer.inputs import ArticleInput, ArticleOrProblem, InputProblem, article_from_mapping, count_articles, iter_articles, mark_duplicate_ids
from summarizer.schema import ArticleRecord
from summarizer.store import ExportFormat, RunStore, open_record_writer, prompts_version_for, run_key

ArticleLike = Union[str, Mapping[str, Any], ArticleInput, InputProblem]

#: Characters per token for budgeting before the real count is known (English prose: ~4).
CHARS_PER_TOKEN = 4
#: Tokens added to each article's estimate for instructions and answers.
TOKENS_PER_ARTICLE_OVERHEAD = 1000


# -------------------------------------------------------------------------------------------------
# Pace: budgets and backoff


class RateBudget:
    """Requests-per-minute and tokens-per-minute limits over a sliding 60-second window.

    :meth:`acquire` blocks until one more request with an estimated token count fits; once the
    article is done, :meth:`settle` corrects the window with the real calls and tokens. An
    article larger than the whole token budget still runs when the window is empty, so a job
    can never deadlock on its budget.
    """

    WINDOW_S = 60.0

    def __init__(
        self,
        requests_per_minute: Optional[float] = None,
        tokens_per_minute: Optional[float] = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self._clock = clock
        self._sleep = sleep
        self._events: deque[tuple[float, float, float]] = deque()  # (time, requests, tokens)
        self._lock = threading.Lock()
        #: Seconds spent waiting for the budget so far.
        self.waited_s = 0.0

    @property
    def limited(self) -> bool:
        return bool(self.requests_per_minute or self.tokens_per_minute)

    def _used(self, now: float) -> tuple[float, float]:
        while self._events and self._events[0][0] <= now - self.WINDOW_S:
            self._events.popleft()
        return sum(event[1] for event in self._events), sum(event[2] for event in self._events)

    def acquire(self, tokens: int) -> float:
        """Wait until a request of ``tokens`` fits; returns the seconds waited."""
        if not self.limited:
            return 0.0
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                requests, used_tokens = self._used(now)
                fits = (not self.requests_per_minute or requests + 1 <= self.requests_per_minute) and (
                    not self.tokens_per_minute or used_tokens + tokens <= self.tokens_per_minute
                )
                if fits or not self._events:
                    self._events.append((now, 1.0, float(tokens)))
                    self.waited_s += waited
                    return waited
                pause = max(0.05, self._events[0][0] + self.WINDOW_S - now)
            self._sleep(pause)
            waited += pause

    def settle(self, estimated_tokens: int, actual_tokens: int, actual_requests: int) -> None:
        """Replace the estimate made by :meth:`acquire` with what the article really used."""
        if not self.limited:
            return
        with self._lock:
            self._events.append((self._clock(), float(actual_requests - 1), float(actual_tokens - estimated_tokens)))


class AdaptiveThrottle:
    """How many articles may be in flight and how far apart to start them, adapted to 429s.

    A rate-limited article halves the allowed concurrency (down to 1) and doubles the pause
    between new requests (from 1 s up to ``max_pause_s``); every ``recover_after`` successes in a
    row halve the pause and allow one more article in flight, up to the configured concurrency.
    """

    def __init__(
        self,
        concurrency: int,
        *,
        max_pause_s: float = 60.0,
        recover_after: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.max_concurrency = concurrency
        self.concurrency = concurrency
        self.pause_s = 0.0
        self.max_pause_s = max_pause_s
        self.recover_after = recover_after
        self.rate_limited = 0
        self._successes = 0
        self._last_start = float("-inf")
        self._clock = clock
        self._sleep = sleep

    def before_start(self) -> None:
        """Sleep so that new requests are at least :attr:`pause_s` apart."""
        if self.pause_s > 0:
            delay = self._last_start + self.pause_s - self._clock()
            if delay > 0:
                self._sleep(delay)
        self._last_start = self._clock()

    def on_rate_limited(self) -> None:
        self.rate_limited += 1
        self._successes = 0
        self.concurrency = max(1, self.concurrency // 2)
        self.pause_s = min(self.max_pause_s, max(1.0, self.pause_s * 2))

    def on_success(self) -> None:
        self._successes += 1
        if self._successes >= self.recover_after:
            self._successes = 0
            self.pause_s = self.pause_s / 2 if self.pause_s >= 0.2 else 0.0
            self.concurrency = min(self.max_concurrency, self.concurrency + 1)


def is_rate_limited(record: ArticleRecord) -> bool:
    """Whether a record failed because the model server refused us for going too fast."""
    if record.status != "error" or record.error is None:
        return False
    return record.error.kind == "rate_limited" or "HTTP 429" in record.error.message


# -------------------------------------------------------------------------------------------------
# The work loop


@dataclass(frozen=True)
class Finished:
    """One article's outcome in a job: its record, its input, and whether it came from the store."""

    record: ArticleRecord
    article: Optional[ArticleInput]
    reused: bool = False


def as_article_inputs(articles: Iterable[ArticleLike]) -> Iterator[ArticleOrProblem]:
    """Normalise strings, dicts and inputs to :class:`ArticleInput` / :class:`InputProblem`.

    A string's id is its position in ``articles``; a dict's is its ``id`` (its position if it has
    none). Repeated ids become ``duplicate_id`` problems.
    """

    def normalised() -> Iterator[ArticleOrProblem]:
        for position, item in enumerate(articles):
            if isinstance(item, (ArticleInput, InputProblem)):
                yield item
            elif isinstance(item, str):
                yield article_from_mapping({"id": str(position), "text": item})
            elif isinstance(item, Mapping):
                data = dict(item)
                data.setdefault("id", str(position))
                yield article_from_mapping(data, origin=f"<item {position}>", fallback_id=str(position))
            else:
                yield InputProblem(str(position), "invalid_field", f"expected str, dict or ArticleInput, got {type(item).__name__}", f"<item {position}>")

    return mark_duplicate_ids(normalised())


def settled_without_work(item: ArticleOrProblem, store: Optional[RunStore], key: str) -> Optional[Finished]:
    """The outcome of an input that needs no summarizing: an input problem's error record, or the
    record ``store`` already holds for this run key and text. None: the article must be summarised."""
    if isinstance(item, InputProblem):
        return Finished(item.to_record(), None)
    if store is not None:
        stored = store.finished(key, item.id, item.sha256)
        if stored is not None:
            return Finished(stored, item, reused=True)
    return None


class _Pacing:
    """What the job decides around every article, whether it runs on threads or worker processes.

    Before an article starts: the throttle's pace (:meth:`AdaptiveThrottle.before_start`) and the
    rate budget (:meth:`RateBudget.acquire`), both in the job's process. Once it is done: the
    budget settled with the record's real usage, and a rate-limited record re-queues the article
    (up to ``max_rate_limit_retries`` times) after slowing the throttle. At most
    :attr:`AdaptiveThrottle.concurrency` model articles are in flight.

    With a model, an article whose text is the same as one in flight waits for it (``hold_duplicates``):
    it then gets every answer from the call cache, as it would one after the other, instead of
    racing the first for the same requests, which made its ``usage`` (calls against cached calls)
    depend on timing (two copies of one GVA article in the benchmark's 300 articles did that).
    """

    def __init__(self, throttle: AdaptiveThrottle, budget: Optional[RateBudget], max_rate_limit_retries: int,
                 *, hold_duplicates: bool) -> None:
        self.throttle = throttle
        self.budget = budget
        self.max_rate_limit_retries = max_rate_limit_retries
        self.hold_duplicates = hold_duplicates
        self._texts_in_flight: Counter[str] = Counter()

    def may_start(self, pending: "_Pending") -> bool:
        return not (self.hold_duplicates and self._texts_in_flight[pending.article.sha256])

    def start(self, pending: "_Pending") -> None:
        self.throttle.before_start()
        if self.budget is not None:
            self.budget.acquire(pending.estimated_tokens)
        self._texts_in_flight[pending.article.sha256] += 1

    def stopped(self, pending: "_Pending") -> None:
        """The article is no longer in flight (done, or lost with a worker process)."""
        self._texts_in_flight[pending.article.sha256] -= 1
        if not self._texts_in_flight[pending.article.sha256]:
            del self._texts_in_flight[pending.article.sha256]

    def done(self, pending: "_Pending", record: ArticleRecord) -> bool:
        """Account for a finished article; True when it must be summarised again (rate limited)."""
        self.stopped(pending)
        usage = record.provenance.usage if record.provenance is not None else None
        if self.budget is not None and usage is not None:
            self.budget.settle(pending.estimated_tokens, usage.prompt_tokens + usage.completion_tokens, usage.calls)
        if is_rate_limited(record):
            self.throttle.on_rate_limited()
            if pending.attempt <= self.max_rate_limit_retries:
                pending.attempt += 1
                return True
        elif record.status == "ok":
            self.throttle.on_success()
        return False


@dataclass(eq=False)
class _Pending:
    """One input of a job, in input order: settled (``finished``) or on its way."""

    article: Optional[ArticleInput]
    estimated_tokens: int = 0
    attempt: int = 1
    finished: Optional[Finished] = None
    future: Optional["Future[ArticleRecord]"] = None
    #: Worker deaths while this article was in flight.
    crashes: int = 0
    #: Whether it was the only article in flight (so a crash now is its own).
    alone: bool = False


# -------------------------------------------------------------------------------------------------
# Parallelism: threads for waiting on a model, processes for parsing

Parallelism = Literal["auto", "threads", "processes"]
PARALLELISM_CHOICES: tuple[str, ...] = ("auto", "threads", "processes")
#: Articles queued per worker process: keeps every worker busy while this process commits and
#: writes, and bounds the texts and records held at once (memory flat with the job's size).
QUEUED_PER_WORKER = 4
#: Times an article may be in flight when a worker process dies before it gets an error record.
MAX_WORKER_CRASHES = 2


def _parsing_strategy(summarizer: Any) -> bool:
    """Whether ``summarizer`` is a :class:`~summarizer.pipeline.Summarizer` (which worker processes
    can build again) whose strategy parses (:attr:`~summarizer.strategies.Strategy.parses`): rules,
    and the rules half of hybrid and review. Naive never parses (one model answer placed in the
    text): it only waits."""
    from summarizer.pipeline import Summarizer

    return type(summarizer) is Summarizer and summarizer.spec.parses


def cpu_bound(summarizer: Any) -> bool:
    """Whether ``summarizer``'s work is parsing and rules only (no model call, nothing to wait on)."""
    return _parsing_strategy(summarizer) and not summarizer.spec.uses_model


def _processes_refused(summarizer: Any) -> Optional[str]:
    """Why ``summarizer`` cannot run on worker processes; None if it can."""
    if not _parsing_strategy(summarizer):
        return (f"worker processes run the strategies that parse (rules, hybrid, review; this job's is "
                f"{getattr(summarizer, 'strategy', '?')!r}): the rest only waits on the model, which threads do "
                "without a process each")
    if summarizer.spec.uses_model:
        from summarizer.worker_pool import WorkerSpec

        try:
            WorkerSpec.of(summarizer)
        except ValueError as exc:
            return str(exc)
    return None


def worker_processes(summarizer: Any, parallelism: str, concurrency: int) -> int:
    """How many worker processes a job runs on; 0 means threads in this process.

    ``auto``: processes for the strategies that parse (rules, hybrid, review) when at least two
    CPUs and two articles in flight are allowed, at most one per CPU; for a model strategy only
    against an OpenAI-compatible base URL (on the embedded backend the llama.cpp server already
    uses every core, and the rules are a few percent of the work: README, "Batch figures").
    Threads otherwise (naive: nothing to parse). ``processes`` insists (ValueError when the
    summarizer cannot run on them); ``threads`` is the thread pool whatever the work.
    """
    if parallelism not in PARALLELISM_CHOICES:
        raise ValueError(f"unknown parallelism {parallelism!r}; choose from {', '.join(PARALLELISM_CHOICES)}")
    if parallelism == "threads":
        return 0
    from summarizer.worker_pool import available_cpus

    workers = max(1, min(concurrency, available_cpus()))
    refused = _processes_refused(summarizer)
    if parallelism == "processes":
        if refused is not None:
            raise ValueError(refused)
        return workers
    if refused is not None or workers < 2:
        return 0
    if summarizer.spec.uses_model and getattr(summarizer.settings, "is_embedded", False):
        return 0
    return workers


def _worker_crash_record(article: ArticleInput, summarizer: Any, crashes: int) -> ArticleRecord:
    from summarizer import __version__
    from summarizer.schema import ErrorInfo, Provenance

    return ArticleRecord(
        id=article.id, status="error", title=article.title, date=article.date, url=article.url,
        input_sha256=article.sha256, chars=len(article.text),
        error=ErrorInfo(kind="internal_error", message=(
            f"the worker process summarising this article died ({crashes} time(s), the last with no other "
            "article in flight); the job went on without it and the next run retries it")),
        provenance=Provenance(summarizer_version=__version__, strategy=summarizer.strategy, backend="none",
                              settings=summarizer.describe()),
    )


class _Processes:
    """Articles summarised on a :class:`~summarizer.worker_pool.SummarizerPool`, started on the first
    article that needs it (a job the store already holds starts no process)."""

    def __init__(self, summarizer: Any, workers: int, concurrency: int) -> None:
        self.summarizer = summarizer
        self.workers = workers
        # a model strategy's articles wait on HTTP part of the time: enough threads per worker for
        # ``concurrency`` in flight in all; the rules are CPU-bound: one at a time per worker
        self.threads = -(-concurrency // workers) if summarizer.spec.uses_model else 1
        self.pool: Any = None

    def submit(self, article: ArticleInput) -> "Future[ArticleRecord]":
        if self.pool is None:
            from summarizer.worker_pool import SummarizerPool, WorkerSpec, share_embedded_server

            spec = WorkerSpec.of(self.summarizer, server=share_embedded_server(self.summarizer))
            self.pool = SummarizerPool(spec, self.workers, threads=self.threads)
        return self.pool.submit(article.text, id=article.id, title=article.title, date=article.date, url=article.url)

    def restart(self) -> None:
        self.pool.restart()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


class _Threads:
    """Articles summarised by ``summarizer`` on ``concurrency`` threads of this process."""

    def __init__(self, summarizer: Any, concurrency: int) -> None:
        self.summarizer = summarizer
        self.executor = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="summarizer")

    def submit(self, article: ArticleInput) -> "Future[ArticleRecord]":
        return self.executor.submit(self.summarizer.summarize, article.text, id=article.id, title=article.title,
                                    date=article.date, url=article.url)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def run_records(
    articles: Iterable[ArticleLike],
    *,
    summarizer: Any,
    concurrency: int = 4,
    store: Optional[RunStore] = None,
    budget: Optional[RateBudget] = None,
    throttle: Optional[AdaptiveThrottle] = None,
    max_rate_limit_retries: int = 2,
    parallelism: Parallelism = "threads",
) -> Iterator[Finished]:
    """The job loop behind :func:`summarize_many` and :func:`run_job`, yielding :class:`Finished`.

    Articles already finished in ``store`` under the same settings are yielded from it without
    calling the summarizer; every newly finished article is committed before it is yielded.
    ``parallelism`` (see :func:`worker_processes`): with threads, records come as they finish;
    with worker processes, in input order. Either way the same loop, in this process, paces the
    model requests (:class:`_Pacing`: at most ``throttle.concurrency`` in flight, the rate
    budget, 429s re-queued) and alone commits to the store. With worker processes, at most
    ``workers * QUEUED_PER_WORKER`` more inputs are held, and when a worker dies it is replaced
    and the articles it had in flight are retried one at a time: the one that kills a worker
    while alone gets an ``internal_error`` record (retried by the next run) and the job goes on.
    The default stays ``threads`` for callers that are themselves a worker (a Ray actor).
    """
    from concurrent.futures.process import BrokenProcessPool

    throttle = throttle or AdaptiveThrottle(concurrency)
    uses_model = getattr(summarizer, "strategy", "rules") != "rules"
    key = job_run_key(summarizer)
    workers = worker_processes(summarizer, parallelism, concurrency)
    if store is not None:
        store.register_run(key, summarizer.describe(), prompt_version=prompts_version_for(summarizer.strategy))
    pacing = _Pacing(throttle, budget if uses_model else None, max_rate_limit_retries, hold_duplicates=uses_model)
    inputs = iter(as_article_inputs(articles))
    ordered = bool(workers)
    runner: Any = _Processes(summarizer, workers, concurrency) if workers else _Threads(summarizer, concurrency)

    def room() -> int:
        """Articles that may be in flight now: the throttle's for model work and threads, else the queue's."""
        return throttle.concurrency if (uses_model or not workers) else workers * QUEUED_PER_WORKER

    def held() -> int:
        """Inputs held at once: with threads, no more than may be in flight (an input is read when it
        can start, as it always was); with processes, a queue per worker besides."""
        if not workers:
            return throttle.concurrency
        return workers * QUEUED_PER_WORKER + (concurrency if uses_model else 0)

    window: deque[_Pending] = deque()
    exhausted = False

    def settle(pending: _Pending, record: ArticleRecord) -> Optional[Finished]:
        """The article's record is final: committed, and its outcome yielded now (threads) or in turn."""
        article = pending.article
        assert article is not None
        if store is not None:
            store.save(key, record, article.text, origin=article.origin, encoding=article.encoding)
        pending.future = None
        pending.finished = Finished(record, article)
        if not ordered:
            window.remove(pending)
            return pending.finished
        return None

    try:
        while True:
            while not exhausted and len(window) < held():
                item = next(inputs, None)
                if item is None:
                    exhausted = True
                    break
                settled = settled_without_work(item, store, key)
                if settled is not None and not ordered:
                    yield settled
                    continue
                if settled is not None:
                    window.append(_Pending(settled.article, finished=settled))
                else:
                    window.append(_Pending(item, len(item.text) // CHARS_PER_TOKEN + TOKENS_PER_ARTICLE_OVERHEAD))  # type: ignore[union-attr]
            while ordered and window and window[0].finished is not None:
                yield window.popleft().finished  # type: ignore[misc]
            if not window:
                if exhausted:
                    return
                continue
            waiting = [pending for pending in window if pending.finished is None]
            running = [pending for pending in waiting if pending.future is not None]
            suspects = [pending for pending in waiting if pending.crashes and pending.future is None]
            if suspects:  # after a worker died: one article at a time until the culprit is found
                if not running:
                    pacing.start(suspects[0])
                    suspects[0].future = runner.submit(suspects[0].article)
                    suspects[0].alone = True
            elif not any(pending.crashes for pending in running):
                in_flight = len(running)
                for pending in waiting:
                    if in_flight >= room():
                        break
                    if pending.future is None and pacing.may_start(pending):
                        pacing.start(pending)
                        pending.future = runner.submit(pending.article)
                        pending.alone = False
                        in_flight += 1
            running = [pending for pending in waiting if pending.future is not None]
            if not running:  # nothing may start yet (held duplicates only follow one in flight): cannot happen twice
                continue
            wait([pending.future for pending in running], return_when=FIRST_COMPLETED)  # type: ignore[misc]
            broken = False
            for pending in running:
                future = pending.future
                assert future is not None
                if not future.done():
                    continue
                error = future.exception()
                if error is None:
                    record = future.result()
                elif isinstance(error, BrokenProcessPool):
                    broken = True
                    continue
                elif not workers:
                    raise error  # a summarizer in this process raised: not an article's outcome
                else:  # the worker raised instead of returning an error record: one article's problem
                    pacing.stopped(pending)
                    finished = settle(pending, _worker_crash_record(pending.article, summarizer, pending.crashes + 1))  # type: ignore[arg-type]
                    if finished is not None:
                        yield finished
                    continue
                if pacing.done(pending, record):
                    pending.future = None  # rate limited: summarised again when there is room
                    continue
                finished = settle(pending, record)
                if finished is not None:
                    yield finished
            if broken:
                runner.restart()  # replaces the dead workers: every future they held has failed by now
                for pending in running:
                    future = pending.future
                    if future is None or not future.done() or not isinstance(future.exception(), BrokenProcessPool):
                        continue  # settled above, or still running on a live worker
                    pacing.stopped(pending)
                    pending.future = None
                    pending.crashes += 1
                    if pending.alone or pending.crashes >= MAX_WORKER_CRASHES + 1:
                        settle(pending, _worker_crash_record(pending.article, summarizer, pending.crashes))  # type: ignore[arg-type]
    finally:
        runner.close()


def job_run_key(summarizer: Any) -> str:
    """The store key for records made by ``summarizer`` (settings, version, prompts)."""
    return run_key(summarizer.describe(), prompt_version=prompts_version_for(summarizer.strategy))


def summarize_many(
    articles: Iterable[ArticleLike],
    *,
    summarizer: Any = None,
    concurrency: int = 4,
    store: Optional[RunStore] = None,
    requests_per_minute: Optional[float] = None,
    tokens_per_minute: Optional[float] = None,
    strategy: str = "auto",
    parallelism: Parallelism = "auto",
) -> Iterator[ArticleRecord]:
    """Records for ``articles`` (strings, ``{"id", "text", ...}`` dicts or :class:`ArticleInput`).

    At most ``concurrency`` articles are summarised at once: in worker processes (at most one per
    CPU), records in input order, for the strategies that parse (rules, hybrid, review); in
    threads, records as they finish, for the naive strategy and the embedded model
    (``parallelism``, see :func:`worker_processes`). With a ``store``, articles finished
    by an earlier run with the same settings are yielded from it (no model call) and new ones
    are committed as they finish. Without a ``summarizer`` one is made with ``strategy`` and
    closed at the end. Bad items yield error records; nothing here raises for an article.
    """
    owned = summarizer is None
    if summarizer is None:
        from summarizer.pipeline import Summarizer

        summarizer = Summarizer(strategy=strategy)
    active = summarizer
    budget = RateBudget(requests_per_minute, tokens_per_minute)
    try:
        for finished in run_records(articles, summarizer=active, concurrency=concurrency, store=store, budget=budget,
                                    parallelism=parallelism):
            yield finished.record
    finally:
        if owned:
            active.close()


async def summarize_many_async(articles: Iterable[ArticleLike], **options: Any) -> AsyncIterator[ArticleRecord]:
    """:func:`summarize_many` as an async iterator: ``async for record in summarize_many_async(...)``.

    The work runs in threads or worker processes, and records are taken from them in a thread,
    so the event loop stays free while articles are summarised.
    Takes the same keyword options.
    """
    records = summarize_many(articles, **options)
    done = object()
    try:
        while True:
            record = await asyncio.to_thread(next, records, done)
            if record is done:
                return
            yield record  # type: ignore[misc]
    finally:
        await asyncio.to_thread(records.close)


# -------------------------------------------------------------------------------------------------
# Jobs: costs, progress and the final summary


@dataclass(frozen=True)
class Price:
    """What a model charges, in currency units per million tokens."""

    input_per_million: float
    output_per_million: float


class PriceTable:
    """Prices by model name, for the job summary's cost estimate.

    A JSON or TOML file mapping model names to ``{"input_per_million": .., "output_per_million": ..}``
    (a ``"*"`` entry prices any other model)::

        {"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60}}

    The embedded backend costs nothing; a model with no price gives no estimate.
    """

    def __init__(self, prices: Optional[Mapping[str, Price]] = None) -> None:
        self.prices: dict[str, Price] = dict(prices or {})

    @classmethod
    def load(cls, path: Path | str) -> "PriceTable":
        raw_text = Path(path).read_text(encoding="utf-8")
        if Path(path).suffix.lower() == ".toml":
            import tomllib

            document: Any = tomllib.loads(raw_text)
        else:
            document = json.loads(raw_text)
        if not isinstance(document, dict):
            raise ValueError(f"{path}: a price table maps model names to prices")
        table = document.get("models", document)
        prices = {}
        for model, entry in table.items():
            if not isinstance(entry, dict) or not {"input_per_million", "output_per_million"} <= set(entry):
                raise ValueError(f"{path}: {model!r} needs input_per_million and output_per_million")
            prices[str(model)] = Price(float(entry["input_per_million"]), float(entry["output_per_million"]))
        return cls(prices)

    def cost(self, record: ArticleRecord) -> Optional[float]:
        """The record's estimated cost; 0 for no tokens or the embedded backend; None if unpriced."""
        provenance = record.provenance
        if provenance is None:
            return 0.0
        usage = provenance.usage
        if usage.prompt_tokens + usage.completion_tokens == 0 or provenance.backend in ("embedded", "none"):
            return 0.0
        price = self.prices.get(provenance.model or "") or self.prices.get("*")
        if price is None:
            return None
        return (usage.prompt_tokens * price.input_per_million + usage.completion_tokens * price.output_per_million) / 1e6


@dataclass
class JobSummary:
    """What a job did: the counts, tokens, time and cost the CLI prints at the end."""

    output: Optional[str] = None
    articles: int = 0
    ok: int = 0
    reused: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    model_calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_s: float = 0.0
    #: Estimated cost of this run's new model calls; None when some model has no price.
    cost: Optional[float] = 0.0
    unpriced_tokens: int = 0
    rate_limited: int = 0
    run_key: Optional[str] = None
    completed: bool = False

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def add(self, finished: Finished, prices: PriceTable) -> None:
        record = finished.record
        self.articles += 1
        if record.status == "ok":
            self.ok += 1
        else:
            self.failed[record.error.kind if record.error else "unknown"] += 1
        if finished.reused:
            self.reused += 1
            return
        if record.provenance is not None:
            usage = record.provenance.usage
            self.model_calls += usage.calls
            self.cached_calls += usage.cached_calls
            self.prompt_tokens += usage.prompt_tokens
            self.completion_tokens += usage.completion_tokens
            cost = prices.cost(record)
            if cost is None:
                self.unpriced_tokens += usage.prompt_tokens + usage.completion_tokens
                self.cost = None
            elif self.cost is not None:
                self.cost += cost

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": "job_finished",
            "completed": self.completed,
            "output": self.output,
            "articles": self.articles,
            "ok": self.ok,
            "failed": self.failures,
            "failed_by_kind": dict(sorted(self.failed.items())),
            "reused_from_store": self.reused,
            "model_calls": self.model_calls,
            "cached_calls": self.cached_calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "rate_limited": self.rate_limited,
            "wall_s": round(self.wall_s, 3),
            "estimated_cost": round(self.cost, 6) if self.cost is not None else None,
            "unpriced_tokens": self.unpriced_tokens,
            "run_key": self.run_key,
        }


class JobObserver(Protocol):
    """Progress hooks for :func:`run_job` (the CLI's progress bar and JSON log implement it)."""

    def job_started(self, total: Optional[int]) -> None: ...

    def article_finished(self, finished: Finished, summary: JobSummary) -> None: ...


def run_job(
    sources: list[str],
    output: Path | str,
    *,
    summarizer: Any,
    store: Optional[RunStore] = None,
    concurrency: int = 4,
    budget: Optional[RateBudget] = None,
    format: Optional[ExportFormat] = None,
    prices: Optional[PriceTable] = None,
    observer: Optional[JobObserver] = None,
    stdin: Optional[BinaryIO] = None,
    parallelism: Parallelism = "auto",
) -> JobSummary:
    """Summarise every article in ``sources`` into ``output``; what ``summarizer run`` does.

    ``parallelism``: worker processes for the strategies that parse, threads for the naive
    strategy and the embedded model (``auto``, see :func:`worker_processes`); either way this
    process alone paces the requests, commits and writes.

    Inputs are read lazily (:func:`~summarizer.inputs.iter_articles`), finished articles are
    committed to ``store`` one by one, and records are written to a temporary file that replaces
    ``output`` only when the job completes (an interrupted job leaves ``output`` as it was; the
    store keeps what was finished, and the next run picks up from there).
    """
    throttle = AdaptiveThrottle(concurrency)

    def finish(articles: Iterator[ArticleOrProblem]) -> Iterator[Finished]:
        return run_records(articles, summarizer=summarizer, concurrency=concurrency, store=store, budget=budget,
                           throttle=throttle, parallelism=parallelism)

    return write_job(sources, output, summarizer=summarizer, finish=finish,
                     rate_limited=lambda _finished, _count: throttle.rate_limited,
                     format=format, prices=prices, observer=observer, stdin=stdin)


def write_job(
    sources: list[str],
    output: Path | str,
    *,
    summarizer: Any,
    finish: Callable[[Iterator[ArticleOrProblem]], Iterable[Finished]],
    rate_limited: Callable[[Finished, int], int],
    format: Optional[ExportFormat] = None,
    prices: Optional[PriceTable] = None,
    observer: Optional[JobObserver] = None,
    stdin: Optional[BinaryIO] = None,
) -> JobSummary:
    """The job around an executor: inputs read lazily from ``sources``, each record ``finish``
    yields written to ``output`` (atomically, on completion), counted in the summary and shown
    to ``observer``. ``rate_limited(finished, count_so_far)`` gives the new count of articles
    that hit HTTP 429. :func:`run_job` and the Ray job share it."""
    started = time.perf_counter()
    prices = prices or PriceTable()
    summary = JobSummary(output=str(output), run_key=job_run_key(summarizer))
    if observer is not None:
        observer.job_started(count_articles(sources))
    articles = iter_articles(sources, max_chars=getattr(summarizer, "max_article_chars", None), stdin=stdin)
    with open_record_writer(output, format) as writer:  # type: ignore[attr-defined]
        for finished in finish(articles):
            writer.write(finished.record)
            summary.add(finished, prices)
            summary.rate_limited = rate_limited(finished, summary.rate_limited)
            summary.wall_s = time.perf_counter() - started
            if observer is not None:
                observer.article_finished(finished, summary)
    summary.wall_s = time.perf_counter() - started
    summary.completed = True
    return summary
