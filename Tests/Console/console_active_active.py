"""The console with an active-active service, in a real browser (Debian's chromium through
Selenium): one row per client region, keys written in both regions reported, and a promote
of one region's clients that moves only them. Run by Tests/EndToEndTests/ConsoleTests.swift.

    console_active_active.py URL --operator TOKEN --viewer TOKEN --out DIR --east BOOTSTRAP --west BOOTSTRAP
"""
import argparse

from confluent_kafka import Producer
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser
from browser import api, check, check_until, click, css, sign_in, until

p = argparse.ArgumentParser()
p.add_argument("url")
p.add_argument("--operator", required=True)
p.add_argument("--viewer", required=True)
p.add_argument("--out", required=True)
p.add_argument("--east", required=True, help="east's bootstrap servers")
p.add_argument("--west", required=True, help="west's bootstrap servers")
args = p.parse_args()
URL = args.url.rstrip("/")


def lane(name):
    return next(s for s in api("/v1/status", args.viewer)[1]["services"] if s["service"] == name)


d = browser.start(URL, args.out, "active-active-failed.png")
try:
    d.get(URL + "/ui/")
    sign_in(args.operator)
    until(lambda: css('#services tr[data-service="orders@east"]'), "a row for east's clients of orders")
    for region in ["east", "west"]:
        row = css(f'#services tr[data-service="orders@{region}"]')[0]
        check(css(".client-region", row)[0].text == region and css(".active", row)[0].text.startswith(region),
              f"orders@{region}: clients in {region}, on {region}")

    # One customer's key written in both regions: the console shows the conflict.
    for servers, value in [(args.east, b"east"), (args.west, b"west")]:
        producer = Producer({"bootstrap.servers": servers})
        producer.produce("orders", key=b"customer-42", value=value)
        check(producer.flush(10) == 0, f"a write of customer-42 acknowledged by {servers}")
    check_until(lambda: css('#writes tr[data-conflicts="orders"]')
                and "customer-42" in css('#writes tr[data-conflicts="orders"]')[0].text, "the conflicting key is shown", 30)
    d.save_screenshot(f"{args.out}/active-active.png")

    # A promote of east's clients to west through the console: only they move.
    west_before = lane("orders@west")
    click('#services tr[data-service="orders@east"] button[data-action="promote"]')
    until(lambda: css("#action-to"), "the promote dialog for east's clients")
    Select(css("#action-to")[0]).select_by_value("west")
    css("#action-reason")[0].send_keys("console check")
    css("#action-dry-run")[0].click()
    until(lambda: css(".plan-steps li"), "the dry run's plan")
    steps = css(".plan-steps")[0].text
    check("remote copy" in steps and "leave replication as it is" in steps, "the plan translates the remote copies and leaves replication")
    css("#action-confirm-name")[0].send_keys("orders@east")
    css("#action-go")[0].click()
    until(lambda: "#failovers/" in d.current_url, "the console shows the failover")
    until(lambda: css('#timeline[data-status="succeeded"]'), "the failover of east's clients succeeds", 60)
    east = lane("orders@east")
    west = lane("orders@west")
    check(east["activeCluster"] == "west" and east["epoch"] == 3, f"east's clients on west at epoch {east['epoch']}")
    check(west == west_before, "west's clients did not move")
    check("orders@east" in d.find_element(By.TAG_NAME, "main").text, "the failover names the region's lane")
    print("console check passed")
finally:
    d.quit()
