from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tinhso.core.exceptions import DomainError, NotFound

from . import services


def _exchange(request) -> dict | None:
    question = request.GET.get("q", "")
    if not question.strip():
        return None
    try:
        reply, log = services.question_ask(question=question[:1000], context_code=request.GET.get("context", ""))
    except DomainError as exc:
        return {"question": question[:300], "error": exc.message}
    return {"question": reply.question, "reply": reply, "log": log}


def ask(request):
    """Hỏi đáp thủ tục: a conversation; htmx appends each exchange, without JavaScript one exchange a page."""
    exchange = _exchange(request)
    context = {"exchange": exchange, "context_code": _context_of(exchange, request)}
    if request.htmx and exchange is not None:
        return render(request, "assistant/_exchange.html", context)
    return render(request, "assistant/ask.html", context)


def _context_of(exchange: dict | None, request) -> str:
    if exchange and exchange.get("reply") and exchange["reply"].subject:
        return exchange["reply"].subject.code
    return request.GET.get("context", "")[:40]


@require_POST
def rate(request, question_id):
    helpful = request.POST.get("helpful")
    if helpful not in ("1", "0"):
        return HttpResponse("Đánh giá phải là 1 (có ích) hoặc 0 (chưa có ích).", status=400)
    try:
        services.question_rate(log_id=question_id, helpful=helpful == "1")
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return HttpResponse('<span class="rated">Cảm ơn bạn đã đánh giá.</span>')
