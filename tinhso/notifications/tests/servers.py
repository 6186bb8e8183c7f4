"""Real local servers the notification tests talk to: an SMTP server (aiosmtpd) and an HTTP server that speaks
eSMS's brandname-SMS protocol."""

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append({"to": list(envelope.rcpt_tos),
                              "message": message_from_bytes(envelope.original_content or envelope.content,
                                                            policy=policy.default)})
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.handler = _Collect()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self):
        return self.handler.messages


@dataclass
class EsmsState:
    api_key: str = "khoa-thu"
    secret_key: str = "bi-mat-thu"
    brandname: str = "UBND-TINH"
    fail_with_status: list = field(default_factory=list)   # HTTP statuses to answer first, one per request
    received: list = field(default_factory=list)
    next_id: int = 1000


class EsmsServer:
    """Answers POST .../SendMultipleMessage_V4_post_json/ the way eSMS documents it."""

    def __init__(self):
        self.state = EsmsState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                state.received.append({"path": self.path, "body": body})
                if state.fail_with_status:
                    self.send_response(state.fail_with_status.pop(0))
                    self.end_headers()
                    return
                if body.get("ApiKey") != state.api_key or body.get("SecretKey") != state.secret_key:
                    answer = {"CodeResult": "101", "ErrorMessage": "Sai ApiKey hoặc SecretKey"}
                elif body.get("Brandname") != state.brandname:
                    answer = {"CodeResult": "104", "ErrorMessage": "Brandname không tồn tại"}
                elif not body.get("Phone") or not body.get("Content") or body.get("SmsType") != "2":
                    answer = {"CodeResult": "99", "ErrorMessage": "Thiếu tham số"}
                else:
                    state.next_id += 1
                    answer = {"CodeResult": "100", "CountRegenerate": 0, "SMSID": f"esms-{state.next_id}"}
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/MainService.svc/json/SendMultipleMessage_V4_post_json/"
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
