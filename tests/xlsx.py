#!/usr/bin/env python3
"""xlsx.py — build and inspect small .xlsx workbooks for the list tests, with nothing but zipfile.

  xlsx.py make OUT.xlsx ROWS.json   ROWS.json: a list of rows, each a list of cells:
        "text"                        a shared string
        {"inline": "text"}            an inline string
        {"n": 45000}                  a number in the General format
        {"date": 32946}               a date serial shown as dd/mm/yyyy (style 1, numFmt 164)
        null                          no cell
      rows start at 1 unless a row is {"row": N, "cells": [...]}.
  xlsx.py bomb OUT.xlsx             a valid workbook whose sheet unpacks to 64 MiB
  xlsx.py nosheet OUT.xlsx          a workbook whose first sheet's part is missing
  xlsx.py cells IN.xlsx             print the first sheet's cells (shared strings resolved),
                                    one row a line, cells joined with '|'
"""
import json
import re
import sys
import zipfile
from xml.sax.saxutils import escape

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook {NS} {RNS}><sheets><sheet name="Mẫu 02" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}">
<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{DOC}/styles" Target="styles.xml"/>
</Relationships>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet {NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""


def column(i):
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def sheet_xml(rows, strings):
    out = []
    number = 0
    for row in rows:
        if isinstance(row, dict):
            number, cells = row["row"], row["cells"]
        else:
            number, cells = number + 1, row
        xs = []
        for c, cell in enumerate(cells):
            ref = f"{column(c)}{number}"
            if cell is None:
                continue
            if isinstance(cell, str):
                if cell not in strings:
                    strings.append(cell)
                xs.append(f'<c r="{ref}" t="s"><v>{strings.index(cell)}</v></c>')
            elif "inline" in cell:
                xs.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(cell["inline"])}</t></is></c>')
            elif "date" in cell:
                xs.append(f'<c r="{ref}" s="1"><v>{cell["date"]}</v></c>')
            else:
                xs.append(f'<c r="{ref}"><v>{cell["n"]}</v></c>')
        out.append(f'<row r="{number}">{"".join(xs)}</row>')
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><sheetData>{"".join(out)}</sheetData></worksheet>'


def write(path, sheet, strings, skip=()):
    sst = "".join(f"<si><t xml:space=\"preserve\">{escape(s)}</t></si>" for s in strings)
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name not in skip:
                z.writestr(name, data)


def cells(path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            sst = z.read("xl/sharedStrings.xml").decode()
            for si in re.findall(r"<si>(.*?)</si>", sst, re.S):
                shared.append("".join(re.findall(r"<t[^>]*>(.*?)</t>", si, re.S)))
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        for row in re.findall(r"<row[^>]*>(.*?)</row>", sheet, re.S):
            vals = []
            for attrs, body in re.findall(r"<c([^>]*?)(?:/>|>(.*?)</c>)", row, re.S):
                v = re.search(r"<v>(.*?)</v>", body or "")
                t = re.search(r't="(\w+)"', attrs)
                if v and t and t.group(1) == "s":
                    vals.append(shared[int(v.group(1))])
                elif v:
                    vals.append(v.group(1))
                else:
                    vals.append("".join(re.findall(r"<t[^>]*>(.*?)</t>", body or "")))
            print("|".join(vals))


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "make":
        strings = []
        rows = json.load(open(sys.argv[3], encoding="utf-8"))
        write(path, sheet_xml(rows, strings), strings)
    elif cmd == "bomb":
        row = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        pad = " " * (64 * 1024 * 1024)
        write(path, f'<worksheet {NS}><sheetData>{row}</sheetData>{pad}</worksheet>', [])
    elif cmd == "nosheet":
        write(path, sheet_xml([["x"]], []), [], skip=("xl/worksheets/sheet1.xml",))
    elif cmd == "cells":
        cells(path)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
