"""The app answers: health, stores API, role homes."""
from store_app.roles import Role


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_role_homes_after_login(client, auth, community):
    expected = {Role.RESIDENT: "/shop", Role.STAFF: "/console", Role.COURIER: "/courier",
                Role.OWNER: "/owner", Role.VENDOR: "/vendor/"}
    for role, path in expected.items():
        _, phone = community["users"][role]
        response = auth.login(phone)
        assert response.status_code == 302, role
        assert response.headers["Location"] == path
        # A vendor login without an application is sent on to apply.
        assert client.get(path, follow_redirects=True).status_code == 200
        auth.logout()


def test_the_welcome_page_offers_only_what_exists(client, community):
    """Breakfast and home services are not built yet: the landing page does not advertise them."""
    pages = {lang: client.get("/", headers={"Accept-Language": lang}).get_data(as_text=True) for lang in ("en", "zh-CN")}
    assert "minutes" in pages["en"] and "分钟" in pages["zh-CN"]
    assert "breakfast" not in pages["en"].lower() and "home services" not in pages["en"].lower()
    assert "早餐" not in pages["zh-CN"] and "上门服务" not in pages["zh-CN"]
