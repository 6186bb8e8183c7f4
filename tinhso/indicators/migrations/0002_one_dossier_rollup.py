"""The indicators read the dossiers app's one rollup (dossiers.DossierStatDay, through dossiers.measures): their
own copy goes, after dossiers 0011 has rebuilt the one rollup with every counter this table held."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0001_initial"),
        ("dossiers", "0011_one_rollup_kept_current"),
    ]

    operations = [
        migrations.DeleteModel(name="DossierDailyRollup"),
    ]
