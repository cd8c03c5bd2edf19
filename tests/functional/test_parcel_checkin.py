"""The counter's check-in pages through the test client: one parcel (resident or unregistered number),
refusals that keep the form, a slot chosen by staff, batch mode, a courier's CSV, the carrier list,
the shelves; only staff and the owner get in."""
import html
import io
import json
import re

import pytest

from flask import url_for

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.parcels import checkin, codes, shelves
from store_app.parcels.models import Carrier, Parcel, ParcelEvent, Shelf
from store_app.roles import Role

from .conftest import input_value, option_values, post_form, selected_option

CHECK_IN = "/console/parcels"
BATCH = "/console/parcels/batch"
IMPORT = "/console/parcels/import"
EN = {"Accept-Language": "en"}
CARRIER = "中通快递"
LABEL_RE = re.compile(r"^\d{1,3}-\d-\d{3}$")


@pytest.fixture
def station(app, community):
    """The community's store with two shelves of two tiers (4 size units each)."""
    with app.app_context(), transaction():
        shelves.save_shelf(community["store_id"], 1, 2, 4)
        shelves.save_shelf(community["store_id"], 2, 2, 4)
    return community


@pytest.fixture
def staff(station, login_client):
    return login_client(station["users"][Role.STAFF][1])


def page(response):
    return html.unescape(response.get_data(as_text=True))


def parcel_form(**overrides):
    data = {"tracking_number": "ZT1234567890", "carrier": CARRIER, "recipient_phone": "139 0000 0001",
            "recipient_name": "王芳", "size": "small", "note": "", "shelf": "", "tier": ""}
    return {**data, **overrides}


def parcels(app):
    """Every parcel as ``(tracking, shelf_code, recipient_phone, recipient_id, size, carrier)``, by id."""
    with app.app_context():
        return [(p.tracking_number, p.shelf_code, p.recipient_phone, p.recipient_id, p.size, p.carrier)
                for p in db.session.scalars(db.select(Parcel).order_by(Parcel.id))]


def pickup_code_of(app, tracking):
    with app.app_context():
        return codes.pickup_code(db.session.scalar(db.select(Parcel).where(Parcel.tracking_number == tracking)))


# ---- who may open it -------------------------------------------------------------------------------

PAGES = (CHECK_IN, BATCH, IMPORT, "/console/parcels/shelves", "/console/parcels/carriers")


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.COURIER, Role.VENDOR])
def test_residents_couriers_and_vendors_get_403(station, login_client, role, count):
    client = login_client(station["users"][role][1])
    for path in PAGES:
        assert client.get(path).status_code == 403, path
        assert post_form(client, path, parcel_form()).status_code == 403, path
    assert count(Parcel) == 0


def test_visitors_are_sent_to_login(station, client):
    response = client.get(CHECK_IN)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_staff_and_owner_see_the_parcels_tab_and_the_station_pages(app, station, login_client):
    for role in (Role.STAFF, Role.OWNER):
        client = login_client(station["users"][role][1])
        response = client.get(CHECK_IN, headers=EN)
        assert response.status_code == 200
        text = page(response)
        assert 'href="/console/parcels" aria-current="page"' in text  # the console tab and the sub-page
        for path in PAGES[1:]:
            assert f'href="{path}"' in text, path
        # The handover's, return list's and reports' pages are linked once they exist.
        for endpoint in ("parcel_console.handover", "parcel_console.returns", "parcel_console.reports"):
            if endpoint in app.view_functions:
                with app.test_request_context():
                    assert f'href="{url_for(endpoint)}"' in text, endpoint


def test_missing_station_pages_are_not_linked(app, station, staff, monkeypatch):
    monkeypatch.delitem(app.view_functions, "parcel_console.reports", raising=False)
    monkeypatch.delitem(app.view_functions, "parcel_console.handover", raising=False)
    text = page(staff.get(CHECK_IN, headers=EN))
    assert "/console/parcels/reports" not in text and "/console/parcels/handover" not in text
    assert ">Reports<" not in text and ">Handover<" not in text


# ---- one parcel ------------------------------------------------------------------------------------

def test_the_form_offers_the_carriers_proposes_a_slot_and_shows_the_gauge(app, station, staff):
    response = staff.get(CHECK_IN, headers=EN)
    assert response.status_code == 200
    assert [html.unescape(v) for v in option_values(response, "carrier")] == [c.key for c in shelves.DEFAULT_CARRIERS]
    text = page(response)
    assert re.search(r'data-proposal="small".*?shelf 1, tier 1', text, re.S)
    assert re.search(r'<meter[^>]*max="16"[^>]*value="0"', text)
    assert 'name="tracking_number"' in text and re.search(r'<input[^>]*autofocus[^>]*name="tracking_number"'
                                                         r'|<input[^>]*name="tracking_number"[^>]*autofocus', text)


def test_check_in_for_a_resident_shows_the_label_code_and_never_the_pickup_code(app, station, staff):
    resident_id, phone = station["users"][Role.RESIDENT]
    national = phone[3:]
    response = post_form(staff, CHECK_IN, parcel_form(recipient_phone=f"{national[:3]} {national[3:7]} {national[7:]}",
                                                      tracking_number=" zt1234567890 "), headers=EN)

    assert response.status_code == 303
    ((tracking, label, e164, recipient, size, carrier),) = parcels(app)
    assert (tracking, e164, recipient, size, carrier) == ("ZT1234567890", phone, resident_id, "small", CARRIER)
    assert LABEL_RE.match(label)
    shown = staff.get(response.headers["Location"], headers=EN)
    text = page(shown)
    assert shown.status_code == 200
    assert f'<p class="label-code" data-label-code>{label}</p>' in text
    assert 'data-recipient="matched"' in text and "Resident account" in text
    assert f"Checked in: put it on {label}." in text
    assert 'class="parcel-label"' in text  # the printable label
    code = pickup_code_of(app, "ZT1234567890")
    assert code not in text and code not in page(staff.get(CHECK_IN))


def test_check_in_for_an_unregistered_number(app, station, staff):
    response = post_form(staff, CHECK_IN, parcel_form(recipient_phone="13700001234"), headers=EN)

    assert response.status_code == 303
    ((_, label, e164, recipient, _, _),) = parcels(app)
    assert (e164, recipient) == ("+8613700001234", None)
    text = page(staff.get(response.headers["Location"], headers=EN))
    assert 'data-recipient="unregistered"' in text and "Unregistered" in text and label in text


def test_a_duplicate_is_refused_with_the_form_kept(app, station, staff, count):
    assert post_form(staff, CHECK_IN, parcel_form(), headers=EN).status_code == 303
    again = parcel_form(tracking_number="zt1234567890", recipient_phone="13700009999", recipient_name="李雷",
                        size="medium", note="wet box")
    response = post_form(staff, CHECK_IN, again, headers=EN)

    assert response.status_code == 409
    text = page(response)
    assert "This tracking number is already checked in here" in text
    assert re.search(r'<small class="error" id="tracking_number-error"[^>]*>This tracking number', text)
    assert input_value(response, "tracking_number") == "zt1234567890"
    assert input_value(response, "recipient_phone") == "13700009999"
    assert input_value(response, "recipient_name") == "李雷"
    assert input_value(response, "note") == "wet box"
    assert selected_option(response, "size") == "medium"
    assert selected_option(response, "carrier") == CARRIER
    assert count(Parcel) == 1 and count(ParcelEvent) == 1


@pytest.mark.parametrize("overrides, field, message", [
    ({"tracking_number": "12 34"}, "tracking_number", "A tracking number is 6 to 40 letters, digits or dashes."),
    ({"tracking_number": ""}, "tracking_number", "A tracking number is 6 to 40 letters, digits or dashes."),
    ({"recipient_phone": "12345"}, "recipient_phone", "Enter the recipient's mobile number"),
    ({"recipient_phone": ""}, "recipient_phone", "Enter the recipient's mobile number"),
    ({"size": "huge"}, "size", "Choose small, medium or large."),
    ({"carrier": ""}, "carrier", "Choose the carrier."),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(app, station, staff, count, overrides, field,
                                                                     message):
    response = post_form(staff, CHECK_IN, parcel_form(**overrides), headers=EN)

    assert response.status_code == 400
    text = page(response)
    assert re.search(r'<small class="error" id="%s-error"[^>]*>%s' % (field, re.escape(message)), text), text[:3000]
    assert input_value(response, "recipient_name") == "王芳"
    assert count(Parcel) == 0


def test_staff_can_choose_the_slot(app, station, staff):
    response = post_form(staff, CHECK_IN, parcel_form(shelf="2", tier="2", size="large"), headers=EN)

    assert response.status_code == 303
    ((_, label, _, _, size, _),) = parcels(app)
    assert label.startswith("2-2-") and size == "large"


@pytest.mark.parametrize("shelf, tier, message", [
    ("9", "1", "There is no such shelf and tier, or it has no room for this parcel."),
    ("1", "3", "There is no such shelf and tier, or it has no room for this parcel."),
    ("1", "", "Enter both the shelf number and the tier"),
    ("x", "1", "Enter both the shelf number and the tier"),
])
def test_a_bad_slot_is_refused(app, station, staff, count, shelf, tier, message):
    response = post_form(staff, CHECK_IN, parcel_form(shelf=shelf, tier=tier), headers=EN)

    assert response.status_code == 400
    assert message in page(response)
    assert input_value(response, "shelf") == shelf and input_value(response, "tracking_number") == "ZT1234567890"
    assert count(Parcel) == 0


def test_a_full_slot_is_refused(app, station, staff, count):
    assert post_form(staff, CHECK_IN, parcel_form(shelf="1", tier="1", size="large"), headers=EN).status_code == 303
    response = post_form(staff, CHECK_IN, parcel_form(tracking_number="ZT0000000002", shelf="1", tier="1"),
                         headers=EN)
    assert response.status_code == 400 and "has no room for this parcel" in page(response)
    assert count(Parcel) == 1


def test_full_shelves_are_refused_with_409(app, station, staff, count):
    for n in range(4):
        assert post_form(staff, CHECK_IN, parcel_form(tracking_number=f"LG00000000{n}", size="large"),
                         headers=EN).status_code == 303
    response = post_form(staff, CHECK_IN, parcel_form(tracking_number="SM000000001"), headers=EN)
    assert response.status_code == 409 and "No shelf has room for a parcel this size." in page(response)
    assert count(Parcel) == 4


def test_another_stores_label_answers_404(app, station, staff, create_store, create_user):
    other_store = create_store(name="Other")
    other_staff = create_user(other_store, Role.STAFF)[0]
    with app.app_context(), transaction():
        shelves.save_shelf(other_store, 1, 1, 10)
        foreign = checkin.check_in(db.session.get(User, other_staff), tracking_number="OTHER000001",
                                   carrier=CARRIER, phone="13700001111", now=utcnow()).parcel.id
    assert staff.get(f"/console/parcels/{foreign}/label").status_code == 404
    assert staff.get("/console/parcels/999999/label").status_code == 404


# ---- batch mode ------------------------------------------------------------------------------------

def test_batch_posts_keep_the_carrier_and_list_what_was_saved(app, station, staff):
    first = staff.get(BATCH, headers=EN)
    since = input_value(first, "since")
    assert first.status_code == 200 and since.isdigit()
    labels = []
    for n in range(3):
        response = post_form(staff, BATCH, {"carrier": "圆通速递", "size": "small", "since": since,
                                            "tracking_number": f"YT10000000{n}", "recipient_phone": "13700002222"},
                             headers=EN)
        assert response.status_code == 303
        location = response.headers["Location"]
        assert location.startswith(BATCH) and "since=" + since in location
        back = staff.get(location, headers=EN)
        assert selected_option(back, "carrier") == "圆通速递"
        assert input_value(back, "tracking_number") == "" and input_value(back, "since") == since
        assert re.search(r'<input[^>]*autofocus[^>]*name="tracking_number"'
                         r'|<input[^>]*name="tracking_number"[^>]*autofocus', page(back))
        labels = re.findall(r'class="saved-label" href="[^"]+">([^<]+)<', page(back))
    stored = parcels(app)
    assert [p[0] for p in stored] == ["YT100000000", "YT100000001", "YT100000002"]
    assert labels == [p[1] for p in reversed(stored)], "newest first"
    assert {p[5] for p in stored} == {"圆通速递"}
    # A new batch starts with an empty list.
    assert 'class="saved-label" href="/' not in page(staff.get(BATCH, headers=EN))


def test_batch_refusal_keeps_what_was_typed(app, station, staff, count):
    data = {"carrier": CARRIER, "size": "small", "tracking_number": "ZT5550000001", "recipient_phone": "13700002222"}
    assert post_form(staff, BATCH, data, headers=EN).status_code == 303
    response = post_form(staff, BATCH, {**data, "recipient_phone": "123"}, headers=EN)
    assert response.status_code == 400
    assert "Enter the recipient's mobile number" in page(response)
    assert input_value(response, "tracking_number") == "ZT5550000001"
    assert input_value(response, "recipient_phone") == "123"
    assert selected_option(response, "carrier") == CARRIER
    assert re.search(r'<input[^>]*autofocus[^>]*name="recipient_phone"|<input[^>]*name="recipient_phone"[^>]*autofocus',
                     page(response))
    duplicate = post_form(staff, BATCH, data, headers=EN)
    assert duplicate.status_code == 409 and "already checked in here" in page(duplicate)
    assert count(Parcel) == 1


def test_batch_with_fetch_answers_json(app, station, staff, count):
    data = {"carrier": CARRIER, "size": "medium", "tracking_number": "ZT7770000001", "recipient_phone": "13700003333"}
    json_headers = {**EN, "Accept": "application/json"}
    response = post_form(staff, BATCH, data, headers=json_headers)

    assert response.status_code == 200
    saved = response.get_json()["saved"]
    ((tracking, label, *_),) = parcels(app)
    assert saved["label"] == label and saved["tracking"] == tracking == "ZT7770000001"
    assert saved["matched"] is False and saved["who"] == "Unregistered"
    assert response.get_json()["gauge"]["used"] == 2
    again = post_form(staff, BATCH, data, headers=json_headers)
    assert again.status_code == 409
    assert "already checked in here" in again.get_json()["errors"]["tracking_number"]
    assert count(Parcel) == 1


# ---- a courier's CSV ------------------------------------------------------------------------------

MANIFEST = (
    "tracking_number,carrier,recipient_phone,recipient_name,size\n"
    "ZT9000000001,中通快递 ZTO,13700004444,王芳,small\n"      # 2: good
    "bad!,中通快递 ZTO,13700004444,,small\n"                  # 3: tracking
    "ZT9000000003,中通快递 ZTO,12345,,\n"                     # 4: phone
    "ZT9000000004,,13700004444,,small\n"                      # 5: carrier
    "\n"                                                      # 6: blank, skipped
    "ZT9000000006,韵达快递 Yunda,13700005555,,huge\n"         # 7: size
    "ZT9000000007,韵达快递 Yunda,13700005555,,大\n"           # 8: good (large)
    "ZT9000000001,中通快递 ZTO,13700004444,,small\n"          # 9: same as line 2
)


def upload(client, text, headers=EN):
    return post_form(client, IMPORT, {"file": (io.BytesIO(text.encode("utf-8")), "manifest.csv")},
                     content_type="multipart/form-data", headers=headers)


def test_csv_upload_checks_in_the_good_lines_and_reports_the_bad_ones(app, station, staff, count):
    response = upload(staff, MANIFEST)

    assert response.status_code == 200
    text = page(response)
    stored = parcels(app)
    assert [(p[0], p[4]) for p in stored] == [("ZT9000000001", "small"), ("ZT9000000007", "large")]
    refused = dict(re.findall(r'<tr data-line="(\d+)"><td>Line \d+</td><td class="error">([^<]+)</td>', text))
    assert sorted(refused, key=int) == ["3", "4", "5", "7", "9"]
    assert refused["3"] == "A tracking number is 6 to 40 letters, digits or dashes."
    assert refused["4"].startswith("Enter the recipient's mobile number")
    assert refused["5"] == "Choose the carrier."
    assert refused["7"].startswith("Size “huge”")
    assert refused["9"].startswith("This tracking number is already checked in here")
    for _, label, *_ in stored:
        assert f"<strong>{label}</strong>" in text
    assert count(ParcelEvent) == 2, "a refused line leaves no trace"

    again = upload(staff, MANIFEST)
    refused = dict(re.findall(r'<tr data-line="(\d+)"><td>Line \d+</td><td class="error">([^<]+)</td>', page(again)))
    assert refused["2"].startswith("This tracking number is already checked in here")
    assert refused["8"].startswith("This tracking number is already checked in here")
    assert count(Parcel) == 2


def test_pasted_lines_work_too_and_an_unusable_file_changes_nothing(app, station, staff, count):
    pasted = post_form(staff, IMPORT, {"text": MANIFEST.splitlines()[0] + "\nZT9100000001,中通快递 ZTO,13700004444,,\n"},
                       content_type="multipart/form-data", headers=EN)
    assert pasted.status_code == 200 and count(Parcel) == 1
    for text, message in (("tracking_number,carrier\nZT1,ZTO\n", "Missing: recipient_phone."),
                          ("", "Choose a CSV file or paste its lines.")):
        response = upload(staff, text) if text else post_form(staff, IMPORT, {}, content_type="multipart/form-data",
                                                                headers=EN)
        assert response.status_code == 400 and message in page(response)
    assert count(Parcel) == 1


# ---- carriers and shelves --------------------------------------------------------------------------

def test_staff_edit_the_carrier_list(app, station, staff):
    page_before = staff.get("/console/parcels/carriers", headers=EN)
    assert "中通快递 | ZTO Express" in page(page_before)
    response = post_form(staff, "/console/parcels/carriers", {"names": "顺丰速运 | SF Express\n\n  本地快递  \n"
                                                                        "顺丰速运 SF Express\n| Parcel Force\n"},
                         headers=EN)
    assert response.status_code == 303
    with app.app_context():
        assert shelves.list_carriers(station["store_id"]) == [("顺丰速运", "SF Express"), ("本地快递", ""),
                                                              ("", "Parcel Force")]
    assert option_values(staff.get(CHECK_IN), "carrier") == ["顺丰速运", "本地快递", "Parcel Force"]
    english = staff.get(BATCH, headers=EN)
    assert option_values(english, "carrier") == ["顺丰速运", "本地快递", "Parcel Force"]
    assert "SF Express</option>" in page(english), "the English name is shown on English pages"
    chinese = staff.get(BATCH, headers={"Accept-Language": "zh-CN"})
    assert "顺丰速运</option>" in page(chinese) and "SF Express" not in page(chinese)


def test_staff_add_and_change_shelves(app, station, staff, count):
    response = post_form(staff, "/console/parcels/shelves", {"number": "3", "tiers": "5", "capacity": "30"},
                         headers=EN)
    assert response.status_code == 303
    changed = post_form(staff, "/console/parcels/shelves/1", {"number": "1", "tiers": "3", "capacity": "8"},
                        headers=EN)
    assert changed.status_code == 303
    with app.app_context():
        shapes = [(s.number, s.tiers, s.capacity) for s in shelves.list_shelves(station["store_id"])]
    assert shapes == [(1, 3, 8), (2, 2, 4), (3, 5, 30)]
    listing = staff.get("/console/parcels/shelves", headers=EN)
    assert re.search(r'data-shelf="3">\s*<td><strong>3</strong></td><td>5</td><td>30</td>', page(listing))
    editing = staff.get("/console/parcels/shelves/2", headers=EN)
    assert input_value(editing, "tiers") == "2" and input_value(editing, "capacity") == "4"
    assert staff.get("/console/parcels/shelves/77").status_code == 404

    bad = post_form(staff, "/console/parcels/shelves", {"number": "4", "tiers": "12", "capacity": "0"}, headers=EN)
    assert bad.status_code == 400
    assert "A number from 1 to 9." in page(bad) and "A number from 1 to 500." in page(bad)
    assert input_value(bad, "number") == "4"
    assert count(Shelf) == 3


def test_no_shelves_yet_says_so(app, community, login_client, count):
    staff = login_client(community["users"][Role.STAFF][1])
    text = page(staff.get(CHECK_IN, headers=EN))
    assert "No shelf yet" in text
    response = post_form(staff, CHECK_IN, parcel_form(), headers=EN)
    assert response.status_code == 409 and "No shelf has room" in page(response)
    assert count(Parcel) == 0 and count(Carrier) == 0


# ---- flask parcels import-csv ------------------------------------------------------------------------

def run_import(app, runner, path, *options):
    """``flask parcels import-csv`` as the test runner runs it (see test_cli.py): the output's one JSON object."""
    with app.app_context():
        result = runner.invoke(args=["parcels", "import-csv", str(path), *options])
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    return result.exit_code, json.loads(lines[0])


def test_cli_import_prints_one_json_object_with_the_refused_lines(app, station, runner, tmp_path, count):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(MANIFEST, encoding="utf-8")

    status, output = run_import(app, runner, manifest)

    assert status == 0
    duplicate = "This tracking number is already checked in here (and has not gone back to the carrier)."
    assert output == {"imported": 2, "errors": [
        {"line": 3, "error": "A tracking number is 6 to 40 letters, digits or dashes."},
        {"line": 4, "error": "Enter the recipient's mobile number, e.g. 139 0013 9000."},
        {"line": 5, "error": "Choose the carrier."},
        {"line": 7, "error": "Size “huge”: write small, medium or large."},
        {"line": 9, "error": duplicate},
    ]}
    # a manifest's "中通快递 ZTO" is the store's carrier 中通快递 (its key), shown in the page's language
    assert [(p[0], p[4], p[5]) for p in parcels(app)] == [("ZT9000000001", "small", "中通快递"),
                                                           ("ZT9000000007", "large", "韵达快递")]
    assert count(ParcelEvent) == 2


def test_cli_import_of_the_same_file_again_imports_nothing(app, station, runner, tmp_path, count):
    manifest = tmp_path / "manifest.csv"
    lines = [f"SF80000000{n:02d},顺丰速运 SF Express,1370000{n:04d},,medium" for n in range(5)]
    # GB18030, as Excel saves it in China; a quoted name with a comma.
    manifest.write_bytes(("tracking_number,carrier,recipient_phone,recipient_name,size\n" + "\n".join(lines)
                          + '\nSF8000000099,顺丰速运 SF Express,13700000099,"王, 芳",\n').encode("gb18030"))

    assert run_import(app, runner, manifest) == (0, {"imported": 6, "errors": []})
    status, again = run_import(app, runner, manifest)

    assert status == 0 and again["imported"] == 0
    assert [e["line"] for e in again["errors"]] == [2, 3, 4, 5, 6, 7]
    assert all(e["error"].startswith("This tracking number is already checked in here") for e in again["errors"])
    assert count(Parcel) == 6
    with app.app_context():
        named = db.session.scalar(db.select(Parcel).where(Parcel.tracking_number == "SF8000000099"))
        assert (named.recipient_name, named.size, named.checked_in_by) == ("王, 芳", "small", None)


def test_cli_import_into_another_store(app, station, runner, tmp_path, create_store, count):
    other = create_store(name="Second Store")
    with app.app_context(), transaction():
        shelves.save_shelf(other, 7, 1, 10)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("tracking_number,carrier,recipient_phone\nJD0000000001,京东物流 JD Logistics,13700001000\n",
                        encoding="utf-8")

    assert run_import(app, runner, manifest, "--store", str(other)) == (0, {"imported": 1, "errors": []})
    with app.app_context():
        parcel = db.session.scalar(db.select(Parcel))
        assert (parcel.store_id, parcel.shelf_code[:2]) == (other, "7-")
    # The same number is new in the first store (the default): checked in there too.
    assert run_import(app, runner, manifest) == (0, {"imported": 1, "errors": []})
    assert count(Parcel, Parcel.store_id == station["store_id"]) == 1

    with app.app_context():
        missing = runner.invoke(args=["parcels", "import-csv", str(manifest), "--store", "999999"])
    assert missing.exit_code != 0 and "no store #999999" in missing.output
    assert count(Parcel) == 2


def test_cli_import_of_an_unusable_file_says_why(app, station, runner, tmp_path, count):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("tracking,phone\nZT1,139\n", encoding="utf-8")

    assert run_import(app, runner, manifest) == (1, {"imported": 0, "errors": [
        {"line": 1, "error": "The first line must name the columns. Missing: tracking_number, carrier, "
                             "recipient_phone."}]})
    assert count(Parcel) == 0
