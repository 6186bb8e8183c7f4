import pytest

from tinhso.procedures.services import procedures_import
from tinhso.procedures.synonym_seed import seed_synonyms

from .records import catalogue_records


@pytest.fixture
def catalogue(world):
    """The four procedures of `records.CATALOGUE`, implemented by the world's agencies."""
    seed_synonyms()  # a transactional test before this one flushed what the migration seeded
    procedures_import(actor=world.users["province_admin"], records=catalogue_records())
    return world
