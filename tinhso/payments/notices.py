"""What the applicant is told about fees, through the notifications app (kinds registered in PaymentsConfig.ready)."""

from tinhso.notifications import kinds
from tinhso.notifications.choices import Channel
from tinhso.notifications.kinds import Kind, Wording

BILL_ISSUED = Kind(
    key="payment.bill_issued", label="Thông báo phí, lệ phí (kèm đường dẫn thanh toán)",
    placeholders={"ma_ho_so": "Mã hồ sơ", "ten_thu_tuc": "Tên thủ tục hành chính", "nguoi_nop": "Họ tên người nộp",
                  "so_tien": "Số tiền phải nộp", "nop_truoc": "Câu “hồ sơ được giải quyết sau khi nộp” (nộp trước)",
                  "duong_dan_thanh_toan": "Đường dẫn thanh toán trực tuyến", "co_quan": "Cơ quan thu"},
    wording={
        Channel.IN_APP: Wording(subject="Hồ sơ {ma_ho_so}: phí, lệ phí {so_tien}",
                                body="Hồ sơ {ma_ho_so} ({ten_thu_tuc}) phải nộp phí, lệ phí {so_tien}.{nop_truoc}\n"
                                     "Thanh toán trực tuyến: {duong_dan_thanh_toan}"),
        Channel.EMAIL: Wording(subject="Phí, lệ phí hồ sơ {ma_ho_so}: {so_tien}",
                               body="Kính gửi {nguoi_nop},\n\nHồ sơ {ma_ho_so} ({ten_thu_tuc}) phải nộp phí, lệ phí "
                                    "{so_tien}.{nop_truoc}\n\nThanh toán trực tuyến tại: {duong_dan_thanh_toan}\n"
                                    "hoặc nộp tại bộ phận một cửa.\n\n{co_quan}"),
        Channel.SMS: Wording(body="Ho so {ma_ho_so}: phi, le phi {so_tien}. Thanh toan: {duong_dan_thanh_toan}"),
    })


def register_kinds() -> None:
    kinds.register(BILL_ISSUED)
