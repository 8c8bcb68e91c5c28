"""XML with an XSD, for users of the original product: the set's name is the root, one element per record.

``<orders><record><amazon_order_id>…</amazon_order_id>…</record>…</orders>``: every column is an element in
column order; null is ``xsi:nil="true"``; times are xs:dateTime in UTC (``Z``). A JSON column (an answer of
Amazon's, a buyer) is XML too: an object's members are elements named by their keys (a key that is no XML
name is ``<entry key="…">``), an array's values are ``<item>`` elements, and ``type="object|array|number|
boolean"`` marks every value that is not a string, so that reading the file back gives the same JSON.
The XSD (the same path ending ``.xsd``) types each column (a JSON column as xs:anyType), carries its doc,
and declares the primary key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesNSImpl

from amazon_connector.data.formats import FileFormat, Sink, coerced_batches
from amazon_connector.data.records import ColumnType, Record, RecordError, RecordSet, json_text, text_of
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
    ColumnType.JSON: "xs:anyType",
}
JSON_TYPE = "type"
"""The attribute that says which JSON type an element holds (none: a string)."""
ITEM, ENTRY, KEY = "item", "entry", "key"
XML_NAME = re.compile(r"(?!xml)[A-Za-z_][\w.-]*\Z", re.IGNORECASE)


def _attributes(values: dict[tuple[str | None, str], str]) -> AttributesNSImpl:
    return AttributesNSImpl(values, {name: f"xsi:{name[1]}" if name[0] else name[1] for name in values})


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def _json_of(node: ElementTree.Element) -> Any:
    """The JSON value an element written by ``XmlSink._json`` holds."""
    if node.get(NIL) == "true":
        return None
    kind, text = node.get(JSON_TYPE), node.text or ""
    if kind == "object":
        return {child.get(KEY, child.tag): _json_of(child) for child in node}
    if kind == "array":
        return [_json_of(child) for child in node]
    if kind in ("number", "boolean"):
        return json.loads(text)
    return text


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
                if c.type is ColumnType.JSON:
                    self._json(c.name, value, c.name)
                elif value is None:
                    xml.startElementNS((None, c.name), c.name, NIL_ATTRIBUTES)
                    xml.endElementNS((None, c.name), c.name)
                else:
                    xml.startElementNS((None, c.name), c.name, NO_ATTRIBUTES)
                    self._text(text_of(c, value), c.name)
                    xml.endElementNS((None, c.name), c.name)
            xml.endElementNS((None, row), row)
            xml.ignorableWhitespace("\n")

    def _text(self, text: str, column: str) -> None:
        if NOT_XML.search(text):
            raise RecordError(
                f"{self.record_set.name}.{column} holds a control character that XML 1.0 cannot carry: "
                f"{text[:40]!r}."
            )
        self._xml.characters(text)

    def _json(self, tag: str, value: Any, column: str, key: str | None = None) -> None:
        """One JSON value as the element ``tag`` (``key``: the member's name when it is no XML name)."""
        attributes: dict[tuple[str | None, str], str] = {}
        if key is not None:
            if NOT_XML.search(key):
                self._text(key, column)  # refuses it, naming the column
            attributes[(None, KEY)] = key
        if value is None:
            attributes[(XSI, "nil")] = "true"
        elif not isinstance(value, str):
            attributes[(None, JSON_TYPE)] = _json_kind(value)
        xml = self._xml
        xml.startElementNS((None, tag), tag, _attributes(attributes))
        if isinstance(value, dict):
            for name, member in value.items():
                if XML_NAME.match(name):
                    self._json(name, member, column)
                else:
                    self._json(ENTRY, member, column, key=name)
        elif isinstance(value, list):
            for member in value:
                self._json(ITEM, member, column)
        elif isinstance(value, str):
            self._text(value, column)
        elif value is not None:
            self._text(json_text(value), column)
        xml.endElementNS((None, tag), tag)

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
                        {child.tag: _value_of(child) for child in row},
                    )
                    root.clear()
        except ElementTree.ParseError as exc:
            raise DestinationError(f"{shown} is not well-formed XML: {exc}", destination=shown) from None

    def columns(self, f: IO[bytes], shown: str) -> list[str] | None:
        first = next(self._rows(f, shown), None)
        return list(first[1]) if first else None

    def read(self, f: IO[bytes], record_set: RecordSet, shown: str) -> Iterator[list[Record]]:
        return coerced_batches(self._rows(f, shown), record_set, shown)


def _value_of(node: ElementTree.Element) -> Any:
    """A column's element as written: JSON as its value (or its text, from files that held JSON text)."""
    if node.get(JSON_TYPE) in ("object", "array"):
        return _json_of(node)
    return None if node.get(NIL) == "true" else (node.text or "")


def _xsd_name(path_name: str) -> str:
    stem, _, _ = path_name.rpartition(".")
    return f"{stem or path_name}.xsd"
