"""Photos on disk, under ``<instance>/uploads/<folder>/``: product photos (``products``), and
the photos couriers take at the door of a failed delivery (``deliveries``).

A photo is read up to its limit, recognised by its first bytes (JPEG, PNG or WebP; the name a
browser sends is never used), then decoded and re-encoded by ``uploads.photos`` (no EXIF, no GPS,
orientation applied, at most 2048 px a side) before anything is written. It is written by
``keep_photo`` inside the transaction that stores its name, and only kept if that commits
(``uploads.storage``); a replaced photo is deleted when the change commits.

Stored names are ``<32 hex>.webp``; files derived from one (smaller sizes for ``srcset``) will be
``<32 hex>-<width>w.webp`` beside it and go with it. Older photos kept their ``.jpg`` or ``.png``.
"""
import re

from flask import current_app

from ..extensions import db
from ..uploads import photos, storage
from . import errors, rules
from .models import Product

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# The smaller copies kept beside a product photo, for ``srcset``: a card on a phone is about 180 CSS
# px wide (360 device px at 2x), the product page up to 640.
PHOTO_WIDTHS = (160, 320, 640)
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}(-[0-9]{2,4}w)?\.(jpg|png|webp)$")
FOLDERS = ("products", "deliveries")


def _product_photo_names():
    return set(db.session.scalars(db.select(Product.image_filename).where(Product.image_filename.is_not(None))))


storage.register_folder("products", _product_photo_names)


def read_upload(stream, max_bytes=DEFAULT_MAX_BYTES):
    """``(bytes, extension)`` of an uploaded photo, or ``ImageRefused`` (empty, too large, wrong type)."""
    data = stream.read(max_bytes + 1)
    if not data:
        raise errors.ImageRefused("empty")
    if len(data) > max_bytes:
        raise errors.ImageRefused("too_large", max_mb=max(1, max_bytes // (1024 * 1024)))
    kind = rules.sniff_image_type(data[:16])
    if kind is None:
        raise errors.ImageRefused("type")
    return data, kind


def read_photo(upload, max_bytes=DEFAULT_MAX_BYTES):
    """The photo of an upload field, re-encoded (``photos.Photo``); None when no file was chosen;
    ``ImageRefused`` for a file that is not a photo we keep. Nothing is written."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        data, _kind = read_upload(upload.stream, max_bytes)
    finally:
        upload.close()  # the temporary file behind a large upload goes at once
    config = current_app.config
    max_pixels = config.get("PHOTO_MAX_PIXELS", photos.MAX_PIXELS)
    try:
        return photos.reencode(data, max_side=config.get("PHOTO_MAX_SIDE_PX", photos.MAX_SIDE_PX),
                               max_pixels=max_pixels)
    except photos.PhotoError as exc:
        raise errors.ImageRefused(exc.code, max_megapixels=max(1, max_pixels // 1_000_000)) from exc


def copy_widths(photo, widths=PHOTO_WIDTHS):
    """The widths of the smaller copies kept of ``photo``: those of ``widths`` narrower than it."""
    return sorted(width for width in set(widths) if width < photo.width)


def keep_photo(photo, folder, widths=()):
    """Stage a re-encoded photo in ``folder``, with its smaller copies at ``copy_widths(photo,
    widths)`` (``<name>-<width>w.webp``), kept when the current transaction commits; its name."""
    if folder not in FOLDERS:
        raise ValueError(f"unknown photo folder {folder!r}")
    copies = photos.smaller_copies(photo, copy_widths(photo, widths)) if widths else []
    return storage.keep(folder, photo.data, photo.extension,
                        derived=[(f"{width}w", copy.data) for width, copy in copies])


def sized_name(name, width):
    """The stored name of the copy of photo ``name`` that is ``width`` pixels wide."""
    return storage.derived_name(name, f"{width}w")


def drop_photo(name, folder):
    """Delete a stored photo (and its derived sizes) when the current transaction commits."""
    if name and STORED_NAME_RE.match(name):
        storage.discard(folder, name)


def image_path(instance_path, name, folder="products"):
    """The file of a stored photo, or None when ``name`` is not one of ours or is gone."""
    if folder not in FOLDERS or not isinstance(name, str) or not STORED_NAME_RE.match(name):
        return None
    path = storage.folder_path(folder, instance_path) / name
    return path if path.is_file() else None


def mime_type(name):
    """The Content-Type of a stored photo, from the extension its bytes gave it."""
    return rules.IMAGE_TYPES[name.rsplit(".", 1)[1]]
