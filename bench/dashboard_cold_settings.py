"""Settings of the bench's second server: the project's, with the IOC overview cached for 0 s, so that every
request rebuilds the page as the first request after an invalidation does (bench_dashboard.speed_targets)."""

from tinhso.config.settings import *  # noqa: F403

TINHSO_DASHBOARD_CACHE_SECONDS = 0
