from django.db import models


class CodePurpose(models.TextChoices):
    REGISTER = "register", "Đăng ký tài khoản"
    RESET = "reset", "Đặt lại mật khẩu"


class OneTimeCode(models.Model):
    """A 6-digit code sent to a phone or e-mail address to prove the person holds it. Only a keyed hash is kept;
    it expires, allows few tries, and is spent once used. A registration keeps the pending account's data here
    (the password already hashed) until the code is confirmed."""

    purpose = models.CharField(max_length=10, choices=CodePurpose.choices)
    channel = models.CharField(max_length=8)               # notifications.Channel: sms or email
    address = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=64)
    pending = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["purpose", "address", "created_at"], name="otp_by_address")]
