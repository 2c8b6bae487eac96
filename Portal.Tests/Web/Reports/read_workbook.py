"""Reads a workbook with openpyxl (an independent reader) and prints what the tests check, as JSON.

Usage: read_workbook.py FILE.xlsx
"""
import json
import sys

import openpyxl


def describe(path):
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                value = cell.value
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                cells.append({"ref": cell.coordinate, "type": cell.data_type, "value": value, "format": cell.number_format})
        sheets.append({
            "name": ws.title,
            "tables": {name: ref for name, ref in ws.tables.items()},
            "freeze": ws.freeze_panes,
            "orientation": ws.page_setup.orientation,
            # fitToWidth defaults to 1 in the schema (writers may leave it out); 0 pages tall means "as many as needed".
            "fitToPage": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
            "fitToWidth": 1 if ws.page_setup.fitToWidth is None else ws.page_setup.fitToWidth,
            "fitToHeight": ws.page_setup.fitToHeight,
            "charts": [type(c).__name__ for c in ws._charts],
            "widths": {k: v.width for k, v in ws.column_dimensions.items() if v.width},
            "conditional": [str(r.sqref) for r in ws.conditional_formatting],
            "maxRow": ws.max_row,
            "cells": cells,
        })
    props = wb.properties
    return {"sheets": sheets, "title": props.title, "creator": props.creator, "subject": props.subject}


if __name__ == "__main__":
    json.dump(describe(sys.argv[1]), sys.stdout, ensure_ascii=False)
