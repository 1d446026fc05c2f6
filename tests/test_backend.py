"""ModelSettings, ModelClient and the call cache.

Transport behaviour is tested against a real HTTP server on 127.0.0.1 (stdlib ``http.server``
in a thread) that answers from a script: 429 with Retry-After, 5xx, hangs, 401, or a well-formed
tool-call completion. Model behaviour is tested against the real embedded model (``-m model``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import instructor
import openai
import pytest
from pydantic import BaseModel, field_validator

from summarizer.backend import (
    AsyncModelClient,
    ModelClient,
    ModelSettings,
    ModelUnavailable,
)
from summarizer.cache import CallCache, CallRequest
from summarizer.embedded import EmbeddedServer
from scripted_server import ScriptedServer, Step

SECRET = "sk-test-DO-NOT-LEAK-0123456789abcdef"


class City(BaseModel):
    name: str
    country: str


ARTICLE = "Anne spoke."
NAMED_DOC = "A name the answer must take from the article."


class NamedInArticle(BaseModel):
    __doc__ = NAMED_DOC

    name: str

    @field_validator("name")
    @classmethod
    def _in_article(cls, value: str) -> str:
        if value not in ARTICLE:
            raise ValueError(f"{value!r} does not occur in the article")
        return value


class NeverValid(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def _never(cls, value: str) -> str:
        raise ValueError("this field can never validate")


# --- a scripted OpenAI-compatible server: tests/scripted_server.py -----------------------------


PARIS = Step(tool_arguments={"name": "Paris", "country": "France"})
QUESTION = [{"role": "user", "content": "Which country is Paris the capital of?"}]


def _remote(server: ScriptedServer, **overrides: Any) -> ModelSettings:
    values: dict[str, Any] = {
        "base_url": server.base_url, "api_key": SECRET, "model": "scripted", "timeout_s": 5.0,
        "max_attempts": 3, "retry_initial_s": 0.05, "retry_max_wait_s": 2.0,
    }
    values.update(overrides)
    return ModelSettings(**values)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CallCache]:
    with CallCache(tmp_path / "calls.sqlite") as opened:
        yield opened


def _files_contain(directory: Path, needle: str) -> bool:
    return any(needle.encode() in path.read_bytes() for path in directory.iterdir() if path.is_file())


# --- settings ----------------------------------------------------------------------------------


def test_settings_layering_defaults_file_environment_arguments(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[model]\nmodel = "from-file"\nmax_tokens = 99\ntemperature = 0.5\nn_ctx = 4096\n')
    environ = {"SUMMARIZER_MODEL": "from-env", "SUMMARIZER_MAX_TOKENS": "77", "OPENAI_BASE_URL": "http://h:1/v1"}

    settings = ModelSettings.load(config, environ=environ, max_tokens=55, seed=None)

    assert settings.model == "from-env"  # environment beats file
    assert settings.max_tokens == 55  # argument beats environment
    assert settings.temperature == 0.5  # file beats default
    assert settings.n_ctx == 4096
    assert settings.seed is None and settings.max_reasks == 1  # defaults
    assert settings.base_url == "http://h:1/v1"


def test_settings_explicit_config_must_exist(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ModelSettings.load(tmp_path / "missing.toml", environ={})


def test_api_key_never_shown(tmp_path: Path) -> None:
    settings = ModelSettings.load(environ={"OPENAI_API_KEY": SECRET, "OPENAI_BASE_URL": "https://u:pw@h.example/v1"})
    assert settings.api_key is not None and settings.api_key.get_secret_value() == SECRET
    shown = repr(settings) + str(settings) + json.dumps(settings.public_dict()) + settings.model_dump_json()
    assert SECRET not in shown
    assert "pw" not in json.dumps(settings.public_dict())


@pytest.mark.parametrize(
    ("base_url", "mode", "expected"),
    [
        (None, "auto", instructor.Mode.TOOLS),
        ("https://api.openai.com/v1", "auto", instructor.Mode.JSON_SCHEMA),
        ("http://localhost:11434/v1", "auto", instructor.Mode.TOOLS),
        ("https://api.openai.com/v1", "md_json", instructor.Mode.MD_JSON),
        (None, "TOOLS", instructor.Mode.TOOLS),
    ],
)
def test_instructor_mode_resolution(base_url: Optional[str], mode: str, expected: instructor.Mode) -> None:
    assert ModelSettings(base_url=base_url, mode=mode).instructor_mode() is expected


def test_unknown_mode_rejected() -> None:
    with pytest.raises(ValueError, match="unknown instructor mode"):
        ModelSettings(mode="telepathy")


def test_remote_backend_needs_a_model_name() -> None:
    with pytest.raises(ValueError, match="model name is required"):
        ModelClient(ModelSettings(base_url="http://127.0.0.1:9/v1"))


# --- cache keys --------------------------------------------------------------------------------


def _request(**changes: Any) -> CallRequest:
    values: dict[str, Any] = dict(
        endpoint="h:1", model="m", mode="tools", schema=City.model_json_schema(), messages=QUESTION,
        temperature=0.0, seed=None, max_tokens=64, max_reasks=1, prompt_version="p1",
    )
    values.update(changes)
    return CallRequest(**values)


def test_cache_key_covers_what_determines_the_answer() -> None:
    base = _request().key()
    assert _request().key() == base
    for change in (
        {"model": "other"}, {"endpoint": "h:2"}, {"mode": "json_schema"}, {"schema": NeverValid.model_json_schema()},
        {"messages": [{"role": "user", "content": "x"}]}, {"temperature": 0.7}, {"seed": 1},
        {"max_tokens": 65}, {"prompt_version": "p2"}, {"max_reasks": 2},
    ):
        assert _request(**change).key() != base, change


def test_cache_key_ignores_api_key_and_embedded_port() -> None:
    one = ModelClient(ModelSettings(base_url="http://h:1/v1", model="m", api_key="sk-one"))
    two = ModelClient(ModelSettings(base_url="http://h:1/v1", model="m", api_key="sk-two"))
    assert one._request(City, QUESTION, 1, None).key() == two._request(City, QUESTION, 1, None).key()
    assert "sk-one" not in json.dumps(one._request(City, QUESTION, 1, None).__dict__, default=str)
    assert ModelClient(ModelSettings()).endpoint == "embedded:SmolLM2-135M-Instruct.Q4_1"


# --- transport: retries against a real local HTTP server ---------------------------------------


def test_429_with_retry_after_is_honoured_then_answered(cache: CallCache) -> None:
    script = [Step(status=429, headers={"retry-after": "1"}, body={"error": {"message": "slow down"}}), PARIS]
    with ScriptedServer(script) as server, ModelClient(_remote(server), cache=cache) as client:
        started = time.monotonic()
        answer = client.ask(City, QUESTION)
        elapsed = time.monotonic() - started

    assert answer.value == City(name="Paris", country="France")
    assert len(server.requests) == 2
    assert elapsed >= 0.95  # waited as long as Retry-After asked, not the 0.05 s backoff
    assert answer.usage.calls == 1 and answer.usage.prompt_tokens == 11 and answer.usage.completion_tokens == 7


def test_5xx_is_retried_then_answered() -> None:
    script = [Step(status=500, body={"error": {"message": "boom"}}), Step(status=503, body={}), PARIS]
    with ScriptedServer(script) as server, ModelClient(_remote(server)) as client:
        answer = client.ask(City, QUESTION)
    assert answer.value is not None and answer.value.name == "Paris"
    assert len(server.requests) == 3


def test_persistent_5xx_gives_up_after_max_attempts(cache: CallCache) -> None:
    with ScriptedServer([Step(status=502, body={"error": {"message": "bad gateway"}})]) as server:
        with ModelClient(_remote(server, max_attempts=3), cache=cache) as client:
            with pytest.raises(ModelUnavailable) as raised:
                client.ask(City, QUESTION)
    assert len(server.requests) == 3
    assert raised.value.attempts == 3 and raised.value.status_code == 502
    assert "HTTP 502" in str(raised.value) and "3 attempts" in str(raised.value)
    assert cache.lookup(client._request(City, QUESTION, 1, None)) is None  # failures are not replayed


def test_hanging_server_times_out_with_bounded_attempts() -> None:
    with ScriptedServer([Step(hang_s=3.0)]) as server:
        with ModelClient(_remote(server, timeout_s=0.4, max_attempts=2)) as client:
            started = time.monotonic()
            with pytest.raises(ModelUnavailable, match="timed out after 2 attempts"):
                client.ask(City, QUESTION)
            elapsed = time.monotonic() - started
    assert len(server.requests) == 2
    assert elapsed < 3.0


def test_total_retry_time_is_bounded() -> None:
    script = [Step(status=429, headers={"retry-after": "1"}, body={})]
    with ScriptedServer(script) as server:
        with ModelClient(_remote(server, max_attempts=10, retry_max_total_s=1.5)) as client:
            with pytest.raises(ModelUnavailable, match="HTTP 429"):
                client.ask(City, QUESTION)
    assert 2 <= len(server.requests) <= 3


def test_connection_refused_is_unavailable() -> None:
    with ScriptedServer([PARIS]) as server:
        settings = _remote(server, max_attempts=2)
    with ModelClient(settings) as client, pytest.raises(ModelUnavailable, match="could not be reached"):
        client.ask(City, QUESTION)


def test_api_key_never_leaks_into_cache_logs_or_errors(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    masked = SECRET[:5] + "*" * 10 + SECRET[-4:]
    script = [Step(status=401, body={"error": {"message": f"Incorrect API key provided: {masked}"}})]
    cache_dir = tmp_path / "cache"
    with CallCache(cache_dir / "calls.sqlite") as cache:
        with ScriptedServer([PARIS]) as server, ModelClient(_remote(server), cache=cache) as client:
            assert client.ask(City, QUESTION).ok
        with ScriptedServer(script) as server, ModelClient(_remote(server), cache=cache) as client:
            with pytest.raises(ModelUnavailable) as raised:
                client.ask(City, QUESTION + [{"role": "user", "content": "again"}])
        assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"  # it is sent...
        assert len(server.requests) == 1  # ...and a 401 is not retried
        assert cache.count() == 2
    assert "rejected the credentials" in str(raised.value)
    assert SECRET not in str(raised.value) + repr(raised.value)
    assert not _files_contain(cache_dir, SECRET)
    assert SECRET not in caplog.text


# --- answers: re-asks, usage, cache ------------------------------------------------------------


def test_messages_are_sent_verbatim() -> None:
    article = "  Indented line.\n\n   \nThe mayor of {{ city }} is {% Anne %}.\n"
    messages = [{"role": "user", "content": f"Name the person.\n{article}"}]
    with ScriptedServer([Step(tool_arguments={"name": "Anne"})]) as server, ModelClient(_remote(server)) as client:
        answer = client.ask(NamedInArticle, messages)
    assert isinstance(answer.value, NamedInArticle) and answer.value.name == "Anne"
    assert server.requests[0].body["messages"][0]["content"] == messages[0]["content"]


def test_validation_failures_are_reasked_then_returned_as_error_with_usage_summed(cache: CallCache) -> None:
    with ScriptedServer([Step(tool_arguments={"name": "Bob"})]) as server:
        with ModelClient(_remote(server, max_reasks=2), cache=cache) as client:
            answer = client.ask(NamedInArticle, QUESTION)
            replay = client.ask(NamedInArticle, QUESTION)
    assert answer.value is None and not answer.cached
    assert answer.error is not None and "'Bob' does not occur in the article" in answer.error
    assert len(server.requests) == 3  # first answer + 2 re-asks
    assert "does not occur in the article" in json.dumps(server.requests[1].body["messages"])  # error fed back
    assert answer.usage.calls == 3 and answer.usage.prompt_tokens == 33 and answer.usage.completion_tokens == 21
    assert replay.cached and replay.error == answer.error and replay.usage.prompt_tokens == 0


def test_a_cached_answer_the_schema_now_refuses_is_asked_again(cache: CallCache) -> None:
    class NamedInArticle(BaseModel):  # the same schema (so the same cache key), a stricter rule
        __doc__ = NAMED_DOC

        name: str

        @field_validator("name")
        @classmethod
        def _not_anne(cls, value: str) -> str:
            if value == "Anne":
                raise ValueError("'Anne' is refused by the new rule")
            return value

    stricter = NamedInArticle
    assert stricter.model_json_schema() == globals()["NamedInArticle"].model_json_schema()
    with ScriptedServer([Step(tool_arguments={"name": "Anne"})]) as server:
        with ModelClient(_remote(server), cache=cache) as client:
            first = client.ask(globals()["NamedInArticle"], QUESTION)
            hit = client.ask(globals()["NamedInArticle"], QUESTION)
            # Same request, but the stored answer no longer validates: ask again.
            miss = client.ask(stricter, QUESTION)
    assert first.ok and hit.cached and hit.value == first.value
    assert not miss.cached and miss.error is not None and "'Anne' is refused" in miss.error
    assert len(server.requests) == 3  # 1 for the first ask, none for the hit, 2 (ask + re-ask) for the miss


def test_async_client_answers_concurrently(cache: CallCache) -> None:
    async def main(server: ScriptedServer) -> list[Any]:
        async with AsyncModelClient(_remote(server), cache=cache) as client:
            return await asyncio.gather(
                *(client.ask(City, [{"role": "user", "content": f"question {i}"}]) for i in range(4))
            )

    script = [Step(status=500, body={}), PARIS]
    with ScriptedServer(script) as server:
        answers = asyncio.run(main(server))
    assert all(answer.value == City(name="Paris", country="France") for answer in answers)
    assert len(server.requests) == 5  # one 500, retried
    assert cache.count() == 4


# --- the real embedded model -------------------------------------------------------------------


def _counting_http_client(sent: list[Any]) -> openai.DefaultHttpxClient:
    return openai.DefaultHttpxClient(event_hooks={"request": [sent.append]})


@pytest.mark.model
def test_embedded_model_answers_in_tools_mode_then_cache_hits_without_http(
    embedded_server: EmbeddedServer, cache: CallCache
) -> None:
    sent: list[Any] = []
    settings = ModelSettings(api_key=SECRET, max_tokens=64)
    with ModelClient(settings, cache=cache, server=embedded_server, http_client=_counting_http_client(sent)) as client:
        assert client.mode is instructor.Mode.TOOLS
        first = client.ask(City, QUESTION)
        requests_after_first = len(sent)
        second = client.ask(City, QUESTION)

    assert isinstance(first.value, City) and not first.cached
    assert first.usage.calls >= 1 and first.usage.prompt_tokens > 0 and first.usage.completion_tokens > 0
    assert requests_after_first >= 1
    assert sent[0].headers["authorization"] != f"Bearer {SECRET}"  # the local server never gets the key
    assert second.cached and second.value == first.value
    assert second.usage.prompt_tokens == 0 and second.usage.completion_tokens == 0 and second.usage.cached_calls == 1
    assert len(sent) == requests_after_first  # no HTTP traffic for the hit
    assert embedded_server.running  # a shared server is not stopped by the client


@pytest.mark.model
def test_embedded_model_validation_failure_is_reasked_then_returned(embedded_server: EmbeddedServer) -> None:
    with ModelClient(ModelSettings(max_tokens=48), server=embedded_server) as client:
        answer = client.ask(NeverValid, [{"role": "user", "content": "Name a city."}], max_reasks=1)
    assert answer.value is None
    assert answer.error is not None and "this field can never validate" in answer.error
    assert answer.usage.calls == 2 and answer.usage.prompt_tokens > 0


@pytest.mark.model
def test_fully_cached_run_never_starts_the_embedded_server(embedded_server: EmbeddedServer, cache: CallCache) -> None:
    with ModelClient(ModelSettings(max_tokens=64), cache=cache, server=embedded_server) as client:
        recorded = client.ask(City, QUESTION)

    replaying = ModelClient(ModelSettings(max_tokens=64), cache=cache)
    replayed = replaying.ask(City, QUESTION)
    assert replayed.cached and replayed.value == recorded.value
    assert replaying.embedded_server is not None and not replaying.embedded_server.running
    assert replaying.embedded_server.pid is None
