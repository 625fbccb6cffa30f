"""Render the README's pictures from ``make demo``'s output: bookmark panel beside page 1.

Page 1 is the cover sheet (on by default). ``backup.png`` shows it beside the bookmark
panel; ``cover-sheet.png`` shows it alone, sharper, for the documentation.

Needs pdftoppm (poppler-utils) and Pillow (the ``bench`` extra): ``make demo`` first, then
``.venv/bin/python docs/_static/make_picture.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pypdf
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]


def outline_lines(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    """Each bookmark as (depth, "title   p. N")."""
    lines: list[tuple[int, str]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                assert isinstance(item, pypdf.generic.Destination)
                page = reader.get_destination_page_number(item)
                lines.append((depth, f"{item.title}   p. {(page or 0) + 1}"))

    walk(list(reader.outline), 0)
    return lines


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if dejavu.exists():
        return ImageFont.truetype(str(dejavu), size)
    return ImageFont.load_default(size=size)


def _render(pdf: Path, *, resolution: int) -> Image.Image:
    """Page 1 of *pdf* as an RGB image at *resolution* dots per inch."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-r", str(resolution), "-png", "-f", "1", "-l", "1", str(pdf), f"{tmp}/p"],
            check=True,
        )
        return Image.open(next(Path(tmp).glob("p*.png"))).convert("RGB")


def main() -> None:
    """Render docs/_static/backup.png from the newest backup in demo-output/."""
    pdfs = sorted((ROOT / "demo-output").glob("*.pdf"))
    if not pdfs:
        sys.exit("run `make demo` first")
    pdf = pdfs[-1]
    page = _render(pdf, resolution=90)
    _render(pdf, resolution=110).save(ROOT / "docs" / "_static" / "cover-sheet.png", optimize=True)
    lines = outline_lines(pypdf.PdfReader(pdf))
    font = _font(13)
    panel = Image.new("RGB", (420, page.height), (246, 246, 246))
    draw = ImageDraw.Draw(panel)
    draw.text((12, 10), "Bookmarks", fill=(0, 0, 0), font=_font(16))
    for row, (depth, text) in enumerate(lines):
        draw.text((12 + 18 * depth, 40 + 20 * row), text, fill=(30, 30, 30), font=font)
    picture = Image.new("RGB", (panel.width + page.width + 12, page.height), (200, 200, 200))
    picture.paste(panel, (0, 0))
    picture.paste(page, (panel.width + 12, 0))
    picture.save(ROOT / "docs" / "_static" / "backup.png", optimize=True)


if __name__ == "__main__":
    main()
