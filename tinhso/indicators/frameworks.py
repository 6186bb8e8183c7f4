"""Scoring units with a framework defined as data, and ranking them ("xếp thứ 15/63").

Component scores (FrameworkComponent.method):
- percent: points × value / 100 (value clamped to 0..100; for a "lower is better" indicator, 100 − value);
- attainment: points × min(1, value / target) (target / value when lower is better); in a target set
  (Framework.kind target_set) a component earns its point only when the target is achieved;
- rating: points × (value − 1) / 4 for an average rating on 1..5;
- group: the sum of its children.
A unit's value for a component is its current value for the ranking period (computed before reported before
published); a component without a value scores 0 and is listed as missing. Units with no value at all are not
ranked; `out_of` counts the ranked units. Ties share a rank (1, 2, 2, 4).
"""

from collections import defaultdict

from django.db import transaction

from tinhso.audit.services import audit_record
from tinhso.core.periods import Period
from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import home_province

from . import status as status_rules
from .choices import Direction, FrameworkKind, ScoringMethod, Status
from .models import Framework, FrameworkComponent, IndicatorValue, Ranking, Target
from .selectors import SOURCE_PRIORITY


def framework_units(framework: Framework, parent: AdministrativeUnit | None = None) -> list[AdministrativeUnit]:
    if framework.kind == FrameworkKind.TARGET_SET:
        ids = Target.objects.filter(framework=framework, unit__isnull=False).values_list("unit_id", flat=True)
        return list(AdministrativeUnit.objects.filter(pk__in=ids))
    qs = AdministrativeUnit.objects.filter(level=framework.level, valid_to__isnull=True)
    if framework.level != UnitLevel.PROVINCE:
        parent = parent or home_province()
        if parent is not None:
            qs = qs.filter(parent=parent)
    return list(qs.order_by("code"))


def period_values(owners, indicator_ids, period: Period, owner: str = "unit") -> dict[tuple[int, int, str], float]:
    """(unit or agency id, indicator id, level) → the preferred value inside the period (the longest period
    wins, then computed before reported before published)."""
    rows = IndicatorValue.objects.filter(**{f"{owner}_id__in": [o.pk for o in owners]},
                                         indicator_id__in=indicator_ids, is_current=True,
                                         period_start__gte=period.start, period_end__lte=period.end)
    best: dict[tuple, tuple] = {}
    for v in rows.values_list(f"{owner}_id", "indicator_id", "level", "period_start", "period_end", "source",
                              "value"):
        unit_id, indicator_id, level, start, end, source, value = v
        key = (unit_id, indicator_id, level)
        rank = (end - start, -SOURCE_PRIORITY.get(source, 9))
        if key not in best or rank > best[key][0]:
            best[key] = (rank, value)
    return {k: v for k, (_, v) in best.items()}


def _component_score(component: FrameworkComponent, value: float, framework: Framework,
                     target: Target | None, year: int) -> float:
    lower = component.indicator is not None and component.indicator.direction == Direction.LOWER
    if component.method == ScoringMethod.PERCENT:
        share = min(max(value, 0.0), 100.0) / 100
        return component.points * ((1 - share) if lower else share)
    if component.method == ScoringMethod.RATING:
        return component.points * min(max((value - 1) / 4, 0.0), 1.0)
    if framework.kind == FrameworkKind.TARGET_SET and target is not None:
        spec = status_rules.TargetSpec(year=target.year, comparator=target.comparator, value=target.value)
        achieved = status_rules.evaluate(value=value, year=year, target=spec) == Status.ACHIEVED
        return component.points if achieved else 0.0
    goal = component.target_value
    if not goal:
        return 0.0
    ratio = (goal / value if value > 0 else 1.0) if lower else value / goal
    return component.points * min(max(ratio, 0.0), 1.0)


def score_units(framework: Framework, period: Period, units: list[AdministrativeUnit]) -> dict[int, dict]:
    components = list(framework.components.select_related("indicator").order_by("position"))
    indicator_ids = {c.indicator_id for c in components if c.indicator_id}
    targets: dict[tuple, Target] = {}  # the nearest target year at or after the period
    for t in Target.objects.filter(framework=framework, year__gte=period.end.year).order_by("-year"):
        targets[(t.indicator_id, t.unit_id, t.level)] = t
    return _score(framework, period, components, units, period_values(units, indicator_ids, period), targets)


def score_agencies(framework: Framework, period: Period, agencies: list[Agency]) -> dict[int, dict]:
    """The framework's scores of agencies from their own values (IndicatorValue.agency), as `score_units`. The
    targets of a target set belong to units, so an agency is scored by the framework's own target values."""
    components = list(framework.components.select_related("indicator").order_by("position"))
    indicator_ids = {c.indicator_id for c in components if c.indicator_id}
    return _score(framework, period, components, agencies, period_values(agencies, indicator_ids, period, "agency"), {})


def _score(framework, period, components, owners, values, targets) -> dict[int, dict]:
    children = defaultdict(list)
    for c in components:
        children[c.parent_id].append(c)
    results = {}
    for unit in owners:
        state = {"details": {}, "missing": [], "has_any": False}

        def score(component, unit=unit, state=state) -> float:
            if component.method == ScoringMethod.GROUP or children[component.pk]:
                total = sum(score(child) for child in children[component.pk])
            else:
                value = values.get((unit.pk, component.indicator_id, component.level))
                if value is None:
                    state["missing"].append(component.code)
                    total = 0.0
                else:
                    state["has_any"] = True
                    target = targets.get((component.indicator_id, unit.pk, component.level))
                    total = _component_score(component, value, framework, target, period.end.year)
            state["details"][component.code] = round(total, 2)
            return total

        total = sum(score(c) for c in children[None])
        if state["has_any"]:
            results[unit.pk] = {"score": round(total, 2), "components": state["details"],
                                "missing": state["missing"]}
    return results


@transaction.atomic
def framework_rank(*, actor, framework: Framework, period: Period,
                   parent: AdministrativeUnit | None = None) -> list[Ranking]:
    """Score every unit of the framework's level and keep the ranking of the period (replacing its old one)."""
    units = framework_units(framework, parent)
    scores = score_units(framework, period, units)
    ordered = sorted(scores.items(), key=lambda item: -item[1]["score"])
    Ranking.objects.filter(framework=framework, period_start=period.start, period_end=period.end,
                           unit_id__in=[u.pk for u in units]).delete()
    rows, previous, rank = [], None, 0
    for position, (unit_id, result) in enumerate(ordered, start=1):
        if result["score"] != previous:
            rank, previous = position, result["score"]
        rows.append(Ranking(framework=framework, period_start=period.start, period_end=period.end, unit_id=unit_id,
                            score=result["score"], rank=rank, out_of=len(ordered),
                            details={"components": result["components"], "missing": result["missing"]}))
    Ranking.objects.bulk_create(rows)
    audit_record(actor=actor, action="indicators.ranking.compute", obj=framework,
                 summary=f"Chấm điểm, xếp hạng “{framework.name}” kỳ {period.label}: {len(rows)} đơn vị",
                 changes={"ranked": [0, len(rows)]})
    return rows
