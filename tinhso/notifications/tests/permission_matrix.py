from tests.matrix import AUTHENTICATED, Request, case
from tinhso.notifications.choices import Channel
from tinhso.notifications.models import Notification


def _own_notification(w) -> Request:
    """Each persona reads its own message (the system client's token user too)."""
    ids = [Notification.objects.create(kind="test.greeting", channel=Channel.IN_APP, recipient=user, body="x").pk
           for user in w.users.values()]
    return Request(f"/api/v1/notifications/{ids[0]}/read")


MATRIX = {
    ("GET", "/api/v1/notifications"): case(lambda w: Request("/api/v1/notifications"), AUTHENTICATED),
    # Only the recipient may mark a message; the first persona's message belongs to the citizen.
    ("POST", "/api/v1/notifications/{notification_id}/read"): case(_own_notification, {"citizen"}),
    ("POST", "/api/v1/notifications/read-all"): case(lambda w: Request("/api/v1/notifications/read-all"),
                                                     AUTHENTICATED),
}
