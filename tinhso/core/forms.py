"""Maps domain errors onto Django forms once, so every page shows them the same way."""

from django import forms

from .exceptions import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    placed = False
    for field, messages in error.field_errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
