"""The console's Drills view in a real browser (Debian's chromium through Selenium): an
operator drills orders from the page (plan and gates first, the typed name, the drill),
follows it to its report, and sees it in the trend and the list. Run by
Tests/EndToEndTests/DrillServeTests.swift.

    console_drill.py URL --operator TOKEN --viewer TOKEN --out DIR
"""
import browser
from browser import api, check, check_until, click, css, sign_in, until

args = browser.arguments()
URL = args.url.rstrip("/")

d = browser.start(URL, args.out, "drill-failed.png")
try:
    d.get(URL + "/ui/#drills")
    sign_in(args.operator)
    until(lambda: css('button[data-action="drill"][data-service="orders"]'), "a Drill action for orders")
    check("no drill has run yet" in css("#drill-trend")[0].get_attribute("aria-label"), "the trend is empty at first")
    click('button[data-action="drill"][data-service="orders"]')
    until(lambda: css("#drill-back-after"), "the drill dialog")
    back = css("#drill-back-after")[0]
    back.clear()
    back.send_keys("2s")
    css("#action-reason")[0].send_keys("console check: weekly drill")
    css("#action-dry-run")[0].click()
    until(lambda: css("#drill-gates"), "the drill's plan and gates")
    plan = css("#action-plan")[0].text
    check("east → west, back after 2 s" in plan and "Every gate is open." in plan, f"the plan and the gates: {plan}")
    status, before, _ = api("/v1/drills", args.viewer)
    check(status == 200 and before["drills"] == [], "the dry run started nothing")
    css("#action-confirm-name")[0].send_keys("orders")
    check_until(lambda: css("#action-go")[0].get_attribute("disabled") is None, "typing the name enables it")
    css("#action-go")[0].click()
    until(lambda: css('#drill-report[data-status="passed"]'), "the drill's report says passed", 120)
    rpo = css("#drill-rpo")[0].text
    check(rpo.startswith("0 of "), f"RPO 0: {rpo}")
    check(len(css('#drill-report [data-leg]')) == 2, "both legs are reported with their steps")
    check_until(lambda: "1 drills" in css("#drill-trend")[0].get_attribute("aria-label"), "the trend has the drill")
    row = css("#drill-list tbody tr")[0].text
    check("orders" in row and "passed" in row and "exact" in row, f"the list has it: {row}")
    d.save_screenshot(f"{args.out}/drill-report.png")
    print("console check passed")
finally:
    d.quit()
