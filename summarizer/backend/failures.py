"""What failed in a model call and whether to try again: transport errors sorted into transient
(retried with jittered exponential backoff that honours ``Retry-After``) and final ones, each
described for the record without the API key.

A reason to change this module is a new failure a server can produce or a new retry policy.
"""

from __future__ import annotations

import email.utils
import time
from typing import Optional

import openai
from instructor.core import InstructorRetryException
from pydantic import SecretStr
from tenacity import RetryCallState, wait_random_exponential

from summarizer.backend.settings import ModelSettings
from summarizer.embedded import ServerCrash

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


def transport_error(exc: BaseException) -> Optional[openai.APIError]:
    """The openai transport/status error behind ``exc`` (instructor wraps it), if any."""
    candidate: Optional[BaseException] = exc
    if isinstance(exc, InstructorRetryException):
        candidate = exc.__cause__
    return candidate if isinstance(candidate, openai.APIError) else None


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: timeouts, connection failures, 408, 409, 429 and 5xx."""
    error = transport_error(exc)
    if isinstance(error, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return False


def retry_after_s(exc: BaseException) -> Optional[float]:
    """Seconds the server asked us to wait (``Retry-After`` / ``retry-after-ms``), if it did."""
    error = transport_error(exc)
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


class BackoffHonouringRetryAfter:
    """tenacity wait: jittered exponential backoff, or the server's Retry-After if longer; capped."""

    def __init__(self, settings: ModelSettings) -> None:
        self._backoff = wait_random_exponential(multiplier=settings.retry_initial_s, max=settings.retry_max_wait_s)
        self._cap = settings.retry_max_wait_s

    def __call__(self, state: RetryCallState) -> float:
        wait = self._backoff(state)
        if state.outcome is not None and state.outcome.failed:
            asked = retry_after_s(state.outcome.exception())
            if asked is not None:
                wait = max(wait, asked)
        return min(wait, self._cap)


def describe_failure(exc: BaseException, endpoint: str, attempts: int, api_key: Optional[SecretStr]) -> ModelUnavailable:
    """A specific, key-free :class:`ModelUnavailable` for a transport or status failure."""
    error = transport_error(exc) or exc
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
