"""The open-data step of `tinhso demo`: one dataset per built-in source, every one published."""

from . import services


def provision_opendata() -> dict:
    counts = services.datasets_sync(actor=None)
    counts["published"] = services.dataset_publish_all(actor=None)
    return counts
