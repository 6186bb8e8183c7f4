from django import forms


class SynonymForm(forms.Form):
    phrase = forms.CharField(label="Cách người dân nói", max_length=120, help_text="Ví dụ: sổ đỏ")
    expansion = forms.CharField(label="Từ ngữ của danh mục", max_length=300,
                                help_text="Ví dụ: cấp giấy chứng nhận quyền sử dụng đất")
