"""Summarizer workers in their own processes, for the strategies whose work is CPU-bound.

The rules strategy is parsing and pattern matching in Python: threads only take turns holding the
GIL (and spin in the kernel doing so), so a batch with four threads ran slower than with one
while the second core sat idle (issue 17). :class:`SummarizerPool` runs one
:class:`~summarizer.pipeline.Summarizer` per worker process instead, each with its own spaCy
pipeline, and hands back the records they make. The job loop (:func:`summarizer.batch.run_records`)
stays in the calling process: it alone reads the inputs, commits to the run store and writes the
output, so a process job and a thread job write the same store rows and files.

Workers are started with ``spawn``: a fresh interpreter that imports the package and loads spaCy,
never a ``fork`` of a parent that may already hold threads (the job's, spaCy's, SQLite's) and
their locks, which can deadlock the child. The cost is paid once per worker, in parallel (see
README, "Batch figures", for the measured start-up). A worker that dies (killed, out of memory,
a crash in native code) breaks the whole :class:`~concurrent.futures.ProcessPoolExecutor`;
:meth:`SummarizerPool.restart` starts a new one and the job loop decides what to retry.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Optional

from summarizer.schema import ArticleRecord

#: How worker processes are started: a fresh interpreter (see the module docstring for why not fork).
START_METHOD = "spawn"


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, which containers and ``taskset`` narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build the same :class:`Summarizer` as the job's (picklable, no client)."""

    strategy: str
    questions: tuple[str, ...] = ()
    max_article_chars: int = 1_000_000
    attribution_model: Optional[str] = None
    attribution_merge: Optional[str] = None

    @classmethod
    def of(cls, summarizer: Any) -> "WorkerSpec":
        tagger = summarizer.attribution
        model, merge = (str(tagger.path), tagger.merge_mode) if tagger is not None else (None, None)
        return cls(summarizer.strategy, tuple(sorted(summarizer.questions)), summarizer.max_article_chars, model, merge)


# -- inside a worker process ---------------------------------------------------------------------

_worker: Optional[Any] = None


def _start_worker(spec: WorkerSpec, ready: Any) -> None:
    """Build this process's summarizer and load spaCy before the first article arrives."""
    global _worker
    from summarizer.pipeline import Summarizer
    from summarizer.rules.nlp import load_nlp

    _worker = Summarizer(strategy=spec.strategy, questions=frozenset(spec.questions),
                         max_article_chars=spec.max_article_chars, attribution_model=spec.attribution_model,
                         attribution_merge=spec.attribution_merge)
    load_nlp()
    ready.put(os.getpid())


def summarize_in_worker(text: str, id: Optional[str], title: Optional[str], date: Optional[str],
                        url: Optional[str]) -> ArticleRecord:
    """One article's record, made by this worker process's summarizer (the task the pool runs)."""
    assert _worker is not None, "worker not initialised"
    return _worker.summarize(text, id=id, title=title, date=date, url=url)


# -- in the job's process --------------------------------------------------------------------------


class SummarizerPool:
    """``workers`` processes, each summarising one article at a time with its own Summarizer."""

    #: What a worker runs per article (a module-level function: it is sent by name).
    task: Callable[..., ArticleRecord] = staticmethod(summarize_in_worker)

    def __init__(self, spec: WorkerSpec, workers: int) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.spec = spec
        self.workers = workers
        self._context = multiprocessing.get_context(START_METHOD)
        self._ready: Any = None
        self._executor: Optional[ProcessPoolExecutor] = None
        #: How many times the pool was started again after a worker died.
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        self._ready = self._context.Queue()
        self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context,
                                             initializer=_start_worker, initargs=(self.spec, self._ready))

    def submit(self, text: str, *, id: Optional[str] = None, title: Optional[str] = None,
               date: Optional[str] = None, url: Optional[str] = None) -> "Future[ArticleRecord]":
        """The future record of one article (raises BrokenProcessPool from ``result()`` if a worker died)."""
        assert self._executor is not None, "pool is closed"
        return self._executor.submit(self.task, text, id, title, date, url)

    def wait_ready(self, timeout: Optional[float] = 120.0) -> list[int]:
        """Start every worker and wait until each has loaded its pipeline; their process ids."""
        assert self._executor is not None, "pool is closed"
        # The executor starts a process per submitted task while none is idle: one no-op task per
        # worker gets them all started.
        for future in [self._executor.submit(os.getpid) for _ in range(self.workers)]:
            future.result(timeout=timeout)
        return sorted(self._ready.get(timeout=timeout) for _ in range(self.workers))

    def worker_pids(self) -> list[int]:
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(processes)

    def restart(self) -> None:
        """Replace a broken executor (a worker died) with a fresh one."""
        self._shutdown()
        self.restarts += 1
        self._start()

    def _shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._ready is not None:
            self._ready.close()
            self._ready.join_thread()
            self._ready = None

    def close(self) -> None:
        self._shutdown()

    def __enter__(self) -> "SummarizerPool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
