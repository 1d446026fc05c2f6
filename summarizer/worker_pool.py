"""Summarizer workers in their own processes, for the strategies that parse (the rules half is CPU-bound).

The rules strategy, and the rules half of hybrid and review, is parsing and pattern matching in
Python: threads only take turns holding the GIL (and spin in the kernel doing so), so a batch with
four threads ran slower than with one while the second core sat idle (issue 17).
:class:`SummarizerPool` runs one :class:`~summarizer.pipeline.Summarizer` per worker process
instead, each with its own spaCy pipeline, and hands back the records they make. The job loop
(:func:`summarizer.batch.run_records`) stays in the calling process: it alone reads the inputs,
paces the model requests, commits to the run store and writes the output, so a process job and a
thread job write the same store rows and files.

A worker runs ``threads`` articles at once on threads of its own: one for the rules (CPU-bound:
a second thread would only contend for the GIL), several for a model strategy, whose articles
spend part of their time waiting on HTTP, so that 2 workers still keep ``--concurrency``
requests in flight in all. :class:`concurrent.futures.ProcessPoolExecutor` runs one task per
process at a time, hence this small pool: one duplex pipe per worker, tasks numbered and their
results matched to :class:`~concurrent.futures.Future` objects here by a reader thread per worker.

Workers are started with ``spawn``: a fresh interpreter that imports the package and loads spaCy,
never a ``fork`` of a parent that may already hold threads (the job's, spaCy's, SQLite's) and
their locks, which can deadlock the child. The cost is paid once per worker, in parallel (see
README, "Batch figures", for the measured start-up). A worker that dies (killed, out of memory, a
crash in native code) fails the futures of the articles it had in flight with
:class:`~concurrent.futures.process.BrokenProcessPool`, as the executor did; the other workers go
on, :meth:`SummarizerPool.restart` replaces the dead ones and the job loop decides what to retry.

The embedded backend is one llama.cpp server for the whole job: the job's process starts it
(:func:`share_embedded_server`) and every worker's client attaches to it
(:class:`~summarizer.embedded.AttachedServer`), so records still say backend ``embedded`` and
the same model, and the call-cache keys are the same as with threads.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
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
    """What a worker needs to build the same :class:`Summarizer` as the job's (picklable, no client).

    For a model strategy: the job's ``settings`` (a :class:`~summarizer.backend.ModelSettings`, the
    key inside it a ``SecretStr``: sent to the worker through its pipe, never printed), the call
    cache the job's client uses (``cache_path``; None: no cache) and, for the embedded backend,
    the job's running ``server`` to attach to.
    """

    strategy: str
    questions: tuple[str, ...] = ()
    max_article_chars: int = 1_000_000
    attribution_model: Optional[str] = None
    attribution_merge: Optional[str] = None
    settings: Any = field(default=None, repr=False)
    cache_path: Optional[str] = None
    server: Any = None  # an embedded.ServerAddress

    @classmethod
    def of(cls, summarizer: Any, *, server: Any = None) -> "WorkerSpec":
        """The spec of ``summarizer``; ValueError when a worker could not build the same one (a model
        client that is not a plain :class:`~summarizer.backend.ModelClient`, or one with its own HTTP client)."""
        tagger = summarizer.attribution
        model, merge = (str(tagger.path), tagger.merge_mode) if tagger is not None else (None, None)
        settings = cache_path = None
        if summarizer.spec.uses_model:
            from summarizer.backend import ModelClient
            from summarizer.cache import default_cache_path

            client = summarizer._client
            if client is None:
                cache_path = str(default_cache_path())  # what Summarizer.client would open
            elif type(client) is ModelClient and client._http_client is None:
                cache_path = str(client.cache.path) if client.cache is not None else None
            else:
                raise ValueError(f"worker processes cannot rebuild this summarizer's model client ({type(client).__name__})")
            settings = summarizer.settings
        return cls(summarizer.strategy, tuple(sorted(summarizer.questions)), summarizer.max_article_chars, model, merge,
                   settings, cache_path, server)

    def build(self) -> Any:
        """The worker's summarizer (in the worker process)."""
        from summarizer.pipeline import Summarizer

        client = None
        if self.settings is not None:
            from summarizer.backend import ModelClient
            from summarizer.cache import CallCache
            from summarizer.embedded import AttachedServer

            class TurnTakingClient(ModelClient):
                """Gives up this worker's turn (:data:`_turn`) while it waits on the model."""

                def ask(self, *args: Any, **kwargs: Any) -> Any:
                    _turn.release()
                    try:
                        return super().ask(*args, **kwargs)
                    finally:
                        _turn.acquire()

            cache = CallCache(self.cache_path) if self.cache_path is not None else None
            server = AttachedServer(self.server) if self.server is not None else None
            client = TurnTakingClient(self.settings, cache=cache, server=server)
        return Summarizer(self.settings, strategy=self.strategy, questions=frozenset(self.questions), client=client,
                          max_article_chars=self.max_article_chars, attribution_model=self.attribution_model,
                          attribution_merge=self.attribution_merge)


def share_embedded_server(summarizer: Any) -> Any:
    """For a model strategy on the embedded backend: start the job's llama.cpp server (in this
    process, once) and return its :class:`~summarizer.embedded.ServerAddress` for the workers;
    None for anything else. A server that cannot start is an address carrying the problem, so
    each article gets the error record the thread path gives."""
    if not summarizer.spec.uses_model or not getattr(summarizer.settings, "is_embedded", False):
        return None
    from summarizer.embedded import EmbeddedServerError, ServerAddress

    server = summarizer.client.embedded_server
    try:
        server.start()
    except EmbeddedServerError as exc:
        return ServerAddress(None, server.model_alias, None, problem=str(exc))
    return ServerAddress(server.base_url, server.model_alias, server.pid)


# -- inside a worker process ---------------------------------------------------------------------

_worker: Optional[Any] = None
#: A worker's turn: one of its threads at a time does an article's CPU work (parse, rules,
#: grounding); a thread waiting on the model gives it up (``TurnTakingClient``). Threads that all
#: computed at once would only take turns holding the GIL, spinning in the kernel to do so.
_turn = threading.Lock()


def summarize_in_worker(text: str, id: Optional[str], title: Optional[str], date: Optional[str],
                        url: Optional[str]) -> ArticleRecord:
    """One article's record, made by this worker process's summarizer (the task the pool runs)."""
    assert _worker is not None, "worker not initialised"
    with _turn:
        return _worker.summarize(text, id=id, title=title, date=date, url=url)


def _sendable(error: BaseException) -> BaseException:
    """``error`` if it pickles, else a RuntimeError naming its type (the parent only needs to know it raised)."""
    try:
        pickle.dumps(error)
        return error
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(error).__name__} (not picklable)")


class _ForwardLogs(logging.Handler):
    """In a worker: the ``summarizer`` loggers' records go to the job's process, which logs them
    with its own handlers (the CLI's text or JSON lines), not to this process's stderr."""

    def __init__(self, send: Callable[[Any], None]) -> None:
        super().__init__()
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._send(("log", record.name, record.levelno, record.getMessage()))
        except OSError:  # the job's process is gone
            pass


def _serve(spec: WorkerSpec, connection: Any, threads: int, log_level: int) -> None:
    """A worker's life: build the summarizer, load spaCy, say ready, then run numbered tasks on
    ``threads`` threads until told to stop (None) or the job's process is gone (end of the pipe)."""
    global _worker
    from summarizer.rules.nlp import load_nlp

    send_lock = threading.Lock()

    def send(message: Any) -> None:
        with send_lock:
            connection.send(message)

    logger = logging.getLogger("summarizer")
    logger.handlers[:] = [_ForwardLogs(send)]
    logger.setLevel(log_level)
    logger.propagate = False
    _worker = spec.build()
    if _worker.spec.parses:
        load_nlp()
    send(("ready", os.getpid()))

    def reply(number: int, future: "Future[ArticleRecord]") -> None:
        error = future.exception()
        send(("done", number, error is None, future.result() if error is None else _sendable(error)))

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="summarizer-worker") as executor:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                break
            if message is None:
                break
            number, task, args = message
            executor.submit(task, *args).add_done_callback(lambda future, number=number: reply(number, future))
    connection.close()


# -- in the job's process --------------------------------------------------------------------------


class _Worker:
    """One worker process as the pool sees it: its pipe, and the futures of the articles it holds."""

    def __init__(self, context: Any, spec: WorkerSpec, threads: int, lock: threading.Lock) -> None:
        ours, theirs = context.Pipe(duplex=True)
        log_level = logging.getLogger("summarizer").getEffectiveLevel()
        self.process = context.Process(target=_serve, args=(spec, theirs, threads, log_level), daemon=True,
                                       name="summarizer-worker")
        self.process.start()
        theirs.close()  # the worker holds the only other end: its death ends our reads
        self.connection = ours
        self.in_flight: dict[int, Future[ArticleRecord]] = {}
        self.ready: Future[int] = Future()
        self.alive = True
        self._lock = lock
        self._send_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True, name="summarizer-worker-reader")
        self._reader.start()

    def send(self, message: Any) -> None:
        with self._send_lock:
            self.connection.send(message)

    def _read(self) -> None:
        try:
            while True:
                message = self.connection.recv()
                if message[0] == "ready":
                    self.ready.set_result(message[1])
                    continue
                if message[0] == "log":
                    _, name, level, text = message
                    logging.getLogger(name).log(level, "%s", text)
                    continue
                _, number, ok, value = message
                with self._lock:
                    future = self.in_flight.pop(number, None)
                if future is not None:
                    future.set_result(value) if ok else future.set_exception(value)
        except (EOFError, OSError):
            pass
        finally:
            self.process.join(timeout=5.0)
            code = self.process.exitcode
            with self._lock:  # all at once: the job loop sees every article this worker held as failed
                self.alive = False
                lost, self.in_flight = self.in_flight, {}
                if not self.ready.done():
                    self.ready.set_exception(BrokenProcessPool(f"worker process {self.process.pid} died starting (exit code {code})"))
                for future in lost.values():
                    future.set_exception(BrokenProcessPool(
                        f"worker process {self.process.pid} died with the article in flight (exit code {code})"))

    def stop(self, timeout_s: float = 30.0, *, graceful: bool = True) -> None:
        """Let the worker finish what it holds and exit (``graceful``), else terminate it now."""
        if self.process.is_alive():
            if graceful:
                try:
                    self.send(None)
                except OSError:
                    pass
            else:
                self.process.terminate()
            self.process.join(timeout=timeout_s)
            if self.process.is_alive():
                self.process.kill()
        self._reader.join(timeout=timeout_s)
        self.connection.close()


class SummarizerPool:
    """``workers`` processes, each summarising up to ``threads`` articles at a time with its own Summarizer."""

    #: What a worker runs per article (a module-level function: it is sent by name).
    task: Callable[..., ArticleRecord] = staticmethod(summarize_in_worker)

    def __init__(self, spec: WorkerSpec, workers: int, *, threads: int = 1) -> None:
        if workers < 1 or threads < 1:
            raise ValueError("a pool needs at least one worker and one thread per worker")
        self.spec = spec
        self.threads = threads
        self._context = multiprocessing.get_context(START_METHOD)
        self._lock = threading.Lock()
        self._numbers = itertools.count()
        #: How many times dead workers were replaced.
        self.restarts = 0
        self._workers = [self._start() for _ in range(workers)]
        self._closed = False

    @property
    def workers(self) -> int:
        return len(self._workers)

    def _start(self) -> _Worker:
        return _Worker(self._context, self.spec, self.threads, self._lock)

    def submit(self, text: str, *, id: Optional[str] = None, title: Optional[str] = None,
               date: Optional[str] = None, url: Optional[str] = None) -> "Future[ArticleRecord]":
        """The future record of one article, given to the live worker holding the fewest (raises
        BrokenProcessPool from ``result()`` if that worker dies first)."""
        assert not self._closed, "pool is closed"
        future: Future[ArticleRecord] = Future()
        number = next(self._numbers)
        with self._lock:
            alive = [worker for worker in self._workers if worker.alive]
            if not alive:
                future.set_exception(BrokenProcessPool("every worker process has died"))
                return future
            worker = min(alive, key=lambda candidate: len(candidate.in_flight))
            worker.in_flight[number] = future
        try:
            worker.send((number, type(self).task, (text, id, title, date, url)))
        except OSError:  # it died just now: its reader fails the future (if it has not already)
            with self._lock:
                if worker.in_flight.pop(number, None) is not None:
                    future.set_exception(BrokenProcessPool(f"worker process {worker.process.pid} is gone"))
        return future

    def wait_ready(self, timeout: Optional[float] = 120.0) -> list[int]:
        """Wait until every worker has loaded its pipeline; their process ids."""
        return sorted(worker.ready.result(timeout=timeout) for worker in self._workers)

    def worker_pids(self) -> list[int]:
        return sorted(worker.process.pid for worker in self._workers if worker.alive)

    def restart(self) -> None:
        """Replace the workers that died (their futures have all failed by now); the others go on."""
        with self._lock:
            dead = [n for n, worker in enumerate(self._workers) if not worker.alive]
        for n in dead:
            self._workers[n].stop(timeout_s=5.0)
            self._workers[n] = self._start()
        if dead:
            self.restarts += 1

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        abandoned: list[Future[ArticleRecord]] = []
        with self._lock:  # taken out first, so that a late result finds no future to set
            for worker in self._workers:
                abandoned.extend(worker.in_flight.values())
                worker.in_flight = {}
        for future in abandoned:
            future.cancel()
        for worker in self._workers:  # articles still in flight: the job was interrupted, do not wait for them
            worker.stop(graceful=not abandoned)

    def __enter__(self) -> "SummarizerPool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
