"""The one dossier rollup: DossierStatDay also counts the dossiers received with digitised papers (the indicators'
former DossierDailyRollup, dropped by indicators 0002), rebuilt from the dossiers so both figures carry over."""

from django.db import migrations, models


def rebuild(apps, schema_editor):
    from tinhso.dossiers.stats_rollup import rebuild_with

    rebuild_with(apps.get_model("dossiers", "Dossier"), apps.get_model("dossiers", "DossierStatDay"),
                 apps.get_model("dossiers", "DossierStatState"))


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0010_applicant_birth_date_and_lookup"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierstatday",
            name="received_digitised",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
