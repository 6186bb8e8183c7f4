"""The II.06a statistics page and its Excel download: parse the query, call `dossiers.statistics`, render."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tinhso.core.exceptions import DomainError, PermissionDenied
from tinhso.core.periods import parse_period

from .reports import DATA_KEYS, ROW_LABELS, period_text, statistics_csv, statistics_xlsx, xlsx_filename
from .statistics import (
    GROUP_BY_CHOICES,
    dossier_statistics,
    resolve_period,
    statistics_scope_choices,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _params(request) -> dict:
    """The query string, read the same way for the page and the download."""
    get = request.GET
    scope = get.get("scope", "")
    agency, unit = get.get("agency", "")[:20], get.get("unit", "")[:20]
    if scope.startswith("agency:"):
        agency = scope.split(":", 1)[1][:20]
    elif scope.startswith("unit:"):
        unit = scope.split(":", 1)[1][:20]
    date_from, date_to = get.get("date_from", ""), get.get("date_to", "")
    period = get.get("period", "")[:10]
    if not period and not (date_from or date_to):
        period = str(timezone.localdate().year)
    group_by = get.get("group_by", "agency")
    return {"agency": agency, "unit": unit, "period": period, "date_from": date_from, "date_to": date_to,
            "group_by": group_by if group_by in GROUP_BY_CHOICES else "agency",
            "scope": f"agency:{agency}" if agency else f"unit:{unit}" if unit else ""}


def _statistics(request, params: dict) -> dict:
    period = resolve_period(period=params["period"], date_from=_day(params["date_from"]),
                            date_to=_day(params["date_to"]))
    return dossier_statistics(actor=request.user, period=period, agency=params["agency"], unit=params["unit"],
                              group_by=params["group_by"])


def _number(value) -> str:
    """Vietnamese number display: 74.278 and 4,86."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _cells(figures: dict) -> list[str]:
    return [_number(figures[key]) for key in DATA_KEYS]


def _period_choices() -> list[tuple[str, str]]:
    year = timezone.localdate().year
    specs = []
    for y in (year, year - 1):
        specs += [f"{y}", f"{y}-H1", f"{y}-H2", *(f"{y}-Q{q}" for q in range(1, 5)),
                  *(f"{y}-{m:02d}" for m in range(1, 13))]
    return [(spec, parse_period(spec).label) for spec in specs]


@login_required
def statistics_page(request):
    params = _params(request)
    stats, error = None, None
    try:
        stats = _statistics(request, params)
    except PermissionDenied as exc:
        error = exc.message
    except DomainError as exc:
        error = exc.describe()
    context = {
        "params": params, "stats": stats, "error": error, "query": request.GET.urlencode(),
        "row_label": ROW_LABELS.get(params["group_by"], ROW_LABELS["agency"]),
        "show_keys": params["group_by"] in ("agency", "procedure"),
    }
    if stats is not None:
        context.update(period_text=period_text(stats), total_cells=_cells(stats),
                       table_rows=[{**row, "cells": _cells(row)} for row in stats["rows"]],
                       summary={k: _number(stats[k]) for k in DATA_KEYS})
    if request.htmx:
        return render(request, "dossiers/statistics_table.html", context)
    choices = statistics_scope_choices(actor=request.user)
    context.update(group_choices=GROUP_BY_CHOICES, period_choices=_period_choices(), **choices)
    no_access = stats is None and not choices["agencies"].exists()
    return render(request, "dossiers/statistics.html", context, status=403 if no_access else 200)


@login_required
def statistics_download(request):
    params = _params(request)
    try:
        stats = _statistics(request, params)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('statistics:dossiers')}?{request.GET.urlencode()}")
    response = HttpResponse(statistics_xlsx(stats), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{xlsx_filename(stats)}"'
    return response


@login_required
def statistics_download_csv(request):
    params = _params(request)
    try:
        stats = _statistics(request, params)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('statistics:dossiers')}?{request.GET.urlencode()}")
    # The byte-order mark lets spreadsheet programs read the Vietnamese text as UTF-8.
    response = HttpResponse("\ufeff" + statistics_csv(stats), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{xlsx_filename(stats, "csv")}"'
    return response
