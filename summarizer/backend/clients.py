"""The clients that talk to a model: :class:`ModelClient` (threads) and :class:`AsyncModelClient`
(asyncio), each asking for a validated pydantic object and returning an :class:`Answer`, with the
call cache, the embedded server started on the first cache miss, and the retry policy of
:mod:`summarizer.backend.failures`.

A reason to change this module is how a request is made, cached or metered.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Optional, TypeVar, Union
from urllib.parse import urlsplit

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from instructor.core.hooks import Hooks
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_after_delay

from summarizer.backend.failures import (
    BackoffHonouringRetryAfter,
    ModelCrashed,
    ModelUnavailable,
    describe_failure,
    is_transient,
    transport_error,
)
from summarizer.backend.settings import ModelSettings
from summarizer.cache import CallCache, CallRecord, CallRequest
from summarizer.embedded import EmbeddedServer, EmbeddedServerCrashed, EmbeddedServerError, ServerCrash
from summarizer.schema import Usage

logger = logging.getLogger("summarizer.backend")

T = TypeVar("T", bound=BaseModel)

#: The key sent to servers that need none (the embedded one, most local servers).
PLACEHOLDER_KEY = "no-key"


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


@dataclass
class _Call:
    """One ask under way: what was asked, what it costs so far, and when it began."""

    response_model: type[BaseModel]
    request: CallRequest
    kwargs: dict[str, Any]
    meter: _UsageMeter
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0


class _ClientBase:
    """What the sync and async clients share: settings, cache, request description, answers.

    ``server`` shares an already running :class:`EmbeddedServer` (the client then does not stop
    it); ``http_client`` (an ``openai.DefaultHttpxClient``, or ``DefaultAsyncHttpxClient`` for the
    async client) adds proxies or request hooks.
    """

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
        self._openai: Any = None  # openai.OpenAI or openai.AsyncOpenAI, made on the first ask
        self._instructor: Any = None  # instructor's wrapper of it

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
        if self._server is None or not isinstance(transport_error(exc), openai.APIConnectionError):
            return None
        # The socket closes a moment before the dying process can be reaped: wait for it briefly.
        return self._server.crash_of(self._server_pid, grace_s=1.0)

    def _is_retryable(self, exc: BaseException) -> bool:
        """Transient, and not because the embedded server died (retrying a dead server only waits)."""
        return is_transient(exc) and self._crash_behind(exc) is None

    def _forget_http_client(self) -> None:
        """Drop the HTTP client (its port belonged to the dead server); the next ask makes a new one."""
        self._openai = self._instructor = None

    def _connect(self, openai_class: type[Union[openai.OpenAI, openai.AsyncOpenAI]], base_url: str) -> Any:
        """Make the HTTP client (sync or async by ``openai_class``) and instructor's wrapper of it."""
        self._openai = openai_class(
            base_url=base_url,
            api_key=self._api_key(),
            timeout=self.settings.timeout_s,
            max_retries=0,  # one retry policy: ours
            http_client=self._http_client,  # type: ignore[arg-type]  # None = openai's default
        )
        self._instructor = instructor.from_openai(self._openai, mode=self.mode)
        return self._instructor

    def _stop_owned_server(self) -> None:
        """After the HTTP client is closed: stop the embedded server if this client started it."""
        self._openai = self._instructor = None
        if self._owns_server and self._server is not None:
            self._server.stop()

    def _begin(
        self, response_model: type[T], messages: list[dict[str, Any]], max_reasks: Optional[int], prompt_version: Optional[str]
    ) -> Union[Answer[T], _Call]:
        """The cached answer to this ask, else the call to make."""
        reasks = self.settings.max_reasks if max_reasks is None else max_reasks
        request = self._request(response_model, messages, reasks, prompt_version)
        cached = self._from_cache(request, response_model)
        if cached is not None:
            return cached
        meter = _UsageMeter()
        return _Call(response_model, request, self._create_kwargs(response_model, messages, reasks, meter), meter)

    def _crashed(
        self, request: CallRequest, meter: _UsageMeter, started: float, crash: ServerCrash, attempts: int
    ) -> ModelCrashed:
        failure = ModelCrashed(f"embedded model crashed during a request: {crash.describe()}", crash, attempts=attempts)
        self._record_unavailable(request, meter, started, failure)
        self._forget_http_client()
        return failure

    def _record_unavailable(self, request: CallRequest, meter: _UsageMeter, started: float, failure: Exception) -> None:
        """Note a call that got no answer in the cache (what it cost, and why), for the call log."""
        if self.cache is None:
            return
        usage = meter.usage()
        self.cache.record(
            request,
            CallRecord(status="unavailable", response=None, error=str(failure), completions=usage.calls,
                       prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                       latency_s=time.monotonic() - started),
            backend=self.settings.backend_name,
        )

    def _api_key(self) -> str:
        if self._server is not None or self.settings.api_key is None:
            return PLACEHOLDER_KEY
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
            "response_model": response_model,
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
            "wait": BackoffHonouringRetryAfter(self.settings),
            "retry": retry_if_exception(self._is_retryable),
            "reraise": True,
            "before_sleep": self._log_retry,
        }

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        error = transport_error(exc) if exc is not None else None
        label = f"HTTP {error.status_code}" if isinstance(error, openai.APIStatusError) else type(error or exc).__name__
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning("model server %s: %s on attempt %d; retrying in %.1f s", self.endpoint, label, state.attempt_number, wait)

    def _from_cache(
        self, request: CallRequest, response_model: type[T]
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
            value = response_model.model_validate(record.response)
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
        failure = describe_failure(exc, self.endpoint, attempts, self.settings.api_key)
        self._record_unavailable(request, meter, started, failure)
        return failure

    def _answered(self, call: _Call, value: BaseModel) -> Answer[Any]:
        """A validated answer, as the requested type, cached and metered."""
        return self._finish(call.request, call.meter, call.started, self._as_requested(call.response_model, value), None)

    def _failed(self, call: _Call, exc: Exception) -> Answer[Any]:
        """What a failed ask comes to: re-asks used up is an answer with its error (a per-article
        outcome); a crashed or unreachable server is raised, as is anything unexpected."""
        request, meter, started, attempts = call.request, call.meter, call.started, call.attempts
        message = self._validation_error(exc)
        if message is not None:
            return self._finish(request, meter, started, None, message)
        crash = self._crash_behind(exc)
        if crash is not None:
            raise self._crashed(request, meter, started, crash, attempts) from None
        if transport_error(exc) is not None:
            raise self._unavailable(request, meter, started, exc, attempts) from None
        raise exc

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
        if isinstance(exc, InstructorRetryException) and transport_error(exc) is None:
            cause = exc.__cause__
            if cause is None and exc.failed_attempts:
                cause = exc.failed_attempts[-1].exception
            return str(cause if cause is not None else exc)
        return None


class ModelClient(_ClientBase):
    """Asks a model for validated pydantic objects; the project's only synchronous road to a model."""

    def __init__(
        self,
        settings: ModelSettings,
        *,
        cache: Optional[CallCache] = None,
        server: Optional[EmbeddedServer] = None,
        http_client: Optional[openai.DefaultHttpxClient] = None,
    ) -> None:
        super().__init__(settings, cache=cache, server=server, http_client=http_client)
        #: Worker threads of a batch may all ask first: one of them makes the HTTP client.
        self._client_lock = threading.Lock()

    def _client(self) -> instructor.Instructor:
        with self._client_lock:
            if self._instructor is None:
                self._connect(openai.OpenAI, self._base_url())
            return self._instructor  # type: ignore[no-any-return]

    def _forget_http_client(self) -> None:
        # Not closed: other threads may still be finishing a request on it (against the dead server).
        with self._client_lock:
            super()._forget_http_client()

    def ask(
        self,
        response_model: type[T],
        messages: list[dict[str, Any]],
        *,
        max_reasks: Optional[int] = None,
        prompt_version: Optional[str] = None,
    ) -> Answer[T]:
        """Ask for a ``response_model`` object; re-ask on validation errors; never raise for them.

        Grounding against the article is not the client's: the caller checks what comes back
        (:func:`summarizer.grounding.verify`). ``prompt_version`` (a hash of the prompt files) is
        part of the cache key.

        Raises :class:`ModelUnavailable` when the server cannot be reached after bounded retries.
        """
        call = self._begin(response_model, messages, max_reasks, prompt_version)
        if isinstance(call, Answer):
            return call
        try:
            for attempt in Retrying(**self._retrying_kwargs()):
                with attempt:
                    call.attempts = attempt.retry_state.attempt_number
                    value, _completion = self._client().chat.completions.create_with_completion(**call.kwargs)
        except Exception as exc:  # noqa: BLE001 - sorted into answer errors and unavailability
            return self._failed(call, exc)
        return self._answered(call, value)

    def close(self) -> None:
        """Close the HTTP client and stop the embedded server if this client started it."""
        if self._openai is not None:
            self._openai.close()
        self._stop_owned_server()

    def __enter__(self) -> "ModelClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncModelClient(_ClientBase):
    """:class:`ModelClient` for asyncio: run many asks concurrently (``asyncio.gather``).

    One event loop asks, so no lock guards the first client; the embedded server is started in a
    thread so that its start-up does not block the loop.
    """

    async def _client(self) -> instructor.AsyncInstructor:
        if self._instructor is None:
            import asyncio

            base_url = await asyncio.to_thread(self._base_url)  # may start the embedded server
            if self._instructor is None:
                self._connect(openai.AsyncOpenAI, base_url)
        return self._instructor  # type: ignore[no-any-return]

    async def ask(
        self,
        response_model: type[T],
        messages: list[dict[str, Any]],
        *,
        max_reasks: Optional[int] = None,
        prompt_version: Optional[str] = None,
    ) -> Answer[T]:
        """As :meth:`ModelClient.ask`."""
        call = self._begin(response_model, messages, max_reasks, prompt_version)
        if isinstance(call, Answer):
            return call
        try:
            async for attempt in AsyncRetrying(**self._retrying_kwargs()):
                with attempt:
                    call.attempts = attempt.retry_state.attempt_number
                    client = await self._client()
                    value, _completion = await client.chat.completions.create_with_completion(**call.kwargs)
        except Exception as exc:  # noqa: BLE001 - sorted into answer errors and unavailability
            return self._failed(call, exc)
        return self._answered(call, value)

    async def aclose(self) -> None:
        """Close the HTTP client and stop the embedded server if this client started it."""
        if self._openai is not None:
            await self._openai.close()
        self._stop_owned_server()

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
