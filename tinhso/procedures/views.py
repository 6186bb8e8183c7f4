from django.contrib import messages
from django.http import Http404
from django.shortcuts import render

from tinhso.core.exceptions import DomainError, NotFound
from tinhso.core.pagination import page_number

from . import selectors
from .choices import ImplementingLevel, OnlineLevel

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
               "online_levels": OnlineLevel.choices, "filtered": any(params.values())}
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
