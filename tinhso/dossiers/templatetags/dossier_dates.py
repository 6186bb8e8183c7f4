from django import template

from tinhso.dossiers.dates import vn_date as _vn_date

register = template.Library()


@register.filter
def vn_date(value) -> str:
    """An ISO date of a declaration shown as dd/mm/yyyy."""
    return _vn_date(value)
