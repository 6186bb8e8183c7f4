"""`{% dash_table table %}`: one table of the dashboard's view model as HTML, written in Python.

The markup the pages used to build with a template loop over every cell (a thousand cells on the overview), at a
fraction of the cost: the overview's first request after an invalidation renders every table of the province."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _cell(cell, label: str, first: bool) -> str:
    head = '<th scope="row"' if first else f'<td data-label="{escape(label)}"'
    attrs = (' class="num"' if cell.numeric else "") + (
        f' title="{escape(cell.title)}"' if cell.title else ""
    )
    text = escape(cell.text)
    if cell.href:
        body = f'<a href="{escape(cell.href)}">{text}</a>'
    elif cell.status:
        body = f'<span class="status status-{escape(cell.status)}">{text}</span>'
    else:
        body = text
    return f"{head}{attrs}>{body}{'</th>' if first else '</td>'}"


def table_html(table) -> str:
    key = escape(table.key)
    parts = ['<div class="table-scroll" tabindex="0" role="region" aria-label="Bảng số liệu (cuộn ngang)">\n']
    if table.note:
        parts.append(f'<p class="table-note">{escape(table.note)}</p>')
    parts.append(
        f'\n<table class="dash" id="{key}" data-export="{key}">\n'
        f"  <caption>{escape(table.caption)}</caption>\n  <thead><tr>"
    )
    for i, column in enumerate(table.columns):
        numeric = ' class="num"' if i in table.numeric_columns else ""
        parts.append(f'<th scope="col"{numeric}>{escape(column)}</th>')
    parts.append("</tr></thead>\n  <tbody>\n  ")
    columns = table.columns
    for row in table.rows:
        parts.append(f'<tr class="{escape(row.css)}">' if row.css else "<tr>")
        for i, (cell, label) in enumerate(zip(row.cells, columns, strict=False)):
            parts.append(_cell(cell, label, i == 0))
        parts.append("</tr>\n  ")
    if not table.rows:
        parts.append(
            f'<tr><td colspan="{len(columns)}" class="empty">{escape(table.empty_text)}</td></tr>\n  '
        )
    parts.append("\n  </tbody>\n</table>\n</div>\n")
    return "".join(parts)


@register.simple_tag
def dash_table(table) -> str:
    return mark_safe(table_html(table))  # every value above is escaped
