"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the spec's field names, its XML and JSON shapes
and its error format (a list of {code, description}), over the feedback selectors and services.

Nothing personal leaves through it: no name, phone, e-mail, account or exact address. `address` is the commune's
name, `address_id` its code, and lat/long are rounded to 3 decimals (about 100 m), enough for the map and not a
house. `status` is open/closed; the detailed Vietnamese status is in `status_notes`.
"""

from datetime import datetime
from xml.etree import ElementTree

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from . import selectors
from .choices import OPEN_STATUSES
from .models import Report, ReportEvent, ReportPhoto, Service

SPEC = "http://wiki.open311.org/GeoReport_v2"
PUBLIC_DECIMALS = 3


def iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def service_item(service: Service) -> dict:
    return {"service_code": service.code, "service_name": service.name, "description": service.description,
            "metadata": bool(service.attributes), "type": "realtime",
            "keywords": ",".join(k.strip() for k in service.keywords.split(",") if k.strip()),
            "group": service.group}


def service_definition(service: Service) -> dict:
    return {"service_code": service.code, "attributes": [
        {"variable": a.get("variable", True), "code": a["code"], "datatype": a["datatype"],
         "required": a.get("required", False), "datatype_description": a.get("datatype_description", ""),
         "order": a.get("order", i), "description": a.get("description", a["code"]),
         "values": [{"key": v["key"], "name": v["name"]} for v in a.get("values") or []]}
        for i, a in enumerate(service.attributes, start=1)]}


# What an item reads of a report, as values: the list reads these columns in one query (a thousand model
# instances, with their service, commune, agency and photos, cost ten times the SQL).
_ITEM_VALUES = ["code", "status", "description", "answer", "received_at", "updated_at", "due_at", "latitude",
                "longitude", "reject_reason", "reopen_count", "service__name", "service__code", "agency__name",
                "commune__name", "commune__code", "duplicate_of__code"]


def request_item(report: Report, *, base_url: str) -> dict:
    """The item of one report: the list's values query on that report alone (one field list for both)."""
    return request_items(Report.objects.filter(pk=report.pk), base_url=base_url, limit=1)[0]


def request_items(reports: QuerySet, *, base_url: str, limit: int) -> list[dict]:
    """The items of a list of reports (a queryset of the selectors, already filtered and ordered), one query."""
    first_photo = ReportPhoto.objects.filter(report=OuterRef("pk")).order_by("id").values("id")[:1]
    rows = reports.values(*_ITEM_VALUES, first_photo=Subquery(first_photo))[:limit]
    return [_item(row, base_url=base_url) for row in rows]


def _item(v: dict, *, base_url: str) -> dict:
    media = base_url + reverse("feedback:photo", args=[v["code"], v["first_photo"]]) if v["first_photo"] else ""
    notice = f"Hạn xử lý: {timezone.localtime(v['due_at']):%H:%M %d/%m/%Y}"
    if v["answer"]:
        notice = f"Trả lời chính thức: {v['answer']}"
    return {
        "service_request_id": v["code"],
        "status": "open" if v["status"] in OPEN_STATUSES else "closed",
        "status_notes": selectors.status_text(status=v["status"], reject_reason=v["reject_reason"],
                                              reopen_count=v["reopen_count"],
                                              duplicate_code=v["duplicate_of__code"] or ""),
        "service_name": v["service__name"],
        "service_code": v["service__code"],
        "description": v["description"],
        "agency_responsible": v["agency__name"],
        "service_notice": notice,
        "requested_datetime": iso(v["received_at"]),
        "updated_datetime": iso(v["updated_at"]),
        "expected_datetime": iso(v["due_at"]),
        "address": v["commune__name"],
        "address_id": v["commune__code"],
        "zipcode": "",
        "lat": round(v["latitude"], PUBLIC_DECIMALS) if v["latitude"] is not None else None,
        "long": round(v["longitude"], PUBLIC_DECIMALS) if v["longitude"] is not None else None,
        "media_url": media,
    }


def update_item(event: ReportEvent) -> dict:
    """The updates extension: one public step or comment of a report."""
    from .workflow import EVENT_LABELS

    if event.action == "comment":
        who = "Người phản ánh" if event.by_citizen else "Cơ quan xử lý"
    else:
        who = EVENT_LABELS.get(event.action, event.action)
    return {"update_id": str(event.pk), "service_request_id": event.report.code,
            "status": "open" if event.to_status in OPEN_STATUSES else "closed",
            "description": f"{who}: {event.note}" if event.note else who,
            "updated_datetime": iso(event.at), "media_url": ""}


def discovery(*, base_url: str) -> dict:
    return {"changeset": "2026-01-01T00:00:00+07:00", "contact": "Sở Khoa học và Công nghệ (cổng Tỉnh Số)",
            "key_service": "Khóa api_key do quản trị cấp tỉnh cấp cho từng ứng dụng.",
            "endpoints": [{"specification": SPEC, "url": base_url + reverse("open311:root").rstrip("/"),
                           "changeset": "2026-01-01T00:00:00+07:00", "type": "production",
                           "formats": ["text/xml", "application/json"]}]}


def errors(code: int, *descriptions: str) -> list[dict]:
    return [{"code": code, "description": d} for d in descriptions]


# --- XML -------------------------------------------------------------------------------------------------------
_ITEM_NAMES = {"services": "service", "service_requests": "request", "attributes": "attribute",
               "values": "value", "errors": "error", "endpoints": "endpoint", "formats": "format"}


def _fill(parent: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(parent, key), item)
    elif isinstance(value, list):
        child_name = _ITEM_NAMES.get(parent.tag, "item")
        for item in value:
            _fill(ElementTree.SubElement(parent, child_name), item)
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    elif value is not None:
        parent.text = str(value)


def to_xml(root: str, data) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(element, encoding="utf-8",
                                                                             xml_declaration=False)
