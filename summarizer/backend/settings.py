"""Which model to ask and how: :class:`ModelSettings`, layered defaults < config file <
environment < flags, and the instructor mode that suits each endpoint.

A reason to change this module is a new setting or a new place settings come from; how calls are
retried is :mod:`summarizer.backend.failures`, how they are made :mod:`summarizer.backend.clients`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, Mapping, Optional
from urllib.parse import urlsplit

import instructor
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    tomllib = None  # type: ignore[assignment]

#: Where :meth:`ModelSettings.load` looks for a config file when none is given.
DEFAULT_CONFIG_PATH = Path("~/.config/summarizer/config.toml")

#: Environment variables read by :meth:`ModelSettings.load`, by setting. ``SUMMARIZER_*`` also
#: exists for every other field (``SUMMARIZER_N_CTX``, ``SUMMARIZER_MAX_REASKS``, ...).
ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "base_url": ("SUMMARIZER_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("SUMMARIZER_API_KEY", "OPENAI_API_KEY"),
    "model": ("SUMMARIZER_MODEL",),
    "gguf_path": ("SUMMARIZER_GGUF",),
}

_MODES_BY_NAME = {mode.name.lower(): mode for mode in instructor.Mode}


class ModelSettings(BaseModel):
    """Which model to ask and how; every field can come from a config file, the environment or flags.

    Build with :meth:`load` to get the layering defaults < TOML file < environment < arguments.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    base_url: Optional[str] = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1; None = embedded."
    )
    api_key: Optional[SecretStr] = Field(default=None, description="Sent as a bearer token; never stored.")
    model: Optional[str] = Field(
        default=None, description="Model name; None = the embedded GGUF's name (required for a base_url)."
    )
    mode: str = Field(
        default="auto",
        description='instructor mode name ("tools", "json_schema", "md_json", ...) or "auto": tools for '
        "llama.cpp and generic servers, json_schema (structured outputs) for api.openai.com.",
    )
    temperature: float = Field(default=0.0, ge=0.0)
    seed: Optional[int] = None
    max_tokens: Optional[int] = Field(default=1024, ge=1)
    timeout_s: float = Field(default=300.0, gt=0, description="Per HTTP request, queueing on the server included.")
    max_attempts: int = Field(default=4, ge=1, description="Transport attempts per request (first included).")
    retry_initial_s: float = Field(default=1.0, gt=0, description="Backoff scale: waits grow from about this.")
    retry_max_wait_s: float = Field(default=30.0, gt=0, description="Cap on one wait, Retry-After included.")
    retry_max_total_s: float = Field(default=600.0, gt=0, description="Give up retrying after this long.")
    max_reasks: int = Field(default=1, ge=0, description="Re-asks with the validation error after a bad answer.")
    gguf_path: Optional[Path] = Field(default=None, description="Another local GGUF for the embedded server.")
    n_ctx: int = Field(default=8192, ge=256)
    n_threads: Optional[int] = Field(default=None, ge=1, description="None = all cores.")
    parallel: int = Field(default=1, ge=1, description="Server decoding slots, where the server supports them.")

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        name = value.strip().lower()
        if name != "auto" and name not in _MODES_BY_NAME:
            raise ValueError(f"unknown instructor mode {value!r}; use 'auto' or one of {sorted(_MODES_BY_NAME)}")
        return name

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: Optional[str]) -> Optional[str]:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {_redact_url(value)!r}")
        return value.strip()

    @classmethod
    def load(
        cls,
        config_path: Optional[Path | str] = None,
        *,
        environ: Optional[Mapping[str, str]] = None,
        **overrides: Any,
    ) -> "ModelSettings":
        """Settings from defaults < TOML config < environment < ``overrides`` (later wins).

        ``config_path`` defaults to ``~/.config/summarizer/config.toml`` (skipped if absent; an
        explicit path must exist). The file's ``[model]`` table holds field names as keys.
        Overrides that are None are ignored, so unset CLI flags can be passed straight through.
        """
        values: dict[str, Any] = {}
        values.update(_read_config(config_path))
        values.update(_read_environment(os.environ if environ is None else environ))
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls.model_validate(values)

    @property
    def is_embedded(self) -> bool:
        return self.base_url is None

    @property
    def backend_name(self) -> Literal["embedded", "openai-compatible"]:
        """As :attr:`summarizer.schema.Provenance.backend` names it."""
        return "embedded" if self.is_embedded else "openai-compatible"

    def instructor_mode(self) -> instructor.Mode:
        """The mode to use: the configured one, or the one that works best for this endpoint."""
        if self.mode != "auto":
            return _MODES_BY_NAME[self.mode]
        if self.base_url is not None and urlsplit(self.base_url).hostname == "api.openai.com":
            return instructor.Mode.JSON_SCHEMA
        # llama.cpp (embedded), vLLM, Ollama: grammar-constrained tool calls. llama-cpp-python
        # answers JSON_SCHEMA with HTTP 500 and plain JSON mode with junk.
        return instructor.Mode.TOOLS

    def public_dict(self) -> dict[str, Any]:
        """The settings without the API key (and with a credential-free URL), for provenance."""
        data = self.model_dump(mode="json", exclude={"api_key"})
        if self.base_url is not None:
            data["base_url"] = _redact_url(self.base_url)
        data["mode"] = self.instructor_mode().name.lower()
        return data


def _read_config(config_path: Optional[Path | str]) -> dict[str, Any]:
    explicit = config_path is not None
    path = Path(config_path if explicit else DEFAULT_CONFIG_PATH).expanduser()
    if not path.is_file():
        if explicit:
            raise FileNotFoundError(f"config file not found: {path}")
        return {}
    if tomllib is None:  # pragma: no cover
        raise RuntimeError("reading a TOML config file needs Python 3.11 or newer")
    with open(path, "rb") as handle:
        document = tomllib.load(handle)
    table = document.get("model", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [model] must be a table")
    return dict(table)


def _read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ModelSettings.model_fields:
        variables = ENV_ALIASES.get(name, (f"SUMMARIZER_{name.upper()}",))
        for variable in variables:
            value = environ.get(variable)
            if value:
                values[name] = value
                break
    return values


def _redact_url(url: str) -> str:
    """The URL without user:password@ (credentials can hide in a base URL too)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()
