"""Pages: the bill and its payment (public through the signed link), the provider's return, the receipt PDF; for
officers the bill's adjustment and counter payment, the held payments and the daily reconciliation.

Thin: parse → the same services and selectors as the API → render.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tinhso.core import throttle
from tinhso.core.exceptions import DomainError, NotFound, Throttled

from . import conf, providers, reconciliation, selectors, services, simulator
from .choices import BillStatus, PaymentStatus
from .models import Reconciliation
from .receipts import receipt_pdf

PAY_LIMITS = ("payments.pay.ip",)


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


def _bill_context(request, bill, **extra) -> dict:
    user = request.user
    return {
        "bill": bill, "lines": selectors.bill_lines(bill=bill), "payments": selectors.bill_payments(bill=bill),
        "token": selectors.bill_token(bill), "online_ready": providers.provider().configured(),
        "can_pay": bill.status == BillStatus.UNPAID and bill.total > 0,
        "can_adjust": selectors.can_adjust(user, bill), "can_collect": selectors.can_collect(user, bill),
        "adjustments": bill.adjustments.select_related("actor"), "refunds": bill.refunds.all(),
        **extra,
    }


def bill(request, token):
    """The payment page of the link in the notice; POST opens the online payment and redirects to the provider."""
    try:
        the_bill = selectors.bill_by_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    status, error = 200, ""
    if request.method == "POST":
        keys = {name: _ip(request) for name in PAY_LIMITS}
        try:
            throttle.throttle_check(keys=keys)
            return_url = conf.public_url(reverse("payments:vnpay_return"))
            _, url = services.online_start(actor=request.user, bill=the_bill, return_url=return_url,
                                           ip_address=_ip(request))
            return redirect(url)
        except Throttled as exc:
            status, error = 429, exc.message
        except DomainError as exc:
            throttle.throttle_failure(keys=keys)
            status, error = exc.status_code, exc.message
    return render(request, "payments/bill.html", _bill_context(request, the_bill, error=error), status=status)


def receipt(request, token, reference):
    try:
        the_bill = selectors.bill_by_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    payment = the_bill.payments.filter(reference=reference, status=PaymentStatus.CONFIRMED).first()
    if payment is None:
        raise Http404("Không có biên lai cho giao dịch này.")
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{payment.receipt_number}.pdf"'
    return response


def vnpay_return(request):
    """Where VNPAY sends the payer back. It only shows the result: the IPN is what records the payment."""
    params = request.GET.dict()
    context = {"valid": False, "payment": None, "success": False}
    try:
        confirmation = providers.provider().parse(params)
    except providers.InvalidSignature:
        return render(request, "payments/return.html", context, status=400)
    payment = selectors.payment_by_reference(reference=confirmation.reference)
    context.update(valid=True, success=confirmation.success, payment=payment,
                   token=selectors.bill_token(payment.bill) if payment else "")
    return render(request, "payments/return.html", context, status=200 if payment else 404)


def simulated_gateway(request):
    """The demo's stand-in for VNPAY (TINHSO_VNPAY_SIMULATOR=1 and no terminal configured)."""
    if not conf.simulator_enabled():
        raise Http404("Cổng thanh toán mô phỏng không được bật.")
    params = (request.POST if request.method == "POST" else request.GET).dict()
    secret = conf.simulator_secret()
    request_params = {k: v for k, v in params.items() if k.startswith("vnp_")}
    try:
        simulator.check_request(request_params, secret=secret, tmn_code=conf.SIMULATOR_TMN_CODE)
    except simulator.BadRequest as exc:
        return render(request, "payments/simulator.html", {"error": str(exc)}, status=400)
    if request.method == "POST":
        result = simulator.result_params(request_params, secret=secret, success=params.get("outcome") == "pay")
        services.online_confirm(params=result)  # what VNPAY's server does: the IPN, before the redirect
        return redirect(simulator.return_url(request_params, result))
    amount = int(request_params.get("vnp_Amount", "0")) // 100
    return render(request, "payments/simulator.html", {"params": request_params, "amount": services.money(amount)})


# --- officers ---------------------------------------------------------------------------------------------------

@login_required
def index(request):
    bills = selectors.bill_list(user=request.user, status=request.GET.get("status", ""))[:100]
    year = timezone.localdate().year
    return render(request, "payments/index.html", {
        "bills": bills, "year": year, "by_field": selectors.online_payment_by_field(user=request.user, year=year), "held_count": selectors.held_payments(user=request.user).count(),
        "can_reconcile": selectors.can_reconcile(request.user), "statuses": BillStatus.choices})


def _get_bill(request, bill_id):
    try:
        return selectors.bill_get(user=request.user, bill_id=bill_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def manage(request, bill_id):
    return render(request, "payments/manage.html", _bill_context(request, _get_bill(request, bill_id)))


def _int_or_none(value):
    try:
        return int(str(value).strip()) if str(value).strip() != "" else None
    except (TypeError, ValueError):
        return value


@login_required
@require_POST
def adjust(request, bill_id):
    the_bill = _get_bill(request, bill_id)
    lines = []
    for line in the_bill.lines.all():
        p = f"line-{line.position}-"
        item = {"position": line.position, "case": request.POST.get(p + "case", ""),
                "exemption": request.POST.get(p + "exemption", "")}
        quantity = _int_or_none(request.POST.get(p + "quantity", line.quantity))
        item["quantity"] = line.quantity if quantity is None else quantity
        if (amount := _int_or_none(request.POST.get(p + "amount", ""))) is not None:
            item["amount"] = amount
        lines.append(item)
    try:
        services.bill_adjust(actor=request.user, bill_id=the_bill.pk, lines=lines,
                             reason=request.POST.get("reason", ""), ip_address=_ip(request))
    except DomainError as exc:
        details = [m for ms in exc.field_errors.values() for m in ms]
        return render(request, "payments/manage.html",
                      _bill_context(request, the_bill, error=exc.message, error_details=details),
                      status=exc.status_code)
    messages.success(request, "Đã điều chỉnh phí, lệ phí.")
    return redirect("payments:manage", bill_id=the_bill.pk)


@login_required
@require_POST
def counter(request, bill_id):
    the_bill = _get_bill(request, bill_id)
    try:
        services.counter_pay(actor=request.user, bill_id=the_bill.pk, method=request.POST.get("method", ""),
                             amount=_int_or_none(request.POST.get("amount", "")),
                             note=request.POST.get("note", ""), ip_address=_ip(request))
    except DomainError as exc:
        return render(request, "payments/manage.html", _bill_context(request, the_bill, error=exc.message),
                      status=exc.status_code)
    messages.success(request, "Đã ghi nhận nộp phí, lệ phí tại quầy; biên lai đã được lập.")
    return redirect("payments:manage", bill_id=the_bill.pk)


@login_required
def held(request):
    error, status = "", 200
    if request.method == "POST":
        try:
            services.held_review(actor=request.user, payment_id=_int_or_none(request.POST.get("payment")) or 0,
                                 decision=request.POST.get("decision", ""), note=request.POST.get("note", ""),
                                 ip_address=_ip(request))
            messages.success(request, "Đã ghi nhận kết quả xem xét giao dịch.")
            return redirect("payments:held")
        except DomainError as exc:
            error, status = exc.message, exc.status_code
    return render(request, "payments/held.html", {
        "payments": selectors.held_payments(user=request.user), "error": error},
        status=status)


@login_required
def reconcile(request):
    if not selectors.can_reconcile(request.user):
        raise Http404("Không tìm thấy trang.")
    error, lines, status = "", [], 200
    if request.method == "POST":
        upload = request.FILES.get("statement")
        try:
            day = date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            day = None
        try:
            run = reconciliation.reconcile(actor=request.user, day=day, content=upload.read() if upload else b"")
            return redirect("payments:reconciliation", run_id=run.pk)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
            lines = [f"Dòng {n}: {m}" for n, m in getattr(exc, "line_errors", [])][:50]
            lines += [m for ms in exc.field_errors.values() for m in ms]
    return render(request, "payments/reconcile.html", {
        "runs": Reconciliation.objects.all()[:30], "error": error, "error_lines": lines,
        "columns": reconciliation.STATEMENT_COLUMNS}, status=status)


@login_required
def reconciliation_detail(request, run_id):
    if not selectors.can_reconcile(request.user):
        raise Http404("Không tìm thấy trang.")
    run = Reconciliation.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404("Không tìm thấy kết quả đối soát.")
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        content, content_type = reconciliation.export(run, fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="doi-soat-{run.day:%Y%m%d}.{fmt}"'
        return response
    return render(request, "payments/reconciliation.html", {"run": run, "rows": reconciliation.rows(run)})

