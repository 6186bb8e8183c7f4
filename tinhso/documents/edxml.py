"""edXML packages (QCVN 102:2016/BTTTT): build, validate and read documents and status messages.

Two namespaces are seen in the field: the standard's `http://www.mic.gov.vn/TBT/QCVN_102_2016` and the older
`http://www.go.vn/eDoc`. Both are read; we write the standard's. Attachments travel base64-encoded inside the
envelope (AttachmentEncoded) [to check: the standard also allows MIME parts; other systems' exports may use them].
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from lxml import etree

from tinhso.core.exceptions import ValidationError

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
LEGACY_NS = "http://www.go.vn/eDoc"
NAMESPACES = (NS, LEGACY_NS)
MAX_PACKAGE_BYTES = 60 * 1024 * 1024


@dataclass
class Organ:
    code: str
    name: str = ""


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass
class Package:
    document_id: str
    sender: Organ
    recipients: list[Organ]
    code_number: str
    code_notation: str
    place: str
    promulgation_date: date
    type_code: str
    type_name: str
    subject: str
    signer_position: str
    signer_name: str
    competence: str = ""
    content: str = ""
    due_date: date | None = None
    priority: int = 0
    steering_type: int = 0
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class StatusMessage:
    document_id: str
    organ_code: str  # the sender of the document the status is about
    code: str
    sender: Organ  # who reports the status
    status_code: str
    description: str
    timestamp: datetime
    promulgation_date: date | None = None


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "edxml.xsd")))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent, tag: str, text=None):
    el = etree.SubElement(parent, _q(tag))
    if text is not None:
        el.text = str(text)
    return el


def _organ(parent, tag: str, organ: Organ):
    el = _sub(parent, tag)
    _sub(el, "OrganId", organ.code)
    _sub(el, "OrganName", organ.name)
    return el


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_package(p: Package) -> bytes:
    root = etree.Element(_q("edXMLEnvelope"), nsmap={"edXML": NS})
    header = _sub(_sub(root, "edXMLHeader"), "MessageHeader")
    _organ(header, "From", p.sender)
    for organ in p.recipients:
        _organ(header, "To", organ)
    _sub(header, "DocumentId", p.document_id)
    code = _sub(header, "Code")
    _sub(code, "CodeNumber", p.code_number)
    _sub(code, "CodeNotation", p.code_notation)
    info = _sub(header, "PromulgationInfo")
    _sub(info, "Place", p.place)
    _sub(info, "PromulgationDate", p.promulgation_date.isoformat())
    doc_type = _sub(header, "DocumentType")
    _sub(doc_type, "Type", p.type_code)
    _sub(doc_type, "TypeName", p.type_name)
    _sub(header, "Subject", p.subject)
    if p.content:
        _sub(header, "Content", p.content)
    signer = _sub(header, "SignerInfo")
    if p.competence:
        _sub(signer, "Competence", p.competence)
    _sub(signer, "Position", p.signer_position)
    _sub(signer, "FullName", p.signer_name)
    if p.due_date:
        _sub(header, "DueDate", p.due_date.isoformat())
    other = _sub(header, "OtherInfo")
    _sub(other, "Priority", p.priority)
    _sub(header, "SteeringType", p.steering_type)
    encoded = _sub(root, "AttachmentEncoded")
    for a in p.attachments:
        el = _sub(encoded, "Attachment")
        _sub(el, "ContentId", a.name)
        _sub(el, "ContentType", a.content_type)
        _sub(el, "Description", a.description)
        _sub(el, "Format", "base64")
        _sub(el, "Value", base64.b64encode(a.data).decode("ascii"))
    return _bytes(root)


def build_status(s: StatusMessage) -> bytes:
    root = etree.Element(_q("edXMLEnvelope"), nsmap={"edXML": NS})
    status = _sub(_sub(root, "edXMLHeader"), "Status")
    response = _sub(status, "ResponseFor")
    _sub(response, "OrganId", s.organ_code)
    _sub(response, "Code", s.code)
    if s.promulgation_date:
        _sub(response, "PromulgationDate", s.promulgation_date.isoformat())
    _sub(response, "DocumentId", s.document_id)
    _organ(status, "From", s.sender)
    _sub(status, "StatusCode", s.status_code)
    _sub(status, "Description", s.description)
    _sub(status, "Timestamp", s.timestamp.isoformat(timespec="seconds"))
    return _bytes(root)


def _parse(data: bytes):
    if not data or len(data) > MAX_PACKAGE_BYTES:
        raise ValidationError.for_field("file", "Gói edXML rỗng hoặc quá lớn (tối đa 60 MB).")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError.for_field("file", f"Tệp không phải XML hợp lệ (dòng {exc.lineno}).") from None
    namespace = etree.QName(root).namespace
    if namespace not in NAMESPACES or etree.QName(root).localname != "edXMLEnvelope":
        raise ValidationError.for_field(
            "file", "Không phải gói edXML (cần phần tử edXMLEnvelope thuộc không gian tên QCVN 102:2016).")
    if namespace == LEGACY_NS:
        for el in root.iter():
            if isinstance(el.tag, str) and etree.QName(el).namespace == LEGACY_NS:
                el.tag = _q(etree.QName(el).localname)
        etree.cleanup_namespaces(root)
    header = root.find(_q("edXMLHeader"))
    message = header.find(_q("MessageHeader")) if header is not None else None
    if message is not None and message.find(_q("To")) is None:
        raise ValidationError.for_field("To", "Gói edXML thiếu nơi nhận (To): phải có ít nhất một mã định danh.")
    schema = _schema()
    if not schema.validate(root):
        error = schema.error_log.last_error
        element = error.path.rsplit("/", 1)[-1].split("}")[-1] if error.path else "edXML"
        raise ValidationError.for_field(
            element, f"Gói edXML không đúng cấu trúc QCVN 102:2016 (dòng {error.line}, {element}): {error.message}")
    return root


def _text(el, path: str, default: str = "") -> str:
    found = el.find(path.replace("/", "/").replace("E:", "{" + NS + "}"))
    return (found.text or "").strip() if found is not None and found.text else default


def _organ_of(el) -> Organ:
    return Organ(code=_text(el, "E:OrganId"), name=_text(el, "E:OrganName"))


def kind_of(data: bytes) -> str:
    """"package" or "status", after validation."""
    root = _parse(data)
    return "status" if root.find(f"{_q('edXMLHeader')}/{_q('Status')}") is not None else "package"


def read_package(data: bytes) -> Package:
    root = _parse(data)
    h = root.find(f"{_q('edXMLHeader')}/{_q('MessageHeader')}")
    if h is None:
        raise ValidationError.for_field("file", "Đây là thông điệp trạng thái, không phải gói văn bản.")
    due = _text(h, "E:DueDate")
    attachments = []
    for a in root.iterfind(f"{_q('AttachmentEncoded')}/{_q('Attachment')}"):
        try:
            data_bytes = base64.b64decode(_text(a, "E:Value"), validate=False)
        except (binascii.Error, ValueError):
            raise ValidationError.for_field("Attachment", "Tệp đính kèm trong gói edXML bị hỏng.") from None
        attachments.append(Attachment(name=_text(a, "E:ContentId"), content_type=_text(a, "E:ContentType"),
                                      data=data_bytes, description=_text(a, "E:Description")))
    return Package(
        document_id=_text(h, "E:DocumentId"),
        sender=_organ_of(h.find(_q("From"))),
        recipients=[_organ_of(el) for el in h.iterfind(_q("To"))],
        code_number=_text(h, "E:Code/E:CodeNumber"), code_notation=_text(h, "E:Code/E:CodeNotation"),
        place=_text(h, "E:PromulgationInfo/E:Place"),
        promulgation_date=date.fromisoformat(_text(h, "E:PromulgationInfo/E:PromulgationDate")[:10]),
        type_code=_text(h, "E:DocumentType/E:Type"), type_name=_text(h, "E:DocumentType/E:TypeName"),
        subject=_text(h, "E:Subject"), content=_text(h, "E:Content"),
        competence=_text(h, "E:SignerInfo/E:Competence"), signer_position=_text(h, "E:SignerInfo/E:Position"),
        signer_name=_text(h, "E:SignerInfo/E:FullName"),
        due_date=date.fromisoformat(due[:10]) if due else None,
        priority=int(_text(h, "E:OtherInfo/E:Priority", "0") or 0),
        steering_type=int(_text(h, "E:SteeringType", "0") or 0),
        attachments=attachments,
    )


def read_status(data: bytes) -> StatusMessage:
    root = _parse(data)
    s = root.find(f"{_q('edXMLHeader')}/{_q('Status')}")
    if s is None:
        raise ValidationError.for_field("file", "Đây là gói văn bản, không phải thông điệp trạng thái.")
    promulgated = _text(s, "E:ResponseFor/E:PromulgationDate")
    return StatusMessage(
        document_id=_text(s, "E:ResponseFor/E:DocumentId"), organ_code=_text(s, "E:ResponseFor/E:OrganId"),
        code=_text(s, "E:ResponseFor/E:Code"), sender=_organ_of(s.find(_q("From"))),
        status_code=_text(s, "E:StatusCode"), description=_text(s, "E:Description"),
        timestamp=datetime.fromisoformat(_text(s, "E:Timestamp")),
        promulgation_date=date.fromisoformat(promulgated[:10]) if promulgated else None,
    )
