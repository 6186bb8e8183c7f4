"""Before the unique constraint on citizen IDs: clear the IDs that the one validator (tinhso.core.identity) refuses
(e.g. fullwidth or Arabic-Indic digits, an unknown province code), and where several accounts carry the same ID
keep it only on the oldest account. No ID was verified before this migration, so nothing proven is lost; the
accounts whose ID was cleared must have it entered and verified again."""

from django.db import migrations

from tinhso.core.identity import citizen_id_problem


def clean_citizen_ids(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    seen: set[str] = set()
    for user in User.objects.exclude(citizen_id="").order_by("pk").only("pk", "citizen_id").iterator():
        value = user.citizen_id.strip()
        if citizen_id_problem(value) or value in seen:
            User.objects.filter(pk=user.pk).update(citizen_id="")
            continue
        seen.add(value)
        if value != user.citizen_id:
            User.objects.filter(pk=user.pk).update(citizen_id=value)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_assignment_unique_per_scope")]

    operations = [migrations.RunPython(clean_citizen_ids, migrations.RunPython.noop)]
