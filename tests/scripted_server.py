"""A scripted OpenAI-compatible server on 127.0.0.1 for tests: real HTTP, answers from a script.

Each request gets the next :class:`Step` (the last one repeats): an HTTP status with headers and
body, a tool-call completion with given arguments (what instructor's TOOLS mode expects), or a
hang. Every request is recorded so tests can check what was sent.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Optional

from summarizer.evaluation.loopback import LoopbackJSONServer


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


class ScriptedServer(LoopbackJSONServer):
    """Answers requests in order from ``script``; the last step repeats. Records every request."""

    def __init__(self, script: list[Step]) -> None:
        self.script = script
        self.requests: list[SeenRequest] = []
        super().__init__()

    def handle_post(self, request: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.requests.append(SeenRequest(request.path, headers, body))
        step = self.script[min(len(self.requests), len(self.script)) - 1]
        if step.hang_s:
            time.sleep(step.hang_s)
            return
        payload = step.body
        if step.tool_arguments is not None:
            name = body["tool_choice"]["function"]["name"]
            payload = tool_completion(name, step.tool_arguments)
        self.send_json(request, step.status, payload, step.headers)


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
