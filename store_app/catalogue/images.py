"""Photos on disk, under ``<instance>/uploads/<folder>/``: product photos (``products``), and
the photos couriers take at the door of a failed delivery (``deliveries``).

The name a browser sends is never used: a file gets a random name and the extension of the type
its first bytes show (JPEG, PNG or WebP). Anything else, or anything bigger than the limit, is refused
before a byte is written.
"""
import os
import re
import secrets
from pathlib import Path

from . import errors, rules

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


FOLDERS = ("products", "deliveries")


def upload_dir(instance_path, folder="products"):
    """The folder that holds one kind of photo."""
    if folder not in FOLDERS:
        raise ValueError(f"unknown photo folder {folder!r}")
    return Path(instance_path) / "uploads" / folder


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


def store_image(instance_path, data, kind, folder="products"):
    """Write a checked photo under a fresh random name; returns that name."""
    folder = upload_dir(instance_path, folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / name)  # a reader never sees half a file
    return name


def image_path(instance_path, name, folder="products"):
    """The file of a stored photo, or None when ``name`` is not one of ours or is gone."""
    if not name or not STORED_NAME_RE.match(name):
        return None
    path = upload_dir(instance_path, folder) / name
    return path if path.is_file() else None


def remove_image(instance_path, name, folder="products"):
    """Delete a stored photo (nothing happens for a name that is not ours or already gone)."""
    path = image_path(instance_path, name, folder)
    if path is not None:
        path.unlink(missing_ok=True)


def mime_type(name):
    """The Content-Type of a stored photo, from the extension its bytes gave it."""
    return rules.IMAGE_TYPES[name.rsplit(".", 1)[1]]
