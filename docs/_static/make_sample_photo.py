"""Draw the sample project's delivery photo (``src/invoicebackup/sample_delivery_photo.jpg``).

A phone photo of steel beams delivered to site, as phones store one: landscape pixels with
an EXIF orientation of 6 (shown turned a quarter clockwise, so upright in portrait) and a
nominal 72 dpi. The library ships the JPEG (the sample needs no Pillow); this script is how
it was made: ``.venv/bin/python docs/_static/make_sample_photo.py``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[2] / "src" / "invoicebackup" / "sample_delivery_photo.jpg"


def main() -> None:
    """Draw the upright picture, store it turned, and tag it with its orientation."""
    upright = Image.new("RGB", (360, 480), (150, 190, 230))
    draw = ImageDraw.Draw(upright)
    draw.rectangle((0, 300, 360, 480), fill=(120, 110, 95))  # the yard
    for row in range(4):  # a stack of wide-flange beams, ends towards the camera
        for column in range(3):
            left, top = 40 + column * 95, 370 - row * 50
            draw.rectangle((left, top, left + 80, top + 10), fill=(70, 75, 85))
            draw.rectangle((left + 35, top + 10, left + 45, top + 38), fill=(70, 75, 85))
            draw.rectangle((left, top + 38, left + 80, top + 48), fill=(70, 75, 85))
    draw.text((20, 20), "DELIVERED: W12x26 x 12", fill=(20, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    stored.save(OUT, "JPEG", quality=60, exif=exif.tobytes(), dpi=(72, 72))


if __name__ == "__main__":
    main()
