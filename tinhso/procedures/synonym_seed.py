"""The synonyms the catalogue search starts with: words citizens use for the catalogue's terms. The province
administrator edits the table afterwards (services.synonym_*); this list only fills a table that lacks them."""

from tinhso.core.text import fold

SEED = [
    ("sổ đỏ", "cấp giấy chứng nhận quyền sử dụng đất"),
    ("bìa đỏ", "cấp giấy chứng nhận quyền sử dụng đất"),
    ("sổ hồng", "cấp giấy chứng nhận quyền sử dụng đất quyền sở hữu nhà ở"),
    ("bìa hồng", "cấp giấy chứng nhận quyền sử dụng đất quyền sở hữu nhà ở"),
    ("sang tên sổ đỏ", "đăng ký biến động quyền sử dụng đất chuyển nhượng"),
    ("sang tên", "đăng ký biến động chuyển nhượng"),
    ("lên thổ cư", "chuyển mục đích sử dụng đất"),
    ("bằng lái", "giấy phép lái xe"),
    ("bằng lái xe", "giấy phép lái xe"),
    ("mất bằng lái", "cấp lại giấy phép lái xe"),
    ("giấy độc thân", "xác nhận tình trạng hôn nhân"),
    ("xác nhận độc thân", "xác nhận tình trạng hôn nhân"),
    ("chứng minh độc thân", "xác nhận tình trạng hôn nhân"),
    ("làm sổ", "đăng ký thường trú"),
    ("sổ hộ khẩu", "đăng ký thường trú"),
    ("hộ khẩu", "thường trú"),
    ("nhập khẩu", "đăng ký thường trú"),
    ("tách hộ", "tách hộ đăng ký thường trú"),
    ("mở công ty", "đăng ký thành lập công ty"),
    ("thành lập công ty", "đăng ký thành lập công ty"),
    ("đăng ký doanh nghiệp", "đăng ký thành lập doanh nghiệp công ty"),
    ("thành lập doanh nghiệp", "đăng ký thành lập doanh nghiệp công ty"),
    ("mở cửa hàng", "đăng ký thành lập hộ kinh doanh"),
    ("mở quán karaoke", "giấy phép kinh doanh dịch vụ karaoke"),
    ("mở quán ăn", "giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm dịch vụ ăn uống"),
    ("mở nhà thuốc", "giấy chứng nhận đủ điều kiện kinh doanh dược bán lẻ thuốc"),
    ("giấy báo tử", "khai tử"),
    ("giấy chứng tử", "khai tử"),
    ("lấy vợ", "đăng ký kết hôn"),
    ("lấy chồng", "đăng ký kết hôn"),
    ("đăng ký cưới", "đăng ký kết hôn"),
    ("photo công chứng", "chứng thực bản sao từ bản chính"),
    ("công chứng bản sao", "chứng thực bản sao từ bản chính"),
    ("công chứng giấy tờ", "chứng thực bản sao từ bản chính giấy tờ"),
    ("bảo hiểm thất nghiệp", "trợ cấp thất nghiệp"),
    ("xây nhà", "giấy phép xây dựng nhà ở riêng lẻ"),
    ("giấy phép xây nhà", "giấy phép xây dựng nhà ở riêng lẻ"),
    ("không tiền án", "phiếu lý lịch tư pháp"),
    ("bằng tốt nghiệp", "văn bằng"),
    ("mất sổ đỏ", "cấp lại giấy chứng nhận do bị mất"),
    ("mất sổ hồng", "cấp lại giấy chứng nhận do bị mất"),
    ("làm lại sổ đỏ", "cấp lại giấy chứng nhận do bị mất"),
    ("đổi sổ đỏ", "cấp đổi giấy chứng nhận"),
    ("tách sổ đỏ", "tách thửa đất"),
    ("tách sổ", "tách thửa đất"),
    ("gộp sổ", "hợp thửa đất"),
    ("giải chấp", "xóa đăng ký biện pháp bảo đảm thế chấp"),
    ("mất căn cước", "cấp lại thẻ căn cước"),
    ("cccd", "thẻ căn cước"),
    ("tạm vắng", "khai báo tạm vắng"),
    ("quán net", "điểm cung cấp dịch vụ trò chơi điện tử công cộng"),
]


def seed_synonyms(model=None) -> int:
    """Add the seed phrases the table lacks (by folded phrase); returns how many were added."""
    if model is None:
        from .models import SearchSynonym as model
    existing = set(model.objects.values_list("phrase_key", flat=True))
    missing = [model(phrase=p, phrase_key=fold(p), expansion=e) for p, e in SEED if fold(p) not in existing]
    model.objects.bulk_create(missing)
    return len(missing)
