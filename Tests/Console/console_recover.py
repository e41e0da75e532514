"""The console's tails section and its Recover action, in a real browser (Debian's
chromium through Selenium), against a server whose service failed over with a tail that
the old primary, back, still holds. Run by Tests/EndToEndTests/DivergenceTests.swift.

    console_recover.py URL --operator TOKEN --viewer TOKEN --out DIR
"""
from selenium.webdriver.support.ui import Select

import browser
from browser import api, check, check_until, click, css, sign_in, until

args = browser.arguments()
URL = args.url.rstrip("/")

ROW = '#divergence tr[data-divergence="orders"]'

d = browser.start(URL, args.out, "recover-failed.png")
try:
    # A viewer sees the tail; the button is there, the API refuses the viewer (403).
    d.get(URL + "/ui/")
    sign_in(args.viewer)
    until(lambda: css(ROW), "the tails section lists orders")
    row = css(ROW)[0].text
    check("east" in row and "west" in row and "orders[0] 12..<20" in row, f"the tail is shown: {row}")
    check_until(lambda: css(ROW + ' button[data-action="recover"]'), "a Recover action for the measured tail")
    click(ROW + ' button[data-action="recover"]')
    until(lambda: css("#recover-into"), "the recover dialog")
    css("#action-dry-run")[0].click()
    until(lambda: css("#action-error .error"), "the viewer's refusal")
    check("403" in css("#action-error")[0].text, "a viewer is refused with the API's 403: " + css("#action-error")[0].text)
    click('#dialog button.secondary')
    click("#sign-out")

    # An operator: the plan, the typed name, the copy.
    sign_in(args.operator)
    until(lambda: css(ROW + ' button[data-action="recover"]'), "the Recover action, as an operator")
    click(ROW + ' button[data-action="recover"]')
    until(lambda: css("#recover-into"), "the recover dialog")
    Select(css("#recover-into")[0]).select_by_value("active")
    css("#action-reason")[0].send_keys("console check: east is back")
    css("#action-dry-run")[0].click()
    until(lambda: css("#recover-partitions tbody tr"), "the recovery's plan")
    plan = css("#action-plan")[0].text
    check("8 records of failover 1, east → west (active)" in plan and "12..<20" in plan and "orders[0]" in plan,
          f"the plan names the records and where they go: {plan}")
    status, before, _ = api("/v1/recoveries?service=orders", args.viewer)
    check(status == 200 and before["recoveries"] == [], "the dry run started nothing")
    go = css("#action-go")[0]
    check(go.get_attribute("disabled") is not None, "recover stays disabled until the name is typed")
    css("#action-confirm-name")[0].send_keys("orders")
    check_until(lambda: css("#action-go")[0].get_attribute("disabled") is None, "typing the name enables it")
    d.save_screenshot(f"{args.out}/recover-plan.png")
    css("#action-go")[0].click()
    check_until(lambda: api("/v1/recoveries?service=orders", args.viewer)[1]["recoveries"]
                and api("/v1/recoveries?service=orders", args.viewer)[1]["recoveries"][0]["status"] == "succeeded",
                "the recovery ran to its end", 60)
    check_until(lambda: css(ROW) and "8 (recovery" in css(ROW)[0].text, "the tails section shows the 8 records recovered", 30)
    audit = api("/v1/audit?limit=20", args.viewer)[1]
    entries = audit["entries"] if isinstance(audit, dict) else audit
    check(any(e["action"] == "recover" and e["outcome"] == "accepted" and "console check" in e["details"] for e in entries),
          "the recovery is audited with the reason typed")
    d.save_screenshot(f"{args.out}/recover-done.png")
    print("console check passed")
finally:
    d.quit()
