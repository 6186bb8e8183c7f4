"""Before the NULL-safe constraints: keep one assignment per (user, role, agency, unit), the oldest; it keeps
`include_subordinates` if any of its duplicates had it, so nobody loses access they had."""

from django.db import migrations


def remove_duplicates(apps, schema_editor):
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    kept: dict[tuple, object] = {}
    for assignment in RoleAssignment.objects.order_by("pk").iterator():
        key = (assignment.user_id, assignment.role, assignment.agency_id, assignment.unit_id)
        first = kept.get(key)
        if first is None:
            kept[key] = assignment
            continue
        if assignment.include_subordinates and not first.include_subordinates:
            first.include_subordinates = True
            RoleAssignment.objects.filter(pk=first.pk).update(include_subordinates=True)
        assignment.delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(remove_duplicates, migrations.RunPython.noop)]
