from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render

from tinhso.core.exceptions import PermissionDenied
from tinhso.core.pagination import page_number, paginate

from .selectors import audit_event_list


@login_required
def event_list(request):
    try:
        qs = audit_event_list(user=request.user, action=request.GET.get("action", ""))
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    page = paginate(qs, page=page_number(request.GET.get("page")))
    return render(request, "audit/event_list.html", {"page": page, "action": request.GET.get("action", "")})
