"""Where a report is: its coordinates placed in the nearest commune of the province, by the communes' official
coordinates (AdministrativeUnit.latitude/longitude, the seat of each commune's committee).

There are no commune boundaries in the registry, so "inside the province" means: within reach of the nearest
commune's seat. The reach of a commune is the radius of a circle of its area, times 1.5 (communes are not round),
at least `MIN_REACH_KM`; without an area, `TINHSO_FEEDBACK_COMMUNE_REACH_KM` (15 km by default). A point farther
than that from every commune is outside the province and refused.
"""

import math

from django.conf import settings

from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit

EARTH_KM = 6371.0088
MIN_REACH_KM = 3.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def reach_km(commune: AdministrativeUnit) -> float:
    if commune.area_km2:
        return max(MIN_REACH_KM, 1.5 * math.sqrt(commune.area_km2 / math.pi))
    return float(getattr(settings, "TINHSO_FEEDBACK_COMMUNE_REACH_KM", 15))


def current_communes(province: AdministrativeUnit):
    return AdministrativeUnit.objects.filter(parent=province, level=UnitLevel.COMMUNE, valid_to__isnull=True)


def nearest_commune(*, province: AdministrativeUnit, latitude: float, longitude: float
                    ) -> tuple[AdministrativeUnit | None, float]:
    """The province's current commune nearest to the point and its distance, if the point is within its reach."""
    best, best_km = None, math.inf
    # A province has at most a few hundred communes since 2025: a scan is cheaper than any index.
    for commune in current_communes(province).filter(latitude__isnull=False, longitude__isnull=False).only(
            "id", "code", "name", "short_name", "latitude", "longitude", "area_km2", "parent_id"):
        km = distance_km(latitude, longitude, commune.latitude, commune.longitude)
        if km < best_km:
            best, best_km = commune, km
    if best is None or best_km > reach_km(best):
        return None, best_km
    return best, best_km
