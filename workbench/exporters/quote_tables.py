"""Quote sets as tables: CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl).

One row per quote, one column per attribute (:data:`workbench.exporters.quotes.COLUMNS`).
A cell that starts with = + - or @ would be taken for a formula by Excel: in CSV it gets a
leading apostrophe (the usual guard), in XLSX it is stored as text.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from workbench.exporters.quotes import COLUMNS, Layout, QuoteSet
from workbench.exporters.registry import QUOTE_FORMATS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WIDTHS = {"quote": 80, "citation": 40, "codes": 28, "group": 24, "document": 28,
           "context_before": 50, "context_after": 50, "role": 24, "organisation": 28}


def _rows(quote_set: QuoteSet, layout: Layout) -> list[dict[str, Any]]:
    if layout.group_by == "code":
        return [q.row() for _, quotes in quote_set.groups("code") for q in quotes]
    return [q.row() for q in quote_set.quotes]


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


@QUOTE_FORMATS.register("csv", extensions=(".csv",),
                        description="CSV: one row per quote (UTF-8 with BOM for Excel)")
def write_csv(quote_set: QuoteSet, path: Path, layout: Layout) -> None:
    """Write the set as CSV; the BOM makes Excel read æ, ø and å right."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in _rows(quote_set, layout):
            writer.writerow({k: _csv_cell(v) for k, v in row.items()})


@QUOTE_FORMATS.register("xlsx", extensions=(".xlsx",),
                        description="Excel: one row per quote, bold header, set widths")
def write_xlsx(quote_set: QuoteSet, path: Path, layout: Layout) -> None:
    """Write the set as an Excel workbook with a bold, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Quotes"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(_rows(quote_set, layout), start=2):
        for col_number, column in enumerate(COLUMNS, start=1):
            value = row[column]
            cell = sheet.cell(row=row_number, column=col_number)
            if isinstance(value, str):
                cell.value = _NOT_XML.sub("", value)
                cell.data_type = "s"  # never a formula, whatever the text starts with
            else:
                cell.value = value
            if column in ("quote", "context_before", "context_after", "citation"):
                cell.alignment = wrap
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(
            column, max(10, len(column) + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.creator = "workbench"
    book.properties.title = _NOT_XML.sub("", quote_set.title)
    book.save(str(path))
