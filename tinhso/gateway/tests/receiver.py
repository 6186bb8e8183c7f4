"""A local HTTP receiver the tests start: records what it takes, can be down (not listening) and come back on the
same port, and dedups by `Idempotency-Key` as the connectors' receivers are required to."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, handler) -> ThreadingHTTPServer:
    """Listen on 127.0.0.1:`port` (again, after a stop) with `handler`, in a daemon thread."""
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def shut(server: ThreadingHTTPServer | None) -> None:
    """Stop listening: the port refuses connections until the receiver starts again."""
    if server:
        server.shutdown()
        server.server_close()


class Receiver:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.requests: list[dict] = []  # every request that arrived
        self.taken: dict[str, dict] = {}  # idempotency key → body, each taken once
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/nhan"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                key = self.headers.get("Idempotency-Key")
                duplicate = key in receiver.taken if key else False
                if key and not duplicate:
                    receiver.taken[key] = json.loads(body)
                answer = json.dumps({"status": "duplicate" if duplicate else "accepted"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = serve(self.port, Handler)
        return self

    def stop(self) -> None:
        shut(self.server)
        self.server = None
