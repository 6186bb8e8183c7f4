"""Seed the synonym table with words citizens use for the catalogue's terms; the province edits it afterwards."""

from django.db import migrations

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
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("procedures", "SearchSynonym")
    for phrase, expansion in SEED:
        SearchSynonym.objects.get_or_create(phrase_key=fold(phrase), defaults={"phrase": phrase, "expansion": expansion})


def unseed(apps, schema_editor):
    apps.get_model("procedures", "SearchSynonym").objects.filter(phrase_key__in=[fold(p) for p, _ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_keywords_search_synonyms")]
    operations = [migrations.RunPython(seed, unseed)]
