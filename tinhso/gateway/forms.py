from django import forms

from . import catalogue
from .choices import ClientKind, EventType


class ClientForm(forms.Form):
    code = forms.CharField(label="Mã hệ thống", max_length=60, help_text="Chữ thường không dấu, số, gạch ngang.")
    name = forms.CharField(label="Tên hệ thống", max_length=200)
    kind = forms.ChoiceField(label="Loại", choices=ClientKind.choices)
    owner_agency_code = forms.CharField(label="Mã định danh cơ quan chủ quản", max_length=20)
    contact_name = forms.CharField(label="Người liên hệ", max_length=150)
    contact_email = forms.EmailField(label="Thư điện tử", required=False)
    contact_phone = forms.CharField(label="Điện thoại", max_length=20, required=False)
    rate_per_minute = forms.IntegerField(label="Giới hạn lượt gọi mỗi phút", min_value=1, required=False)
    daily_quota = forms.IntegerField(label="Hạn mức lượt gọi mỗi ngày", min_value=1, required=False)


class LimitsForm(forms.Form):
    rate_per_minute = forms.IntegerField(label="Giới hạn lượt gọi mỗi phút", min_value=1, max_value=10_000_000)
    daily_quota = forms.IntegerField(label="Hạn mức lượt gọi mỗi ngày", min_value=1, max_value=10_000_000)
    active = forms.BooleanField(label="Đang kết nối", required=False)


class ServiceForm(forms.Form):
    service = forms.ChoiceField(label="Dịch vụ", choices=catalogue.SERVICE_CHOICES)


class AccessRequestForm(forms.Form):
    service = forms.ChoiceField(label="Dịch vụ", choices=catalogue.SERVICE_CHOICES)
    reason = forms.CharField(label="Mục đích sử dụng", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Duyệt"), ("refuse", "Từ chối")])
    note = forms.CharField(label="Ghi chú (bắt buộc khi từ chối)", required=False, max_length=2000)


class WebhookForm(forms.Form):
    url = forms.CharField(label="Địa chỉ nhận sự kiện (URL)", max_length=500)
    event_types = forms.MultipleChoiceField(label="Loại sự kiện", choices=EventType.choices,
                                            widget=forms.CheckboxSelectMultiple,
                                            initial=[EventType.DOSSIER_STATUS])
