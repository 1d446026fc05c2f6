"""A scripted OpenAI-compatible server on 127.0.0.1 for tests: real HTTP, answers from a script.

Each request gets the next :class:`Step` (the last one repeats): an HTTP status with headers and
body, a tool-call completion with given arguments (what instructor's TOOLS mode expects), or a
hang. Every request is recorded so tests can check what was sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional


@dataclass
class Step:
    """One scripted reply: an HTTP status with headers and body, a tool call, or a hang."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    tool_arguments: Optional[dict[str, Any]] = None
    hang_s: float = 0.0


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class ScriptedServer:
    """Answers requests in order from ``script``; the last step repeats. Records every request."""

    def __init__(self, script: list[Step]) -> None:
        self.script = script
        self.requests: list[SeenRequest] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {name.lower(): value for name, value in self.headers.items()}
                outer.requests.append(SeenRequest(self.path, headers, body))
                step = outer.script[min(len(outer.requests), len(outer.script)) - 1]
                if step.hang_s:
                    time.sleep(step.hang_s)
                    return
                payload = step.body
                if step.tool_arguments is not None:
                    name = body["tool_choice"]["function"]["name"]
                    payload = tool_completion(name, step.tool_arguments)
                data = json.dumps(payload).encode()
                self.send_response(step.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in step.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> "ScriptedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def tool_completion(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }
