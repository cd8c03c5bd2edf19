"""Image files for upload tests, made with Pillow: real photos (with EXIF, GPS and an orientation
when asked), a decompression bomb, and a count of the files under an app's instance folder."""
import io
import os
import struct
import zlib

from PIL import ExifTags, Image

# Where the "phone" took the photo: a position the app must never keep.
GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (31.0, 12.0, 30.5),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (121.0, 26.0, 10.25)}


def photo_bytes(fmt="JPEG", size=(40, 24), color=(200, 40, 40), *, gps=False, orientation=None, mode="RGB"):
    """An image file in ``fmt`` of ``size`` pixels; with ``gps`` or ``orientation``, EXIF carries them
    (and a camera make and model, as a phone writes them)."""
    image = Image.new(mode, size, color if mode == "RGB" else (*color, 128))
    options = {}
    if gps or orientation:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "PhoneCo"
        exif[ExifTags.Base.Model] = "Pocket 12"
        if orientation:
            exif[ExifTags.Base.Orientation] = orientation
        if gps:
            exif[ExifTags.IFD.GPSInfo] = GPS
        options["exif"] = exif
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_declaring(width, height):
    """A tiny PNG whose header declares ``width`` x ``height`` pixels: a decompression bomb when huge."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def instance_files(app):
    """Every file under the app's instance folder (hidden staging files too), except the test
    database's own files, as sorted relative paths."""
    found = []
    for folder, _dirs, files in os.walk(app.instance_path):
        for name in files:
            if not name.startswith("test.sqlite3"):
                found.append(os.path.relpath(os.path.join(folder, name), app.instance_path))
    return sorted(found)


def decoded(data):
    """``(format, size, exif dict, info keys)`` of an image file."""
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.size, dict(image.getexif()), set(image.info)
