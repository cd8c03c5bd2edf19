"""Every job message reads in the reader's language: a title and a body, Chinese on Chinese pages."""
import re

import pytest

from services import job_notices  # noqa: F401 -- registers the renderers
from store_app.notifications.presenters import RENDERERS

KINDS = ("service_job_offered", "service_job_assigned", "service_job_accepted", "service_job_reoffered",
         "service_job_escalated", "service_job_to_place", "service_job_expired", "service_job_cancelled",
         "service_vendor_no_show", "service_running_late", "service_job_done", "service_no_show",
         "service_extra_proposed", "service_extra_approved")
PARAMS = {"name_zh": "家政保洁", "name_en": "Cleaning", "booking_id": 1, "starts_at": "2026-12-10T02:00:00+00:00",
          "tz": "Asia/Shanghai", "refund_cents": 20000, "fee_cents": 20000, "amount_cents": 3050, "note": "10:40",
          "n": 1}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", KINDS)
def test_each_job_message_reads_in_both_languages(app, kind):
    for lang, accept in (("zh", "zh-CN"), ("en", "en")):
        with app.test_request_context("/", headers={"Accept-Language": accept}):
            title, body = RENDERERS[kind](PARAMS)
            assert title and body
            if lang == "zh":
                assert HAN.search(str(title)) and HAN.search(str(body)), (kind, title, body)
                assert not re.search(r"[A-Za-z]{4,}", str(title) + str(body)), (kind, title, body)
            else:
                assert "Cleaning" in str(body) and not HAN.search(str(title) + str(body)), (kind, body)
