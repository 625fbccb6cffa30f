"""Images are pages: photos and scans attached as JPEG, PNG, TIFF, GIF, WebP or BMP.

Every image is made here with Pillow, compiled into a backup, found through the manifest's
page range and read back with pikepdf: the bytes (JPEG, Group 4) or the pixels (every
lossless format) are compared with the source, and what the page shows (its matrix applied)
with the source turned by its EXIF orientation.
"""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from invoicebackup import BackupOptions, BadDocumentError
from invoicebackup._imageheaders import Header
from invoicebackup._images import PAPER_SIZES, placement
from invoicebackup.cli import EXIT_WARNINGS, main
from invoicebackup.manifest import Action
from invoicebackup.testing import write_sample_project
from tests.backup_helpers import cover_pages
from tests.image_helpers import (
    blank_g4,
    compile_files,
    compiled,
    decoded,
    drawing,
    encoded,
    extracted,
    page_size,
    pages_of,
    quadrants,
    same_pixels,
    sha256,
    shown,
    source,
    tiff,
    xobject,
)

#: What Pillow's ``transpose`` does to show each EXIF orientation (what exif_transpose does).
_SHOW = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def test_a_jpeg_is_its_page_image_byte_for_byte() -> None:
    """A JPEG's bytes are the page's DCT stream unchanged; the manifest names it with its hash."""
    photo = encoded(quadrants((640, 480)), "JPEG", quality=80, dpi=(150, 150))
    result, pdf = compile_files({"receipt.jpg": photo})
    record = source(result, "receipt.jpg")
    assert (record.image, record.sha256, record.pages) == ("JPEG", sha256(photo), 1)
    (page,) = pages_of(result, pdf, "receipt.jpg")
    ((_, name),) = drawing(page)
    stream = page.Resources.XObject[name]
    assert stream.Filter == pikepdf.Name.DCTDecode
    assert stream.read_raw_bytes() == photo
    assert result.left_out == ()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_shown_upright(orientation: int) -> None:
    """A photo stored turned or mirrored, with its EXIF orientation, is shown upright.

    The JPEG's pixels are not re-encoded: what the page shows (its matrix applied to the
    decoded stream) equals Pillow's ``exif_transpose`` of the source; the page has the
    upright picture's proportions (at 100 dpi, its real size).
    """
    upright = quadrants((400, 240))
    stored = upright if orientation == 1 else upright.transpose(_inverse(orientation))
    photo = encoded(stored, "JPEG", quality=95, exif=_exif(orientation), dpi=(100, 100))
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(photo)))
    assert expected is not None
    result, pdf = compile_files({"photo.jpg": photo})
    (page,) = pages_of(result, pdf, "photo.jpg")
    assert page_size(page) == pytest.approx((400 * 0.72, 240 * 0.72))
    assert "/Rotate" not in page
    assert same_pixels(expected.convert("RGB"), shown(page))


def _inverse(orientation: int) -> Image.Transpose:
    """The transpose that, undone by *orientation*'s display transform, gives the original."""
    inverse = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    return inverse.get(orientation, _SHOW[orientation])


def test_a_300_dpi_letter_scan_is_a_letter_page() -> None:
    """A 2550 x 3300 scan at 300 dpi is an 8.5 x 11 in page, whatever its format."""
    scan = Image.new("L", (2550, 3300), 255)
    files = {
        "scan.jpg": encoded(scan, "JPEG", dpi=(300, 300)),
        "scan.png": encoded(scan, "PNG", dpi=(300, 300)),
        "scan.tif": encoded(scan.convert("1"), "TIFF", compression="group4", dpi=(300, 300)),
    }
    result, pdf = compile_files(files)
    for name in files:
        (page,) = pages_of(result, pdf, name)
        assert page_size(page) == pytest.approx((612, 792), abs=0.01), name


@pytest.mark.parametrize(("paper", "portrait"), [("letter", (612, 792)), ("a4", (595.28, 841.89))])
def test_an_image_without_resolution_is_fitted_on_paper_never_upscaled(
    paper: str, portrait: tuple[float, float]
) -> None:
    """No resolution: the page is the paper size, landscape for a wide image; not enlarged.

    A small image is drawn at one point per pixel (72 dpi), centred; a large one is
    scaled down to fit within half-inch margins.
    """
    small = encoded(quadrants((300, 200)), "PNG")
    large = encoded(quadrants((3000, 4000)), "PNG")
    result, pdf = compile_files(
        {"small.png": small, "large.png": large}, BackupOptions(paper_size=paper)
    )
    (page,) = pages_of(result, pdf, "small.png")
    assert page_size(page) == pytest.approx((portrait[1], portrait[0]))
    ((matrix, _),) = drawing(page)
    assert matrix[0] == pytest.approx(300)
    assert matrix[3] == pytest.approx(200)
    assert matrix[4] == pytest.approx((portrait[1] - 300) / 2)
    (page,) = pages_of(result, pdf, "large.png")
    assert page_size(page) == pytest.approx(portrait)
    ((matrix, _),) = drawing(page)
    scale = min((portrait[0] - 72) / 3000, (portrait[1] - 72) / 4000)
    assert (matrix[0], matrix[3]) == pytest.approx((3000 * scale, 4000 * scale))


def _png_rgb16(width: int, height: int) -> tuple[bytes, bytes]:
    """A 48-bit colour PNG (which Pillow cannot write), rows filtered None and Up; its samples."""
    samples = bytes((n * 37 + n // 5) % 256 for n in range(width * height * 6))
    stride = width * 6
    rows = []
    for y in range(height):
        row = samples[y * stride : (y + 1) * stride]
        if y % 2:  # Up: each byte minus the one above it
            above = samples[(y - 1) * stride : y * stride]
            rows.append(b"\x02" + bytes((a - b) % 256 for a, b in zip(row, above, strict=True)))
        else:
            rows.append(b"\x00" + row)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x10\x02\x00\x00\x00"
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
    return png, samples


def test_an_opaque_png_is_copied_as_it_is_even_at_16_bits_a_colour() -> None:
    """An opaque PNG's zlib data are the page's Flate stream with the PNG predictor, unchanged.

    A 48-bit colour PNG keeps its 16 bits a channel (decoding it would keep 8).
    """
    png, samples = _png_rgb16(40, 30)
    result, pdf = compile_files({"deep.png": png})
    (page,) = pages_of(result, pdf, "deep.png")
    ((_, name),) = drawing(page)
    stream = xobject(page, name)
    assert (int(stream.BitsPerComponent), int(stream.DecodeParms.Predictor)) == (16, 15)
    assert stream.read_raw_bytes() in png
    assert stream.read_bytes() == samples
    assert source(result, "deep.png").image == "PNG"


def _rgba() -> Image.Image:
    image = quadrants((64, 48)).convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize((64, 48)))
    return image


def _palette_with_transparency() -> Image.Image:
    image = quadrants((64, 48)).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    image.info["transparency"] = 0
    return image


LOSSLESS = {
    "rgb.png": lambda: encoded(quadrants((64, 48)), "PNG"),
    "grey16.png": lambda: encoded(
        Image.frombytes(
            "I;16", (64, 48), b"".join((n * 21).to_bytes(2, "little") for n in range(64 * 48))
        ),
        "PNG",
    ),
    "palette.png": lambda: encoded(
        quadrants((64, 48)).convert("P", palette=Image.Palette.ADAPTIVE, colors=8), "PNG"
    ),
    "bilevel.png": lambda: encoded(quadrants((64, 48)).convert("1"), "PNG"),
    "rgb.bmp": lambda: encoded(quadrants((64, 48)), "BMP"),
    "lzw.tif": lambda: encoded(quadrants((64, 48)), "TIFF", compression="tiff_lzw"),
    "cmyk.tif": lambda: encoded(quadrants((64, 48), "CMYK"), "TIFF"),
    "lossless.webp": lambda: encoded(quadrants((64, 48)), "WEBP", lossless=True),
    "still.gif": lambda: encoded(quadrants((64, 48)), "GIF"),
}


@pytest.mark.parametrize("name", LOSSLESS)
def test_lossless_images_keep_their_pixels(name: str) -> None:
    """PNG (8 and 16 bits, palette, bilevel), BMP, TIFF (LZW, CMYK), lossless WebP, GIF.

    Each page's image, decoded from the PDF, has the source's pixels exactly, in the
    source's own colour model.
    """
    data_in = LOSSLESS[name]()
    original = Image.open(io.BytesIO(data_in))
    original.load()
    result, pdf = compile_files({name: data_in})
    assert result.left_out == ()
    (page,) = pages_of(result, pdf, name)
    ((_, image_name),) = drawing(page)
    back = extracted(page, image_name)
    if original.mode == "P":
        assert back.mode == "P"
        assert back.tobytes() == original.tobytes()
        assert same_pixels(original.convert("RGB"), back.convert("RGB"))
    elif original.mode.startswith("I"):
        assert page.Resources.XObject[image_name].BitsPerComponent == 16
        values = pikepdf.PdfImage(xobject(page, image_name)).read_bytes()
        assert values == original.tobytes("raw", "I;16B")
    else:
        assert same_pixels(original, back)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("rgba.png", lambda: encoded(_rgba(), "PNG")),
        ("palette-transparent.png", lambda: encoded(_palette_with_transparency(), "PNG")),
        ("grey-alpha.png", lambda: encoded(_rgba().convert("LA"), "PNG")),
    ],
)
def test_transparency_is_kept_as_a_soft_mask(name: str, make: object) -> None:
    """RGBA, LA and a palette with a transparent colour: colour and alpha both exact."""
    assert callable(make)
    data_in = make()
    original = Image.open(io.BytesIO(data_in)).convert("RGBA")
    result, pdf = compile_files({name: data_in})
    (page,) = pages_of(result, pdf, name)
    ((_, image_name),) = drawing(page)
    stream = page.Resources.XObject[image_name]
    alpha = decoded(stream.SMask)
    assert alpha.tobytes() == original.getchannel("A").tobytes()
    colour = extracted(page, image_name).convert("RGB")
    assert colour.tobytes() == original.convert("RGB").tobytes()


def test_a_multi_page_g4_tiff_is_copied_strip_for_strip() -> None:
    """A faxed, three-page Group 4 TIFF is three pages; its strips are the PDF's images as they are.

    Each page decodes to the source page's pixels (Pillow's libtiff decoder as the
    reference), in Pillow's own G4 TIFFs (several strips, BlackIsZero).
    """
    pages = [quadrants((400, 300 + 50 * n)).convert("1") for n in range(3)]
    fax = encoded(pages[0], "TIFF", compression="group4", save_all=True, append_images=pages[1:])
    result, pdf = compile_files({"waiver.tif": fax})
    record = source(result, "waiver.tif")
    assert (record.image, record.pages) == ("TIFF", 3)
    reference = Image.open(io.BytesIO(fax))
    for index, page in enumerate(pages_of(result, pdf, "waiver.tif")):
        reference.seek(index)
        strips = [page.Resources.XObject[name] for _, name in drawing(page)]
        assert all(strip.Filter == pikepdf.Name.CCITTFaxDecode for strip in strips)
        assert b"".join(strip.read_raw_bytes() for strip in strips) in fax
        stacked = Image.new("1", reference.size)
        top = 0
        for strip in strips:
            piece = decoded(strip).convert("1")
            stacked.paste(piece, (0, top))
            top += piece.height
        assert same_pixels(reference.convert("1"), stacked)


def test_a_white_is_zero_fax_is_not_inverted() -> None:
    """A hand-made Group 4 TIFF (WhiteIsZero, one strip) shows white where it is white."""
    fax = tiff([(200, 100, blank_g4(200, 100))], photometric=0)
    assert Image.open(io.BytesIO(fax)).convert("L").getextrema() == (255, 255)
    result, pdf = compile_files({"fax.tif": fax})
    (page,) = pages_of(result, pdf, "fax.tif")
    ((_, name),) = drawing(page)
    assert bool(page.Resources.XObject[name].DecodeParms.BlackIs1) is False
    assert extracted(page, name).convert("L").getextrema() == (255, 255)


def test_cmyk_jpegs_with_an_adobe_marker_are_inverted_back() -> None:
    """An Adobe CMYK JPEG (stored inverted) gets /Decode [1 0 ...]; one without the marker none."""
    adobe = encoded(Image.new("CMYK", (32, 32), (10, 80, 160, 40)), "JPEG")
    assert b"Adobe" in adobe
    start = adobe.index(b"\xff\xee")
    plain = adobe[:start] + adobe[start + 2 + int.from_bytes(adobe[start + 2 : start + 4]) :]
    result, pdf = compile_files({"adobe.jpg": adobe, "plain.jpg": plain})
    for name, decode in (("adobe.jpg", [1, 0] * 4), ("plain.jpg", None)):
        (page,) = pages_of(result, pdf, name)
        ((_, image_name),) = drawing(page)
        stream = page.Resources.XObject[image_name]
        assert stream.ColorSpace == pikepdf.Name.DeviceCMYK
        found = stream.get("/Decode")
        assert (None if found is None else [int(v) for v in found]) == decode, name


def test_an_animated_gif_is_its_first_frame_and_says_so() -> None:
    """Every frame of an animated GIF is not a page: the first is, and a note counts them."""
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "lime", "blue")]
    gif = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    result, pdf = compile_files({"delivery.gif": gif})
    record = source(result, "delivery.gif")
    assert record.pages == 1
    assert any("3 frames" in note and "first frame" in note for note in record.notes)
    (page,) = pages_of(result, pdf, "delivery.gif")
    assert shown(page).convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_the_bytes_decide_and_a_mismatch_is_a_note() -> None:
    """A "PDF" that is a JPEG becomes an image page; a ".jpg" that is a PDF, its pages; noted."""
    from invoicebackup.testing import text_pdf

    photo = encoded(quadrants((80, 60)), "JPEG")
    result, pdf = compile_files(
        {"scan.pdf": photo, "photo.jpg": (text_pdf(["a", "b"]), "image/jpeg")}
    )
    scan = source(result, "scan.pdf")
    assert (scan.image, scan.pages) == ("JPEG", 1)
    assert any("application/pdf" in note and "JPEG image" in note for note in scan.notes)
    copied = source(result, "photo.jpg")
    assert (copied.image, copied.pages) == (None, 2)
    assert any("image/jpeg" in note and "PDF" in note for note in copied.notes)
    assert result.left_out == ()
    assert len(pdf.pages) == cover_pages(result) + 1 + 1 + 2


def test_images_give_the_same_bytes_every_time() -> None:
    """Decoded (Flate) and copied images: the same inputs and now give the same backup bytes."""
    files = {
        "photo.jpg": encoded(quadrants((80, 60)), "JPEG", exif=_exif(6)),
        "rgba.png": encoded(_rgba(), "PNG"),
        "scan.tif": encoded(quadrants((90, 70)), "TIFF", compression="tiff_lzw"),
    }
    first, data = compiled(files)
    second, again = compiled(files)
    assert first.manifest == second.manifest
    assert data == again
    assert [s.image for s in first.invoices[0].sources] == [None, "JPEG", "PNG", "TIFF"]


def test_images_skip_leaves_every_image_out_and_lists_it() -> None:
    """images="skip": images are listed as left out (image_skipped), PDFs still go in."""
    from invoicebackup.testing import text_pdf

    files = {"photo.jpg": encoded(quadrants((80, 60)), "JPEG"), "w.pdf": text_pdf(["w"])}
    result, _ = compile_files(files, BackupOptions(images="skip"))
    assert [(e.filename, e.code, e.action) for e in result.left_out] == [
        ("photo.jpg", "image_skipped", Action.SKIPPED)
    ]
    assert source(result, "w.pdf").pages == 1


def test_without_pillow_jpegs_and_faxes_still_go_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the images extra an RGBA PNG is left out (needs_images_extra).

    A JPEG, a Group 4 TIFF and an opaque PNG, copied as they are, go in without it.
    """
    from invoicebackup import _images

    monkeypatch.setattr(_images, "pillow", lambda: None)
    files = {
        "photo.jpg": encoded(quadrants((80, 60)), "JPEG"),
        "fax.tif": tiff([(200, 100, blank_g4(200, 100))]),
        "opaque.png": encoded(quadrants((80, 60)), "PNG"),
        "chart.png": encoded(_rgba(), "PNG"),
    }
    result, _ = compile_files(files, BackupOptions(on_bad_document="fail"))
    (entry,) = result.left_out
    assert (entry.filename, entry.code, entry.action) == (
        "chart.png",
        "needs_images_extra",
        Action.SKIPPED,
    )
    assert "Pillow" in entry.reason
    assert "invoicebackup[images]" in entry.reason
    for name in ("photo.jpg", "fax.tif", "opaque.png"):
        assert source(result, name).pages == 1


# -- bad and hostile images ---------------------------------------------------------------


def _png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG whose header claims *width* x *height* pixels; a few bytes of data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
        )

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )


def _gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose screen and one image claim *width* x *height* pixels; one pixel of data."""
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return b"GIF89a" + screen + image + b"\x02\x02\x4c\x01\x00;"


def _corrupted_png() -> bytes:
    data = bytearray(encoded(quadrants((200, 150)), "PNG"))
    start = data.index(b"IDAT") + 40
    data[start : start + 64] = bytes(64)
    return bytes(data)


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "truncated.jpg": (lambda: encoded(quadrants((400, 300)), "JPEG")[:3000], "damaged"),
    "truncated.png": (lambda: encoded(quadrants((400, 300)), "PNG")[:900], "damaged"),
    "corrupted.png": (_corrupted_png, "damaged"),
    "header.jpg": (lambda: b"\xff\xd8\xff\xc0\x00\x03", "damaged"),
    "ifd.tif": (lambda: b"II*\x00\xff\xff\x00\x00" + bytes(64), "damaged"),
    "short.png": (lambda: _png_claiming(200, 150), "damaged"),  # sound chunks, too few rows
    "bomb.png": (lambda: _png_claiming(100_000, 100_000), "too_large"),
    "bomb.gif": (lambda: _gif_claiming(65535, 65535), "too_large"),
}


@pytest.mark.parametrize("policy", ["placeholder", "skip", "fail"])
@pytest.mark.parametrize("name", HOSTILE)
def test_bad_images_follow_the_bad_document_policy(name: str, policy: str) -> None:
    """Cut short, corrupted, a bad header, a decompression bomb: a typed verdict, no traceback.

    Nothing of the image is in the backup; the placeholder policy puts its page instead.
    """
    make, code = HOSTILE[name]
    options = BackupOptions(on_bad_document=policy)
    if policy == "fail":
        with pytest.raises(BadDocumentError) as caught:
            compile_files({name: make()}, options)
        assert (caught.value.code, caught.value.filename) == (code, name)
        return
    result, pdf = compile_files({name: make()}, options)
    (entry,) = result.left_out
    assert (entry.filename, entry.code) == (name, code)
    assert entry.action is (Action.PLACEHOLDER if policy == "placeholder" else Action.SKIPPED)
    assert len(pdf.pages) == cover_pages(result) + 1 + (policy == "placeholder")
    assert not any("/XObject" in page.Resources for page in pdf.pages)


def test_a_decompression_bomb_is_refused_on_its_header_without_decoding() -> None:
    """A 100,000 x 100,000 PNG of a few hundred bytes: refused before Pillow opens it."""
    bomb = _png_claiming(100_000, 100_000)
    tracemalloc.start()
    try:
        result, _ = compile_files({"bomb.png": bomb})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (entry,) = result.left_out
    assert "100000 x 100000 pixels" in entry.reason
    assert peak < 20_000_000


def test_sixty_pages_of_ten_thousand_squared_are_bounded() -> None:
    """A 60-page TIFF of 10,000 x 10,000 pixel faxes: too large by default; copied when allowed.

    Past the default limit (80 million pixels a page), it is refused on its first page's
    header. With a limit that allows it, its 60 Group 4 pages are copied as they are:
    nothing is decoded, and memory stays a few times the file's size.
    """
    strip = blank_g4(10_000, 10_000)
    fax = tiff([(10_000, 10_000, strip)] * 60, dpi=300)
    result, _ = compile_files({"big.tif": fax})
    (entry,) = result.left_out
    assert entry.code == "too_large"
    assert "page 1 of it has 10000 x 10000 pixels" in entry.reason
    tracemalloc.start()
    try:
        result, pdf = compile_files({"big.tif": fax}, BackupOptions(max_image_pixels=10**8))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.left_out == ()
    assert source(result, "big.tif").pages == 60
    assert peak < 10_000_000 + 4 * len(fax)
    for page in pages_of(result, pdf, "big.tif"):
        assert page_size(page) == pytest.approx((2400, 2400))  # 10,000 pixels at 300 dpi


def test_more_tiff_pages_than_the_page_limit_is_too_large() -> None:
    """A TIFF's pages count against max_document_pages, read from its directories alone."""
    fax = tiff([(100, 100, blank_g4(100, 100))] * 5)
    result, _ = compile_files({"fax.tif": fax}, BackupOptions(max_document_pages=4))
    (entry,) = result.left_out
    assert (entry.code, entry.reason) == ("too_large", "it has more than 4 pages")
    result, _ = compile_files({"fax.tif": fax}, BackupOptions(max_document_pages=5))
    assert source(result, "fax.tif").pages == 5


def _lzw_tiff(pages: int) -> bytes:
    frames = [Image.new("RGB", (1500, 1500), (n * 40 % 256, 90, 160)) for n in range(pages)]
    return encoded(
        frames[0], "TIFF", compression="tiff_lzw", save_all=True, append_images=frames[1:]
    )


def test_decoded_pages_are_decoded_one_at_a_time() -> None:
    """Memory holds one decoded page: twice the pages do not raise the peak.

    Each page is 1500 x 1500 RGB (6.75 MB decoded, a few kB compressed); the peak of
    memory allocated while compiling 4 and 8 such pages is about the same.
    """
    peaks = []
    for pages in (4, 8):
        fax = _lzw_tiff(pages)
        tracemalloc.start()
        try:
            result, _ = compile_files({"scan.tif": fax})
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert source(result, "scan.tif").pages == pages
        peaks.append(peak)
    assert peaks[1] < 1.25 * peaks[0]


@settings(max_examples=300, deadline=None)
@given(
    width=st.integers(1, 50_000),
    height=st.integers(1, 50_000),
    orientation=st.integers(1, 8),
    dpi=st.none() | st.tuples(st.floats(0.5, 20_000), st.floats(0.5, 20_000)),
    paper=st.sampled_from(["letter", "a4"]),
)
def test_a_page_holds_its_image_whole_upright_and_never_enlarged(
    width: int, height: int, orientation: int, dpi: tuple[float, float] | None, paper: str
) -> None:
    """Any size, resolution and orientation: the image fills a box inside its page.

    The box has the upright picture's pixel proportions (per axis, at its resolution when
    it is believed), is never more than one point per pixel, and is the whole page at
    real size or centred on the paper (turned to landscape for a wide image) otherwise.
    """
    found = placement(Header(width=width, height=height, dpi=dpi, orientation=orientation), paper)
    a, b, c, d, e, f = found.matrix
    xs = [e, e + a, e + c, e + a + c]
    ys = [f, f + b, f + d, f + b + d]
    box_w, box_h = max(xs) - min(xs), max(ys) - min(ys)
    page_w, page_h = found.size
    assert min(xs) >= -1e-6
    assert min(ys) >= -1e-6
    assert max(xs) <= page_w + 1e-6
    assert max(ys) <= page_h + 1e-6
    shown_w, shown_h = (height, width) if orientation >= 5 else (width, height)
    assert box_w <= shown_w * (1 + 1e-9)
    assert box_h <= shown_h * (1 + 1e-9)
    assert (abs(b) > abs(a)) == (orientation >= 5)  # turned a quarter: axes swap
    if found.fitted:
        short, long = PAPER_SIZES[paper]
        assert found.size == ((long, short) if shown_w > shown_h else (short, long))
        assert box_w / shown_w == pytest.approx(box_h / shown_h)
        assert (min(xs) + max(xs)) / 2 == pytest.approx(page_w / 2)
    else:
        assert dpi is not None
        assert (box_w, box_h) == pytest.approx((page_w, page_h))
        assert 18 <= page_w <= 48 * 72
        assert 18 <= page_h <= 48 * 72


@pytest.mark.parametrize(("images", "paper"), [("pages", "a4"), ("skip", "letter")])
def test_the_command_takes_images_and_paper_size(tmp_path: Path, images: str, paper: str) -> None:
    """``compile --images skip`` lists the sample's photo as left out; ``pages`` includes it.

    The options reach the manifest as given (``--paper-size a4`` too).
    """
    folder = write_sample_project(tmp_path / "project", today=date(2026, 11, 3))
    args = ["compile", str(folder), "--as", "u-admin", "--invoice", "i-4", "-o", str(tmp_path)]
    args += ["--images", images, "--paper-size", paper, "--json"]
    ran = CliRunner().invoke(main, args, catch_exceptions=False)
    assert ran.exit_code == EXIT_WARNINGS, ran.output
    data = json.loads(ran.output)["result"]
    assert data["manifest"]["options"]["images"] == images
    assert data["manifest"]["options"]["paper_size"] == paper
    codes = {entry["filename"]: entry["code"] for entry in data["manifest"]["left_out"]}
    sources = {s["filename"]: s for s in data["manifest"]["invoices"][0]["sources"]}
    photo = "Steel delivered (photo).jpg"
    if images == "skip":
        assert codes[photo] == "image_skipped"
        assert photo not in sources
    else:
        assert photo not in codes
        assert (sources[photo]["image"], sources[photo]["pages"]) == ("JPEG", 1)


def test_past_pillows_own_bomb_bound_an_image_is_too_large_not_damaged() -> None:
    """max_image_pixels raised past Pillow's (process-wide) bound: its refusal is too_large."""
    result, _ = compile_files(
        {"huge.gif": _gif_claiming(65535, 65535)}, BackupOptions(max_image_pixels=10**10)
    )
    (entry,) = result.left_out
    assert entry.code == "too_large"
    assert "Pillow's decompression-bomb bound" in entry.reason
