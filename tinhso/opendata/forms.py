from django import forms

from .choices import Frequency, Licence, Theme


class DatasetForm(forms.Form):
    title = forms.CharField(label="Tên bộ dữ liệu", max_length=300)
    description = forms.CharField(label="Mô tả", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    publisher = forms.CharField(label="Mã định danh cơ quan công bố", max_length=13,
                                help_text="Ví dụ 000.00.00.H56 (UBND tỉnh).")
    licence = forms.ChoiceField(label="Giấy phép", choices=Licence.choices)
    frequency = forms.ChoiceField(label="Tần suất cập nhật", choices=Frequency.choices)
    themes = forms.MultipleChoiceField(label="Chủ đề", choices=Theme.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    tags = forms.CharField(label="Từ khóa", required=False, help_text="Cách nhau bởi dấu phẩy.", max_length=2000)
    provenance = forms.CharField(label="Nguồn gốc dữ liệu", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = [t.strip() for t in data.get("tags", "").split(",") if t.strip()]
        return data
