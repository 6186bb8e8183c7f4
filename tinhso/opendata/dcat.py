"""The catalogue and each dataset in DCAT-AP 3.0 (JSON-LD and Turtle, with rdflib).

Every object a DCAT-AP shape expects to be of a class is typed in the graph (a publisher is a foaf:Agent, a
licence a dct:LicenseDocument, a theme a skos:Concept of the EU data-theme scheme, …), so the official DCAT-AP
3.0.0 SHACL shapes validate the output with no violation (tests/test_dcat.py).
"""

from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from .choices import EU_AUTHORITY, FORMAT_MEDIA, LICENCE_URLS, Format
from .models import Dataset
from .selectors import FORMATS, dataset_list, source_of

ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
THEME_SCHEME = URIRef(EU_AUTHORITY + "data-theme")
FREQUENCY = EU_AUTHORITY + "frequency/"
FILE_TYPE = EU_AUTHORITY + "file-type/"
IANA = "http://www.iana.org/assignments/media-types/"
FORMATS_RDF = {"jsonld": ("json-ld", "application/ld+json"), "ttl": ("turtle", "text/turtle; charset=utf-8")}


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("skos", SKOS), ("vcard", VCARD),
                       ("adms", ADMS)):
        g.bind(prefix, ns)
    return g


def _vi(text: str) -> Literal:
    return Literal(text, lang="vi")


def _agent(g: Graph, agency, absolute) -> URIRef:
    node = URIRef(absolute(reverse("org:agency_detail", args=[agency.identifier_code])))
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, FOAF.name, _vi(agency.name)))
    g.add((node, DCTERMS.identifier, Literal(agency.identifier_code)))
    return node


def _catalogue_agent(g: Graph, absolute) -> URIRef:
    from tinhso.org.selectors import agency_list

    agency = agency_list(kind="ubnd_tinh").first()
    if agency is not None:
        return _agent(g, agency, absolute)
    node = URIRef(absolute("/"))
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, FOAF.name, _vi("Tỉnh Số")))
    return node


def add_dataset(g: Graph, dataset: Dataset, absolute) -> URIRef:
    page = absolute(reverse("opendata:dataset", args=[dataset.slug]))
    node = URIRef(page + "#dataset")
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.title, _vi(dataset.title)))
    g.add((node, DCTERMS.description, _vi(dataset.description or dataset.title)))
    g.add((node, DCTERMS.identifier, Literal(str(dataset.uuid))))
    g.add((node, DCAT.landingPage, _document(g, page)))
    g.add((node, DCTERMS.issued, Literal(dataset.published_at or dataset.created_at, datatype=XSD.dateTime)))
    g.add((node, DCTERMS.modified, Literal(dataset.updated_at, datatype=XSD.dateTime)))
    if dataset.publisher_id:
        g.add((node, DCTERMS.publisher, _agent(g, dataset.publisher, absolute)))
        contact = BNode()
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, _vi(dataset.publisher.name)))
        if dataset.publisher.email:
            g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.publisher.email}")))
        g.add((node, DCAT.contactPoint, contact))
    for theme in dataset.themes.all():
        concept = URIRef(f"{EU_AUTHORITY}data-theme/{theme.code}")
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.prefLabel, _vi(theme.get_code_display())))
        g.add((concept, SKOS.inScheme, THEME_SCHEME))
        g.add((THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
        g.add((THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))
        g.add((node, DCAT.theme, concept))
    for tag in dataset.tags.all():
        g.add((node, DCAT.keyword, _vi(tag.name)))
    frequency = URIRef(FREQUENCY + dataset.frequency)
    g.add((frequency, RDF.type, DCTERMS.Frequency))
    g.add((frequency, SKOS.prefLabel, _vi(dataset.get_frequency_display())))
    g.add((node, DCTERMS.accrualPeriodicity, frequency))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            g.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            g.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
        g.add((node, DCTERMS.temporal, period))
    if dataset.spatial_id:
        place = URIRef(absolute(reverse("org:unit_detail", args=[dataset.spatial.code])))
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, SKOS.prefLabel, _vi(dataset.spatial.name)))
        g.add((node, DCTERMS.spatial, place))
    if dataset.provenance:
        statement = BNode()
        g.add((statement, RDF.type, DCTERMS.ProvenanceStatement))
        g.add((statement, RDFS.label, _vi(dataset.provenance)))
        g.add((node, DCTERMS.provenance, statement))
    deed, authority = LICENCE_URLS[dataset.licence]
    licence = URIRef(authority)
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add((licence, RDFS.seeAlso, URIRef(deed)))
    try:
        columns = source_of(dataset).columns
    except Exception:  # noqa: BLE001 — an unregistered source still describes its distributions
        columns = ()
    for fmt in FORMATS:
        g.add((node, DCAT.distribution, _distribution(g, dataset, fmt, licence, columns, absolute)))
    return node


def _document(g: Graph, url: str) -> URIRef:
    node = URIRef(url)
    g.add((node, RDF.type, FOAF.Document))
    return node


def _distribution(g: Graph, dataset: Dataset, fmt: str, licence: URIRef, columns, absolute) -> URIRef:
    url = absolute(reverse("opendata:download", args=[dataset.slug, fmt]))
    node = URIRef(url + "#distribution")
    media, code = FORMAT_MEDIA[fmt]
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, _vi(f"{dataset.title} ({Format(fmt).label})")))
    if columns:
        described = "; ".join(f"{c.name}: {c.title}" for c in columns)
        g.add((node, DCTERMS.description, _vi(f"Các cột — {described}.")))
    g.add((URIRef(url), RDF.type, RDFS.Resource))  # the shapes check classes without RDFS inference
    g.add((node, DCAT.accessURL, URIRef(url)))
    g.add((node, DCAT.downloadURL, URIRef(url)))
    media_node = URIRef(IANA + media)
    g.add((media_node, RDF.type, DCTERMS.MediaType))
    g.add((node, DCAT.mediaType, media_node))
    file_type = URIRef(FILE_TYPE + code)
    g.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
    g.add((node, DCTERMS.format, file_type))
    g.add((node, DCTERMS.license, licence))
    g.add((node, DCTERMS.modified, Literal(dataset.updated_at, datatype=XSD.dateTime)))
    return node


def catalogue_graph(absolute) -> Graph:
    g = _graph()
    node = URIRef(absolute(reverse("opendata:catalogue")) + "#catalog")
    g.add((node, RDF.type, DCAT.Catalog))
    g.add((node, DCTERMS.title, _vi("Cổng dữ liệu mở của tỉnh")))
    g.add((node, DCTERMS.description, _vi("Dữ liệu mở của tỉnh, cập nhật trực tiếp từ dữ liệu nghiệp vụ của nền "
                                          "tảng Tỉnh Số, không chứa dữ liệu cá nhân.")))
    g.add((node, DCTERMS.publisher, _catalogue_agent(g, absolute)))
    g.add((node, FOAF.homepage, _document(g, absolute(reverse("opendata:catalogue")))))
    g.add((node, DCTERMS.language, URIRef(EU_AUTHORITY + "language/VIE")))
    g.add((URIRef(EU_AUTHORITY + "language/VIE"), RDF.type, DCTERMS.LinguisticSystem))
    datasets = list(dataset_list())
    if datasets:
        g.add((node, DCTERMS.modified, Literal(max(d.updated_at for d in datasets), datatype=XSD.dateTime)))
    for dataset in datasets:
        g.add((node, DCAT.dataset, add_dataset(g, dataset, absolute)))
    return g


def dataset_graph(dataset: Dataset, absolute) -> Graph:
    g = _graph()
    add_dataset(g, dataset, absolute)
    return g


def serialize(g: Graph, fmt: str) -> tuple[str, str]:
    rdf_format, content_type = FORMATS_RDF[fmt]
    if rdf_format == "json-ld":
        context = {"dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "skos": str(SKOS),
                   "vcard": str(VCARD), "xsd": str(XSD)}
        return g.serialize(format="json-ld", context=context, ensure_ascii=False), content_type
    return g.serialize(format="turtle"), content_type
