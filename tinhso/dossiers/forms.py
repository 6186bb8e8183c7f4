"""HTML forms: parse and show fields; every rule lives in services.py."""

from django import forms

from tinhso.procedures.choices import FormFieldType

from .choices import Channel
from .papers import PaperCheck, clean_count, paper_required

FORM_DATA_PREFIX = "fd_"
PICKER = {"data-picker": ""}  # long lists get a search box (static/dossiers/picker.js)
PAPER_PREFIX = "paper_"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _accept():
    return MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})


def date_input():
    return forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "dd/mm/yyyy", "autocomplete": "off",
                                  "pattern": r"\d{1,2}/\d{1,2}/\d{4}"})


class ApplicantForm(forms.Form):
    """The applicant and the procedure's online form (fields named fd_<name>), plus attachments."""

    applicant_name = forms.CharField(label="Họ và tên người nộp", max_length=150)
    # Phones show the digit keypad for numbers (inputmode), and browsers may fill the contact fields.
    applicant_citizen_id = forms.CharField(label="Số định danh cá nhân (CCCD, 12 chữ số)", max_length=12,
                                           widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{12}",
                                                                         "autocomplete": "off"}))
    applicant_birth_date = forms.CharField(label="Ngày sinh", required=False, max_length=10,
                                           help_text="Ngày/tháng/năm, ví dụ 05/09/1990.", widget=date_input())
    applicant_phone = forms.CharField(label="Số điện thoại", max_length=20, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "tel", "type": "tel"}))
    applicant_email = forms.CharField(label="Thư điện tử", max_length=254, required=False, widget=forms.TextInput(
        attrs={"inputmode": "email", "autocomplete": "email", "type": "email"}))
    applicant_unit_code = forms.ChoiceField(label="Xã, phường, đặc khu nơi cư trú", widget=forms.Select(attrs=PICKER))
    applicant_address = forms.CharField(label="Địa chỉ (số nhà, thôn, tổ dân phố)", max_length=255, required=False)
    agency_code = forms.ChoiceField(label="Cơ quan giải quyết", required=False, widget=forms.Select(attrs=PICKER))
    attachments = MultipleFileField(label="Giấy tờ khác (không bắt buộc)", required=False, widget=_accept())

    def __init__(self, *args, procedure, communes, counter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.counter = counter
        self.fields["applicant_unit_code"].choices = [("", "— Chọn xã, phường —")] + [
            (u.code, u.name) for u in communes]
        agencies = list(procedure.agencies.filter(is_active=True).order_by("identifier_code"))
        if len(agencies) > 1:
            self.fields["agency_code"].choices = [("", "— Theo nơi cư trú —")] + [
                (a.identifier_code, a.name) for a in agencies]
        else:
            del self.fields["agency_code"]
        for f in procedure.form_fields.all():
            name = FORM_DATA_PREFIX + f.name
            if f.field_type == FormFieldType.SELECT:
                field = forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in f.choices or []])
            elif f.field_type == FormFieldType.DATE:  # dd/mm/yyyy, checked by the service
                field = forms.CharField(max_length=10, widget=date_input(),
                                        help_text="Ngày/tháng/năm, ví dụ 05/09/2025.")
            elif f.field_type == FormFieldType.NUMBER:
                field = forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}))
            elif f.field_type == FormFieldType.TEXTAREA:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
            else:
                field = forms.CharField(max_length=2000)
            field.label, field.required = f.label, f.required
            self.fields[name] = field
        # One upload slot per paper; at the counter also the checklist (received, bản chính / bản sao counts).
        # Whether a paper is required is the service's rule (papers.paper_required), so the fields stay optional
        # here and the service's Vietnamese message lands on the paper's field.
        self.papers = list(procedure.papers.all())
        for p in self.papers:
            self.fields[f"{PAPER_PREFIX}{p.position}"] = MultipleFileField(label=p.name, required=False,
                                                                           widget=_accept())
            if counter:
                self.fields[f"{PAPER_PREFIX}{p.position}_received"] = forms.BooleanField(label="Đã nhận",
                                                                                         required=False)
                for part, label, initial in (("originals", "Số bản chính", p.originals),
                                             ("copies", "Số bản sao", p.copies)):
                    self.fields[f"{PAPER_PREFIX}{p.position}_{part}"] = forms.CharField(
                        label=label, required=False, initial=initial, max_length=2,
                        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 2, "pattern": "[0-9]*"}))

    def form_data(self) -> dict:
        return {name[len(FORM_DATA_PREFIX):]: value for name, value in self.cleaned_data.items()
                if name.startswith(FORM_DATA_PREFIX)}

    def form_data_fields(self):
        return [self[name] for name in self.fields if name.startswith(FORM_DATA_PREFIX)]

    def applicant_fields(self):
        return [self[name] for name in self.fields if not name.startswith((FORM_DATA_PREFIX, PAPER_PREFIX))
                and name != "attachments"]

    def paper_rows(self) -> list[dict]:
        rows = []
        for p in self.papers:
            key = f"{PAPER_PREFIX}{p.position}"
            row = {"paper": p, "required": paper_required(p.name), "file": self[key]}
            if self.counter:
                row |= {"received": self[f"{key}_received"], "originals": self[f"{key}_originals"],
                        "copies": self[f"{key}_copies"]}
            rows.append(row)
        return rows

    def _paper_checks(self) -> tuple[dict[int, PaperCheck], dict[str, list[str]]]:
        data, checks, errors = self.cleaned_data, {}, {}
        for p in self.papers:
            key = f"{PAPER_PREFIX}{p.position}"
            counts = {}
            for part, label in (("originals", "Số bản chính"), ("copies", "Số bản sao")):
                counts[part], problem = clean_count(data.get(f"{key}_{part}"), label=f"“{p.name}”: {label.lower()}")
                if problem:
                    errors.setdefault(f"papers.{p.position}", []).append(problem)
            checks[p.position] = PaperCheck(received=bool(data.get(f"{key}_received")), **counts)
        return checks, errors

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "applicant_name": data["applicant_name"], "applicant_citizen_id": data["applicant_citizen_id"],
            "applicant_phone": data["applicant_phone"], "applicant_email": data.get("applicant_email", ""),
            "applicant_birth_date": data.get("applicant_birth_date") or None,
            "applicant_unit_code": data["applicant_unit_code"], "applicant_address": data.get("applicant_address", ""),
            "agency_code": data.get("agency_code", "") or "", "form_data": self.form_data(),
            "attachments": data.get("attachments") or [],
            "paper_files": {p.position: data.get(f"{PAPER_PREFIX}{p.position}") or [] for p in self.papers},
        } | ({"paper_checks": self.paper_checks} if self.counter else {})

    def clean(self):
        cleaned = super().clean()
        if not self.counter:  # the service's rule, shown with the other field errors of a failed submit
            for p in self.papers:
                if paper_required(p.name) and not cleaned.get(f"{PAPER_PREFIX}{p.position}"):
                    self.add_error(f"{PAPER_PREFIX}{p.position}", f"Cần tải lên “{p.name}”.")
        if self.counter:
            self.paper_checks, errors = self._paper_checks()
            for key, messages in errors.items():
                for message in messages:
                    self.add_error(self.field_for(key), message)
        return cleaned

    @staticmethod
    def field_for(error_key: str) -> str:
        """Where a service's field error belongs on this form."""
        if error_key.startswith("form_data."):
            return FORM_DATA_PREFIX + error_key.split(".", 1)[1]
        if error_key.startswith("papers."):
            return PAPER_PREFIX + error_key.split(".", 1)[1]
        return error_key


class CounterForm(forms.Form):
    """First step at the counter: which procedure and how the papers came."""

    procedure_code = forms.ChoiceField(label="Thủ tục hành chính", widget=forms.Select(attrs=PICKER))
    channel = forms.ChoiceField(label="Hình thức tiếp nhận",
                                choices=[(Channel.DIRECT, Channel.DIRECT.label), (Channel.POSTAL, Channel.POSTAL.label)])

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure_code"].choices = [("", "— Chọn thủ tục —")] + [
            (p.code, f"{p.code} — {p.name}") for p in procedures]


class TrackForm(forms.Form):
    code = forms.CharField(label="Mã hồ sơ", max_length=40)
    phone = forms.CharField(label="Số điện thoại người nộp", max_length=20)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label="Mức độ hài lòng", coerce=int, widget=forms.RadioSelect, choices=[
        (5, "5 — Rất hài lòng"), (4, "4 — Hài lòng"), (3, "3 — Bình thường"), (2, "2 — Chưa hài lòng"),
        (1, "1 — Rất không hài lòng")])
    comment = forms.CharField(label="Ý kiến góp ý", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
