"""A JSON-over-HTTP server on 127.0.0.1 in a background thread.

The transport shared by the scripted model servers (the oracle and faulty model of
:mod:`summarizer.evaluation.oracle`, and the tests' scripted server): each subclass says only how
it answers a POST; binding to a free loopback port, the serving thread, ``base_url`` and the
``with`` block live here once.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, TypeVar

_Server = TypeVar("_Server", bound="LoopbackJSONServer")


class LoopbackJSONServer:
    """Serves POSTs with JSON bodies on 127.0.0.1 (``port`` 0: a free one) until the ``with`` block ends."""

    def __init__(self, port: int = 0) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("content-length", 0))
                outer.handle_post(self, json.loads(self.rfile.read(length) or b"{}"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def handle_post(self, request: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """Answer one POST (``request.path``, ``request.headers``, the parsed ``body``)."""
        raise NotImplementedError

    @staticmethod
    def send_json(request: BaseHTTPRequestHandler, status: int, payload: Any,
                  headers: Optional[dict[str, str]] = None) -> None:
        """Write ``payload`` as the JSON response, with ``headers`` added."""
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("content-type", "application/json")
        request.send_header("content-length", str(len(data)))
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)

    @property
    def base_url(self) -> str:
        """The OpenAI-style ``/v1`` URL of this server."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self: _Server) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
