"""Shared fixtures. ``embedded_server`` starts the real llama.cpp server once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from summarizer.embedded import EmbeddedServer, EmbeddedServerError, find_default_gguf, missing_server_modules


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """The embedded SmolLM2 server on 127.0.0.1 (tests using it are marked ``model``)."""
    missing = missing_server_modules()
    if missing:
        pytest.skip(f"llama-cpp-python[server] not installed (missing {', '.join(missing)})")
    try:
        find_default_gguf()
    except EmbeddedServerError as exc:
        pytest.skip(str(exc))
    server = EmbeddedServer(n_ctx=2048, log_path=tmp_path_factory.mktemp("llama") / "server.log")
    with server:
        yield server
