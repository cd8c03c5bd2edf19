"""Uploaded files kept with their unit of work (store_app/uploads/storage.py): in place when it
commits, gone when it (or a savepoint around them) rolls back; let go only on commit; orphans found
and pruned by ``flask uploads prune``."""
import os
import time

import pytest

from store_app.catalogue.models import Category, Merchant, Product
from store_app.database import transaction
from store_app.extensions import db
from store_app.uploads import storage
from tests.photo_files import instance_files


def folder(app, name="products"):
    return os.path.join(app.instance_path, "uploads", name)


def a_product(store_id, image=None):
    merchant = Merchant(store_id=store_id, name="Store", kind="store", lat=31.2, lon=121.4)
    category = Category(store_id=store_id, slug="daily", name_zh="日用", name_en="Daily")
    db.session.add_all([merchant, category])
    db.session.flush()
    product = Product(store_id=store_id, merchant_id=merchant.id, category_id=category.id, name_zh="水",
                      name_en="Water", price_cents=300, stock=5, image_filename=image)
    db.session.add(product)
    db.session.flush()
    return product


def test_a_kept_file_is_in_place_only_after_the_commit(app_ctx):
    with transaction():
        name = storage.keep("products", b"photo", "webp")
        assert instance_files(app_ctx) == [f"uploads/products/.{name}.part"]  # staged, hidden
    assert instance_files(app_ctx) == [f"uploads/products/{name}"]
    assert storage.path_of("products", name).read_bytes() == b"photo"


def test_a_rollback_leaves_no_file(app_ctx):
    with pytest.raises(RuntimeError), transaction():
        storage.keep("products", b"photo", "webp", derived=[("480w", b"small")])
        raise RuntimeError("refused after the file was kept")
    assert instance_files(app_ctx) == []


def test_a_savepoint_rolled_back_takes_its_files_and_the_rest_is_kept(app_ctx):
    with transaction():
        kept = storage.keep("voice", b"first", "webm")
        try:
            with db.session.begin_nested():
                storage.keep("voice", b"second", "webm")
                raise ValueError("this line is refused")
        except ValueError:
            pass
        with db.session.begin_nested():
            also = storage.keep("voice", b"third", "webm")
    assert instance_files(app_ctx) == sorted([f"uploads/voice/{kept}", f"uploads/voice/{also}"])


def test_a_session_closed_without_commit_leaves_no_file(app_ctx):
    db.session.execute(db.select(1))
    storage.keep("products", b"photo", "webp")
    db.session.remove()
    assert instance_files(app_ctx) == []


def test_a_discarded_file_and_its_derived_sizes_go_only_on_commit(app_ctx):
    with transaction():
        name = storage.keep("products", b"photo", "webp", derived=[("480w", b"small"), ("960w", b"medium")])
    assert len(os.listdir(folder(app_ctx))) == 3
    with pytest.raises(RuntimeError), transaction():
        storage.discard("products", name)
        raise RuntimeError("the change was refused")
    assert len(os.listdir(folder(app_ctx))) == 3  # still referred to: still there
    with transaction():
        storage.discard("products", name)
        storage.discard("products", "../../secret_key")  # not one of ours: nothing happens
    assert os.listdir(folder(app_ctx)) == []


def test_only_registered_folders_can_be_written():
    with pytest.raises(ValueError):
        storage.folder_path("elsewhere")
    assert {"products", "deliveries", "voice"} <= set(storage.registered_folders())
    with pytest.raises(ValueError):
        storage.register_folder("../up", lambda: set())
    with pytest.raises(ValueError):
        storage.register_folder("products", lambda: set())  # a second owner


def test_files_are_not_ours_unless_named_like_ours(app_ctx):
    assert storage.path_of("products", "../../secret_key") is None
    assert storage.path_of("products", None) is None
    assert storage.path_of("products", "0" * 32 + ".webp") is None  # ours by name, but not there


# ---- orphans --------------------------------------------------------------------------------------

def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def leftovers(app_ctx, community):
    """A referenced photo (with a derived size), an orphan (with one), a stale staging file, a fresh
    orphan, and a file that is not ours; all but the fresh one an hour and a half old."""
    with transaction():
        referenced = storage.keep("products", b"kept", "webp", derived=[("480w", b"k")])
        orphan = storage.keep("products", b"lost", "webp", derived=[("480w", b"l")])
        fresh = storage.keep("voice", b"new", "webm")
        a_product(community["store_id"], image=referenced)
    directory = folder(app_ctx)
    with open(os.path.join(directory, ".0123.part"), "wb") as stale:
        stale.write(b"crashed")
    with open(os.path.join(directory, "README.txt"), "wb") as foreign:
        foreign.write(b"someone's notes")
    for name in os.listdir(directory):
        _age(os.path.join(directory, name), 5400)
    base = orphan.rsplit(".", 1)[0]
    return {"referenced": referenced, "orphans": sorted([orphan, f"{base}-480w.webp", ".0123.part"]),
            "fresh": fresh}


def test_orphans_are_files_no_row_refers_to(app_ctx, leftovers):
    found = storage.find_orphans(time.time(), 3600)
    assert sorted(o.path.name for o in found) == leftovers["orphans"]
    assert {o.folder for o in found} == {"products"}


def test_prune_dry_run_lists_and_keeps_then_prune_removes(app_ctx, leftovers):
    runner = app_ctx.test_cli_runner()
    before = instance_files(app_ctx)
    dry = runner.invoke(args=["uploads", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 orphan files" in dry.output and "nothing removed" in dry.output
    assert all(f"would remove products/{name}" in dry.output for name in leftovers["orphans"])
    assert instance_files(app_ctx) == before
    real = runner.invoke(args=["uploads", "prune"])
    assert real.exit_code == 0 and "3 orphan files" in real.output
    left = instance_files(app_ctx)
    assert sorted(before) == sorted(left + [f"uploads/products/{name}" for name in leftovers["orphans"]])
    referenced = leftovers["referenced"]
    assert f"uploads/products/{referenced}" in left and f"uploads/voice/{leftovers['fresh']}" in left
    again = runner.invoke(args=["uploads", "prune"])
    assert "0 orphan files" in again.output


def test_prune_spares_young_files(app_ctx, leftovers):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["uploads", "prune", "--dry-run", "--grace-minutes", "120"])
    assert "0 orphan files" in result.output
    result = runner.invoke(args=["uploads", "prune", "--dry-run", "--grace-minutes", "0"])
    assert "4 orphan files" in result.output  # the fresh voice note has no row either
