"""A local HTTP server that speaks VNPAY's 2.1.0 redirect + IPN protocol, for the end-to-end tests.

GET /paymentv2/vpcpay.html?vnp_...&vnp_SecureHash=... (the payer's redirect): the server checks the request's
signature, "pays", calls the merchant's IPN URL (server to server, as configured in the merchant portal) and
redirects the payer to vnp_ReturnUrl with the signed result. What it does can be bent per test (`mode`):
- "pay": a normal payment; "decline": the payer cancels (vnp_ResponseCode 24);
- "amount": a correctly signed confirmation of another amount;
- "tamper": the IPN and the return carry an amount changed after signing (a forged message).
Every IPN it sent is kept with the merchant's answer in `ipn_calls`; `replay()` sends the last IPN again.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import urlopen

from tinhso.payments import simulator

TMN_CODE = "TSTEST01"
HASH_SECRET = "TESTSECRETFORTHELOCALVNPAYSERVER"


class LocalVnpay:
    def __init__(self, *, ipn_url: str):
        self.ipn_url = ipn_url
        self.mode = "pay"
        self.amount_delta = 1000
        self.requests: list[dict] = []
        self.ipn_calls: list[tuple[dict, dict]] = []
        self.refused: list[str] = []
        self.last_ipn: dict | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                try:
                    simulator.check_request(params, secret=HASH_SECRET, tmn_code=TMN_CODE)
                except simulator.BadRequest as exc:
                    server.refused.append(str(exc))
                    self.send_response(400)
                    self.end_headers()
                    self.wfile.write(str(exc).encode())
                    return
                server.requests.append(params)
                location = server.pay(params)
                self.send_response(302)
                self.send_header("Location", location)
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/paymentv2/vpcpay.html"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def pay(self, params: dict) -> str:
        amount = int(params["vnp_Amount"]) // 100
        if self.mode == "amount":
            amount += self.amount_delta
        result = simulator.result_params(params, secret=HASH_SECRET, success=self.mode != "decline", amount=amount)
        if self.mode == "tamper":
            result["vnp_Amount"] = str(int(result["vnp_Amount"]) - 100 * 1000)  # changed after signing
        self.call_ipn(result)
        return simulator.return_url(params, result)

    def call_ipn(self, result: dict) -> dict:
        self.last_ipn = result
        with urlopen(f"{self.ipn_url}?{urlencode(result)}", timeout=30) as response:  # noqa: S310 - local
            answer = json.loads(response.read())
        self.ipn_calls.append((result, answer))
        return answer

    def replay(self) -> dict:
        return self.call_ipn(dict(self.last_ipn))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
