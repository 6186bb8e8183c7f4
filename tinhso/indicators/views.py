"""Reporting pages (Vietnamese): units fill and submit their reports, reviewers approve or return them.
Thin: parse → the same services and selectors as the API → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tinhso.accounts import scoping
from tinhso.core.exceptions import DomainError, NotFound
from tinhso.core.files import attachment_response

from . import selectors, services
from .choices import EDITABLE_REPORT_STATUSES, PeriodStatus, ReportStatus
from .models import UnitReport


def _or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except (NotFound, DomainError) as exc:
        raise Http404(exc.message) from exc


def _number(raw: str | None) -> float | None:
    raw = (raw or "").strip().replace(" ", "")
    if not raw:
        return None
    if "," in raw:  # Vietnamese decimal comma ("60,5"); dots group thousands
        raw = raw.replace(".", "").replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        return float("nan")


@login_required
def report_list(request):
    try:
        periods = list(selectors.report_period_list(user=request.user, status=PeriodStatus.OPEN))
        reports = list(selectors.report_list(user=request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "indicators/report_list.html", {"periods": [], "reports": [], "to_create": []})
    existing = {(r.period_id, r.unit_id) for r in reports}
    admin_units = scoping.admin_unit_ids(request.user)
    from tinhso.org.models import AdministrativeUnit

    to_create = []
    for period in periods:
        units = AdministrativeUnit.objects.filter(pk__in=admin_units, level=period.form.unit_level,
                                                  valid_to__isnull=True).order_by("code")[:200]
        to_create += [(period, u) for u in units if (period.pk, u.pk) not in existing]
    to_review = [r for r in reports if r.status == ReportStatus.SUBMITTED
                 and services.can_review_report(request.user, r.unit)]
    return render(request, "indicators/report_list.html", {
        "periods": periods, "reports": reports, "to_create": to_create[:100], "to_review": to_review})


@login_required
@require_POST
def report_create(request):
    try:
        period = selectors.report_period_get(user=request.user, period_id=int(request.POST.get("period", 0)))
        report = services.report_create(actor=request.user, period=period,
                                        unit=selectors.unit_by_code(request.POST.get("unit", "")))
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "Dữ liệu không hợp lệ."))
        return redirect("indicators:report_list")
    messages.success(request, f"Đã lập báo cáo kỳ {period.label} của {report.unit.name}.")
    return redirect("indicators:report_detail", report_id=report.pk)


def _values_from_post(request, items) -> list[dict]:
    values = []
    for index, item in enumerate(items):
        prefix = f"v{index}"
        value = _number(request.POST.get(f"{prefix}_value"))
        numerator = _number(request.POST.get(f"{prefix}_numerator"))
        denominator = _number(request.POST.get(f"{prefix}_denominator"))
        if value is None and numerator is None:
            continue
        for name, number in (("value", value), ("numerator", numerator), ("denominator", denominator)):
            if number is not None and number != number:  # NaN: not a number
                raise services.ValidationError.for_field(f"{prefix}_{name}",
                                                         f"“{item['name']}”: giá trị không phải là số.")
        values.append({"indicator": item["indicator"], "level": item["level"] or "", "value": value,
                       "numerator": numerator, "denominator": denominator,
                       "note": request.POST.get(f"{prefix}_note", "")[:500]})
    return values


@login_required
def report_detail(request, report_id):
    report: UnitReport = _or_404(selectors.report_get, user=request.user, report_id=report_id)
    detail = selectors.report_detail(report=report)
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "save":
                values = _values_from_post(request, detail["items"])
                services.report_save_values(actor=request.user, report=report, values=values,
                                            note=request.POST.get("note"))
                messages.success(request, "Đã lưu số liệu.")
            elif action == "evidence":
                upload = request.FILES.get("file")
                if upload is None:
                    raise services.ValidationError.for_field("file", "Hãy chọn tệp minh chứng.")
                services.report_add_evidence(actor=request.user, report=report, name=upload.name,
                                             content=upload.read(services.MAX_EVIDENCE_BYTES + 1))
                messages.success(request, "Đã đính kèm minh chứng.")
            elif action == "submit":
                services.report_submit(actor=request.user, report=report)
                messages.success(request, "Đã gửi báo cáo để duyệt.")
            elif action == "return":
                services.report_return(actor=request.user, report=report, comment=request.POST.get("comment", ""))
                messages.success(request, "Đã trả lại báo cáo cho đơn vị.")
            elif action == "approve":
                services.report_approve(actor=request.user, report=report, comment=request.POST.get("comment", ""))
                messages.success(request, "Đã duyệt và khóa báo cáo.")
            return redirect("indicators:report_detail", report_id=report.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = {k: v for k, v in exc.field_errors.items()}
            report = selectors.report_get(user=request.user, report_id=report_id)
            detail = selectors.report_detail(report=report)
    editable = report.status in EDITABLE_REPORT_STATUSES and services.can_fill_report(request.user, report.unit)
    for index, item in enumerate(detail["items"]):
        item["prefix"] = f"v{index}"
        item["errors"] = errors.get(f"values.{index}.value", []) + errors.get(f"v{index}_value", [])
    return render(request, "indicators/report_detail.html", {
        "report": report, "items": detail["items"], "evidence": detail["evidence"], "editable": editable,
        "can_review": report.status == ReportStatus.SUBMITTED and services.can_review_report(request.user,
                                                                                             report.unit),
        "errors": errors, "status_class": report.status}, status=422 if errors else 200)


@login_required
def evidence_download(request, report_id, evidence_id):
    report = _or_404(selectors.report_get, user=request.user, report_id=report_id)
    evidence = _or_404(selectors.evidence_get, user=request.user, report=report, evidence_id=evidence_id)
    return attachment_response(evidence.file.open("rb"), original_name=evidence.original_name,
                               content_type=evidence.content_type)


@login_required
def period_completeness(request, period_id):
    period = _or_404(selectors.report_period_get, user=request.user, period_id=period_id)
    return render(request, "indicators/period_completeness.html",
                  {"period": period, "data": selectors.completeness(period=period)})
