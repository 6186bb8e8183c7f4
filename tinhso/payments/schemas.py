from datetime import date, datetime

from ninja import Field, Schema


class BillLineOut(Schema):
    position: int
    name: str
    kind: str
    unit: str
    unit_amount: int
    quantity: int
    case_label: str
    exemption: str
    amount: int


class PaymentOut(Schema):
    id: int
    reference: str
    method: str
    method_label: str
    status: str
    status_label: str
    amount: int
    provider_amount: int | None
    provider_transaction_no: str
    paid_at: datetime | None
    confirmed_at: datetime | None
    receipt_number: str | None
    receipt_url: str | None
    held_reason: str


class BillOut(Schema):
    id: int
    dossier_code: str
    procedure_code: str
    agency_code: str
    status: str
    status_label: str
    total: int
    pay_first: bool
    issued_at: datetime
    paid_at: datetime | None
    paid_method: str
    pay_url: str
    lines: list[BillLineOut]
    payments: list[PaymentOut]


class AdjustLineIn(Schema):
    position: int = Field(..., ge=1, le=100)
    quantity: int | None = Field(None, ge=1, le=999)
    case: str = Field("", max_length=300)
    exemption: str = Field("", max_length=300)
    amount: int | None = Field(None, ge=0, le=10**12)


class AdjustIn(Schema):
    lines: list[AdjustLineIn] = Field(..., min_length=1, max_length=20)
    reason: str = Field(..., max_length=1000)


class CounterIn(Schema):
    method: str = Field(..., max_length=8, description="cash | card")
    amount: int = Field(..., ge=0, le=10**12)
    note: str = Field("", max_length=1000)


class OnlineOut(Schema):
    reference: str
    amount: int
    payment_url: str


class ReviewIn(Schema):
    decision: str = Field(..., max_length=8, description="accept | refund")
    note: str = Field(..., max_length=1000)


class IpnOut(Schema):
    RspCode: str
    Message: str


class DifferenceOut(Schema):
    kind: str
    kind_label: str
    reference: str
    statement_transaction_no: str
    platform_transaction_no: str
    statement_amount: int | None
    platform_amount: int | None
    note: str


class ReconciliationOut(Schema):
    id: int
    day: date
    statement_rows: int
    platform_rows: int
    matched: int
    differences: list[DifferenceOut]
