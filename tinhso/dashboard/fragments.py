"""The IOC overview as cached HTML fragments: what every visitor sees (the tiles, the charts' data and the tables
of the province) once per (unit, year); what depends on the viewer (the alerts, the commune map, the drill-down)
once per (unit, year, map choice, viewer scope). A warm request renders only the page around them.

Keys: the public fragment has no viewer in it at all; a scoped fragment is keyed by `selectors.ViewerScope.key`,
computed on every request from the viewer's role assignments, so a fragment never reaches a viewer of another
scope and a role change is seen on the next request. Both last OVERVIEW_CACHE_SECONDS, as the overview's data."""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from tinhso.accounts import scoping

from . import ioc, selectors
from .templatetags.dashboard_tables import table_html

PUBLIC_KEY = "dashboard:html:public:v1:{unit}:{year}"
SCOPED_KEY = "dashboard:html:scoped:v1:{unit}:{year}:{map}:{by}:{scope}"
DRILL_KEY = "dashboard:html:drill:v1:{unit}:{year}:{scope}:{next}"
DRILL_CACHE_SECONDS = scoping.SCOPE_TTL


def _safe(fragments: dict) -> dict:
    return {name: mark_safe(html) for name, html in fragments.items()}  # rendered (escaped) by us


def overview_fragments(
    *,
    data: dict,
    unit,
    year: int | None,
    scope: selectors.ViewerScope,
    user,
    map_code: str = "",
    map_by: str = "value",
    login_next: str = "",
) -> dict:
    """{"pillars", "tables", "alerts", "map", "drill"}: the overview's HTML between its header and its footer."""
    public_key = PUBLIC_KEY.format(unit=unit.pk, year=year or 0)
    public = cache.get(public_key)
    if public is None:
        pillars = ioc.pillars(rows=data["rows"], unit=unit, year=year)
        public = {
            "pillars": render_to_string("dashboard/_pillars.html", {"pillars": pillars}),
            "tables": "".join(table_html(table) for table in data["page"].tables),
        }
        cache.set(public_key, public, selectors.OVERVIEW_CACHE_SECONDS)
    scoped_key = SCOPED_KEY.format(unit=unit.pk, year=year or 0, map=map_code, by=map_by, scope=scope.key)
    scoped = cache.get(scoped_key)
    if scoped is None:
        context = {
            "unit": unit,
            "year": year,
            "login_next": login_next,
            "alerts": ioc.alerts(rows=data["rows"], unit=unit, user=user, scope=scope),
            "map": ioc.map_data(
                unit=unit, user=user, indicator_code=map_code, by=map_by, year=year, scope=scope
            ),
        }
        scoped = {name: render_to_string(f"dashboard/_{name}.html", context) for name in ("alerts", "map")}
        cache.set(scoped_key, scoped, selectors.OVERVIEW_CACHE_SECONDS)
    # The drill-down lists units and agencies, no figure: an indicator refresh does not touch it. It follows the
    # org tree, which reaches every process's scope within scoping.SCOPE_TTL; a role change changes its key.
    drill_key = DRILL_KEY.format(
        unit=unit.pk,
        year=year or 0,
        scope=scope.key,
        next=hashlib.sha256(login_next.encode()).hexdigest()[:12],
    )
    drill = cache.get(drill_key)
    if drill is None:
        context = {
            "unit": unit,
            "year": year,
            "login_next": login_next,
            "drill": selectors.drill_down(unit=unit, user=user, visible=scope.visible),
        }
        drill = render_to_string("dashboard/_drill.html", context)
        cache.set(drill_key, drill, DRILL_CACHE_SECONDS)
    return _safe({**public, **scoped, "drill": drill})
