"""The kinds of message the platform sends, registered by the domains that send them.

A domain (dossiers, feedback, ...) registers each kind once, with the placeholders its context carries and the
built-in Vietnamese wording per channel. The province administrator may override the wording (`MessageTemplate`);
`render` checks an override against the registered placeholders, so a template can only name fields the context
really has.
"""

from dataclasses import dataclass, field
from string import Formatter

from tinhso.core.exceptions import ValidationError

from .choices import Channel


@dataclass(frozen=True)
class Wording:
    body: str
    subject: str = ""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str                                   # Vietnamese, shown on the template page
    placeholders: dict[str, str]                 # name -> Vietnamese description
    wording: dict[str, Wording] = field(default_factory=dict)   # channel -> default wording


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    unknown = set(kind.wording) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown channels {unknown} in {kind.key}")
    for wording in kind.wording.values():
        check_placeholders(wording.subject + wording.body, kind)
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise ValidationError.for_field("kind", f"Không có loại thông báo “{key}”.") from None


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)


def check_placeholders(text: str, kind: Kind, *, field_name: str = "body") -> None:
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        raise ValidationError.for_field(
            field_name, "Mẫu có dấu ngoặc nhọn không khớp; dùng {{ và }} để viết dấu ngoặc.") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in kind.placeholders or spec or conversion:
            allowed = ", ".join("{" + p + "}" for p in kind.placeholders)
            raise ValidationError.for_field(
                field_name, f"Trường “{{{name}}}” không dùng được trong mẫu này. Các trường có thể dùng: {allowed}.")


def render(text: str, context: dict) -> str:
    return text.format_map({k: ("" if v is None else v) for k, v in context.items()})
