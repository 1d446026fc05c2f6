"""The run store: every finished article's text and record in one SQLite file, and exports.

A batch job commits each article in its own transaction as soon as it is finished, so a job
that is killed (even with SIGKILL) loses only the articles in flight, and running the same
command again skips everything already committed: no model call, no duplicate row.

An article's row is keyed by ``(run_key, id, input_sha256)``: :func:`run_key` hashes everything
that changes the output (``Summarizer.describe()``, the summarizer version, for strategies that
ask a model the prompt files, and :func:`producer_fingerprint`: the bytes of the rule code, its
lexicons and any trained weights, the prompts, the strategies and the grounding), so changing the
model, a prompt or a rule recomputes (an editable install never changes its version number), and
changing an article's text under the same id recomputes that article only.

Records whose error is transient (the model was unreachable or rate limited, an internal bug)
are stored too, but are not reused: the next run retries them and replaces the row.

Exports (:func:`open_record_writer`) write JSONL, CSV or Parquet to a temporary file next to the
destination and move it into place with :func:`os.replace` only when complete, so a reader never
sees a half-written file.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import io
import json
import os
import sqlite3
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Literal, Optional, Protocol

from summarizer import __version__
from summarizer.schema import ArticleRecord

#: Environment variable naming the default store file.
STORE_ENV = "SUMMARIZER_STORE"

#: Error kinds that say nothing about the article itself: retried on the next run, never reused.
TRANSIENT_ERROR_KINDS = frozenset({"model_unavailable", "model_crashed", "rate_limited", "internal_error", "model_error"})

ExportFormat = Literal["jsonl", "csv", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv", "parquet")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_key TEXT PRIMARY KEY,
    settings_json TEXT NOT NULL,
    summarizer_version TEXT NOT NULL,
    prompt_version TEXT,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    run_key TEXT NOT NULL,
    id TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    title TEXT,
    origin TEXT,
    encoding TEXT,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    error_kind TEXT,
    record_json TEXT NOT NULL,
    model_calls INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 1,
    finished_at REAL NOT NULL,
    PRIMARY KEY (run_key, id, input_sha256)
);
CREATE INDEX IF NOT EXISTS articles_by_id ON articles (id, input_sha256);
"""


def default_store_path() -> Path:
    """``$SUMMARIZER_STORE`` if set, else ``~/.cache/summarizer/runs.sqlite``."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "summarizer" / "runs.sqlite"


#: The package directory whose files make records (see :data:`RECORD_PRODUCERS`).
PRODUCERS_ROOT = Path(__file__).resolve().parent
#: What makes a record besides its settings, relative to :data:`PRODUCERS_ROOT`: the rules (code,
#: ``lexicons/*.toml`` and any other data or weights under ``rules/``), the prompts, the
#: strategies, the opt-in attribution tagger's inference code (its weights are pinned by the sha256
#: in the settings; ``attribution/training.py`` only makes weights, so editing it keeps records),
#: and the modules that read figures, ground items and pick summary sentences.
RECORD_PRODUCERS = (
    "rules", "prompts", "strategies", "attribution/__init__.py", "attribution/tagger.py", "figures.py", "grounding.py", "summary.py", "drafts.py",
    "merge.py", "chunking.py",
)
#: Installed packages whose version changes records (the pinned spaCy model the rules read).
PRODUCER_PACKAGES = ("en_core_web_sm", "spacy")


@lru_cache(maxsize=4)
def producer_fingerprint(root: Path = PRODUCERS_ROOT) -> str:
    """A hash of the bytes of every file under ``root`` that makes records, and of the versions
    of :data:`PRODUCER_PACKAGES`; computed once per process (it reads a few hundred KB).

    Part of every :func:`run_key`: after a rule or lexicon change the same settings and version
    no longer hand back the old records as "reused".
    """
    digest = hashlib.sha256()
    for name in RECORD_PRODUCERS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] if path.is_file() else []
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            data = file.read_bytes()
            digest.update(f"{file.relative_to(root).as_posix()}\0{len(data)}\0".encode())
            digest.update(data)
    for package in PRODUCER_PACKAGES:
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{package}=={version}\0".encode())
    return digest.hexdigest()[:24]


def run_key(
    settings: dict[str, Any],
    *,
    summarizer_version: str = __version__,
    prompt_version: Optional[str] = None,
    producers: Optional[str] = None,
) -> str:
    """A short hash of everything that changes a record for the same text; ``producers``
    defaults to this process's :func:`producer_fingerprint`."""
    canonical = json.dumps(
        {"settings": settings, "summarizer_version": summarizer_version, "prompt_version": prompt_version,
         "producers": producers or producer_fingerprint(PRODUCERS_ROOT)},
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def prompts_version_for(strategy: str) -> Optional[str]:
    """The hash of every prompt file for strategies that ask a model; None for ``rules``.

    All prompt files count (not just those a given article happened to use), because which ones
    an article uses is only known after it has been summarised.
    """
    from summarizer.strategies import AUTO, strategy_named

    if strategy != AUTO and not strategy_named(strategy).uses_model:
        return None
    from summarizer.prompting import prompt_names, prompt_version

    names = prompt_names()
    return prompt_version(names) if names else None


def reusable(record: ArticleRecord) -> bool:
    """Whether a stored record stands for its article on the next run (ok, or a permanent error)."""
    return record.status == "ok" or record.error is None or record.error.kind not in TRANSIENT_ERROR_KINDS


class StoreUnavailable(Exception):
    """The run store's path cannot hold a SQLite file (a directory, no permission, a bad parent)."""


class RunStore:
    """Finished articles (text + record) in one SQLite file (WAL), shared by threads and processes.

    Writes are serialised by a lock and each :meth:`save` is one transaction.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            # sqlite would only say "unable to open database file"
            raise StoreUnavailable(f"run store {self.path} is a directory; give a file path such as {self.path / 'runs.sqlite'} "
                                   f"(--store or ${STORE_ENV})")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60.0, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.OperationalError) as exc:
            raise StoreUnavailable(f"cannot open the run store {self.path}: {exc} (--store or ${STORE_ENV})") from exc
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process (only a power loss can drop the last commits).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open_default(cls) -> "RunStore":
        """The store at :func:`default_store_path`."""
        return cls(default_store_path())

    # -- runs -------------------------------------------------------------------------------------
    def register_run(self, key: str, settings: dict[str, Any], *, prompt_version: Optional[str] = None) -> None:
        """Remember what ``key`` stands for (idempotent)."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO runs (run_key, settings_json, summarizer_version, prompt_version, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, json.dumps(settings, sort_keys=True, default=str), __version__, prompt_version, time.time()),
            )

    # -- articles ---------------------------------------------------------------------------------
    def finished(self, key: str, article_id: str, input_sha256: str) -> Optional[ArticleRecord]:
        """The stored record for this article under this run, if it can be reused as is."""
        with self._lock:
            row = self._db.execute(
                "SELECT record_json FROM articles WHERE run_key = ? AND id = ? AND input_sha256 = ?",
                (key, article_id, input_sha256),
            ).fetchone()
        if row is None:
            return None
        record = ArticleRecord.model_validate_json(row[0])
        return record if reusable(record) else None

    def save(
        self,
        key: str,
        record: ArticleRecord,
        text: str,
        *,
        origin: Optional[str] = None,
        encoding: Optional[str] = None,
    ) -> None:
        """Commit one finished article (one transaction); a retried article replaces its row."""
        sha = record.input_sha256 or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        usage = record.provenance.usage if record.provenance is not None else None
        with self._lock:
            self._db.execute(
                """INSERT INTO articles (run_key, id, input_sha256, title, origin, encoding, text, status, error_kind,
                       record_json, model_calls, prompt_tokens, completion_tokens, attempts, finished_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                   ON CONFLICT (run_key, id, input_sha256) DO UPDATE SET
                       title = excluded.title, origin = excluded.origin, encoding = excluded.encoding,
                       status = excluded.status, error_kind = excluded.error_kind, record_json = excluded.record_json,
                       model_calls = excluded.model_calls, prompt_tokens = excluded.prompt_tokens,
                       completion_tokens = excluded.completion_tokens, attempts = articles.attempts + 1,
                       finished_at = excluded.finished_at""",
                (
                    key, record.id, sha, record.title, origin, encoding, text, record.status,
                    record.error.kind if record.error is not None else None,
                    record.model_dump_json(),
                    usage.calls if usage else 0, usage.prompt_tokens if usage else 0,
                    usage.completion_tokens if usage else 0, time.time(),
                ),
            )

    def text_for(self, article_id: str, input_sha256: Optional[str] = None) -> Optional[str]:
        """The stored text of an article (the newest one with that id when no hash is given)."""
        query = "SELECT text FROM articles WHERE id = ?"
        params: tuple[Any, ...] = (article_id,)
        if input_sha256:
            query += " AND input_sha256 = ?"
            params += (input_sha256,)
        with self._lock:
            row = self._db.execute(query + " ORDER BY finished_at DESC LIMIT 1", params).fetchone()
        return row[0] if row is not None else None

    def records(self, key: Optional[str] = None) -> Iterator[ArticleRecord]:
        """Stored records (of one run, or all), oldest first, read in pages so memory stays flat."""
        last = (0.0, "", "", "")
        while True:
            where = "(finished_at, run_key, id, input_sha256) > (?, ?, ?, ?)"
            params: tuple[Any, ...] = last
            if key is not None:
                where += " AND run_key = ?"
                params += (key,)
            with self._lock:
                rows = self._db.execute(
                    f"SELECT finished_at, run_key, id, input_sha256, record_json FROM articles WHERE {where} "
                    "ORDER BY finished_at, run_key, id, input_sha256 LIMIT 500",
                    params,
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield ArticleRecord.model_validate_json(row[4])
            last = tuple(rows[-1][:4])  # type: ignore[assignment]

    def count(self, key: Optional[str] = None) -> int:
        """Stored articles (of one run, or all)."""
        with self._lock:
            if key is None:
                return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
            return int(self._db.execute("SELECT COUNT(*) FROM articles WHERE run_key = ?", (key,)).fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "RunStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# -----------------------------------------------------------------------------------------------
# Exports

#: CSV/Parquet columns: one row per article, items counted (the JSONL export has the items).
FLAT_COLUMNS = (
    "id", "status", "error_kind", "error_message", "title", "date", "url", "chars", "input_sha256", "summary",
    "casualties", "quotes", "claims", "dropped", "strategy", "backend", "model", "prompt_version",
    "model_calls", "cached_calls", "prompt_tokens", "completion_tokens", "latency_s",
)


def flatten_record(record: ArticleRecord) -> dict[str, Any]:
    """One article as a flat row (:data:`FLAT_COLUMNS`): status, counts, summary, usage."""
    provenance = record.provenance
    usage = provenance.usage if provenance is not None else None
    return {
        "id": record.id,
        "status": record.status,
        "error_kind": record.error.kind if record.error else None,
        "error_message": record.error.message if record.error else None,
        "title": record.title,
        "date": record.date,
        "url": record.url,
        "chars": record.chars,
        "input_sha256": record.input_sha256,
        "summary": record.summary,
        "casualties": len(record.casualties),
        "quotes": len(record.quotes),
        "claims": len(record.claims),
        "dropped": record.dropped.total,
        "strategy": provenance.strategy if provenance else None,
        "backend": provenance.backend if provenance else None,
        "model": provenance.model if provenance else None,
        "prompt_version": provenance.prompt_version if provenance else None,
        "model_calls": usage.calls if usage else 0,
        "cached_calls": usage.cached_calls if usage else 0,
        "prompt_tokens": usage.prompt_tokens if usage else 0,
        "completion_tokens": usage.completion_tokens if usage else 0,
        "latency_s": provenance.latency_s if provenance else 0.0,
    }


class RecordWriter(Protocol):
    """Writes records to a file that appears (atomically) only when :meth:`commit` is called."""

    path: Path

    def write(self, record: ArticleRecord) -> None: ...

    def commit(self) -> None: ...

    def discard(self) -> None: ...


class _AtomicFile:
    """A temporary file next to ``path``; :meth:`commit` fsyncs it and moves it into place."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temp_path = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._done = False

    def _replace(self) -> None:
        os.replace(self.temp_path, self.path)
        self._done = True

    def discard(self) -> None:
        if not self._done:
            self._done = True
            try:
                self.temp_path.unlink()
            except FileNotFoundError:
                pass

    def __enter__(self) -> "_AtomicFile":
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()  # type: ignore[attr-defined]
        else:
            self.discard()


class _AtomicTextFile(_AtomicFile):
    """An atomic file written through a text handle: flushed, fsynced and closed on commit."""

    def __init__(self, path: Path, *, newline: str) -> None:
        super().__init__(path)
        self._handle: io.TextIOWrapper = open(self.temp_path, "w", encoding="utf-8", newline=newline)

    def commit(self) -> None:
        if self._done:
            return
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self._replace()

    def discard(self) -> None:
        if not self._handle.closed:
            self._handle.close()
        super().discard()


class JsonlWriter(_AtomicTextFile):
    """One :class:`ArticleRecord` per line, as ``model_dump_json`` writes it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, newline="\n")

    def write(self, record: ArticleRecord) -> None:
        self._handle.write(record.model_dump_json() + "\n")


class CsvWriter(_AtomicTextFile):
    """One row per article with the columns of :data:`FLAT_COLUMNS`."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, newline="")
        self._writer = csv.DictWriter(self._handle, fieldnames=FLAT_COLUMNS)
        self._writer.writeheader()

    def write(self, record: ArticleRecord) -> None:
        self._writer.writerow(flatten_record(record))


class ParquetWriter(_AtomicFile):
    """:data:`FLAT_COLUMNS` plus ``record_json`` (the whole record), in row groups of ``batch_size``."""

    def __init__(self, path: Path, *, batch_size: int = 1000) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("Parquet export needs pyarrow: pip install 'summarizer[export]'") from exc
        super().__init__(path)
        self._pa = pa
        self._schema = pa.schema(
            [(name, pa.string()) for name in ("id", "status", "error_kind", "error_message", "title", "date", "url")]
            + [("chars", pa.int64()), ("input_sha256", pa.string()), ("summary", pa.string())]
            + [(name, pa.int64()) for name in ("casualties", "quotes", "claims", "dropped")]
            + [(name, pa.string()) for name in ("strategy", "backend", "model", "prompt_version")]
            + [(name, pa.int64()) for name in ("model_calls", "cached_calls", "prompt_tokens", "completion_tokens")]
            + [("latency_s", pa.float64()), ("record_json", pa.string())]
        )
        self._writer = pq.ParquetWriter(str(self.temp_path), self._schema)
        self._rows: list[dict[str, Any]] = []
        self._batch_size = batch_size

    def write(self, record: ArticleRecord) -> None:
        row = flatten_record(record)
        row["record_json"] = record.model_dump_json()
        self._rows.append(row)
        if len(self._rows) >= self._batch_size:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def commit(self) -> None:
        if self._done:
            return
        self._flush()
        self._writer.close()
        with open(self.temp_path, "rb+") as handle:
            os.fsync(handle.fileno())
        self._replace()

    def discard(self) -> None:
        try:
            self._writer.close()
        except Exception:  # noqa: BLE001 - the file is being thrown away
            pass
        super().discard()


def format_for_path(path: Path | str, default: ExportFormat = "jsonl") -> ExportFormat:
    """The export format a file name implies (``.csv``, ``.parquet``), else ``default``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    return default


def open_record_writer(path: Path | str, format: Optional[ExportFormat] = None) -> RecordWriter:
    """A writer for ``path`` in ``format`` (None: from the suffix, JSONL by default).

    Use as a context manager: the file is moved into place on a clean exit and thrown away on
    an exception, so ``path`` is either the previous file or the complete new one.
    """
    chosen = format or format_for_path(path)
    if chosen == "jsonl":
        return JsonlWriter(Path(path))
    if chosen == "csv":
        return CsvWriter(Path(path))
    if chosen == "parquet":
        return ParquetWriter(Path(path))
    raise ValueError(f"unknown export format {chosen!r}; choose from {', '.join(EXPORT_FORMATS)}")


def read_records(path: Path | str) -> Iterator[ArticleRecord]:
    """Records from a JSONL results file (blank lines skipped)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield ArticleRecord.model_validate_json(line)
