import json

import pytest

from tinhso.procedures.demo import DEMO_FILE, load_demo_procedures
from tinhso.procedures.synonym_seed import seed_synonyms


@pytest.fixture
def demo_catalogue(world):
    """The demo catalogue, implemented by the world's agencies (commune procedures by its two communes)."""
    seed_synonyms()  # a transactional test before this one flushed what the migration seeded
    keys = {key for rec in json.loads(DEMO_FILE.read_text(encoding="utf-8")) for key in rec["agencies"]}
    load_demo_procedures(agencies_by_key={key: world.justice for key in keys - {"ubnd_xa"}},
                         commune_agencies=[world.commune_committee, world.other_commune_committee])
    return world
