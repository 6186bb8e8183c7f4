"""Client systems of the data-sharing gateway, their grants, the hash-chained access log, webhooks and the
outbox of outbound connectors."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .catalogue import service_name
from .choices import ClientKind, Credential, DeliveryStatus, EventType, RequestStatus, SubscriptionState


def _default_rate() -> int:
    return settings.TINHSO_GATEWAY_RATE_PER_MINUTE


def _default_quota() -> int:
    return settings.TINHSO_GATEWAY_DAILY_QUOTA


class Client(models.Model):
    """A software system that calls the platform through the gateway (X-Road's "subsystem")."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ClientKind.choices)
    owner_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    active = models.BooleanField(default=True)
    rate_per_minute = models.PositiveIntegerField(default=_default_rate)
    daily_quota = models.PositiveIntegerField(default=_default_quota)
    # The account the client acts as inside the platform: what data it sees is decided by that account's role
    # (system client on the owner agency), which services it may call by its grants.
    service_user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField("oauth2_provider.Application", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """A service a client may call."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="grants")
    service = models.CharField(max_length=40)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["client_id", "service"]
        constraints = [models.UniqueConstraint(fields=["client", "service"], name="gateway_unique_grant")]


class AccessRequest(models.Model):
    """The client's owner asks for a service; a province administrator approves or refuses."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="access_requests")
    service = models.CharField(max_length=40)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["client", "service"], condition=Q(status="pending"),
                                               name="gateway_one_pending_request")]

    @property
    def service_name(self) -> str:
        return service_name(self.service)


class UsageCounter(models.Model):
    """Calls of a client in one minute or one (local) day: the rate limit, the daily quota and the usage figures."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=6)  # "minute" | "day"
    start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "period", "start"], name="gateway_unique_usage")]
        indexes = [models.Index(fields=["period", "start"])]


class AccessLogEntry(models.Model):
    """One gateway call. Written unsealed (no `seq`, no hash) on the request path; the sealer
    (`accesslog.access_log_seal`) then numbers it and sets `hash`, the keyed hash (the audit key) of every other
    column and the previous entry's hash, so a changed, inserted or removed sealed row breaks the chain
    (`tinhso manage gateway_log_verify`)."""

    seq = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_constraint=False)
    client_label = models.CharField(max_length=200, blank=True)
    credential = models.CharField(max_length=8, choices=Credential.choices, blank=True)
    service = models.CharField(max_length=40, blank=True)
    operation = models.CharField(max_length=120, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    purpose = models.CharField(max_length=300, blank=True)
    status = models.PositiveSmallIntegerField()
    bytes = models.PositiveBigIntegerField(default=0)
    duration_ms = models.FloatField(default=0)
    ip_address = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["client", "at"]), models.Index(fields=["service", "at"]),
                   # the few rows not sealed yet: what the sealer takes next, and what the door counts per client
                   models.Index(fields=["id"], condition=Q(seq__isnull=True), name="gateway_log_unsealed"),
                   models.Index(fields=["client", "at"], condition=Q(seq__isnull=True),
                                name="gateway_log_unsealed_client")]

    @property
    def sealed(self) -> bool:
        return self.seq is not None

    @property
    def service_name(self) -> str:
        return service_name(self.service) if self.service else ""


class AccessLogHead(models.Model):
    """A single row locked while sealing, so one sealer at a time extends the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


def _default_event_types() -> list[str]:
    return [EventType.DOSSIER_STATUS.value]


class WebhookSubscription(models.Model):
    """A client's endpoint told of the events it chose (`EventType` names) about the records its client may see:
    dossier status changes, feedback reports' status changes and official answers, e-documents' steps."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=_default_event_types)
    secret = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=SubscriptionState.choices, default=SubscriptionState.ACTIVE)
    # One worker at a time drains a subscription's queue in order (a lease, not a lock held during HTTP calls).
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client_id", "id"]


class WebhookDelivery(models.Model):
    """One event for one subscription, delivered in `id` order."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event_id"], name="gateway_unique_delivery")]
        indexes = [models.Index(fields=["subscription", "status", "id"])]


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.FloatField(default=0)

    class Meta:
        ordering = ["id"]


class OutboxItem(models.Model):
    """One message for an outside system. `key` is the idempotency key the receiver dedups by, so a message sent
    again after a worker died between sending and recording the answer is taken once."""

    connector = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    receipt = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["connector", "key"], name="gateway_unique_outbox_key")]
        indexes = [models.Index(fields=["connector", "status", "id"])]


class OutboxAttempt(models.Model):
    item = models.ForeignKey(OutboxItem, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    worker = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
