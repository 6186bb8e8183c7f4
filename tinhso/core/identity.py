"""The personal identification number (số định danh cá nhân, printed on the CCCD card): the one validator that
accounts, dossiers and imports share.

Structure (Nghị định 137/2015/NĐ-CP art. 13; Thông tư 59/2021/TT-BCA art. 7, which replaced Thông tư 07/2016/TT-BCA),
12 digits:
  - 3 digits: the code of the province where the birth was registered. The codes are those of the 63 provinces
    before the 2025 reorganisation, i.e. the GSO province codes (QĐ 124/2004/QĐ-TTg) padded to three digits,
    001 Hà Nội … 096 Cà Mau, with gaps (003, 005, 007, … are no province). The list below equals the legacy
    province codes of the `vietnamadminunits` data set (a test checks it). The 34 provinces formed in 2025 each
    kept the code of one of the merged provinces, so numbers issued since stay within this list. [to check] People
    whose birth was registered abroad get the code of that country (Thông tư 59/2021 art. 7.1); those country codes
    are not published with the circular and are refused here until the list is known.
  - 1 digit: century of birth and sex: 0/1 = 20th century male/female, 2/3 = 21st, 4/5 = 22nd, 6/7 = 23rd,
    8/9 = 24th; with the next 2 digits (year of birth within the century) it gives a year of birth, which may not
    lie in the future.
  - 6 random digits.
Only ASCII digits count: `str.isdigit` also accepts fullwidth (０-９) and Arabic-Indic digits, which would make one
number look like another.
"""

from datetime import date

CITIZEN_ID_LENGTH = 12

BIRTH_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
_ASCII_DIGITS = frozenset("0123456789")


def normalize_citizen_id(value) -> str:
    """Surrounding blanks removed; nothing else changed (a number with other characters stays invalid)."""
    return str(value or "").strip()


def birth_year(value: str) -> int:
    """The year of birth encoded by the 4th to 6th digits of a well-formed number."""
    return 1900 + (int(value[3]) // 2) * 100 + int(value[4:6])


def citizen_id_problem(value, *, today: date | None = None) -> str | None:
    """None for a valid personal identification number, otherwise the Vietnamese reason."""
    value = normalize_citizen_id(value)
    if len(value) != CITIZEN_ID_LENGTH or not set(value) <= _ASCII_DIGITS:
        return "Số định danh cá nhân phải gồm đúng 12 chữ số (0–9)."
    if value[:3] not in BIRTH_PROVINCE_CODES:
        return (f"Ba chữ số đầu “{value[:3]}” không phải mã tỉnh nơi đăng ký khai sinh "
                "(mã của 63 tỉnh, thành phố: 001 Hà Nội … 096 Cà Mau).")
    if birth_year(value) > (today or date.today()).year:
        return "Chữ số thứ 4 (thế kỷ, giới tính) và năm sinh trong số định danh cá nhân cho một năm sinh chưa tới."
    return None


def is_valid_citizen_id(value) -> bool:
    return citizen_id_problem(value) is None
