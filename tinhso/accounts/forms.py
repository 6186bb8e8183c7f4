from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="Tên đăng nhập", max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="Mật khẩu", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng. Sau 5 lần sai liên tiếp tài khoản bị tạm khóa 15 phút.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="Mật khẩu hiện tại", strip=False, widget=forms.PasswordInput)
    new_password1 = forms.CharField(label="Mật khẩu mới", strip=False, widget=forms.PasswordInput,
                                    help_text="Ít nhất 8 ký tự, không toàn chữ số, không quá giống tên đăng nhập.")
    new_password2 = forms.CharField(label="Nhập lại mật khẩu mới", strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "Hai lần nhập mật khẩu mới không khớp.")
        return data


class CitizenIdVerifyForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập của công dân", max_length=150)
    citizen_id = forms.CharField(label="Số định danh cá nhân trên thẻ CCCD", max_length=12,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    card_checked = forms.BooleanField(label="Tôi đã đối chiếu thẻ CCCD gốc với người đến làm thủ tục",
                                      error_messages={"required": "Chỉ xác minh khi đã đối chiếu thẻ CCCD gốc."})

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()
