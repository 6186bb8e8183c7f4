"""A stand-in VNPAY gateway speaking the 2.1.0 protocol (see providers): it checks the payment URL's signature,
"pays", calls the merchant's IPN and sends the payer back to the Return URL with the signed result.

Used by the tests' local HTTP server and, in the demo only (TINHSO_VNPAY_SIMULATOR=1), by the page at
/thanh-toan/mo-phong-vnpay/. It is the provider's side: it never touches the platform's tables.
"""

import random
from datetime import datetime
from urllib.parse import urlencode

from . import providers


class BadRequest(Exception):
    pass


def check_request(params: dict, *, secret: str, tmn_code: str) -> None:
    """What VNPAY does on receiving the payer: the request must be signed with the terminal's secret."""
    given = str(params.get("vnp_SecureHash", "")).lower()
    if not given or providers.sign(params, secret) != given or params.get("vnp_TmnCode") != tmn_code:
        raise BadRequest("Sai chữ ký hoặc mã website (vnp_SecureHash, vnp_TmnCode)")
    if params.get("vnp_Version") != providers.Vnpay.VERSION or params.get("vnp_Command") != "pay":
        raise BadRequest("Sai phiên bản hoặc lệnh (vnp_Version, vnp_Command)")


def result_params(params: dict, *, secret: str, success: bool = True, amount: int | None = None,
                  transaction_no: str = "", bank_code: str = "NCB", now: datetime | None = None) -> dict:
    """The signed parameters VNPAY sends to the IPN and the Return URL for this request."""
    now = now or datetime.now(providers.VN_TIME)
    out = {
        "vnp_Amount": str(amount * 100) if amount is not None else params["vnp_Amount"],
        "vnp_BankCode": bank_code, "vnp_BankTranNo": f"VNP{random.randint(10**7, 10**8 - 1)}",
        "vnp_CardType": "ATM", "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
        "vnp_PayDate": providers.vnp_date(now), "vnp_ResponseCode": "00" if success else "24",
        "vnp_TmnCode": params["vnp_TmnCode"],
        "vnp_TransactionNo": transaction_no or str(random.randint(10**7, 10**8 - 1)),
        "vnp_TransactionStatus": "00" if success else "02", "vnp_TxnRef": params["vnp_TxnRef"],
    }
    out["vnp_SecureHash"] = providers.sign(out, secret)
    return out


def return_url(params: dict, result: dict) -> str:
    base = params["vnp_ReturnUrl"]
    return f"{base}{'&' if '?' in base else '?'}{urlencode(result)}"
