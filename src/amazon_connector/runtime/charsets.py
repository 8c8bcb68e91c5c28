"""The text of report and feed documents: which charset, and UTF-8 out of it, piece by piece.

Amazon names a document's charset in its ``Content-Type`` (``text/plain;charset=Cp1252``, ``…=Windows-31J``)
with Java's names, and the bytes do not always keep to the label: an ``ISO-8859-1`` document may hold
Windows-1252 characters (``€``, ``–``), a ``Shift_JIS`` one Windows-31J's (``①``, ``㈱``). So each label
reads as its superset, as browsers do (WHATWG): ISO-8859-1 and Windows-1252 as Windows-1252 (the five
bytes it leaves undefined as the C1 controls Latin-1 gives them), Shift_JIS and Windows-31J as cp932. A
byte-order mark wins over the label. Nothing here does I/O.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from amazon_connector.errors import DocumentDecodeError

_ALIASES = {
    "iso-8859-1": "amazon-windows-1252",
    "iso8859-1": "amazon-windows-1252",
    "latin1": "amazon-windows-1252",
    "latin-1": "amazon-windows-1252",
    "l1": "amazon-windows-1252",
    "us-ascii": "amazon-windows-1252",
    "ascii": "amazon-windows-1252",
    "cp1252": "amazon-windows-1252",
    "windows-1252": "amazon-windows-1252",
    "x-cp1252": "amazon-windows-1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "ms_kanji": "cp932",
    "cp932": "cp932",
    "csshiftjis": "cp932",
    "utf8": "utf-8",
    "utf-8": "utf-8",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LONGEST_BOM = 4
_C1_ERRORS = "amazon-c1"


def _c1_controls(error: UnicodeError) -> tuple[str, int]:
    """Windows-1252's five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) as the C1 controls."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    undefined = error.object[error.start : error.end]
    if all(b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) for b in undefined):
        return undefined.decode("latin-1"), error.end
    raise error


codecs.register_error(_C1_ERRORS, _c1_controls)


def codec_name(charset: str) -> str:
    """Python's codec for a charset label (Java's or IANA's name); ``amazon-windows-1252`` is
    Windows-1252 with the C1 controls. An unknown label is a DocumentDecodeError."""
    label = charset.strip().strip('"').lower()
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        return codecs.lookup(label).name
    except LookupError:
        raise DocumentDecodeError(
            f"The document's charset {charset!r} is not one Python knows.",
            hint="Read it as another charset (encoding=…, --encoding), or download Amazon's bytes (--raw).",
        ) from None


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if it has one."""
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


@dataclass(frozen=True, slots=True)
class Charset:
    """How a document's text is read: the label it came from and where that label came from."""

    label: str
    source: str
    """``given`` (asked for), ``Content-Type``, ``byte-order mark``, ``marketplace`` or ``default``."""

    @property
    def origin(self) -> str:
        """Where the label came from, in words."""
        return {
            "given": "the charset asked for",
            "Content-Type": "charset from the Content-Type",
            "byte-order mark": "charset from its byte-order mark",
            "marketplace": "the marketplace's charset",
            "default": "the default charset",
        }.get(self.source, f"charset from {self.source}")

    @property
    def codec(self) -> str:
        return codec_name(self.label)


def choose_charset(given: str | None, content_type: str | None, fallback: str | None) -> Charset:
    """The charset to read a document with: the one asked for, else the Content-Type's, else
    ``fallback`` (the marketplace's), else UTF-8. A byte-order mark may still override it
    (``Transcoder``)."""
    if given:
        return Charset(given, "given")
    if named := charset_of(content_type):
        return Charset(named, "Content-Type")
    if fallback:
        return Charset(fallback, "marketplace")
    return Charset("UTF-8", "default")


class Transcoder:
    """Bytes of a document in its charset in, UTF-8 out, in pieces (a character split between two pieces
    is kept until the next). A byte-order mark at the start is dropped and sets the charset, unless one was
    asked for (``Charset.source == 'given'``)."""

    def __init__(self, charset: Charset, *, name: str = "The document") -> None:
        self.charset = charset
        self.name = name
        self._decoder: codecs.IncrementalDecoder | None = None
        self._utf8 = False
        """UTF-8 in: checked, and handed on as it is (no decoding into text and back)."""
        self._carry = b""
        self._head = b""
        self._offset = 0
        """Bytes handed to the decoder so far (for error messages)."""
        codec_name(charset.label)  # an unknown label fails before anything is read

    def _start(self, data: bytes, final: bool) -> bytes | None:
        """Look for a byte-order mark; None while the first bytes may still be one."""
        data = self._head + data
        if len(data) < _LONGEST_BOM and not final:
            self._head = data
            return None
        self._head = b""
        codec = self.charset.codec
        for bom, bom_codec in _BOMS:
            if data.startswith(bom):
                if self.charset.source != "given":
                    self.charset = Charset(bom_codec, "byte-order mark")
                    codec = bom_codec
                if codec == bom_codec:
                    data = data[len(bom) :]
                    self._offset = len(bom)
                break
        errors = _C1_ERRORS if codec == "amazon-windows-1252" else "strict"
        self._decoder = codecs.getincrementaldecoder("cp1252" if errors == _C1_ERRORS else codec)(errors)
        self._utf8 = codec == "utf-8"
        return data

    def feed(self, data: bytes, *, final: bool = False) -> bytes:
        """UTF-8 for the next bytes of the document (``final``: they are its last)."""
        if self._decoder is None:
            started = self._start(data, final)
            if started is None:
                return b""
            data = started
        assert self._decoder is not None
        if self._utf8:
            if not self._carry and data.isascii():  # ASCII is UTF-8, whole: no text made to check it
                self._offset += len(data)
                return data
            data = self._carry + data
            try:
                consumed = codecs.utf_8_decode(data, "strict", final)[1]
            except UnicodeDecodeError as exc:
                raise self._failure(exc, self._offset + exc.start) from None
            self._carry = data[consumed:]
            self._offset += consumed
            return data[:consumed]
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            pending = len(exc.object) - len(data)  # bytes kept from the previous piece
            raise self._failure(exc, self._offset + exc.start - pending) from None
        self._offset += len(data)
        return text.encode("utf-8")

    def _failure(self, exc: UnicodeDecodeError, at: int) -> DocumentDecodeError:
        return DocumentDecodeError(
            f"{self.name} is not valid {self.charset.label} text ({self.charset.origin}): "
            f"byte {at} is {exc.object[exc.start : exc.end].hex(' ')}.",
            hint="Read it as its real charset (encoding=…, --encoding), e.g. cp1252, cp932 or UTF-8; "
            "or download Amazon's bytes as they are (--raw).",
        )

    def finish(self) -> bytes:
        """The last characters; an error if the document ended inside one."""
        return self.feed(b"", final=True)
