"""What the console's browser checks share: the report of each check, the API, and a
headless chromium (Debian's, through chromedriver) with waits that survive the console's
redraws. `start` first; the rest use the browser it made."""
import argparse
import json
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

URL = ""
OUT = "."
SHOT = "failed.png"
d = None


def arguments(*extra):
    """The arguments every check takes (URL --operator T --viewer T --out DIR), and `extra`
    required options of its own (names without dashes)."""
    p = argparse.ArgumentParser()
    p.add_argument("url")
    for name in ("operator", "viewer", "out", *extra):
        p.add_argument(f"--{name}", required=True)
    return p.parse_args()


def start(url, out, failed_screenshot="failed.png"):
    """The browser, for the console at `url`; a failed wait leaves a screenshot in `out`."""
    global URL, OUT, SHOT, d
    URL, OUT, SHOT = url.rstrip("/"), out, failed_screenshot
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800"]:
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_window_size(1280, 800)
    return d


def fail(what):
    print(f"console check failed: {what}", file=sys.stderr)
    sys.exit(1)


def check(ok, what):
    if not ok:
        fail(what)
    print(f"ok: {what}")


def api(path, token, body=None):
    """(status, JSON, headers) of a request to the control service with `token`."""
    req = urllib.request.Request(URL + path, method="POST" if body is not None else "GET")
    req.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        req.add_header("Content-Type", "application/json")
        req.data = json.dumps(body).encode()
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, json.loads(r.read() or b"null"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), dict(e.headers)


def css(sel, root=None):
    return (root or d).find_elements(By.CSS_SELECTOR, sel)


def until(fn, what, timeout=20):
    # The console redraws its view every 2 s: an element found a moment ago may have been
    # replaced, so each condition is tried again until it holds.
    try:
        return WebDriverWait(d, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(lambda _: fn())
    except Exception:
        d.save_screenshot(f"{OUT}/{SHOT}")
        fail(f"{what} (screenshot {SHOT})")


def click(sel):
    def attempt():
        css(sel)[0].click()
        return True
    until(attempt, f"click {sel}")


def check_until(fn, what, timeout=20):
    until(fn, what, timeout)
    print(f"ok: {what}")


def sign_in(tok):
    until(lambda: css("#token"), "the sign-in form")
    css("#token")[0].clear()
    css("#token")[0].send_keys(tok, Keys.ENTER)
