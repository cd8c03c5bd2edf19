"""The money, guarantee, review and standing pages through the test client: statements and their
CSV and XLSX exports (right totals, no formulas), who may see what, a review, a complaint with a
photo turned into a redo by staff, disputes, hiding a review, payouts, appeals."""
import csv
import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree

import pytest

from services import ledger
from services.booking_models import Booking, Claim, Dispute, LedgerKind, Review
from services.money_rules import month_of
from services.statuses import BookingStatus
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.roles import Role
from tests.money_support import build_market, completed_job, vendor
from tests.photo_files import photo_bytes
from tests.services_support import SHANGHAI, add_vendor_user


def _recent():
    """An hour ago: the pages run on the real clock, so the jobs are recent (inside the guarantee window)."""
    return utcnow() - timedelta(hours=1)


RECENT = _recent()
MONTH = month_of(RECENT, "Asia/Shanghai").strftime("%Y-%m")


@pytest.fixture
def market(app, create_store, create_user):
    return build_market(app, create_store, create_user)


@pytest.fixture
def job(app, market):
    with app.app_context(), transaction():
        return completed_job(market, completed_at=RECENT).id


def _staff_phone(app, market):
    from store_app.accounts.models import User

    with app.app_context():
        return db.session.get(User, market.staff_id).phone


def test_the_vendor_sees_their_month_and_downloads_it_as_csv_and_xlsx(app, client, auth, market, job):
    with app.app_context(), transaction():
        ledger.post(market.vendor_id, LedgerKind.ADJUSTMENT, -100, now=RECENT, note="=HYPERLINK(\"http://x\")")
    auth.login(market.vendor_owner_phone)
    page = client.get(f"/vendor/money?month={MONTH}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Job #{job}" in text and "-¥30.00" in text and "¥169.00" in text and "Earnings" in text
    assert client.get("/vendor/money?month=nonsense").status_code == 200
    exported = client.get(f"/vendor/money/statement.csv?month={MONTH}", headers={"Accept-Language": "en"})
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    totals = {row[0]: row[1] for row in rows if len(row) == 2}
    assert totals["Job price"] == "200.00" and totals["Store commission"] == "-30.00"
    assert totals["Closing balance"] == "169.00"
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    assert not any(cell.startswith("=") for row in rows for cell in row)
    book = client.get(f"/vendor/money/statement.xlsx?month={MONTH}", headers={"Accept-Language": "en"})
    assert book.status_code == 200
    cells = _xlsx_rows(book.data)
    assert ["Closing balance", 169.0] in cells and ["Job price", 200.0] in cells
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(book.data)).read("xl/worksheets/sheet1.xml")


def _xlsx_rows(data):
    """The first sheet's rows as lists of strings and numbers (a tiny reader: no spreadsheet library needed)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    archive = zipfile.ZipFile(io.BytesIO(data))
    strings = [node.text or "" for node in
               ElementTree.fromstring(archive.read("xl/sharedStrings.xml")).iterfind(".//m:t", ns)]
    sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iterfind(".//m:row", ns):
        values = []
        for cell in row.iterfind("m:c", ns):
            value = cell.find("m:v", ns).text
            values.append(strings[int(value)] if cell.get("t") == "s" else float(value))
        rows.append(values)
    return rows


def test_a_vendor_sees_only_their_own_money_and_a_crew_member_none(app, client, auth, market, job):
    with app.app_context(), transaction():
        crew_user = add_vendor_user(market.store_id, name="Crew member")
        vendor(market.vendor_id).crews[1].user_id = crew_user.id
        phone = crew_user.phone
        other_owner = db.session.get(type(crew_user), vendor(market.other_vendor_id).owner_id).phone
    auth.login(other_owner)
    page = client.get(f"/vendor/money?month={MONTH}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert f"Job #{job}" not in page.get_data(as_text=True) and "No entries this month." in page.get_data(as_text=True)
    auth.logout()
    auth.login(phone)
    assert client.get("/vendor/money").status_code == 403


def test_a_resident_reviews_a_completed_job_once(app, client, auth, market, job):
    auth.login(market.resident_phone)
    form = client.get(f"/services/bookings/{job}/review")
    assert form.status_code == 200
    refused = auth.post(f"/services/bookings/{job}/review", {"stars": "9", "text": "?"})
    assert refused.status_code == 400
    sent = auth.post(f"/services/bookings/{job}/review", {"stars": "5", "text": "Spotless"})
    assert sent.status_code == 303
    with app.app_context():
        assert db.session.get(Booking, job).status == BookingStatus.REVIEWED.value
        assert db.session.scalar(db.select(Review.stars)) == 5
    again = client.get(f"/services/bookings/{job}/review")
    assert again.status_code == 303
    page = client.get(f"/services/bookings/{job}/claim", headers={"Accept-Language": "en"})
    assert "You rated this job 5 of 5 stars." in page.get_data(as_text=True)


def test_a_resident_sees_only_their_own_jobs_and_complaints(app, client, auth, market, job, create_user):
    _other, phone = create_user(market.store_id, Role.RESIDENT, name="Neighbour")
    auth.login(phone)
    assert client.get(f"/services/bookings/{job}/claim").status_code == 404
    assert client.get(f"/services/bookings/{job}/review").status_code == 404
    sent = auth.post(f"/services/bookings/{job}/claim", {"kind": "redo", "text": "Not mine but still"})
    assert sent.status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Claim)) == 0


def test_a_complaint_with_a_photo_shows_its_deadline_and_becomes_a_redo(app, client, auth, market, job):
    auth.login(market.resident_phone)
    page = client.get(f"/services/bookings/{job}/claim", headers={"Accept-Language": "en"})
    assert "Complain under the guarantee" in page.get_data(as_text=True)
    missing = auth.post(f"/services/bookings/{job}/claim", {"kind": "redo", "text": ""})
    assert missing.status_code == 400
    sent = auth.post(f"/services/bookings/{job}/claim",
                     {"kind": "redo", "text": "The bathroom was skipped",
                      "photos": (io.BytesIO(photo_bytes(gps=True)), "bath.jpg")},
                     content_type="multipart/form-data")
    assert sent.status_code == 303
    page = client.get(f"/services/bookings/{job}/claim", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "The store decides by" in text
    photo_url = re.search(r'src="(/services/claims/\d+/photos/[^"]+)"', text).group(1)
    photo = client.get(photo_url)
    data = photo.get_data()
    photo.close()
    assert photo.status_code == 200 and photo.mimetype == "image/webp" and b"PhoneCo" not in data
    auth.logout()

    auth.login(_staff_phone(app, market))
    with app.app_context():
        claim_id = db.session.scalar(db.select(Claim.id))
    assert client.get("/console/services/claims").status_code == 200
    assert client.get(f"/console/services/claims/{claim_id}").status_code == 200
    staff_photo = client.get(photo_url)
    staff_photo.close()
    assert staff_photo.status_code == 200
    start = datetime.combine(date.today() + timedelta(days=3), time(10), SHANGHAI)
    booked = auth.post(f"/console/services/claims/{claim_id}/redo",
                       {"redo-vendor": str(market.vendor_id), "redo-starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                        "redo-upheld": "y"}, token_from="/console/services/claims")
    assert booked.status_code == 303
    with app.app_context():
        redo = db.session.scalar(db.select(Booking).where(Booking.redo_of_id == job))
        assert redo.status == "requested" and redo.starts_at == start
    again = auth.post(f"/console/services/claims/{claim_id}/reject", {"reject-note": "Too late"},
                      token_from="/console/services/claims")
    assert again.status_code == 409


def test_staff_refund_a_complaint_within_the_cap(app, client, auth, market, job):
    with app.app_context(), transaction():
        from services import claims
        from tests.money_support import user

        claim_id = claims.file_claim(user(market.resident_id), job, kind="redo", text="Not clean",
                                     now=RECENT + timedelta(hours=1)).id
    auth.login(_staff_phone(app, market))
    too_much = auth.post(f"/console/services/claims/{claim_id}/refund",
                         {"refund-amount": "200.01", "refund-upheld": "y"},
                         token_from="/console/services/claims", headers={"Accept-Language": "en"})
    assert too_much.status_code == 400 and "¥200.00" in too_much.get_data(as_text=True)
    done = auth.post(f"/console/services/claims/{claim_id}/refund", {"refund-amount": "50", "refund-upheld": "y"},
                     token_from="/console/services/claims")
    assert done.status_code == 303
    with app.app_context():
        assert ledger.amount_of(job, LedgerKind.CHARGEBACK) == -5_000


def test_a_vendor_disputes_a_complaint_and_staff_uphold_it(app, client, auth, market, job):
    with app.app_context(), transaction():
        from services import claims
        from tests.money_support import user

        claim_id = claims.file_claim(user(market.resident_id), job, kind="damage", text="Scratched floor",
                                     now=RECENT + timedelta(hours=1)).id
    auth.login(market.vendor_owner_phone)
    assert client.get("/vendor/money/claims").status_code == 200
    short = auth.post(f"/vendor/money/claims/{claim_id}/dispute", {f"claim{claim_id}-reason": "no"},
                      token_from="/vendor/money")
    assert short.status_code == 400
    sent = auth.post(f"/vendor/money/claims/{claim_id}/dispute",
                     {f"claim{claim_id}-reason": "The scratch was there before"}, token_from="/vendor/money")
    assert sent.status_code == 303
    auth.logout()
    auth.login(_staff_phone(app, market))
    with app.app_context():
        dispute_id = db.session.scalar(db.select(Dispute.id))
    assert client.get("/console/services/disputes").status_code == 200
    decided = auth.post(f"/console/services/disputes/{dispute_id}/decide", {f"dispute{dispute_id}-decision": "yes"},
                        token_from="/console/services/disputes")
    assert decided.status_code == 303
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).status == "upheld"


def test_another_vendors_complaint_cannot_be_disputed(app, client, auth, market, job):
    with app.app_context(), transaction():
        from services import claims
        from tests.money_support import user

        claim_id = claims.file_claim(user(market.resident_id), job, kind="damage", text="Scratched floor",
                                     now=RECENT + timedelta(hours=1)).id
        other_owner = db.session.get(type(user(market.staff_id)), vendor(market.other_vendor_id).owner_id).phone
    auth.login(other_owner)
    sent = auth.post(f"/vendor/money/claims/{claim_id}/dispute", {f"claim{claim_id}-reason": "Not ours at all"},
                     token_from="/vendor/money")
    assert sent.status_code == 404


def test_reviews_are_replied_to_by_the_vendor_and_hidden_by_staff(app, client, auth, market, job):
    with app.app_context(), transaction():
        from services import reviews
        from tests.money_support import user

        review_id = reviews.leave_review(user(market.resident_id), job, stars=1, text="Rude crew",
                                         now=RECENT + timedelta(hours=1)).id
    auth.login(market.vendor_owner_phone)
    assert client.get("/vendor/money/reviews").status_code == 200
    replied = auth.post(f"/vendor/money/reviews/{review_id}/reply", {f"review{review_id}-text": "Sorry, we will call"},
                        token_from="/vendor/money")
    assert replied.status_code == 303
    auth.logout()
    auth.login(_staff_phone(app, market))
    assert client.get("/console/services/reviews").status_code == 200
    hidden = auth.post(f"/console/services/reviews/{review_id}/hide", {f"review{review_id}-reason": "Personal data"},
                       token_from="/console/services/reviews")
    assert hidden.status_code == 303
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert (review.reply, review.hidden_reason) == ("Sorry, we will call", "Personal data")


def test_staff_see_every_statement_and_record_a_payout_once(app, client, auth, market, job):
    with app.app_context(), transaction():
        completed_job(market, starts_at=RECENT + timedelta(hours=1), crew_index=1)
    auth.login(_staff_phone(app, market))
    overview = client.get(f"/console/services/payouts?month={MONTH}", headers={"Accept-Language": "en"})
    assert overview.status_code == 200 and "Sparkle Co" in overview.get_data(as_text=True)
    page = client.get(f"/console/services/payouts/{market.vendor_id}?month={MONTH}")
    assert page.status_code == 200
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    for _ in range(2):
        paid = auth.post(f"/console/services/payouts/{market.vendor_id}/pay", {"idempotency_key": key},
                         token_from="/console/services/payouts")
        assert paid.status_code == 303
    with app.app_context():
        assert ledger.balance_cents(market.vendor_id) == 20_000
    exported = client.get(f"/console/services/payouts/{market.vendor_id}?month={MONTH}&format=csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"


def test_a_suspended_vendor_appeals_and_staff_grant_it(app, client, auth, market):
    with app.app_context(), transaction():
        vendor(market.vendor_id).standing = "suspended"
        vendor(market.vendor_id).standing_reason = "complaints"
    auth.login(market.vendor_owner_phone)
    page = client.get("/vendor/standing", headers={"Accept-Language": "en"})
    assert "Fewer than 3 upheld complaints" in page.get_data(as_text=True)
    sent = auth.post("/vendor/standing/appeal", {"text": "We retrained every crew member"}, token_from="/vendor/money")
    assert sent.status_code == 303
    auth.logout()
    auth.login(_staff_phone(app, market))
    page = client.get("/console/services/standing")
    assert page.status_code == 200
    appeal_id = re.search(r"/console/services/appeals/(\d+)/decide", page.get_data(as_text=True)).group(1)
    granted = auth.post(f"/console/services/appeals/{appeal_id}/decide", {f"appeal{appeal_id}-decision": "yes"},
                        token_from="/console/services/standing")
    assert granted.status_code == 303
    with app.app_context():
        assert vendor(market.vendor_id).standing == "good"


def test_the_pages_answer_in_chinese_without_english(app, client, auth, market, job):
    auth.login(market.vendor_owner_phone)
    for path, chinese in (("/vendor/money", "本月合计"), ("/vendor/money/claims", "关于您服务的投诉"),
                          ("/vendor/money/reviews", "您的评价"), ("/vendor/standing", "您的状态")):
        page = client.get(path, headers={"Accept-Language": "zh-CN"})
        visible = _visible_text(page.get_data(as_text=True))
        assert page.status_code == 200 and chinese in visible
        english = [word for word in re.findall(r"[A-Za-z]{4,}", visible) if word not in ("Excel", "English")]
        assert english == [], path


def _visible_text(page):
    body = page.split("<body", 1)[1].split(">", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_complaint_refreshes_itself_while_staff_decide(app, client, auth, market, job):
    auth.login(market.resident_phone)
    assert client.get(f"/services/bookings/{job}/claim/live").status_code == 404  # nothing filed yet
    auth.post(f"/services/bookings/{job}/claim", {"kind": "damage", "text": "A cup was broken"})
    before = client.get(f"/services/bookings/{job}/claim/live", headers={"Accept-Language": "en"})
    assert before.headers["X-Service-Claim"] == "1" and "The store decides by" in before.get_data(as_text=True)
    with app.app_context(), transaction():
        from services import claims
        from tests.money_support import user

        claims.refund(user(market.staff_id), db.session.scalar(db.select(Claim.id)), amount_cents=1_500, upheld=True,
                      now=RECENT + timedelta(hours=1))
    after = client.get(f"/services/bookings/{job}/claim/live", headers={"Accept-Language": "en"})
    assert "¥15.00 was refunded to your wallet." in after.get_data(as_text=True)


def test_the_partials_for_the_booking_and_offering_pages(app, client, auth, market, job):
    from flask import render_template_string
    from flask_login import login_user

    from tests.money_support import user

    with app.app_context(), transaction():
        from services import reviews

        reviews.leave_review(user(market.resident_id), job, stars=4, text="很好", now=RECENT)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        login_user(user(market.resident_id))
        booking = db.session.get(Booking, job)
        care = render_template_string('{% include "services/_aftercare.html" %}', booking=booking)
        assert "You rated this job 4 of 5 stars." in care and f"/services/bookings/{job}/claim" in care
        shown = render_template_string('{% include "services/_reviews.html" %}', vendor_id=market.vendor_id)
        assert "Verified booking" in shown and "很好" in shown and "4.0★ (1)" in shown


def test_a_vendor_login_without_a_vendor_yet_is_told_where_earnings_will_be(app, client, auth, market):
    with app.app_context(), transaction():
        phone = add_vendor_user(market.store_id, name="Newcomer").phone
    auth.login(phone)
    page = client.get("/vendor/money", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "once the store has approved you" in page.get_data(as_text=True)
    assert client.get("/vendor/standing").status_code == 404
