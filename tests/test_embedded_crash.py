"""The embedded server's process dying mid-request: a ``model_crashed`` record that says why, and the batch goes on.

Real llama.cpp server processes, killed by a real signal while they work on a request (SIGILL
sent with ``os.kill`` stands in for the illegal-instruction crash of a non-portable build).
"""

from __future__ import annotations

import os
import resource
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from pydantic import BaseModel

from summarizer.backend import ModelClient, ModelCrashed, ModelSettings
from summarizer.batch import summarize_many
from summarizer.embedded import EmbeddedServer, ServerCrash
from summarizer.pipeline import Summarizer

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "aid-convoy.txt"
#: A second article, written for this test.
SECOND = (
    "GENEVA, March 3 - Floods in the river valley killed at least 14 people and displaced about "
    "2,000, the regional governor said on Tuesday. \"We are still searching for the missing,\" he "
    "told reporters, adding that roads to three villages remained cut off."
)

#: The runtime and the default model, else skipped with the install command (tests/conftest.py).
needs_runtime = pytest.mark.usefixtures("embedded_model")


@pytest.fixture(autouse=True)
def _no_core_files() -> Iterator[None]:
    """A signal like SIGILL dumps core by default: keep core files out of the working tree."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    yield
    resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))


def _killing_client(server: EmbeddedServer, signum: int, after_s: float = 0.3) -> tuple[ModelClient, list[int]]:
    """A client whose first HTTP request to the model gets the server killed by ``signum`` ``after_s`` later."""
    killed: list[int] = []

    def on_request(request: httpx.Request) -> None:
        if killed or not request.url.path.endswith("/chat/completions"):
            return
        pid = server.pid
        assert pid is not None
        killed.append(pid)
        threading.Timer(after_s, os.kill, (pid, signum)).start()

    # Short answers, no re-asks: the restarted server only has to answer (a cut-off answer is fine).
    settings = ModelSettings(max_tokens=192, max_reasks=0, n_ctx=2048, max_attempts=4, retry_initial_s=0.5)
    http = openai.DefaultHttpxClient(event_hooks={"request": [on_request]})
    return ModelClient(settings, server=server, cache=None, http_client=http), killed


def _run_two(client: ModelClient) -> dict[str, object]:
    articles = [{"id": "first", "text": EXAMPLE.read_text(encoding="utf-8")}, {"id": "second", "text": SECOND}]
    with Summarizer(strategy="naive", client=client) as summarizer:
        return {record.id: record for record in summarize_many(articles, summarizer=summarizer, concurrency=1)}


@pytest.mark.model
@needs_runtime
def test_sigill_mid_request_names_the_cause_and_the_next_article_fails_fast(tmp_path: Path) -> None:
    server = EmbeddedServer(n_ctx=2048, log_path=tmp_path / "server.log")
    client, killed = _killing_client(server, signal.SIGILL)
    try:
        server.start()
        records = _run_two(client)
    finally:
        server.stop()
    assert len(killed) == 1
    first, second = records["first"], records["second"]
    assert first.status == "error" and first.error.kind == "model_crashed"
    message = first.error.message
    assert f"(pid {killed[0]}) was killed by SIGILL" in message and "a shell reports 132" in message
    assert "while serving" in message
    assert "CPU instructions that this machine does not allow" in message
    assert "bash scripts/build-embedded-runtime.sh" in message
    assert str(tmp_path / "server.log") in message
    log_tail = message.split("Last lines of its log", 1)[1]
    assert "Uvicorn running on http://127.0.0.1" in log_tail  # the server's own output, not a placeholder
    # Not retried against the dead server (4 attempts with backoff): one failed attempt, then the report.
    assert "after 4 attempts" not in message
    # The batch went on; a SIGILL would repeat on the same build, so the second article fails
    # fast with the same report, and no second server was started.
    assert second.status == "error" and second.error.kind == "model_crashed"
    assert "not restarted" in second.error.message and f"(pid {killed[0]}) was killed by SIGILL" in second.error.message
    assert len(server.crashes) == 1 and not server.running


class Place(BaseModel):
    city: str


@pytest.mark.model
@needs_runtime
def test_a_server_killed_otherwise_is_restarted_for_the_next_request(tmp_path: Path) -> None:
    """SIGKILL (an OOM kill, say) need not repeat: the next request gets a new server and an answer."""
    server = EmbeddedServer(n_ctx=2048, log_path=tmp_path / "server.log")
    client, killed = _killing_client(server, signal.SIGKILL)
    long_prompt = [{"role": "user", "content": (SECOND + "\n") * 12 + "Which city is this report from?"}]
    short_prompt = [{"role": "user", "content": SECOND + "\nWhich city is this report from?"}]
    try:
        server.start()
        with pytest.raises(ModelCrashed) as crashed:
            client.ask(Place, long_prompt)
        assert crashed.value.kind == "model_crashed" and crashed.value.attempts == 1  # not retried
        assert "was killed by SIGKILL" in str(crashed.value) and "likely cause" not in str(crashed.value)
        answer = client.ask(Place, short_prompt)
        restarted_pid = server.pid
    finally:
        server.stop()
    assert answer.ok and answer.usage.prompt_tokens > 0  # the restarted server answered
    assert restarted_pid is not None and restarted_pid != killed[0]
    assert [crash.signal_name for crash in server.crashes] == ["SIGKILL"]


def test_crash_reports_read_well_for_exit_codes_and_signals(tmp_path: Path) -> None:
    by_signal = ServerCrash(pid=7, returncode=-int(signal.SIGILL), log_path=tmp_path / "s.log", log_tail="last line")
    assert by_signal.signal_name == "SIGILL" and by_signal.restart_would_repeat
    assert by_signal.describe().startswith("the embedded llama.cpp server (pid 7) was killed by SIGILL (exit status -4; a shell reports 132) while serving; likely cause")
    assert by_signal.describe().endswith(f"Last lines of its log ({tmp_path / 's.log'}):\nlast line")
    by_code = ServerCrash(pid=8, returncode=1, log_path=None, log_tail="(no server log)", while_starting=True)
    assert by_code.signal_name is None and not by_code.restart_would_repeat
    assert "exited with code 1 while starting" in by_code.describe() and "likely cause" not in by_code.describe()
    crashed = ModelCrashed("embedded model crashed: x", by_code)
    assert crashed.kind == "model_crashed" and crashed.crash is by_code
