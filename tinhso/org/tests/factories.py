import factory

from tinhso.org.choices import AgencyKind, UnitLevel, UnitType
from tinhso.org.models import AdministrativeUnit, Agency


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    code = "38"
    official_code = factory.SelfAttribute("code")
    name = "Tỉnh Thanh Hóa"
    short_name = "Thanh Hóa"
    level = UnitLevel.PROVINCE
    unit_type = UnitType.PROVINCE
    identifier_prefix = "H56"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:04d}")
    official_code = factory.SelfAttribute("code")
    short_name = factory.Sequence(lambda n: f"Hoằng Hóa {n}")
    name = factory.LazyAttribute(lambda o: f"Xã {o.short_name}")
    level = UnitLevel.COMMUNE
    unit_type = UnitType.COMMUNE
    parent = factory.SubFactory(ProvinceFactory)
    village_count = 10


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("identifier_code",)

    identifier_code = factory.Sequence(lambda n: f"000.00.{n % 90 + 10:02d}.H56")
    name = factory.Sequence(lambda n: f"Sở thử nghiệm {n}")
    kind = AgencyKind.DEPARTMENT
    unit = factory.SubFactory(ProvinceFactory)
