"""Model access: one road to any OpenAI-compatible model, with one retry policy and one cache.

:class:`ModelSettings` says which model and how to call it; :func:`open_client` turns settings
into a :class:`ModelClient` (or construct an :class:`AsyncModelClient` for asyncio), the only
objects in the project that talk to a model. Both ask for a pydantic object and return
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

Modules by reason to change: :mod:`~summarizer.backend.settings` (which model, from where),
:mod:`~summarizer.backend.failures` (what failed, what is retried) and
:mod:`~summarizer.backend.clients` (how a call is made, cached and metered); import from
``summarizer.backend``.
"""

from summarizer.backend.clients import Answer, AsyncModelClient, CacheChoice, ModelClient, open_client
from summarizer.backend.failures import ModelCrashed, ModelUnavailable
from summarizer.backend.settings import DEFAULT_CONFIG_PATH, ENV_ALIASES, ModelSettings

__all__ = [
    "Answer", "AsyncModelClient", "CacheChoice", "DEFAULT_CONFIG_PATH", "ENV_ALIASES", "ModelClient",
    "ModelCrashed", "ModelSettings", "ModelUnavailable", "open_client",
]
