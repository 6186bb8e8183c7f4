import pytest

from tinhso.procedures.services import procedures_import

from .records import catalogue_records


@pytest.fixture
def catalogue(world):
    """The four procedures of `records.CATALOGUE`, implemented by the world's agencies."""
    procedures_import(actor=world.users["province_admin"], records=catalogue_records())
    return world
