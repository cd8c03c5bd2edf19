"""Pages come out in the chosen language: Chinese by default, the browser's, or the one picked.

The compiled ``.mo`` files are build output (not in git), so these tests compile them first
(``compiled_catalogs``); the catalogue itself is checked in tests/unit/test_translations.py.
"""
import pytest


@pytest.fixture
def store_client(compiled_catalogs, client, create_store):
    """A test client of an app with one store, its catalogues compiled before the first request."""
    create_store()
    return client


def page_text(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_login_page_is_chinese_by_default(store_client):
    html = page_text(store_client.get("/login"))
    assert '<html lang="zh-Hans">' in html
    assert "登录" in html
    assert "手机号" in html  # a lazily translated form label
    assert "Log in" not in html


def test_login_page_follows_a_chinese_browser(store_client):
    html = page_text(store_client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}))
    assert "登录" in html
    assert "Log in" not in html


def test_login_page_follows_an_english_browser(store_client):
    html = page_text(store_client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert "Log in" in html
    assert "登录" not in html


def test_language_cookie_wins_over_the_browser(store_client):
    store_client.set_cookie("lang", "en")
    html = page_text(store_client.get("/login", headers={"Accept-Language": "zh-CN"}))
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Mobile number" in html
    assert "登录" not in html


def test_javascript_tokens_reach_the_page_with_one_percent_sign(store_client):
    html = page_text(store_client.get("/register"))
    assert 'data-msg-found="找到 %n 个楼栋"' in html
    assert 'data-msg-nearest="最近的楼栋：%b（距离 %m 米）"' in html
