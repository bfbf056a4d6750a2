"""What a person does in a browser on Flickr's (the emulator's) authorize page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class _PostForm(HTMLParser):
    """The page's post form: where it goes, its hidden and text fields, its buttons' names."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}  # (values arrive unescaped)
        if tag == "form" and a.get("method", "").lower() == "post":
            self.inside, self.action = True, a.get("action") or None
        elif self.inside and tag == "input" and a.get("type", "text").lower() in ("hidden", "text") and "name" in a:
            self.fields[a["name"]] = a.get("value", "")
        elif self.inside and tag == "button" and a.get("name"):
            self.buttons.append(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def approve_in_browser(
    url: str, *, button: str = "authorize", follow: bool = True, session: requests.Session | None = None
) -> requests.Response:
    """Open the authorize page at ``url`` and submit its form with ``button`` pressed, as a browser
    does (the form's own action and hidden fields); the answer, its redirect followed if ``follow``."""
    browser = session or requests.Session()
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text
    form = _PostForm()
    form.feed(page.text)
    assert button in form.buttons, f"no {button!r} button on the page:\n{page.text}"
    action = urljoin(url, form.action) if form.action else url
    return browser.post(action, data={**form.fields, button: "1"}, timeout=10, allow_redirects=follow)


def shown_code(page: str) -> str:
    """The verification code the page shows after an out-of-band ('oob') approval."""
    match = re.search(r'id="verifier">([^<]+)<', page)
    assert match, f"the page shows no code (was the request token not 'oob'?):\n{page}"
    return match.group(1)
