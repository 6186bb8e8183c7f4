from django import forms

from .choices import AgencyKind


class AgencyForm(forms.Form):
    identifier_code = forms.CharField(label="Mã định danh điện tử", max_length=13,
                                      help_text="Cấu trúc XXX.YY.ZZ.Annn, ví dụ 000.00.05.H56")
    name = forms.CharField(label="Tên cơ quan", max_length=255)
    short_name = forms.CharField(label="Tên viết tắt", max_length=100, required=False)
    kind = forms.ChoiceField(label="Loại cơ quan", choices=AgencyKind.choices)
    unit_code = forms.CharField(label="Mã đơn vị hành chính phục vụ", max_length=20)
    parent_identifier_code = forms.CharField(label="Mã định danh cơ quan cấp trên", max_length=13, required=False)
    address = forms.CharField(label="Địa chỉ", max_length=255, required=False)
    phone = forms.CharField(label="Điện thoại", max_length=30, required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp CSV (UTF-8)")
