"""Seed the synonym table with words citizens use for the catalogue's terms; the province edits it afterwards."""

from django.db import migrations

from tinhso.core.text import fold
from tinhso.procedures.synonym_seed import SEED, seed_synonyms


def seed(apps, schema_editor):
    seed_synonyms(apps.get_model("procedures", "SearchSynonym"))


def unseed(apps, schema_editor):
    apps.get_model("procedures", "SearchSynonym").objects.filter(phrase_key__in=[fold(p) for p, _ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_keywords_search_synonyms")]
    operations = [migrations.RunPython(seed, unseed)]
