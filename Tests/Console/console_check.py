"""The console in a real browser (Debian's chromium through Selenium and chromedriver),
against a running `failoverctl serve` over a mirrored lab. Run by
Tests/EndToEndTests/ConsoleTests.swift; exits 1 naming the first check that failed.

    console_check.py URL --operator TOKEN --viewer TOKEN --out DIR --marker TEXT
"""
import argparse
import json
import time
import urllib.error
import urllib.request

from confluent_kafka import Consumer, Producer
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

import browser
from browser import api, check, check_until, click, css, fail, sign_in, until

p = argparse.ArgumentParser()
p.add_argument("url")
p.add_argument("--operator", required=True)
p.add_argument("--viewer", required=True)
p.add_argument("--out", required=True)
p.add_argument("--marker", required=True, help="the region description, markup included")
p.add_argument("--lab", required=True, help="the lab's control URL (to take east down)")
args = p.parse_args()
URL = args.url.rstrip("/")
browser.URL = URL


def service(name):
    return next(s for s in api("/v1/status", args.viewer)[1]["services"] if s["service"] == name)


# --- Traffic: records and a committed group on the active cluster, so that the dry run has
# offsets to translate and the flows have lag to draw.
topology = api("/v1/topology", args.viewer)[1]
east = next(c for c in topology["clusters"] if c["name"] == "east")["bootstrapServers"]
producer = Producer({"bootstrap.servers": east})
for i in range(300):
    producer.produce("orders", key=str(i % 7).encode(), value=f"order {i}".encode())
producer.flush(15)
consumer = Consumer({"bootstrap.servers": east, "group.id": "orders-processor", "auto.offset.reset": "earliest",
                     "enable.auto.commit": False})
consumer.subscribe(["orders"])
seen = 0
deadline = time.time() + 30
while seen < 200 and time.time() < deadline:
    m = consumer.poll(0.5)
    if m is not None and m.error() is None:
        seen += 1
consumer.commit(asynchronous=False)
consumer.close()
check(seen >= 200, f"consumed and committed {seen} records of orders on east as orders-processor")
# The mirror checkpoints the group onto west; the orchestrator ingests it.
deadline = time.time() + 60
translations = []
while time.time() < deadline:
    status, outcome, _ = api("/v1/services/orders/promote", args.operator, {"to": "west", "dryRun": True})
    translations = [t for t in (outcome or {}).get("translations", []) if t.get("translatedOffset") is not None]
    if translations:
        break
    time.sleep(1)
check(translations, f"the API's dry run translates {len(translations)} group-partitions onto west")
# Enough audit entries for more than one page (each refusal is audited).
for _ in range(30):
    api("/v1/services/payments/demote", args.operator, {"reason": 7})

# --- The browser.
d = browser.start(URL, args.out)


try:
    # Headers: a strict policy, no inline script.
    with urllib.request.urlopen(URL + "/ui/", timeout=10) as r:
        csp = r.headers.get("Content-Security-Policy", "")
    check("script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp,
          f"the page's Content-Security-Policy is strict: {csp}")
    with urllib.request.urlopen(URL + "/ui/console.js", timeout=10) as r:
        etag = r.headers.get("ETag")
        check(r.headers.get("Content-Type", "").startswith("text/javascript") and etag, "a module is served with its ETag")
    try:
        urllib.request.urlopen(urllib.request.Request(URL + "/ui/console.js", headers={"If-None-Match": etag}), timeout=10)
        fail("a revalidation with the ETag answered 200")
    except urllib.error.HTTPError as e:
        check(e.code == 304, f"a revalidation with the ETag is a 304 ({e.code})")
    try:
        urllib.request.urlopen(URL + "/ui/nope.js", timeout=10)
        fail("an unknown console file answered 200")
    except urllib.error.HTTPError as e:
        check(e.code == 404, f"an unknown console file is a 404 ({e.code})")

    d.get(URL + "/")
    until(lambda: d.current_url.endswith("/ui/"), "/ redirects to /ui/")
    # A wrong token: the API's own message, nothing shown.
    sign_in("not-a-token")
    until(lambda: css("#auth-error"), "a wrong token shows an error")
    message = api("/v1/status", "not-a-token")[1]["message"]
    check(message in css("#auth-error")[0].text and "401" in css("#auth-error")[0].text,
          f"a wrong token shows the API's 401 message: {css('#auth-error')[0].text}")

    # The overview against the API, as a viewer.
    sign_in(args.viewer)
    until(lambda: css("#services tr[data-service]"), "the overview lists services")
    status = api("/v1/status", args.viewer)[1]
    for sv in status["services"]:
        def shown(sv=sv):
            row = css(f'#services tr[data-service="{sv["service"]}"]')[0]
            return (css(".epoch", row)[0].text == str(sv["epoch"]) and css(".active", row)[0].text.startswith(sv["activeCluster"])
                    and css(".state", row)[0].text == sv["state"])
        check_until(shown, f"service {sv['service']}: {sv['activeCluster']}, epoch {sv['epoch']}, {sv['state']} as the API says")
    for c in status["clusters"]:
        check_until(lambda c=c: c["state"] in css(f'#regions [data-cluster="{c["cluster"]}"]')[0].text,
                    f"cluster {c['cluster']} shown {c['state']}")
    for f in status["flows"]:
        check(css(f'#flows tr[data-flow="{f["flow"]}"]') and css(f'svg.diagram g[data-flow="{f["flow"]}"]'),
              f"flow {f['flow']} in the table and as an arrow")
    check_until(lambda: args.marker in [e.text for e in css("#regions .description")],
                "the region description with markup is shown as text")
    check(not css("#main img") and d.execute_script("return window.__consoleInjected === undefined"),
          "no element or script from the description")
    for e in d.get_log("browser"):
        # Refused API calls are logged by the browser too: only script errors count.
        if e["level"] == "SEVERE" and e.get("source") != "network":
            fail(f"browser error: {e['message']}")

    # A viewer cannot act: the 403 is shown, nothing changes.
    before = service("orders")
    click('#services tr[data-service="orders"] button[data-action="promote"]')
    until(lambda: css("dialog[open] #action-dry-run"), "the promote dialog opens")
    css("#action-dry-run")[0].click()
    until(lambda: "403" in "".join(e.text for e in css("#action-error")), "a viewer's promote shows 403")
    check("forbidden" in css("#action-error")[0].text, f"the 403 says why: {css('#action-error')[0].text}")
    d.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    until(lambda: not css("dialog[open]"), "Escape closes the dialog")
    check(service("orders")["epoch"] == before["epoch"], "nothing changed after the 403")

    # As an operator: the overview screenshot, then a promote through the console.
    click("#sign-out")
    sign_in(args.operator)
    until(lambda: css('#services tr[data-service="orders"]'), "the overview as an operator")
    time.sleep(1)
    d.save_screenshot(f"{args.out}/overview.png")
    click('#services tr[data-service="orders"] button[data-action="promote"]')
    until(lambda: css("#action-to"), "the promote dialog")
    Select(css("#action-to")[0]).select_by_value("west")
    css("#action-reason")[0].send_keys("console check")
    css("#action-dry-run")[0].click()
    rows = until(lambda: css("#translations tbody tr") if css("#translations tbody tr td.num") else None,
                 "the dry run lists the translations")
    check(len(rows) >= len(translations), f"the dry run shows {len(rows)} group-partitions with their offsets")
    check(css(".plan-steps li") and "translate" in css(".plan-steps")[0].text, "the dry run shows the plan's steps")
    d.save_screenshot(f"{args.out}/plan.png")
    check(service("orders")["epoch"] == before["epoch"], "the dry run changed nothing")
    go = css("#action-go")[0]
    css("#action-confirm-name")[0].send_keys("order")
    check(not go.is_enabled(), "the promote stays disabled until the service's name is typed")
    css("#action-confirm-name")[0].send_keys("s")
    check(go.is_enabled(), "typing the name enables it")
    go.click()
    until(lambda: "#failovers/" in d.current_url, "the console shows the failover after the promote")
    fid = d.current_url.split("#failovers/")[1]
    until(lambda: css('#timeline[data-status="succeeded"]'), "the timeline follows the failover to succeeded", 60)
    record = api(f"/v1/failovers/{fid}", args.viewer)[1]
    expected = {s["name"]: s["status"] for s in record["steps"]}
    check_until(lambda: {e.get_attribute("data-step"): e.get_attribute("data-status") for e in css("#timeline li.step")} == expected,
                f"the timeline shows every step with its status: {expected}")
    check_until(lambda: "translated" in css('#timeline li[data-step="translate-offsets"]')[0].text,
                "the timeline says what was translated")
    d.execute_script("window.scrollTo(0, 0)")
    d.save_screenshot(f"{args.out}/failover.png")
    after = service("orders")
    check(after["activeCluster"] == "west" and after["epoch"] == before["epoch"] + 2,
          f"orders moved to west at epoch {after['epoch']}")

    # A token that is no longer valid: the API's message, nothing changed.
    d.get(URL + "/ui/#overview")
    until(lambda: css('#services tr[data-service="orders"]'), "the overview again")
    # In one script: the page refreshes every 2 s, and a refresh with the revoked token
    # between setting it and the clicks would sign out before the dialog opens.
    d.execute_script("""
        sessionStorage.setItem('failoverctl.token', 'revoked-token');
        document.querySelector('#services tr[data-service="orders"] button[data-action="failback"]').click();
        document.querySelector('#action-dry-run').click();""")
    until(lambda: "401" in "".join(e.text for e in css("#action-error")), "a revoked token's failback shows 401")
    check(message in css("#action-error")[0].text, f"the 401 carries the API's message: {css('#action-error')[0].text}")
    check(service("orders") == after, "nothing changed after the 401")
    d.execute_script(f"sessionStorage.setItem('failoverctl.token', {json.dumps(args.operator)})")
    d.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)

    # The token is never in the URL, and no cookie holds it.
    check(args.operator not in d.current_url and not d.get_cookies(), "the token is in no URL and no cookie")

    # Lag over time with the RPO budget.
    d.get(URL + "/ui/#lag")
    until(lambda: css("section.lag-flow svg.chart"), "the lag view draws charts")
    lag = api("/v1/lag-history", args.viewer)[1]
    check_until(lambda: len(css("section.lag-flow svg.chart")) == len(lag["flows"]), "a chart per flow")
    check_until(lambda: len(css("section.lag-flow svg.chart line.budget")) == len(lag["flows"]),
                "the RPO budget drawn on every chart")
    until(lambda: css("section.lag-flow polyline.series"), "a lag series drawn", 30)
    # Each flow's canary (the lab runs with --canary), with its latency.
    check_until(lambda: css('section.lag-flow p.canary[data-canary="east->west"]')
                and "latency" in css('section.lag-flow p.canary[data-canary="east->west"]')[0].text,
                "the canary of east->west with its latency", 30)

    # The audit log, a page at a time.
    d.get(URL + "/ui/#audit")
    until(lambda: css("#audit-table tr[data-entry]"), "the audit log")
    newest = api("/v1/audit?limit=1", args.viewer)[1]["entries"][0]["id"]
    first = [e.get_attribute("data-entry") for e in css("#audit-table tr[data-entry]")]
    check(first[0] == str(newest) and len(first) == 25, f"the first page starts at the newest entry #{newest}")
    click("#audit-older")
    until(lambda: css("#audit-table tr[data-entry]") and css("#audit-table tr[data-entry]")[0].get_attribute("data-entry") != first[0],
          "Older shows the next page")
    second = [int(e.get_attribute("data-entry")) for e in css("#audit-table tr[data-entry]")]
    check(max(second) < min(int(x) for x in first), "the older page holds only older entries")

    # By keyboard: a navigation moves focus to the content; Tab reaches the actions,
    # Enter opens one, Escape closes it; Shift+Tab reaches the sections, Enter follows one.
    d.get(URL + "/ui/#overview")
    until(lambda: css('#services tr[data-service]'), "the overview")

    def tab_to(test, back=False):
        for _ in range(12):
            chain = ActionChains(d)
            (chain.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT) if back else chain.send_keys(Keys.TAB)).perform()
            if test(d.switch_to.active_element):
                return True
        return False

    check(tab_to(lambda e: e.get_attribute("data-action") == "promote"), "Tab reaches a service's Promote")
    ActionChains(d).send_keys(Keys.ENTER).perform()
    until(lambda: css("dialog[open]") and d.switch_to.active_element.get_attribute("id") == "action-dry-run",
          "Enter opens the dialog with the focus in it")
    ActionChains(d).send_keys(Keys.ESCAPE).perform()
    until(lambda: not css("dialog[open]"), "Escape closes it")
    check(tab_to(lambda e: e.get_attribute("data-view") == "failovers", back=True), "Shift+Tab reaches Failovers")
    ActionChains(d).send_keys(Keys.ENTER).perform()
    until(lambda: css("#failover-list"), "Enter on it opens the failovers")

    # A pending approval: payments (manual-approval policy) once east is down. The console
    # shows Ack and Abort; Abort, with the name typed, ends it and moves nothing.
    req = urllib.request.Request(args.lab.rstrip("/") + "/lab/regions/east/fail", method="POST")
    urllib.request.urlopen(req, timeout=10).read()
    deadline = time.time() + 60
    pending = None
    while time.time() < deadline and pending is None:
        fs = api("/v1/failovers?service=payments", args.viewer)[1]["failovers"]
        pending = next((f for f in fs if f["status"] == "pending"), None)
        time.sleep(0.5)
    check(pending is not None, "east down: a pending failover of payments awaits approval")
    d.get(URL + f"/ui/#failovers/{pending['id']}")
    until(lambda: css('#timeline[data-status="pending"] button[data-action="ack"]')
          and css('#timeline button[data-action="abort"]'), "the pending failover shows Ack and Abort")
    click('#timeline button[data-action="abort"]')
    until(lambda: css("dialog[open] #action-confirm-name"), "the abort dialog")
    css("#action-confirm-name")[0].send_keys("payments")
    css("#action-go")[0].click()
    until(lambda: css('#timeline[data-status="aborted"]'), "the timeline shows the failover aborted")
    check(api(f"/v1/failovers/{pending['id']}", args.viewer)[1]["status"] == "aborted"
          and service("payments")["activeCluster"] == "east", "aborted through the console; payments did not move")

    # A phone-sized screen: nothing wider than the screen but the tables' own scrollers.
    d.set_window_size(390, 844)
    d.get(URL + "/ui/#overview")
    until(lambda: css('#services tr[data-service]'), "the overview on a phone")
    width = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    check(width[0] <= width[1] + 1, f"no horizontal scrolling on a phone: {width}")
    d.save_screenshot(f"{args.out}/phone.png")
finally:
    d.quit()
print("console check passed")
