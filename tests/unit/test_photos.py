"""Photos decoded and re-encoded (store_app/uploads/photos.py): no metadata survives, the camera's
orientation is applied, sizes are capped, and bombs, truncated files and non-images are refused."""
import io

import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image, ImageCms

from store_app.uploads import photos
from tests.photo_files import decoded, photo_bytes, png_declaring


def test_exif_and_gps_are_gone_and_the_orientation_is_applied():
    original = photo_bytes("JPEG", (80, 40), gps=True, orientation=6)  # stored sideways, "turn me 90°"
    assert decoded(original)[2][274] == 6 and b"PhoneCo" in original
    photo = photos.reencode(original)
    fmt, size, exif, info = decoded(photo.data)
    assert (fmt, size, (photo.width, photo.height)) == ("WEBP", (40, 80), (40, 80))
    assert exif == {} and not info & {"exif", "icc_profile", "xmp", "comment"}
    assert b"PhoneCo" not in photo.data and b"Exif" not in photo.data
    assert (photo.extension, photo.mime_type) == ("webp", "image/webp")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_each_accepted_format_comes_out_as_webp_of_the_same_size(fmt):
    photo = photos.reencode(photo_bytes(fmt, (33, 21), gps=fmt != "PNG"))
    assert decoded(photo.data)[:3] == ("WEBP", (33, 21), {})


def test_the_longest_side_is_brought_down_to_the_cap():
    photo = photos.reencode(photo_bytes("PNG", (900, 300)), max_side=300)
    assert (photo.width, photo.height) == (300, 100)
    small = photos.reencode(photo_bytes("PNG", (90, 30)), max_side=300)
    assert (small.width, small.height) == (90, 30)  # never enlarged


def test_transparency_is_kept():
    photo = photos.reencode(photo_bytes("PNG", (10, 10), mode="RGBA"))
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.mode == "RGBA" and image.getpixel((5, 5))[3] == 128


def test_a_colour_profile_is_applied_and_not_kept():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(out, "PNG", icc_profile=srgb)
    assert "icc_profile" in decoded(out.getvalue())[3]
    photo = photos.reencode(out.getvalue())
    assert "icc_profile" not in decoded(photo.data)[3]
    with Image.open(io.BytesIO(photo.data)) as image:
        assert max(abs(a - b) for a, b in zip(image.getpixel((4, 4)), (10, 200, 30))) <= 3


@pytest.mark.parametrize("width, height", [(100_000, 100_000), (6000, 6000), (30_000, 1000)])
def test_a_header_declaring_too_many_pixels_is_refused_before_decoding(width, height):
    with pytest.raises(photos.PhotoError) as caught:
        photos.reencode(png_declaring(width, height))
    assert caught.value.code == "too_many_pixels"


def test_the_pixel_budget_is_a_parameter():
    with pytest.raises(photos.PhotoError) as caught:
        photos.reencode(photo_bytes("PNG", (200, 100)), max_pixels=19_999)
    assert caught.value.code == "too_many_pixels"
    assert photos.reencode(photo_bytes("PNG", (200, 100)), max_pixels=20_000).width == 200


def test_a_truncated_photo_is_refused_as_broken():
    whole = photo_bytes("JPEG", (300, 200), gps=True)
    with pytest.raises(photos.PhotoError) as caught:
        photos.reencode(whole[: len(whole) // 2])
    assert caught.value.code == "broken"
    png = photo_bytes("PNG", (300, 200))
    with pytest.raises(photos.PhotoError) as caught:
        photos.reencode(png[:60])
    assert caught.value.code == "broken"


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00 this is a program, named photo.jpg",
    b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    b"",
    photo_bytes("GIF", (10, 10)),
    photo_bytes("BMP", (10, 10)),
    photo_bytes("TIFF", (10, 10)),
], ids=["exe", "svg", "empty", "gif", "bmp", "tiff"])
def test_anything_but_jpeg_png_or_webp_is_refused_by_its_content(data):
    with pytest.raises(photos.PhotoError) as caught:
        photos.reencode(data)
    assert caught.value.code == "type"


def test_a_jpeg_header_over_garbage_is_broken_not_a_crash():
    with pytest.raises(photos.PhotoError) as caught:
        photos.reencode(b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4)
    assert caught.value.code in {"broken", "type"}


SEEDS = {fmt: photo_bytes(fmt, (24, 16), gps=fmt == "JPEG") for fmt in ("JPEG", "PNG", "WEBP")}


@settings(max_examples=150, deadline=None)
@given(fmt=st.sampled_from(sorted(SEEDS)), cut=st.integers(min_value=0, max_value=2000),
       flips=st.lists(st.tuples(st.integers(min_value=0, max_value=2000), st.integers(min_value=0, max_value=255)),
                      max_size=8))
def test_damaged_photos_are_kept_or_refused_never_a_crash(fmt, cut, flips):
    """Whatever is done to a real photo's bytes, the answer is a photo or a PhotoError (a 4xx)."""
    data = bytearray(SEEDS[fmt][: max(1, len(SEEDS[fmt]) - cut)])
    for position, value in flips:
        data[position % len(data)] = value
    try:
        photo = photos.reencode(bytes(data))
    except photos.PhotoError as exc:
        assert exc.code in {"type", "broken", "too_many_pixels"}
    else:
        assert decoded(photo.data)[0] == "WEBP" and photo.width * photo.height <= photos.MAX_PIXELS


def test_smaller_copies_keep_the_proportions_and_skip_widths_not_narrower():
    photo = photos.reencode(photo_bytes("JPEG", (900, 600), gps=True))
    copies = photos.smaller_copies(photo, (640, 160, 320, 900, 2000, 320))
    assert [width for width, _copy in copies] == [160, 320, 640]
    for width, copy in copies:
        height = round(width * 2 / 3)
        assert decoded(copy.data)[:3] == ("WEBP", (width, height), {})
        assert (copy.width, copy.height) == (width, height) and len(copy.data) < len(photo.data)
    assert photos.smaller_copies(photos.reencode(photo_bytes("PNG", (100, 300))), (160, 320)) == []
