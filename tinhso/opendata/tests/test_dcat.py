"""The catalogue and each dataset in DCAT-AP 3.0, as Turtle and JSON-LD, validate against the official shapes."""

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

SHAPES = Path(__file__).parent / "data" / "dcat-ap-3.0.0-SHACL.ttl"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(SHAPES, format="turtle")


def _check(data: Graph, shapes: Graph) -> None:
    conforms, _, report = validate(data, shacl_graph=shapes, inference="none", abort_on_first=False,
                                   allow_warnings=True)
    assert conforms, report


def test_catalogue_turtle_and_json_ld_validate_with_no_violation(catalogue, client, shapes):
    turtle = client.get("/du-lieu-mo/catalog.ttl")
    assert turtle.status_code == 200 and turtle["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.content.decode(), format="turtle")
    catalogue_node = next(graph.subjects(RDF.type, DCAT.Catalog))
    datasets = set(graph.objects(catalogue_node, DCAT.dataset))
    assert len(datasets) == 5
    assert all(len(set(graph.objects(d, DCAT.distribution))) == 3 for d in datasets)
    _check(graph, shapes)
    json_ld = client.get("/du-lieu-mo/catalog.jsonld")
    assert json_ld["Content-Type"] == "application/ld+json"
    from_json = Graph().parse(data=json_ld.content.decode(), format="json-ld")
    assert len(from_json) == len(graph)
    _check(from_json, shapes)


def test_one_dataset_validates_and_carries_licence_coverage_and_provenance(catalogue, client, shapes):
    for fmt, parser in (("ttl", "turtle"), ("jsonld", "json-ld")):
        response = client.get(f"/du-lieu-mo/danh-muc-co-quan-ma-dinh-danh/dcat.{fmt}")
        graph = Graph().parse(data=response.content.decode(), format=parser)
        _check(graph, shapes)
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    assert str(graph.value(dataset, DCTERMS.title)) == "Danh mục cơ quan, đơn vị và mã định danh điện tử"
    assert graph.value(dataset, DCTERMS.spatial) is not None and graph.value(dataset, DCTERMS.provenance)
    assert str(graph.value(dataset, DCTERMS.accrualPeriodicity)).endswith("/frequency/IRREG")
    licences = {str(graph.value(d, DCTERMS.license)) for d in graph.objects(dataset, DCAT.distribution)}
    assert licences == {"http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"}


def test_the_shapes_catch_a_broken_dataset(shapes):
    """The oracle can fail: a dataset without its mandatory description is a violation."""
    graph = Graph().parse(data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://example.org/d> a dcat:Dataset ; dct:title "Không mô tả"@vi .
    """, format="turtle")
    conforms, _, _ = validate(graph, shacl_graph=shapes, inference="none")
    assert not conforms


def test_unpublished_dataset_and_unknown_format_are_404(catalogue, client):
    from tinhso.opendata import services

    services.dataset_publish(actor=None, key="danh-muc-co-quan-ma-dinh-danh", published=False)
    assert client.get("/du-lieu-mo/danh-muc-co-quan-ma-dinh-danh/dcat.ttl").status_code == 404
    assert client.get("/du-lieu-mo/catalog.xml").status_code == 404
