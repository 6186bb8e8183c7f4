from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tinhso.accounts.scoping import is_province_admin
from tinhso.core.exceptions import DomainError, NotFound
from tinhso.core.forms import add_domain_error
from tinhso.core.pagination import page_number

from . import selectors, services
from .choices import ImplementingLevel, OnlineLevel
from .forms import SynonymForm

# Above this many implementing agencies (a commune procedure lists every commune) the detail page folds the list.
FOLD_AGENCIES_OVER = 8


def procedure_list(request):
    params = {key: request.GET.get(key, "").strip()[:200] for key in ("q", "field", "level", "online_level")}
    number = page_number(request.GET.get("page"))
    try:
        page = selectors.procedure_page(search=params["q"], field=params["field"], level=params["level"],
                                        online_level=params["online_level"], page=number, page_size=20)
    except DomainError as exc:
        messages.error(request, exc.message)
        page = selectors.procedure_page(search=params["q"], page=number, page_size=20)
    context = {"page": page, **params, "fields": selectors.field_list(), "levels": ImplementingLevel.choices,
               "online_levels": OnlineLevel.choices, "filtered": any(params.values()),
               "can_edit_synonyms": request.user.is_authenticated and is_province_admin(request.user)}
    template = "procedures/_results.html" if request.htmx else "procedures/procedure_list.html"
    return render(request, template, context)


def procedure_detail(request, code):
    try:
        procedure = selectors.procedure_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    steps, generic_steps = selectors.procedure_steps(procedure)
    agencies = list(procedure.agencies.all())
    context = {
        "p": procedure, "steps": steps, "generic_steps": generic_steps, "agencies": agencies,
        "fold_agencies": len(agencies) > FOLD_AGENCIES_OVER,
        "modes": selectors.procedure_mode_of_submission(procedure),
        "levels": [ImplementingLevel(v).label for v in procedure.levels if v in ImplementingLevel.values],
        "online": procedure.online_level != OnlineLevel.NONE,
    }
    return render(request, "procedures/procedure_detail.html", context)


@login_required
def synonym_list(request):
    """The search's synonym table, for the province administrator: add, switch off, delete."""
    if not is_province_admin(request.user):
        raise DjangoPermissionDenied("Chỉ quản trị cấp tỉnh được sửa bảng từ đồng nghĩa.")
    form = SynonymForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            synonym = services.synonym_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Đã thêm “{synonym.phrase}” → “{synonym.expansion}”.")
            return redirect("procedures:synonyms")
    return render(request, "procedures/synonyms.html", {"form": form, "synonyms": selectors.synonym_list()},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def synonym_action(request, synonym_id: int):
    action = request.POST.get("action")
    try:
        if action == "delete":
            services.synonym_delete(actor=request.user, synonym_id=synonym_id)
            messages.success(request, "Đã xóa từ đồng nghĩa.")
        elif action in ("on", "off"):
            services.synonym_update(actor=request.user, synonym_id=synonym_id, data={"is_active": action == "on"})
            messages.success(request, "Đã bật từ đồng nghĩa." if action == "on" else "Đã tắt từ đồng nghĩa.")
        else:
            messages.error(request, "Thao tác không hợp lệ.")
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        if exc.status_code == 403:
            raise DjangoPermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    return redirect("procedures:synonyms")
