"""Documents' text, directly: each charset Amazon labels documents with (and the supersets they really
are), byte-order marks, bytes that do not decode, and gzip undone a piece at a time."""

import gzip
import io

import pytest

from amazon_connector.errors import DocumentDecodeError, DocumentError
from amazon_connector.runtime.charsets import (
    Charset,
    Transcoder,
    charset_of,
    choose_charset,
)
from amazon_connector.runtime.documents import Gunzip

EUROPEAN = "Trinkflasche – groß, 9,99 € „Classic“ Größe\n"
JAPANESE = "ステンレス水筒 ブルー ①型 ㈱特製 ～\n"


def transcode(data: bytes, charset: Charset, piece: int = 3) -> tuple[str, Charset]:
    """Fed ``piece`` bytes at a time, so characters are split between pieces."""
    transcoder = Transcoder(charset)
    out = b"".join(transcoder.feed(data[i : i + piece]) for i in range(0, len(data), piece))
    return (out + transcoder.finish()).decode("utf-8"), transcoder.charset


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [
        ("UTF-8", EUROPEAN + JAPANESE, "utf-8"),
        ("utf8", EUROPEAN, "utf-8"),
        ("ISO-8859-1", EUROPEAN, "cp1252"),  # the label says Latin-1, the bytes are Windows-1252 (€, –, „)
        ("Cp1252", EUROPEAN, "cp1252"),
        ("windows-1252", EUROPEAN, "cp1252"),
        ("Windows-31J", JAPANESE, "cp932"),
        ("Shift_JIS", JAPANESE, "cp932"),  # ① and ㈱ are Windows-31J's, not Shift_JIS's
        ("MS932", JAPANESE, "cp932"),
        ("EUC-JP", "ステンレス水筒\n", "euc_jp"),
    ],
)
@pytest.mark.parametrize("piece", [1, 2, 7, 4096])
def test_each_charset_label_reads_as_its_superset(label, text, codec, piece):
    decoded, charset = transcode(text.encode(codec), Charset(label, "Content-Type"), piece)
    assert decoded == text
    assert charset.label == label


def test_windows_1252s_undefined_bytes_read_as_latin_1s_control_characters():
    assert transcode(b"a\x81b\x8d\x8f\x90\x9dc", Charset("ISO-8859-1", "Content-Type"))[0] == (
        "a\x81b\x8d\x8f\x90\x9dc"
    )


@pytest.mark.parametrize(
    ("bom", "codec", "found"),
    [
        (b"\xef\xbb\xbf", "utf-8", "utf-8"),
        (b"\xff\xfe", "utf-16-le", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be", "utf-16-be"),
    ],
)
def test_a_byte_order_mark_wins_over_the_label_and_is_dropped(bom, codec, found):
    decoded, charset = transcode(bom + JAPANESE.encode(codec), Charset("windows-1252", "Content-Type"), 1)
    assert decoded == JAPANESE
    assert (charset.label, charset.source) == (found, "byte-order mark")


def test_a_charset_asked_for_wins_over_a_byte_order_mark():
    decoded, charset = transcode(b"\xef\xbb\xbfabc", Charset("cp1252", "given"))
    assert decoded == "ï»¿abc"
    assert charset.source == "given"


def test_a_document_shorter_than_a_byte_order_mark():
    assert transcode(b"ab", Charset("UTF-8", "default"))[0] == "ab"
    assert transcode(b"", Charset("UTF-8", "default"))[0] == ""


def test_bytes_that_do_not_decode_name_the_byte_its_offset_the_charset_and_where_it_came_from():
    data = b"abc" + b"\xff" + b"def"
    with pytest.raises(DocumentDecodeError) as caught:
        transcode(data, Charset("UTF-8", "default"), 2)
    assert "not valid UTF-8 text (the default charset): byte 3 is ff" in caught.value.message
    assert "--encoding" in (caught.value.hint or "")
    japanese = "日本".encode("cp932") + b"\x82"  # a lead byte with nothing after it
    with pytest.raises(
        DocumentDecodeError, match=r"Windows-31J text \(charset from the Content-Type\): byte 4"
    ):
        transcode(japanese, Charset("Windows-31J", "Content-Type"), 1)


def test_a_european_document_read_as_utf_8_fails_clearly():
    with pytest.raises(DocumentDecodeError, match=r"not valid UTF-8 text \(the marketplace's charset\)"):
        transcode(EUROPEAN.encode("cp1252"), Charset("UTF-8", "marketplace"))
    with pytest.raises(DocumentDecodeError, match=r"not valid UTF-8 text \(the charset asked for\)"):
        transcode(EUROPEAN.encode("cp1252"), Charset("UTF-8", "given"))


def test_an_unknown_charset_is_refused_before_anything_is_read():
    with pytest.raises(DocumentDecodeError, match="'x-klingon' is not one Python knows"):
        Transcoder(Charset("x-klingon", "Content-Type"))


def test_the_charset_comes_from_what_was_asked_then_the_content_type_then_the_marketplace():
    assert charset_of("text/plain;charset=Cp1252") == "Cp1252"
    assert charset_of('text/plain; Charset="Windows-31J"') == "Windows-31J"
    assert charset_of("text/plain") is None
    assert charset_of(None) is None
    assert choose_charset("cp932", "text/plain;charset=UTF-8", "windows-1252") == Charset("cp932", "given")
    assert choose_charset(None, "text/plain;charset=UTF-8", "windows-1252") == Charset(
        "UTF-8", "Content-Type"
    )
    assert choose_charset(None, "text/plain", "windows-1252") == Charset("windows-1252", "marketplace")
    assert choose_charset(None, None, None) == Charset("UTF-8", "default")


def test_gzip_is_undone_a_piece_at_a_time_several_members_too():
    content = (EUROPEAN * 5000).encode()
    data = gzip.compress(content[:30000], mtime=0) + gzip.compress(content[30000:], mtime=0)
    gunzip = Gunzip("The report document X")
    out = b"".join(gunzip.feed(data[i : i + 1000]) for i in range(0, len(data), 1000))
    assert out + gunzip.finish() == content


def test_gzip_cut_short_or_broken_is_a_clear_error():
    data = gzip.compress(b"x" * 100_000)
    gunzip = Gunzip("The report document X")
    gunzip.feed(data[: len(data) // 2])
    with pytest.raises(DocumentError, match="ends before its gzip stream does"):
        gunzip.finish()
    with pytest.raises(DocumentError, match="is not valid gzip"):
        Gunzip("The report document X").feed(b"not gzip at all")


def test_the_text_file_reads_a_document_in_any_read_size():
    from amazon_connector.runtime.documents import _file, transcoded

    pieces = [JAPANESE.encode("cp932")[i : i + 5] for i in range(0, len(JAPANESE.encode("cp932")), 5)] * 100
    text = _file(transcoded(iter(pieces), Transcoder(Charset("Windows-31J", "Content-Type"))))
    assert isinstance(text, io.BufferedReader)
    assert text.readline().decode() == JAPANESE
    assert (text.read(7) + text.read()).decode() == JAPANESE * 99
