"""Steps the browser tests share."""

DEMO_PASSWORD = "demo1234"  # every account of the demo community


def log_in(page, phone, password=DEMO_PASSWORD):
    """Sign in through the login form on ``page`` (the demo password unless told otherwise)."""
    page.goto("/login")
    form = page.locator('main form[action^="/login"]')
    form.locator('input[name="phone"]').fill(phone)
    form.locator('input[name="password"]').fill(password)
    form.locator('button[type="submit"]').click()
