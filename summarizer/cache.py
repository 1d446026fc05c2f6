"""A SQLite record of every model call, doubling as the response cache.

Each answer the model gives is logged with what was asked (messages, response schema, model,
prompt version, sampling settings), what came back (validated JSON or the validation error),
token usage, latency and time, in the spirit of Simon Willison's ``llm`` logs. The same rows
serve as a cache: a later identical request is answered from the newest matching row, so an
evaluation can be replayed offline, bit for bit, without a model server.

The cache key is a hash of everything that determines the answer and nothing that does not:
the API key is never part of a request description, so it can never reach the key or a row.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Optional

#: Environment variable naming the cache file (overrides the default location).
CACHE_ENV = "SUMMARIZER_CACHE"

CallStatus = Literal["ok", "invalid", "unavailable"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    mode TEXT NOT NULL,
    prompt_version TEXT,
    schema_name TEXT NOT NULL,
    request_json TEXT NOT NULL,
    response_json TEXT,
    error TEXT,
    completions INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_s REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_key ON calls (key, id);
"""


def default_cache_path() -> Path:
    """``$SUMMARIZER_CACHE`` if set, else ``~/.cache/summarizer/calls.sqlite``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "summarizer" / "calls.sqlite"


@dataclass(frozen=True)
class CallRequest:
    """Everything that determines a model's answer; hashed into the cache key.

    ``endpoint`` names the backend without secrets or volatile parts: ``"embedded:<gguf>"`` for
    the local server (whose port changes every run) and ``host[:port]`` for a remote one.
    """

    endpoint: str
    model: str
    mode: str
    schema: dict[str, Any]
    messages: list[dict[str, Any]]
    temperature: float
    seed: Optional[int]
    max_tokens: Optional[int]
    max_reasks: int
    prompt_version: Optional[str] = None

    @property
    def schema_name(self) -> str:
        return str(self.schema.get("title", "?"))

    def key(self) -> str:
        """SHA-256 over a canonical JSON form of the request."""
        canonical = json.dumps(
            {
                "endpoint": self.endpoint,
                "model": self.model,
                "mode": self.mode,
                "schema": self.schema,
                "messages": self.messages,
                "temperature": self.temperature,
                "seed": self.seed,
                "max_tokens": self.max_tokens,
                "max_reasks": self.max_reasks,
                "prompt_version": self.prompt_version,
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CallRecord:
    """What a model call produced, as stored."""

    status: CallStatus
    response: Optional[dict[str, Any]]
    error: Optional[str]
    completions: int
    prompt_tokens: int
    completion_tokens: int
    latency_s: float


class CallCache:
    """Log of model calls in one SQLite file (WAL), safe to share between threads and processes.

    Rows with status ``ok`` or ``invalid`` (re-asks exhausted) are answers and are replayed;
    ``unavailable`` rows (the server could not be reached) are logged but never replayed.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open_default(cls) -> "CallCache":
        """The cache at :func:`default_cache_path`."""
        return cls(default_cache_path())

    def lookup(self, request: CallRequest) -> Optional[CallRecord]:
        """The newest replayable answer to ``request``, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT status, response_json, error, completions, prompt_tokens, completion_tokens, latency_s "
                "FROM calls WHERE key = ? AND status IN ('ok', 'invalid') ORDER BY id DESC LIMIT 1",
                (request.key(),),
            ).fetchone()
        if row is None:
            return None
        status, response_json, error, completions, prompt_tokens, completion_tokens, latency_s = row
        return CallRecord(
            status=status,
            response=json.loads(response_json) if response_json is not None else None,
            error=error,
            completions=completions,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_s=latency_s,
        )

    def record(self, request: CallRequest, result: CallRecord, *, backend: str) -> None:
        """Append one call to the log."""
        created_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        request_json = json.dumps(
            {"messages": request.messages, "schema": request.schema, "temperature": request.temperature,
             "seed": request.seed, "max_tokens": request.max_tokens, "max_reasks": request.max_reasks,
             "endpoint": request.endpoint},
            ensure_ascii=False,
        )
        response_json = json.dumps(result.response, ensure_ascii=False) if result.response is not None else None
        with self._lock:
            self._db.execute(
                "INSERT INTO calls (key, created_at, status, backend, model, mode, prompt_version, schema_name, "
                "request_json, response_json, error, completions, prompt_tokens, completion_tokens, latency_s) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.key(), created_at, result.status, backend, request.model, request.mode,
                    request.prompt_version, request.schema_name, request_json, response_json, result.error,
                    result.completions, result.prompt_tokens, result.completion_tokens, result.latency_s,
                ),
            )

    def count(self) -> int:
        """Number of logged calls."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "CallCache":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
