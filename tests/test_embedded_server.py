"""EmbeddedServer: a real llama.cpp child process on 127.0.0.1, its failures and its shutdown."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from summarizer import embedded
from summarizer.embedded import EmbeddedServer, EmbeddedServerError


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on ``port`` (from /proc/net/tcp{,6})."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as handle:
            next(handle)
            for line in handle:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


@pytest.mark.model
def test_server_binds_loopback_only_and_serves_the_model(embedded_server: EmbeddedServer) -> None:
    url = httpx.URL(embedded_server.base_url)
    assert url.host == "127.0.0.1"
    if os.path.exists("/proc/net/tcp"):
        assert _listening_addresses(url.port) == {"0100007F"}  # 127.0.0.1, little-endian hex
    models = httpx.get(f"{embedded_server.base_url}/models", timeout=5).json()
    assert [entry["id"] for entry in models["data"]] == ["SmolLM2-135M-Instruct.Q4_1"]
    assert embedded_server.startup_s is not None and 0 < embedded_server.startup_s < embedded_server.startup_timeout_s
    assert embedded_server.log_path is not None and embedded_server.log_path.stat().st_size > 0


@pytest.mark.model
@pytest.mark.usefixtures("embedded_model")
def test_start_is_idempotent_and_stop_ends_the_process(tmp_path: Path) -> None:
    server = EmbeddedServer(n_ctx=512, log_path=tmp_path / "server.log")
    with server:
        pid, base_url = server.pid, server.base_url
        assert server.start() is server and server.pid == pid  # no second process
    assert not server.running and server.pid is None
    assert pid is not None and not os.path.exists(f"/proc/{pid}") or _is_zombie(pid)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/models", timeout=2)
    with pytest.raises(EmbeddedServerError, match="not running"):
        server.base_url


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.usefixtures("embedded_runtime")  # start() checks the runtime before the model file
def test_missing_gguf_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(EmbeddedServerError, match="GGUF model file not found: .*nope.gguf"):
        EmbeddedServer(missing).start()


def test_missing_server_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "missing_server_modules", lambda: ["llama_cpp"])
    with pytest.raises(EmbeddedServerError, match=r"summarizer\[embedded\]"):
        EmbeddedServer().start()


@pytest.mark.usefixtures("embedded_runtime")
def test_server_dying_while_starting_reports_its_log(tmp_path: Path) -> None:
    not_a_model = tmp_path / "broken.gguf"
    not_a_model.write_bytes(b"this is not a GGUF file")
    server = EmbeddedServer(not_a_model, log_path=tmp_path / "server.log", startup_timeout_s=60)
    with pytest.raises(EmbeddedServerError, match="exited with code") as raised:
        server.start()
    assert str(tmp_path / "server.log") in str(raised.value)
    assert len(str(raised.value).splitlines()) > 1  # the tail of the server's output follows
    assert not server.running
