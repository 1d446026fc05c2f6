"""The batch job on Ray (``ray.data``): summarising spread over worker processes or machines.

:func:`run_job_on_ray` is :func:`summarizer.batch.run_job` with the summarising done by a pool
of Ray actors, each holding one :class:`~summarizer.pipeline.Summarizer` built from the driver's
settings and calling the same model endpoint. Everything that needs one consistent view stays on
the driver: reading the inputs, skipping articles the run store already holds for the same run
key (before anything is sent to Ray), committing each finished record to the store, and writing
the output through the same atomic JSONL/CSV/Parquet writers as ``summarizer run``. So a Ray job
and a thread-pool job are interchangeable: same records, same output, same resume.

Inputs are sent to Ray in windows of ``window`` articles (one ``ray.data`` dataset each), so the
driver never holds more than one window of texts. Each actor runs the thread-pool job loop
(:func:`summarizer.batch.run_records`) on its batches, so ``concurrency_per_actor`` articles are
in flight per actor, with the same backoff on 429; in total at most ``actors *
concurrency_per_actor`` requests reach the endpoint at once. The per-minute budgets of
``summarizer run`` (``--rpm``/``--tpm``) are not shared across actors and are not offered here.

The API key never travels with the work: Ray logs and stores task arguments, so workers read it
from their own environment (``SUMMARIZER_API_KEY`` / ``OPENAI_API_KEY``; set it on every node).
An article that fails becomes an error record as in ``run``; a job fails only when Ray itself
does (a lost node, a worker that cannot start), and then the store keeps what was finished.

Needs the ``ray`` extra (``pip install 'summarizer[ray]'``); imported only when used.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable, Iterator, Mapping, Optional

from summarizer.backend import ENV_ALIASES
from summarizer.batch import (
    AdaptiveThrottle,
    ArticleLike,
    Finished,
    JobObserver,
    JobSummary,
    PriceTable,
    as_article_inputs,
    is_rate_limited,
    job_run_key,
    run_records,
    settled_without_work,
    write_job,
)
from summarizer.inputs import ArticleInput, ArticleOrProblem
from summarizer.schema import ArticleRecord, ErrorInfo
from summarizer.store import ExportFormat, RunStore, prompts_version_for

if TYPE_CHECKING:
    import pyarrow

#: Articles per ``ray.data`` dataset: bounds the texts the driver and object store hold at once.
DEFAULT_WINDOW = 5_000
#: Articles per call of an actor: small, so work spreads evenly and results stream back early.
DEFAULT_BATCH_SIZE = 8


def api_key_from_environment(environ: Mapping[str, str]) -> Optional[str]:
    """The API key a process finds in its environment (the variables ``summarizer run`` reads)."""
    for variable in ENV_ALIASES["api_key"]:
        value = environ.get(variable)
        if value:
            return value
    return None


@dataclass(frozen=True)
class WorkerSettings:
    """What each actor needs to build the driver's :class:`Summarizer` again, minus the API key.

    Instances are pickled into Ray task arguments (which Ray may log), so the key is replaced by
    ``needs_api_key``; the worker reads the key from its own environment.
    """

    strategy: str
    questions: tuple[str, ...]
    max_article_chars: int
    #: ``ModelSettings`` fields without ``api_key``; None for the rules strategy (no model).
    model_settings: Optional[dict[str, Any]]
    needs_api_key: bool
    concurrency: int = 1

    @classmethod
    def from_summarizer(cls, summarizer: Any, *, concurrency: int = 1) -> "WorkerSettings":
        """The settings of ``summarizer`` for workers; refuses what workers cannot rebuild.

        The embedded model is refused: every actor would start its own llama.cpp server using
        all the cores of its machine. Run it with ``summarizer run`` (threads) instead.
        """
        strategy = summarizer.strategy
        model_settings: Optional[dict[str, Any]] = None
        needs_api_key = False
        if strategy != "rules":
            settings = summarizer.settings
            if settings.is_embedded:
                raise ValueError(
                    "the Ray executor needs a shared model endpoint (--base-url) for the "
                    f"{strategy!r} strategy; use the thread pool (no --ray) with the embedded model"
                )
            model_settings = settings.model_dump(mode="json", exclude={"api_key"})
            needs_api_key = settings.api_key is not None
        return cls(
            strategy=strategy,
            questions=tuple(sorted(summarizer.questions)),
            max_article_chars=summarizer.max_article_chars,
            model_settings=model_settings,
            needs_api_key=needs_api_key,
            concurrency=concurrency,
        )

    def build_summarizer(self, environ: Mapping[str, str] = os.environ) -> Any:
        """The worker's summarizer, with the API key from ``environ``."""
        from summarizer.backend import ModelSettings
        from summarizer.pipeline import Summarizer

        settings = None
        if self.model_settings is not None:
            api_key = api_key_from_environment(environ)
            if self.needs_api_key and api_key is None:
                raise RuntimeError(
                    "this Ray worker has no API key: set SUMMARIZER_API_KEY (or OPENAI_API_KEY) in the "
                    "environment of every Ray node before starting it"
                )
            settings = ModelSettings.model_validate({**self.model_settings, "api_key": api_key})
        return Summarizer(settings, strategy=self.strategy, questions=frozenset(self.questions),
                          max_article_chars=self.max_article_chars)


def prepare_workers(
    summarizer: Any, *, concurrency_per_actor: int = 1, environ: Mapping[str, str] = os.environ
) -> WorkerSettings:
    """The :class:`WorkerSettings` for ``summarizer``, or ValueError before any Ray work starts.

    Refuses the embedded model (see :meth:`WorkerSettings.from_summarizer`) and a key that only
    the driver knows (a flag or config file): workers, which read it from their environment,
    would all fail. ``environ`` is the driver's, standing in for the nodes'.
    """
    if concurrency_per_actor < 1:
        raise ValueError("concurrency_per_actor must be at least 1")
    worker = WorkerSettings.from_summarizer(summarizer, concurrency=concurrency_per_actor)
    if worker.needs_api_key and api_key_from_environment(environ) is None:
        raise ValueError("with Ray, put the API key in SUMMARIZER_API_KEY (or OPENAI_API_KEY) on every node, "
                         "not in a flag or config file: workers read it from their environment")
    return worker


class SummarizeBatch:
    """The ``map_batches`` callable: one summarizer per actor, rows in, records (as JSON) out.

    Output rows are ``{"id", "record_json"}``: records cross process boundaries as the same JSON
    the output file holds, validated again on the driver.
    """

    def __init__(self, worker: WorkerSettings) -> None:
        self._summarizer = worker.build_summarizer()
        # One throttle per actor, kept across batches, so a 429 slows this actor down for good.
        self._throttle = AdaptiveThrottle(worker.concurrency)
        self._concurrency = worker.concurrency

    def __call__(self, batch: "pyarrow.Table") -> "pyarrow.Table":
        import pyarrow as pa

        articles = [ArticleInput(id=row["id"], text=row["text"], title=row["title"], date=row["date"], url=row["url"])
                    for row in batch.to_pylist()]
        try:
            records = [finished.record for finished in run_records(
                articles, summarizer=self._summarizer, concurrency=self._concurrency, throttle=self._throttle)]
        except Exception as exc:  # noqa: BLE001 - a bug here must not fail the job: error records instead
            records = [_internal_error(article, f"{type(exc).__name__}: {exc}") for article in articles]
        return pa.table(
            {"id": [record.id for record in records], "record_json": [record.model_dump_json() for record in records]},
            schema=pa.schema([("id", pa.large_string()), ("record_json", pa.large_string())]),
        )


def _internal_error(article: ArticleInput, message: str) -> ArticleRecord:
    return ArticleRecord(id=article.id, status="error", title=article.title, date=article.date, url=article.url,
                         input_sha256=article.sha256, chars=len(article.text),
                         error=ErrorInfo(kind="internal_error", message=message))


@contextlib.contextmanager
def ray_session(address: Optional[str] = None, *, num_cpus: Optional[int] = None) -> Iterator[None]:
    """Ray for the duration of a job: the running one, else a new connection shut down at the end.

    ``address`` None starts a one-node local cluster unless ``RAY_ADDRESS`` names one;
    ``num_cpus`` only applies to a local cluster started here.
    """
    import ray

    if ray.is_initialized():
        yield
        return
    local = address is None and not os.environ.get("RAY_ADDRESS")
    # a local cluster started here listens on loopback only, like the embedded model server
    extra = {"_node_ip_address": "127.0.0.1"} if local else {}
    ray.init(address=address, num_cpus=num_cpus, include_dashboard=False, logging_level=logging.WARNING, **extra)
    try:
        yield
    finally:
        ray.shutdown()


class _DropProgressBarNotice(logging.Filter):
    """Drops Ray Data's notice that progress bars are off: this job turned them off on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Progress bars disabled")


@contextlib.contextmanager
def _quiet_data_context() -> Iterator[None]:
    """No Ray Data progress bars, banners or INFO lines: the job reports progress itself.

    Ray Data's warnings still show (a pool that cannot be scheduled, for one).
    """
    from ray.data import DataContext

    context = DataContext.get_current()
    saved = (context.enable_progress_bars, context.print_on_execution_start)
    context.enable_progress_bars, context.print_on_execution_start = False, False
    data_logger = logging.getLogger("ray.data")
    progress_logger = logging.getLogger("ray.data._internal.progress")
    saved_level = data_logger.level
    notice_filter = _DropProgressBarNotice()
    data_logger.setLevel(logging.WARNING)
    progress_logger.addFilter(notice_filter)
    try:
        yield
    finally:
        context.enable_progress_bars, context.print_on_execution_start = saved
        data_logger.setLevel(saved_level)
        progress_logger.removeFilter(notice_filter)


def ray_records(
    articles: Iterable[ArticleLike],
    *,
    summarizer: Any,
    store: Optional[RunStore] = None,
    actors: int = 2,
    concurrency_per_actor: int = 1,
    cpus_per_actor: float = 1.0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    window: int = DEFAULT_WINDOW,
) -> Iterator[Finished]:
    """:func:`summarizer.batch.run_records` on Ray: a :class:`Finished` per article, as they finish.

    Needs a running Ray (see :func:`ray_session`). Input problems and articles ``store`` already
    holds for this run key are yielded at once, without going to Ray; the rest go to ``actors``
    actors (``cpus_per_actor`` CPUs reserved each) and are committed to ``store`` on the driver
    before they are yielded. ``summarizer`` is the template every actor rebuilds.
    """
    if actors < 1 or batch_size < 1 or window < 1:
        raise ValueError("actors, batch_size and window must be at least 1")
    worker = prepare_workers(summarizer, concurrency_per_actor=concurrency_per_actor)
    key = job_run_key(summarizer)
    if store is not None:
        store.register_run(key, summarizer.describe(), prompt_version=prompts_version_for(summarizer.strategy))
    pending: dict[str, ArticleInput] = {}
    for item in as_article_inputs(articles):
        settled = settled_without_work(item, store, key)
        if settled is not None:
            yield settled
            continue
        pending[item.id] = item
        if len(pending) >= window:
            yield from _summarize_window(pending, worker, key, store, actors=actors, cpus_per_actor=cpus_per_actor,
                                         batch_size=batch_size)
            pending = {}
    if pending:
        yield from _summarize_window(pending, worker, key, store, actors=actors, cpus_per_actor=cpus_per_actor,
                                     batch_size=batch_size)


def _summarize_window(
    pending: dict[str, ArticleInput],
    worker: WorkerSettings,
    key: str,
    store: Optional[RunStore],
    *,
    actors: int,
    cpus_per_actor: float,
    batch_size: int,
) -> Iterator[Finished]:
    """One dataset of articles through the actor pool; every article comes back with a record."""
    import ray.data

    rows = [{"id": article.id, "text": article.text, "title": article.title, "date": article.date, "url": article.url}
            for article in pending.values()]
    with _quiet_data_context():
        dataset = ray.data.from_items(rows).map_batches(
            SummarizeBatch,
            fn_constructor_kwargs={"worker": worker},
            batch_format="pyarrow",
            batch_size=batch_size,
            compute=ray.data.ActorPoolStrategy(size=min(actors, len(rows))),
            num_cpus=cpus_per_actor,
        )
        for row in dataset.iter_rows():
            article = pending.pop(row["id"], None)
            if article is None:  # a record for an id already handled (a retried task): keep the first
                continue
            record = ArticleRecord.model_validate_json(row["record_json"])
            if store is not None:
                store.save(key, record, article.text, origin=article.origin, encoding=article.encoding)
            yield Finished(record, article)
    for article in list(pending.values()):  # never expected; one record per article all the same
        record = _internal_error(article, "no result came back from the Ray workers")
        if store is not None:
            store.save(key, record, article.text, origin=article.origin, encoding=article.encoding)
        yield Finished(record, article)
    pending.clear()


def run_job_on_ray(
    sources: list[str],
    output: Path | str,
    *,
    summarizer: Any,
    store: Optional[RunStore] = None,
    actors: int = 2,
    concurrency_per_actor: int = 1,
    cpus_per_actor: float = 1.0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    window: int = DEFAULT_WINDOW,
    address: Optional[str] = None,
    format: Optional[ExportFormat] = None,
    prices: Optional[PriceTable] = None,
    observer: Optional[JobObserver] = None,
    stdin: Optional[BinaryIO] = None,
) -> JobSummary:
    """:func:`summarizer.batch.run_job` with the summarising on Ray; the same output and summary.

    Connects to Ray at ``address`` (None: ``RAY_ADDRESS``, else a new one-node local cluster)
    unless Ray is already initialised in this process. ``rate_limited`` in the summary counts
    articles that still failed with HTTP 429 after the actors' retries.
    """
    def finish(articles: Iterator[ArticleOrProblem]) -> Iterator[Finished]:
        return ray_records(articles, summarizer=summarizer, store=store, actors=actors,
                           concurrency_per_actor=concurrency_per_actor, cpus_per_actor=cpus_per_actor,
                           batch_size=batch_size, window=window)

    def rate_limited(finished: Finished, count: int) -> int:
        return count + int(not finished.reused and is_rate_limited(finished.record))

    with ray_session(address):
        return write_job(sources, output, summarizer=summarizer, finish=finish, rate_limited=rate_limited,
                         format=format, prices=prices, observer=observer, stdin=stdin)
