"""Demo feedback for the demo province, made through the services (so it is audited like real work): five
categories with their routing rules, an Open311 key, a duty shift, and a handful of reports at every step."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.org.models import AdministrativeUnit, Agency

from . import services
from .models import DutyShift

CATEGORIES = [
    # code, name, group, keywords, SLA (amount, unit), emergency minutes, agency key of the fallback rule
    ("duong-hong", "Đường giao thông hư hỏng, ổ gà, sụt lún", "Giao thông, hạ tầng", "ổ gà, sụt lún, đường, cầu",
     (5, "working_days"), None, "so_xay_dung"),
    ("den-duong", "Đèn chiếu sáng công cộng không hoạt động", "Giao thông, hạ tầng", "đèn đường, chiếu sáng",
     (16, "hours"), None, "so_xay_dung"),
    ("rac-thai", "Rác thải, ô nhiễm môi trường", "Môi trường", "rác, ô nhiễm, nước thải, mùi hôi",
     (5, "working_days"), None, "so_nong_nghiep_moi_truong"),
    ("giay-to-ho-tich", "Thái độ phục vụ, giải quyết giấy tờ hộ tịch, chứng thực", "Hành chính công",
     "hộ tịch, chứng thực, thái độ", (3, "working_days"), None, "so_tu_phap"),
    ("chay-no", "Cháy, nổ, sự cố khẩn cấp", "Khẩn cấp", "cháy, nổ, sạt lở, ngập, cứu nạn",
     (1, "hours"), 30, "cong_an_tinh"),
]
ROAD_ATTRIBUTES = [{"code": "muc_do", "datatype": "singlevaluelist", "description": "Mức độ hư hỏng",
                    "required": False, "values": [{"key": "nhe", "name": "Nhẹ, còn đi lại được"},
                                                  {"key": "nang", "name": "Nặng, nguy hiểm"}]}]


def create_demo_feedback(*, province: AdministrativeUnit, agencies: dict[str, Agency], commune: AdministrativeUnit,
                         commune_committee: Agency) -> int:
    """Returns the number of reports made."""
    admin = User.objects.get(username="quantri")
    for code, name, group, keywords, (amount, unit), minutes, fallback in CATEGORIES:
        services.service_upsert(actor=admin, code=code, name=name, group=group, keywords=keywords,
                                description=f"Phản ánh về: {name.lower()}.", sla_amount=amount, sla_unit=unit,
                                is_emergency=minutes is not None, emergency_minutes=minutes,
                                attributes=ROAD_ATTRIBUTES if code == "duong-hong" else [],
                                fallback_agency_code=agencies[fallback].identifier_code)
        if code != "giay-to-ho-tich":  # the commune's own committee answers what happens in the commune
            services.routing_rule_set(actor=admin, service_code=code, commune_code=commune.code,
                                      agency_code=commune_committee.identifier_code)
    services.api_key_create(actor=admin, name="Ứng dụng phản ánh hiện trường (mẫu)")
    now = timezone.now()
    officer = User.objects.get(username="chuyenvien.xa")
    DutyShift.objects.create(agency=commune_committee, user=officer, starts_at=now - timedelta(hours=1),
                             ends_at=now + timedelta(days=365))
    citizen = User.objects.get(username="congdan")
    leader = User.objects.get(username="lanhdao.xa")
    stp = User.objects.get(username="chuyenvien.stp")
    others = list(AdministrativeUnit.objects.filter(parent=province, valid_to__isnull=True, latitude__isnull=False)
                  .exclude(pk=commune.pk).order_by("code")[:3])
    anonymous = AnonymousUser()

    def report(actor, code, text, *, at, near=None, **kwargs):
        place = near or commune
        made, _ = services.report_submit(
            actor=actor, service_code=code, description=text, commune_code=place.code,
            latitude=(place.latitude + 0.002) if place.latitude is not None else None,
            longitude=place.longitude if place.latitude is not None else None, now=at, **kwargs)
        return made

    def step(actor, made, *actions, at, **kwargs):
        for action in actions:
            made = services.report_transition(actor=actor, code=made.code, action=action, now=at, **kwargs)
        return made

    day = timedelta(days=1)
    first = report(citizen, "duong-hong", "Ổ gà lớn trên đường vào trường tiểu học, xe máy đã ngã hai lần.",
                   at=now - 9 * day, attributes={"muc_do": "nang"}, contact_phone="0912000111")
    step(officer, first, "verify", "assign", "start", at=now - 8 * day)
    step(officer, first, "answer", at=now - 6 * day,
         note="UBND xã đã vá ổ gà bằng bê tông nhựa ngày hôm qua; đề nghị người dân đi lại bình thường.")
    step(citizen, first, "close", at=now - 5 * day, rating=5)
    dup = report(anonymous, "duong-hong", "Đường trước cổng trường có ổ gà rất sâu.", at=now - 8 * day)
    step(officer, dup, "reject_duplicate", at=now - 8 * day, duplicate_of_code=first.code)
    light = report(anonymous, "den-duong", "Ba cột đèn trên đường liên thôn tắt từ tuần trước.", at=now - 3 * day)
    step(officer, light, "verify", "assign", "start", at=now - 2 * day)
    services.report_comment(actor=officer, code=light.code, note="Đã báo đơn vị quản lý điện chiếu sáng kiểm tra.",
                            now=now - 2 * day)
    waste = report(citizen, "rac-thai", "Bãi rác tự phát cạnh kênh tưới gây mùi hôi.", at=now - 2 * day)
    step(leader, waste, "verify", at=now - day)
    step(leader, waste, "reassign", at=now - day, agency_code=agencies["so_nong_nghiep_moi_truong"].identifier_code,
         note="Kênh tưới do tỉnh quản lý, chuyển Sở Nông nghiệp và Môi trường.")
    paper = report(citizen, "giay-to-ho-tich", "Cán bộ hẹn trả bản sao trích lục quá ngày hẹn mà không báo.",
                   at=now - 4 * day, near=others[0] if others else None)
    step(stp, paper, "verify", "assign", "start", at=now - 3 * day)
    step(stp, paper, "answer", at=now - 2 * day,
         note="Sở Tư pháp đã kiểm tra, nhắc nhở cán bộ và gửi lời xin lỗi; bản sao đã được trả.")
    made = 5
    for i, other in enumerate(others[1:]):
        report(anonymous, "rac-thai", f"Rác thải ùn ứ tại điểm tập kết số {i + 1}.", at=now - (i + 1) * day,
               near=other)
        made += 1
    fire = report(anonymous, "chay-no", "Khói bốc lên từ kho phế liệu gần chợ, chưa thấy lực lượng chữa cháy.",
                  at=now - timedelta(minutes=10))
    step(officer, fire, "verify", "assign", "start", at=now - timedelta(minutes=5))
    return made + 1
