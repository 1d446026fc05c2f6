"""Model access: one road to any OpenAI-compatible model, with one retry policy and one cache.

:class:`ModelSettings` says which model and how to call it; :func:`open_client` turns settings
into a :class:`ModelClient` (or :func:`open_async_client` into an :class:`AsyncModelClient`),
the only objects in the project that talk to a model. Both ask for a pydantic object and return
an :class:`Answer`:

* validation failures are re-asked with the error (instructor's ``max_retries``), then returned
  as ``Answer.error`` -- a bad answer is a per-article outcome, not an exception;
* transport failures (timeouts, refused connections, 429 with ``Retry-After``, 5xx) are retried
  with tenacity -- bounded exponential backoff with jitter, bounded attempts and total time --
  then raised as :class:`ModelUnavailable`, because no later article would fare better;
* a failure because the embedded server's process died is not retried: it is raised at once as
  :class:`ModelCrashed` (``kind = "model_crashed"``) with the exit code or signal, the likely cause
  and the last lines of the server's log; the next ask restarts the server, or fails fast with
  the same report when a restart would crash the same way (see ``EmbeddedServer.start``);
* every answer is logged in, and replayed from, a :class:`~summarizer.cache.CallCache`.

No base URL means the embedded backend: a local llama.cpp server that is started lazily, on the
first cache miss, so a fully cached run never needs the model at all.

The API key is a :class:`~pydantic.SecretStr`: it is handed to the HTTP client and nowhere else
-- not to reprs, logs, cache keys, call records or error messages.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import os
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, Mapping, Optional, TypeVar, Union
from urllib.parse import urlsplit

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from instructor.core.hooks import Hooks
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from summarizer.cache import CallCache, CallRecord, CallRequest
from summarizer.embedded import EmbeddedServer, EmbeddedServerCrashed, EmbeddedServerError, ServerCrash
from summarizer.schema import Usage

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    tomllib = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

#: Where :meth:`ModelSettings.load` looks for a config file when none is given.
DEFAULT_CONFIG_PATH = Path("~/.config/summarizer/config.toml")

#: Environment variables read by :meth:`ModelSettings.load`, by setting. ``SUMMARIZER_*`` also
#: exists for every other field (``SUMMARIZER_N_CTX``, ``SUMMARIZER_MAX_REASKS``, ...).
ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "base_url": ("SUMMARIZER_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("SUMMARIZER_API_KEY", "OPENAI_API_KEY"),
    "model": ("SUMMARIZER_MODEL",),
    "gguf_path": ("SUMMARIZER_GGUF",),
}

#: The key sent to servers that need none (the embedded one, most local servers).
_PLACEHOLDER_KEY = "no-key"

_MODES_BY_NAME = {mode.name.lower(): mode for mode in instructor.Mode}


class ModelUnavailable(RuntimeError):
    """The model could not be reached (or refused us) after bounded retries.

    The message says which endpoint, what failed and how often; it never contains the API key.
    """

    #: The record's ``error.kind`` for an article that failed this way.
    kind = "model_unavailable"

    def __init__(self, message: str, *, attempts: int = 0, status_code: Optional[int] = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.status_code = status_code


class ModelCrashed(ModelUnavailable):
    """The embedded model server's process exited or was killed (e.g. SIGILL) during or before a request.

    ``crash`` has the exit code / signal and the server log's last lines; the message says them
    and, for SIGILL, the likely cause and the rebuild command.
    """

    kind = "model_crashed"

    def __init__(self, message: str, crash: ServerCrash, *, attempts: int = 0) -> None:
        super().__init__(message, attempts=attempts)
        self.crash = crash


class ModelSettings(BaseModel):
    """Which model to ask and how; every field can come from a config file, the environment or flags.

    Build with :meth:`load` to get the layering defaults < TOML file < environment < arguments.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    base_url: Optional[str] = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1; None = embedded."
    )
    api_key: Optional[SecretStr] = Field(default=None, description="Sent as a bearer token; never stored.")
    model: Optional[str] = Field(
        default=None, description="Model name; None = the embedded GGUF's name (required for a base_url)."
    )
    mode: str = Field(
        default="auto",
        description='instructor mode name ("tools", "json_schema", "md_json", ...) or "auto": tools for '
        "llama.cpp and generic servers, json_schema (structured outputs) for api.openai.com.",
    )
    temperature: float = Field(default=0.0, ge=0.0)
    seed: Optional[int] = None
    max_tokens: Optional[int] = Field(default=1024, ge=1)
    timeout_s: float = Field(default=300.0, gt=0, description="Per HTTP request, queueing on the server included.")
    max_attempts: int = Field(default=4, ge=1, description="Transport attempts per request (first included).")
    retry_initial_s: float = Field(default=1.0, gt=0, description="Backoff scale: waits grow from about this.")
    retry_max_wait_s: float = Field(default=30.0, gt=0, description="Cap on one wait, Retry-After included.")
    retry_max_total_s: float = Field(default=600.0, gt=0, description="Give up retrying after this long.")
    max_reasks: int = Field(default=1, ge=0, description="Re-asks with the validation error after a bad answer.")
    gguf_path: Optional[Path] = Field(default=None, description="Another local GGUF for the embedded server.")
    n_ctx: int = Field(default=8192, ge=256)
    n_threads: Optional[int] = Field(default=None, ge=1, description="None = all cores.")
    parallel: int = Field(default=1, ge=1, description="Server decoding slots, where the server supports them.")

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        name = value.strip().lower()
        if name != "auto" and name not in _MODES_BY_NAME:
            raise ValueError(f"unknown instructor mode {value!r}; use 'auto' or one of {sorted(_MODES_BY_NAME)}")
        return name

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: Optional[str]) -> Optional[str]:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {_redact_url(value)!r}")
        return value.strip()

    @classmethod
    def load(
        cls,
        config_path: Optional[Path | str] = None,
        *,
        environ: Optional[Mapping[str, str]] = None,
        **overrides: Any,
    ) -> "ModelSettings":
        """Settings from defaults < TOML config < environment < ``overrides`` (later wins).

        ``config_path`` defaults to ``~/.config/summarizer/config.toml`` (skipped if absent; an
        explicit path must exist). The file's ``[model]`` table holds field names as keys.
        Overrides that are None are ignored, so unset CLI flags can be passed straight through.
        """
        values: dict[str, Any] = {}
        values.update(_read_config(config_path))
        values.update(_read_environment(os.environ if environ is None else environ))
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls.model_validate(values)

    @property
    def is_embedded(self) -> bool:
        return self.base_url is None

    @property
    def backend_name(self) -> Literal["embedded", "openai-compatible"]:
        """As :attr:`summarizer.schema.Provenance.backend` names it."""
        return "embedded" if self.is_embedded else "openai-compatible"

    def instructor_mode(self) -> instructor.Mode:
        """The mode to use: the configured one, or the one that works best for this endpoint."""
        if self.mode != "auto":
            return _MODES_BY_NAME[self.mode]
        if self.base_url is not None and urlsplit(self.base_url).hostname == "api.openai.com":
            return instructor.Mode.JSON_SCHEMA
        # llama.cpp (embedded), vLLM, Ollama: grammar-constrained tool calls. llama-cpp-python
        # answers JSON_SCHEMA with HTTP 500 and plain JSON mode with junk.
        return instructor.Mode.TOOLS

    def public_dict(self) -> dict[str, Any]:
        """The settings without the API key (and with a credential-free URL), for provenance."""
        data = self.model_dump(mode="json", exclude={"api_key"})
        if self.base_url is not None:
            data["base_url"] = _redact_url(self.base_url)
        data["mode"] = self.instructor_mode().name.lower()
        return data


def _read_config(config_path: Optional[Path | str]) -> dict[str, Any]:
    explicit = config_path is not None
    path = Path(config_path if explicit else DEFAULT_CONFIG_PATH).expanduser()
    if not path.is_file():
        if explicit:
            raise FileNotFoundError(f"config file not found: {path}")
        return {}
    if tomllib is None:  # pragma: no cover
        raise RuntimeError("reading a TOML config file needs Python 3.11 or newer")
    with open(path, "rb") as handle:
        document = tomllib.load(handle)
    table = document.get("model", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [model] must be a table")
    return dict(table)


def _read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ModelSettings.model_fields:
        variables = ENV_ALIASES.get(name, (f"SUMMARIZER_{name.upper()}",))
        for variable in variables:
            value = environ.get(variable)
            if value:
                values[name] = value
                break
    return values


def _redact_url(url: str) -> str:
    """The URL without user:password@ (credentials can hide in a base URL too)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()


def _endpoint_label(settings: ModelSettings, model: str) -> str:
    """The backend's identity in cache keys: stable across runs, free of secrets."""
    if settings.base_url is None:
        return f"embedded:{model}"
    parts = urlsplit(settings.base_url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host


@dataclass
class Answer(Generic[T]):
    """A model's validated answer, or why there is none.

    ``usage.calls`` counts completions requested from the model (re-asks included);
    a cached answer has ``calls == 0``, ``cached_calls == 1`` and no tokens.
    """

    value: Optional[T]
    usage: Usage = field(default_factory=Usage)
    error: Optional[str] = None
    cached: bool = False
    latency_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.value is not None


#: The validation context of the ask in progress (per thread and per asyncio task).
_current_validation_context: ContextVar[Optional[dict[str, Any]]] = ContextVar(
    "summarizer_validation_context", default=None
)


@functools.lru_cache(maxsize=256)
def _context_bound(response_model: type[T]) -> type[T]:
    """A same-named subclass of ``response_model`` that validates with the current ask's context.

    Why not instructor's ``context=``: instructor also uses it as Jinja variables and re-renders
    (and dedents) every message with them, which would rewrite an article containing braces or
    indentation before the model sees it. So instructor gets no context, and this subclass
    supplies it to pydantic from a context variable that :meth:`ModelClient.ask` sets.
    """

    def model_validate_json(cls: type[T], json_data: Any, *, context: Any = None, **kwargs: Any) -> T:
        if context is None:
            context = _current_validation_context.get()
        return super(bound, cls).model_validate_json(json_data, context=context, **kwargs)  # type: ignore[misc, arg-type]

    def model_validate(cls: type[T], obj: Any, *, context: Any = None, **kwargs: Any) -> T:
        if context is None:
            context = _current_validation_context.get()
        return super(bound, cls).model_validate(obj, context=context, **kwargs)  # type: ignore[misc, arg-type]

    bound = type(
        response_model.__name__,
        (response_model,),
        {
            "__module__": response_model.__module__,
            "__doc__": response_model.__doc__,
            "model_validate_json": classmethod(model_validate_json),
            "model_validate": classmethod(model_validate),
        },
    )
    return bound  # type: ignore[return-value]


class _UsageMeter:
    """Sums token usage over every raw completion of one ask (first answer and re-asks)."""

    def __init__(self) -> None:
        self.completions = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.hooks = Hooks()
        self.hooks.on("completion:response", self._on_response)

    def _on_response(self, response: Any) -> None:
        self.completions += 1
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)

    def usage(self) -> Usage:
        return Usage(calls=self.completions, prompt_tokens=self.prompt_tokens, completion_tokens=self.completion_tokens)


def _transport_error(exc: BaseException) -> Optional[openai.APIError]:
    """The openai transport/status error behind ``exc`` (instructor wraps it), if any."""
    candidate: Optional[BaseException] = exc
    if isinstance(exc, InstructorRetryException):
        candidate = exc.__cause__
    return candidate if isinstance(candidate, openai.APIError) else None


def _is_transient(exc: BaseException) -> bool:
    """Worth retrying: timeouts, connection failures, 408, 409, 429 and 5xx."""
    error = _transport_error(exc)
    if isinstance(error, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return False


def _retry_after_s(exc: BaseException) -> Optional[float]:
    """Seconds the server asked us to wait (``Retry-After`` / ``retry-after-ms``), if it did."""
    error = _transport_error(exc)
    if not isinstance(error, openai.APIStatusError):
        return None
    headers = error.response.headers
    if "retry-after-ms" in headers:
        try:
            return float(headers["retry-after-ms"]) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed is not None else None


class _BackoffHonouringRetryAfter:
    """tenacity wait: jittered exponential backoff, or the server's Retry-After if longer; capped."""

    def __init__(self, settings: ModelSettings) -> None:
        self._backoff = wait_random_exponential(multiplier=settings.retry_initial_s, max=settings.retry_max_wait_s)
        self._cap = settings.retry_max_wait_s

    def __call__(self, state: RetryCallState) -> float:
        wait = self._backoff(state)
        if state.outcome is not None and state.outcome.failed:
            asked = _retry_after_s(state.outcome.exception())
            if asked is not None:
                wait = max(wait, asked)
        return min(wait, self._cap)


def _describe_failure(exc: BaseException, endpoint: str, attempts: int, api_key: Optional[SecretStr]) -> ModelUnavailable:
    """A specific, key-free :class:`ModelUnavailable` for a transport or status failure."""
    error = _transport_error(exc) or exc
    status: Optional[int] = None
    if isinstance(error, openai.APITimeoutError):
        what = "timed out"
    elif isinstance(error, openai.APIConnectionError):
        what = f"could not be reached ({type(error.__cause__ or error).__name__})"
    elif isinstance(error, openai.APIStatusError):
        status = error.status_code
        if status in (401, 403):
            what = f"rejected the credentials (HTTP {status}); check OPENAI_API_KEY / api_key"
        elif status == 404:
            what = "has no such model or route (HTTP 404); check the model name and base_url (usually ending in /v1)"
        else:
            what = f"answered HTTP {status}: {_scrub(_status_detail(error), api_key)}"
    else:
        what = f"failed: {_scrub(f'{type(error).__name__}: {error}', api_key)}"
    plural = "s" if attempts != 1 else ""
    return ModelUnavailable(f"model server {endpoint} {what} after {attempts} attempt{plural}", attempts=attempts, status_code=status)


def _status_detail(error: openai.APIStatusError) -> str:
    text = str(error.body) if error.body is not None else error.message
    return " ".join(text.split())[:300]


def _scrub(text: str, api_key: Optional[SecretStr]) -> str:
    secret = api_key.get_secret_value() if api_key is not None else ""
    return text.replace(secret, "***") if len(secret) >= 4 else text


class _ClientBase:
    """What the sync and async clients share: settings, cache, request description, answers."""

    def __init__(
        self,
        settings: ModelSettings,
        *,
        cache: Optional[CallCache] = None,
        server: Optional[EmbeddedServer] = None,
        http_client: Optional[Union[openai.DefaultHttpxClient, openai.DefaultAsyncHttpxClient]] = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.mode = settings.instructor_mode()
        self._http_client = http_client
        self._owns_server = server is None and settings.is_embedded
        if settings.is_embedded:
            self._server: Optional[EmbeddedServer] = server or EmbeddedServer(
                settings.gguf_path,
                model_alias=settings.model,
                n_ctx=settings.n_ctx,
                n_threads=settings.n_threads,
                parallel=settings.parallel,
            )
        else:
            self._server = None
            if not settings.model:
                raise ValueError("a model name is required for a base_url: set SUMMARIZER_MODEL or --model")
        self.model = settings.model or (self._server.model_alias if self._server else "")
        self.endpoint = _endpoint_label(settings, self.model)
        #: The pid of the embedded server process this client's HTTP client talks to.
        self._server_pid: Optional[int] = None

    @property
    def embedded_server(self) -> Optional[EmbeddedServer]:
        """The local server for the embedded backend (started on the first cache miss), else None."""
        return self._server

    def _base_url(self) -> str:
        if self._server is not None:
            try:
                base_url = self._server.start().base_url
            except EmbeddedServerCrashed as exc:
                raise ModelCrashed(f"embedded model crashed: {exc}", exc.crash) from None
            except EmbeddedServerError as exc:
                raise ModelUnavailable(f"embedded model unavailable: {exc}") from exc
            self._server_pid = self._server.pid
            return base_url
        assert self.settings.base_url is not None
        return self.settings.base_url

    def _crash_behind(self, exc: BaseException) -> Optional[ServerCrash]:
        """The embedded server's crash, when that is why the connection failed."""
        if self._server is None or not isinstance(_transport_error(exc), openai.APIConnectionError):
            return None
        # The socket closes a moment before the dying process can be reaped: wait for it briefly.
        return self._server.crash_of(self._server_pid, grace_s=1.0)

    def _is_retryable(self, exc: BaseException) -> bool:
        """Transient, and not because the embedded server died (retrying a dead server only waits)."""
        return _is_transient(exc) and self._crash_behind(exc) is None

    def _forget_http_client(self) -> None:
        """Drop the HTTP client (its port belonged to the dead server); the next ask makes a new one."""
        raise NotImplementedError

    def _crashed(
        self, request: CallRequest, meter: _UsageMeter, started: float, crash: ServerCrash, attempts: int
    ) -> ModelCrashed:
        failure = ModelCrashed(f"embedded model crashed during a request: {crash.describe()}", crash, attempts=attempts)
        if self.cache is not None:
            usage = meter.usage()
            self.cache.record(
                request,
                CallRecord(status="unavailable", response=None, error=str(failure), completions=usage.calls,
                           prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                           latency_s=time.monotonic() - started),
                backend=self.settings.backend_name,
            )
        self._forget_http_client()
        return failure

    def _api_key(self) -> str:
        if self._server is not None or self.settings.api_key is None:
            return _PLACEHOLDER_KEY
        return self.settings.api_key.get_secret_value()

    def _request(
        self, response_model: type[BaseModel], messages: list[dict[str, Any]], max_reasks: int, prompt_version: Optional[str]
    ) -> CallRequest:
        return CallRequest(
            endpoint=self.endpoint,
            model=self.model,
            mode=self.mode.name.lower(),
            schema=response_model.model_json_schema(),
            messages=messages,
            temperature=self.settings.temperature,
            seed=self.settings.seed,
            max_tokens=self.settings.max_tokens,
            max_reasks=max_reasks,
            prompt_version=prompt_version,
        )

    def _create_kwargs(
        self, response_model: type[BaseModel], messages: list[dict[str, Any]], max_reasks: int, meter: _UsageMeter
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "response_model": _context_bound(response_model),
            "messages": [dict(message) for message in messages],
            "max_retries": max_reasks,
            "strict": False,
            "hooks": meter.hooks,
            "temperature": self.settings.temperature,
        }
        if self.settings.max_tokens is not None:
            kwargs["max_tokens"] = self.settings.max_tokens
        if self.settings.seed is not None:
            kwargs["seed"] = self.settings.seed
        return kwargs

    def _retrying_kwargs(self) -> dict[str, Any]:
        return {
            "stop": stop_after_attempt(self.settings.max_attempts) | stop_after_delay(self.settings.retry_max_total_s),
            "wait": _BackoffHonouringRetryAfter(self.settings),
            "retry": retry_if_exception(self._is_retryable),
            "reraise": True,
            "before_sleep": self._log_retry,
        }

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        error = _transport_error(exc) if exc is not None else None
        label = f"HTTP {error.status_code}" if isinstance(error, openai.APIStatusError) else type(error or exc).__name__
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning("model server %s: %s on attempt %d; retrying in %.1f s", self.endpoint, label, state.attempt_number, wait)

    def _from_cache(
        self, request: CallRequest, response_model: type[T], validation_context: Optional[dict[str, Any]]
    ) -> Optional[Answer[T]]:
        if self.cache is None:
            return None
        record = self.cache.lookup(request)
        if record is None:
            return None
        usage = Usage(calls=0, cached_calls=1)
        if record.status == "invalid":
            return Answer(value=None, usage=usage, error=record.error, cached=True)
        try:
            value = response_model.model_validate(record.response, context=validation_context)
        except ValidationError as exc:
            # The schema's rules changed since this answer was stored: ask the model again.
            logger.info("cached answer no longer validates (%s); asking again", exc.error_count())
            return None
        return Answer(value=value, usage=usage, cached=True)

    def _finish(
        self, request: CallRequest, meter: _UsageMeter, started: float, value: Optional[BaseModel], error: Optional[str]
    ) -> Answer[Any]:
        latency = time.monotonic() - started
        usage = meter.usage()
        if self.cache is not None:
            self.cache.record(
                request,
                CallRecord(
                    status="ok" if value is not None else "invalid",
                    response=value.model_dump(mode="json") if value is not None else None,
                    error=error,
                    completions=usage.calls,
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                    latency_s=latency,
                ),
                backend=self.settings.backend_name,
            )
        return Answer(value=value, usage=usage, error=error, latency_s=latency)

    def _unavailable(self, request: CallRequest, meter: _UsageMeter, started: float, exc: BaseException, attempts: int) -> ModelUnavailable:
        failure = _describe_failure(exc, self.endpoint, attempts, self.settings.api_key)
        if self.cache is not None:
            usage = meter.usage()
            self.cache.record(
                request,
                CallRecord(status="unavailable", response=None, error=str(failure), completions=usage.calls,
                           prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                           latency_s=time.monotonic() - started),
                backend=self.settings.backend_name,
            )
        return failure

    @staticmethod
    def _as_requested(response_model: type[T], value: BaseModel) -> T:
        """The validated object as ``response_model`` itself (instructor returns a subclass of it)."""
        if type(value) is response_model:
            return value  # type: ignore[return-value]
        fields = {name: getattr(value, name) for name in response_model.model_fields}
        return response_model.model_construct(_fields_set=set(value.model_fields_set), **fields)

    @staticmethod
    def _validation_error(exc: BaseException) -> Optional[str]:
        """The last validation error when instructor ran out of re-asks; None for other failures."""
        if isinstance(exc, IncompleteOutputException):
            return "the answer was cut off at max_tokens before it was complete"
        if isinstance(exc, InstructorRetryException) and _transport_error(exc) is None:
            cause = exc.__cause__
            if cause is None and exc.failed_attempts:
                cause = exc.failed_attempts[-1].exception
            return str(cause if cause is not None else exc)
        return None


class ModelClient(_ClientBase):
    """Asks a model for validated pydantic objects; the project's only synchronous road to a model.

    ``server`` shares an already running :class:`EmbeddedServer` (the client then does not stop
    it); ``http_client`` (an ``openai.DefaultHttpxClient``) adds proxies or request hooks.
    """

    def __init__(
        self,
        settings: ModelSettings,
        *,
        cache: Optional[CallCache] = None,
        server: Optional[EmbeddedServer] = None,
        http_client: Optional[openai.DefaultHttpxClient] = None,
    ) -> None:
        super().__init__(settings, cache=cache, server=server, http_client=http_client)
        self._instructor: Optional[instructor.Instructor] = None
        self._openai: Optional[openai.OpenAI] = None
        self._client_lock = threading.Lock()

    def _client(self) -> instructor.Instructor:
        with self._client_lock:
            if self._instructor is not None:
                return self._instructor
            self._openai = openai.OpenAI(
                base_url=self._base_url(),
                api_key=self._api_key(),
                timeout=self.settings.timeout_s,
                max_retries=0,  # one retry policy: ours
                http_client=self._http_client,  # type: ignore[arg-type]  # None = openai's default
            )
            self._instructor = instructor.from_openai(self._openai, mode=self.mode)
        return self._instructor

    def _forget_http_client(self) -> None:
        # Not closed: other threads may still be finishing a request on it (against the dead server).
        with self._client_lock:
            self._openai = self._instructor = None

    def ask(
        self,
        response_model: type[T],
        messages: list[dict[str, Any]],
        *,
        validation_context: Optional[dict[str, Any]] = None,
        max_reasks: Optional[int] = None,
        prompt_version: Optional[str] = None,
    ) -> Answer[T]:
        """Ask for a ``response_model`` object; re-ask on validation errors; never raise for them.

        ``validation_context`` reaches the model's validators as ``info.context`` (e.g.
        ``{"article": text}``) and is not part of the cache key -- put what the model sees in
        ``messages``. ``prompt_version`` (a hash of the prompt files) is part of the key.

        Raises :class:`ModelUnavailable` when the server cannot be reached after bounded retries.
        """
        reasks = self.settings.max_reasks if max_reasks is None else max_reasks
        request = self._request(response_model, messages, reasks, prompt_version)
        cached = self._from_cache(request, response_model, validation_context)
        if cached is not None:
            return cached
        meter = _UsageMeter()
        started = time.monotonic()
        attempts = 0
        kwargs = self._create_kwargs(response_model, messages, reasks, meter)
        context_token = _current_validation_context.set(validation_context)
        try:
            for attempt in Retrying(**self._retrying_kwargs()):
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    value, _completion = self._client().chat.completions.create_with_completion(**kwargs)
        except Exception as exc:  # noqa: BLE001 - sorted into answer errors and unavailability below
            message = self._validation_error(exc)
            if message is not None:
                return self._finish(request, meter, started, None, message)
            crash = self._crash_behind(exc)
            if crash is not None:
                raise self._crashed(request, meter, started, crash, attempts) from None
            if _transport_error(exc) is not None:
                raise self._unavailable(request, meter, started, exc, attempts) from None
            raise
        finally:
            _current_validation_context.reset(context_token)
        return self._finish(request, meter, started, self._as_requested(response_model, value), None)

    def close(self) -> None:
        """Close the HTTP client and stop the embedded server if this client started it."""
        if self._openai is not None:
            self._openai.close()
        self._openai = self._instructor = None
        if self._owns_server and self._server is not None:
            self._server.stop()

    def __enter__(self) -> "ModelClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncModelClient(_ClientBase):
    """:class:`ModelClient` for asyncio: run many asks concurrently (``asyncio.gather``)."""

    def __init__(
        self,
        settings: ModelSettings,
        *,
        cache: Optional[CallCache] = None,
        server: Optional[EmbeddedServer] = None,
        http_client: Optional[openai.DefaultAsyncHttpxClient] = None,
    ) -> None:
        super().__init__(settings, cache=cache, server=server, http_client=http_client)
        self._instructor: Optional[instructor.AsyncInstructor] = None
        self._openai: Optional[openai.AsyncOpenAI] = None

    async def _client(self) -> instructor.AsyncInstructor:
        if self._instructor is None:
            import asyncio

            base_url = await asyncio.to_thread(self._base_url)  # may start the embedded server
            if self._instructor is None:
                self._openai = openai.AsyncOpenAI(
                    base_url=base_url,
                    api_key=self._api_key(),
                    timeout=self.settings.timeout_s,
                    max_retries=0,
                    http_client=self._http_client,  # type: ignore[arg-type]  # None = openai's default
                )
                self._instructor = instructor.from_openai(self._openai, mode=self.mode)
        return self._instructor

    def _forget_http_client(self) -> None:
        self._openai = self._instructor = None

    async def ask(
        self,
        response_model: type[T],
        messages: list[dict[str, Any]],
        *,
        validation_context: Optional[dict[str, Any]] = None,
        max_reasks: Optional[int] = None,
        prompt_version: Optional[str] = None,
    ) -> Answer[T]:
        """As :meth:`ModelClient.ask`."""
        reasks = self.settings.max_reasks if max_reasks is None else max_reasks
        request = self._request(response_model, messages, reasks, prompt_version)
        cached = self._from_cache(request, response_model, validation_context)
        if cached is not None:
            return cached
        meter = _UsageMeter()
        started = time.monotonic()
        attempts = 0
        kwargs = self._create_kwargs(response_model, messages, reasks, meter)
        context_token = _current_validation_context.set(validation_context)
        try:
            async for attempt in AsyncRetrying(**self._retrying_kwargs()):
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    client = await self._client()
                    value, _completion = await client.chat.completions.create_with_completion(**kwargs)
        except Exception as exc:  # noqa: BLE001
            message = self._validation_error(exc)
            if message is not None:
                return self._finish(request, meter, started, None, message)
            crash = self._crash_behind(exc)
            if crash is not None:
                raise self._crashed(request, meter, started, crash, attempts) from None
            if _transport_error(exc) is not None:
                raise self._unavailable(request, meter, started, exc, attempts) from None
            raise
        finally:
            _current_validation_context.reset(context_token)
        return self._finish(request, meter, started, self._as_requested(response_model, value), None)

    async def aclose(self) -> None:
        """Close the HTTP client and stop the embedded server if this client started it."""
        if self._openai is not None:
            await self._openai.close()
        self._openai = self._instructor = None
        if self._owns_server and self._server is not None:
            self._server.stop()

    async def __aenter__(self) -> "AsyncModelClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


CacheChoice = Union[CallCache, None, Literal["default"]]


def _open_cache(cache: CacheChoice) -> Optional[CallCache]:
    return CallCache.open_default() if cache == "default" else cache  # type: ignore[return-value]


def open_client(settings: Optional[ModelSettings] = None, *, cache: CacheChoice = "default") -> ModelClient:
    """A client for ``settings`` (default: :meth:`ModelSettings.load`).

    Without a base URL the embedded llama.cpp server is started on the first cache miss and
    stopped by :meth:`ModelClient.close` (or at exit). ``cache="default"`` uses
    ``$SUMMARIZER_CACHE`` or ``~/.cache/summarizer/calls.sqlite``; ``cache=None`` disables it.
    """
    return ModelClient(settings or ModelSettings.load(), cache=_open_cache(cache))


def open_async_client(settings: Optional[ModelSettings] = None, *, cache: CacheChoice = "default") -> AsyncModelClient:
    """As :func:`open_client`, for asyncio."""
    return AsyncModelClient(settings or ModelSettings.load(), cache=_open_cache(cache))
