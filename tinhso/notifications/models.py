from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import Channel, DeliveryStatus


class MessageTemplate(models.Model):
    """The province's wording of one kind of message on one channel; overrides the built-in default.

    Placeholders are `{name}` fields of the message's context (listed per kind in `defaults.KINDS`); nothing else of
    Python's format mini-language is allowed, so an administrator's template cannot reach attributes.
    """

    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [models.UniqueConstraint(fields=["kind", "channel"], name="one_template_per_kind_channel")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.channel}"


class Notification(models.Model):
    """One message to one recipient on one channel, with its delivery log."""

    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications")
    address = models.CharField(max_length=254, blank=True, help_text="Địa chỉ thư hoặc số điện thoại")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox",
                         condition=Q(channel="in_app")),
            models.Index(fields=["status", "next_attempt_at"], name="notification_pending",
                         condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address or self.recipient_id}"


class DeliveryAttempt(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    provider_id = models.CharField(max_length=100, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]


class ChannelOptOut(models.Model):
    """A person who asked not to receive messages on a channel (by account, or by address for people without one)."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notification_opt_outs")
    address = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "user"], condition=Q(user__isnull=False),
                                    name="one_opt_out_per_user_channel"),
            models.UniqueConstraint(fields=["channel", "address"], condition=Q(user__isnull=True),
                                    name="one_opt_out_per_address_channel"),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(address=""), name="opt_out_has_subject"),
        ]
