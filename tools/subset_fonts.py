"""Build the bundled report fonts: a GBK subset of Noto Sans CJK SC (regular + bold), renamed.

Usage: python tools/subset_fonts.py [--source-dir /usr/share/fonts/opentype/noto] [--out portal/static/fonts]

Reads Debian's `fonts-noto-cjk` collections (face index 2 = Simplified Chinese), keeps every
character encodable in GBK plus ASCII, Latin-1, common punctuation and the symbols the report
uses, renames the family to "PortalSans" (a name no system font has, and free of the OFL
reserved names) and writes PortalSans-Regular.otf / PortalSans-Bold.otf, OFL.txt and
fonts.conf (a fontconfig file that lists only the output folder).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "PortalSans"
SC_FACE_INDEX = 2  # NotoSansCJK-*.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
FACES = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
ROOT = Path(__file__).resolve().parent.parent

# Symbols the report and charts use beyond GBK (some are in GBK already; duplicates are harmless).
EXTRA_CHARACTERS = "×÷±≥≤≠≈→←↑↓•●○◆◇■□▲△▼▽★☆✓✔✗✘…–—‘’“”《》〈〉「」『』【】、。·°‰€¥™®©"


def gbk_characters() -> set[int]:
    """Return every code point encodable in GBK (two-byte range 0x81-0xFE x 0x40-0xFE)."""
    code_points: set[int] = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                text = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
            code_points.update(ord(ch) for ch in text)
    return code_points


def wanted_characters() -> set[int]:
    """Return the code points the subset must cover."""
    code_points = gbk_characters()
    code_points.update(range(0x20, 0x7F))  # ASCII
    code_points.update(range(0xA0, 0x180))  # Latin-1 supplement + Latin Extended-A
    code_points.update(range(0x2000, 0x2070))  # general punctuation
    code_points.update(range(0x2460, 0x24A0))  # circled / parenthesised numbers ① ⑴ ⒈
    code_points.update(range(0x3000, 0x3040))  # CJK symbols and punctuation
    code_points.update(range(0xFF00, 0xFFF0))  # half- and full-width forms
    code_points.update(ord(ch) for ch in EXTRA_CHARACTERS)
    return code_points


def rename(font: TTFont, style: str) -> None:
    """Give the font the bundled family name in every name record that carries one."""
    postscript = f"{FAMILY}-{style}"
    full = f"{FAMILY} {style}" if style != "Regular" else FAMILY
    name_table = font["name"]
    for record in list(name_table.names):
        if record.nameID in (16, 17, 21, 22):  # typographic names: drop, 1/2 are enough
            name_table.removeNames(nameID=record.nameID)
    values = {
        1: FAMILY,
        2: style,
        3: f"{postscript};subset of Noto Sans CJK SC 2.004",
        4: full,
        6: postscript,
    }
    for record in name_table.names:
        if record.nameID in values:
            record.string = values[record.nameID]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName = full
        top.FamilyName = FAMILY


def subset_face(source: Path, style: str, code_points: set[int], out_dir: Path) -> Path:
    """Subset one face of the collection and write it as PortalSans-<style>.otf."""
    font = TTFont(source, fontNumber=SC_FACE_INDEX)
    options = subset.Options()
    options.layout_features = ["*"]  # keep kerning, ligatures, vertical forms, locl
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    rename(font, style)
    target = out_dir / f"{FAMILY}-{style}.otf"
    font.save(target)
    return target


def licence_text(font_path: Path) -> str:
    """Return the OFL text with the upstream copyright and the renaming notice."""
    font = TTFont(font_path, lazy=True)
    copyright_line = font["name"].getDebugName(0) or "© 2014-2021 Adobe (http://www.adobe.com/)."
    debian = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
    match = re.search(r"^License: SIL-1\.1\n( -+\n.*?)(?=^License: |\Z)", debian, re.S | re.M)
    if not match:
        raise SystemExit(f"OFL text not found in {DEBIAN_COPYRIGHT}")
    body = "\n".join("" if line.strip() == "." else line[1:] for line in match.group(1).splitlines())
    header = (
        f"{FAMILY}-Regular.otf and {FAMILY}-Bold.otf are a Modified Version (subset: GBK + punctuation,\n"
        f"renamed to '{FAMILY}') of Noto Sans CJK SC from Debian's fonts-noto-cjk package,\n"
        "produced by tools/subset_fonts.py.\n\n"
        f"Copyright {copyright_line.lstrip('©').strip().rstrip('.')}, with Reserved Font Name 'Source'.\n"
        "Noto is a trademark of Google Inc.\n\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n\n"
    )
    return header + body.strip() + "\n"


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- Only the bundled report fonts: system fonts never change the PDF output.
     The folder is relative to this file. -->
<fontconfig>
  <dir prefix="relative">.</dir>
  <cachedir>/tmp/portal-fontconfig-cache</cachedir>
  <config><rescan><int>0</int></rescan></config>
</fontconfig>
"""


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=Path("/usr/share/fonts/opentype/noto"))
    parser.add_argument("--out", type=Path, default=ROOT / "portal" / "static" / "fonts")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    code_points = wanted_characters()
    print(f"{len(code_points)} code points wanted")
    written = []
    for style, filename in FACES.items():
        target = subset_face(args.source_dir / filename, style, code_points, args.out)
        cmap = TTFont(target, lazy=True).getBestCmap()
        missing_gbk = sum(1 for cp in gbk_characters() if cp not in cmap)
        print(
            f"{target}: {target.stat().st_size / 1e6:.1f} MB, {len(cmap)} characters, {missing_gbk} GBK missing"
        )
        written.append(target)
    (args.out / "OFL.txt").write_text(licence_text(written[0]), encoding="utf-8")
    (args.out / "fonts.conf").write_text(FONTS_CONF, encoding="utf-8")
    print(f"wrote {args.out / 'OFL.txt'} and {args.out / 'fonts.conf'}")


if __name__ == "__main__":
    main()
