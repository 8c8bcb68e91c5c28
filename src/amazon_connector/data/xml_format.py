"""XML with an XSD, for users of the original product: the set's name is the root, one element per record.

``<orders><record><amazon_order_id>…</amazon_order_id>…</record>…</orders>``: every column is an element in
column order; null is ``xsi:nil="true"``; times are xs:dateTime in UTC (``Z``), JSON columns hold JSON text.
The XSD (the same path ending ``.xsd``) types each column, carries its doc, and declares the primary key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import IO
from xml.etree import ElementTree
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesNSImpl

from amazon_connector.data.formats import FileFormat, Sink, coerced_batches
from amazon_connector.data.records import ColumnType, Record, RecordError, RecordSet, text_of
from amazon_connector.data.targets import DestinationError

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XS = "http://www.w3.org/2001/XMLSchema"
NIL = f"{{{XSI}}}nil"
XSD_TYPES = {
    ColumnType.STRING: "xs:string",
    ColumnType.INTEGER: "xs:long",
    ColumnType.DECIMAL: "xs:decimal",
    ColumnType.BOOLEAN: "xs:boolean",
    ColumnType.TIMESTAMP: "xs:dateTime",
    ColumnType.DATE: "xs:date",
    ColumnType.JSON: "xs:string",
}


def _attributes(values: dict[tuple[str | None, str], str]) -> AttributesNSImpl:
    return AttributesNSImpl(values, {name: f"xsi:{name[1]}" for name in values})


NIL_ATTRIBUTES = _attributes({(XSI, "nil"): "true"})
NO_ATTRIBUTES = _attributes({})
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class XmlSink(Sink):
    def __init__(self, out: IO[bytes], record_set: RecordSet, schema_location: str) -> None:
        super().__init__(out, record_set)
        self._xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self._xml.startDocument()
        self._xml.startPrefixMapping("xsi", XSI)
        self._xml.startElementNS(
            (None, record_set.name),
            record_set.name,
            _attributes({(XSI, "noNamespaceSchemaLocation"): schema_location}),
        )
        self._xml.ignorableWhitespace("\n")

    def write_records(self, records: Sequence[Record]) -> None:
        xml, row = self._xml, self.record_set.xml_row
        for record in records:
            xml.ignorableWhitespace("  ")
            xml.startElementNS((None, row), row, NO_ATTRIBUTES)
            for c in self.record_set.columns:
                value = record[c.name]
                if value is None:
                    xml.startElementNS((None, c.name), c.name, NIL_ATTRIBUTES)
                else:
                    xml.startElementNS((None, c.name), c.name, NO_ATTRIBUTES)
                    text = text_of(c, value)
                    if NOT_XML.search(text):
                        raise RecordError(
                            f"{self.record_set.name}.{c.name} holds a control character that XML 1.0 cannot "
                            f"carry: {text[:40]!r}."
                        )
                    xml.characters(text)
                xml.endElementNS((None, c.name), c.name)
            xml.endElementNS((None, row), row)
            xml.ignorableWhitespace("\n")

    def finish(self) -> None:
        self._xml.endElementNS((None, self.record_set.name), self.record_set.name)
        self._xml.endPrefixMapping("xsi")
        self._xml.ignorableWhitespace("\n")
        self._xml.endDocument()


def xsd_text(record_set: RecordSet) -> str:
    """The XSD of a record set's XML document."""
    ElementTree.register_namespace("xs", XS)

    def element(parent: ElementTree.Element, tag: str, **attributes: str) -> ElementTree.Element:
        return ElementTree.SubElement(parent, f"{{{XS}}}{tag}", attributes)

    def documented(node: ElementTree.Element, doc: str) -> None:
        if doc:
            element(element(node, "annotation"), "documentation").text = doc

    schema = ElementTree.Element(f"{{{XS}}}schema", {"elementFormDefault": "unqualified"})
    root = element(schema, "element", name=record_set.name)
    documented(root, record_set.doc)
    rows = element(element(element(root, "complexType"), "sequence"), "element", name=record_set.xml_row)
    rows.set("minOccurs", "0")
    rows.set("maxOccurs", "unbounded")
    columns = element(element(rows, "complexType"), "sequence")
    for c in record_set.columns:
        node = element(columns, "element", name=c.name, type=XSD_TYPES[c.type])
        if c.nullable:
            node.set("nillable", "true")
        documented(node, c.doc)
    if record_set.primary_key:
        key = element(root, "key", name=f"{record_set.name}_primary_key")
        element(key, "selector", xpath=record_set.xml_row)
        for name in record_set.primary_key:
            element(key, "field", xpath=name)
    ElementTree.indent(schema)
    return ElementTree.tostring(schema, encoding="unicode", xml_declaration=True) + "\n"


class XmlFormat(FileFormat):
    def sink(self, out: IO[bytes], record_set: RecordSet, path_name: str) -> Sink:
        return XmlSink(out, record_set, _xsd_name(path_name))

    def companions(self, record_set: RecordSet, path_name: str) -> dict[str, bytes]:
        return {".xsd": xsd_text(record_set).encode("utf-8")}

    def _rows(self, f: IO[bytes], shown: str) -> Iterator[tuple[str, dict[str, str | None]]]:
        """Each record element's children, streamed: every finished record is cleared from the tree."""
        parser = ElementTree.iterparse(f, events=("start", "end"))  # noqa: S314  (a file this module wrote)
        depth, number, row, root = 0, 0, None, None
        try:
            for event, node in parser:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = node
                    elif depth == 2:
                        row = node
                    continue
                depth -= 1
                if depth == 1 and row is not None and root is not None:
                    number += 1
                    yield (
                        f"record {number}",
                        {
                            child.tag: None if child.get(NIL) == "true" else (child.text or "")
                            for child in row
                        },
                    )
                    root.clear()
        except ElementTree.ParseError as exc:
            raise DestinationError(f"{shown} is not well-formed XML: {exc}", destination=shown) from None

    def columns(self, f: IO[bytes], shown: str) -> list[str] | None:
        first = next(self._rows(f, shown), None)
        return list(first[1]) if first else None

    def read(self, f: IO[bytes], record_set: RecordSet, shown: str) -> Iterator[list[Record]]:
        return coerced_batches(self._rows(f, shown), record_set, shown)


def _xsd_name(path_name: str) -> str:
    stem, _, _ = path_name.rpartition(".")
    return f"{stem or path_name}.xsd"
