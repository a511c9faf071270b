"""Crafted hostile workbooks for the tests and the corpus: parts of a real .xlsx changed byte by byte.

The template filled with the sample portfolio keeps its sheets in these parts: sheet1 Instructions, sheet2
Priorities, sheet3 Capacity, sheet4 Criteria, sheet5 Rules, sheet6 Theme limits (all text written inline).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from optimiser.excel import template_workbook
from optimiser.formats import load_portfolio

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "icb_portfolio.json"
PRIORITIES_PART = "xl/worksheets/sheet2.xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"

Change = Callable[[bytes], bytes]


def sample_workbook() -> bytes:
    return template_workbook(load_portfolio(SAMPLE))


def rezip(data: bytes, changes: dict[str, Change], extra: dict[str, Iterable[bytes]] | None = None) -> bytes:
    """The workbook with some parts changed, and extra parts streamed in (chunk by chunk, so that a part of
    hundreds of megabytes never sits in memory)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, changes.get(info.filename, lambda b: b)(content))
        for name, chunks in (extra or {}).items():
            with target.open(name, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return out.getvalue()


def without_dimension(xml: bytes) -> bytes:
    return re.sub(rb"<dimension [^>]*/>", b"", xml)


def blank_rows_bomb(rows: int) -> bytes:
    """The sample workbook whose Priorities sheet has `rows` more empty rows and no <dimension> element: a
    few megabytes that unpack to tens or hundreds."""

    def rows_xml() -> Iterable[bytes]:
        step = 100_000
        for start in range(100, 100 + rows, step):
            yield b"".join(b'<row r="%d"/>' % r for r in range(start, min(start + step, 100 + rows)))

    head, tail = _split_sheet(sample_workbook())
    return _with_sheet_stream(head, rows_xml(), tail)


def _split_sheet(data: bytes) -> tuple[bytes, bytes]:
    xml = without_dimension(zipfile.ZipFile(io.BytesIO(data)).read(PRIORITIES_PART))
    cut = xml.index(b"</sheetData>")
    return xml[:cut], xml[cut:]


def _with_sheet_stream(head: bytes, middle: Iterable[bytes], tail: bytes) -> bytes:
    data = sample_workbook()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != PRIORITIES_PART:
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open(PRIORITIES_PART, "w", force_zip64=True) as stream:
                stream.write(head)
                for chunk in middle:
                    stream.write(chunk)
                stream.write(tail)
    return out.getvalue()


def shared_string_bomb(size: int) -> bytes:
    """The sample workbook whose first priority's name is one shared string of `size` letters."""

    def strings() -> Iterable[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        block = b"a" * 2**20
        for _ in range(size // len(block)):
            yield block
        yield b"a" * (size % len(block))
        yield b"</t></si></sst>"

    def types(xml: bytes) -> bytes:
        override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
        return xml.replace(b"</Types>", override.encode() + b"</Types>")

    def rels(xml: bytes) -> bytes:
        rel = f'<Relationship Id="rId99" Type="{SHARED_STRINGS_REL}" Target="sharedStrings.xml"/>'
        return xml.replace(b"</Relationships>", rel.encode() + b"</Relationships>")

    def name_cell(xml: bytes) -> bytes:
        return re.sub(rb'<c r="B2" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="B2" t="s"><v>0</v></c>', xml)

    changes = {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels, PRIORITIES_PART: name_cell}
    return rezip(sample_workbook(), changes, {"xl/sharedStrings.xml": strings()})


def with_priorities_xml(change: Change) -> bytes:
    """The sample workbook with the Priorities sheet's XML changed."""
    return rezip(sample_workbook(), {PRIORITIES_PART: change})


def truncated_sheet() -> bytes:
    return with_priorities_xml(lambda xml: xml[: len(xml) // 2])


def sheet_with_dtd(entity: bool = True) -> bytes:
    """A Priorities sheet that declares a DTD (with an entity used in a cell when `entity`)."""

    def change(xml: bytes) -> bytes:
        doctype = b'<!DOCTYPE worksheet [<!ENTITY boom "BOOM">]>' if entity else b"<!DOCTYPE worksheet>"
        xml = doctype + xml
        return xml.replace(b"<t>Reach 78%", b"<t>&boom;Reach 78%") if entity else xml

    return with_priorities_xml(change)


def wide_row(column: str = "KZ") -> bytes:
    """A value far to the right of the Priorities table, in column `column` of row 3."""
    cell = f'<c r="{column}3" t="inlineStr"><is><t>stray</t></is></c>'.encode()
    return with_priorities_xml(lambda xml: xml.replace(b'<row r="3">', b'<row r="3">' + cell, 1))


def many_rows(extra: int) -> bytes:
    """The Priorities sheet with `extra` empty rows below the table (each with one empty cell)."""
    head, tail = _split_sheet(sample_workbook())
    middle = (b'<row r="%d"><c r="A%d"/></row>' % (r, r) for r in range(50, 50 + extra))
    return _with_sheet_stream(head, [b"".join(middle)], tail)


FIXED_DATE = (2026, 1, 1, 0, 0, 0)


def deterministic(data: bytes) -> bytes:
    """The same workbook with fixed times (in core.xml and on every zip entry), so that it is written the same
    way every time."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", content)
            entry = zipfile.ZipInfo(info.filename, FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content, compresslevel=9)
    return out.getvalue()


def empty_rows_bomb(rows: int) -> bytes:
    """The sample workbook with `rows` identical empty rows streamed into its Priorities sheet, without a
    <dimension> element: 30 million rows pack into a few hundred kilobytes (the tester's file: 4.3 MB)."""
    block = b"<row/>" * 100_000
    head, tail = _split_sheet(sample_workbook())
    return _with_sheet_stream(head, (block for _ in range(rows // 100_000)), tail)
