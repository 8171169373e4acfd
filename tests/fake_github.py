"""A real HTTP server on 127.0.0.1 that stands in for the GitHub REST API and records every request."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeGitHub:
    url: str = ""
    #: (method, path, parsed JSON body or None), in order.
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    #: Comments per issue number: dicts with "id", "body", "user".
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    #: Answer writes with 403, as GitHub does for a read-only token on a fork PR.
    read_only: bool = False
    next_id: int = 1000


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            state.requests.append((self.command, self.path, body))
            assert self.headers["Authorization"] == "Bearer test-token"
            return body

        def do_GET(self) -> None:
            self._record()
            m = re.fullmatch(r"/repos/octo/widgets/issues/(\d+)/comments\?per_page=(\d+)&page=(\d+)", self.path)
            if not m:
                return self._reply(404, {"message": "Not Found"})
            issue, per_page, page = map(int, m.groups())
            items = state.comments.get(issue, [])
            self._reply(200, items[(page - 1) * per_page : page * per_page])

        def do_POST(self) -> None:
            body = self._record()
            m = re.fullmatch(r"/repos/octo/widgets/issues/(\d+)/comments", self.path)
            if state.read_only:
                return self._reply(403, {"message": "Resource not accessible by integration"})
            if not m:
                return self._reply(404, {"message": "Not Found"})
            state.next_id += 1
            comment = {"id": state.next_id, "body": body["body"], "user": {"login": "github-actions[bot]"}}
            state.comments.setdefault(int(m.group(1)), []).append(comment)
            self._reply(201, comment)

        def do_PATCH(self) -> None:
            body = self._record()
            m = re.fullmatch(r"/repos/octo/widgets/issues/comments/(\d+)", self.path)
            if state.read_only:
                return self._reply(403, {"message": "Resource not accessible by integration"})
            for items in state.comments.values():
                for comment in items:
                    if m and comment["id"] == int(m.group(1)):
                        comment["body"] = body["body"]
                        return self._reply(200, comment)
            self._reply(404, {"message": "Not Found"})

    return Handler


@contextmanager
def fake_github() -> Iterator[FakeGitHub]:
    state = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
