"""The Python recipe as a test: a producer and a consumer group follow a service
through a planned switchover that the caller starts; prints a JSON summary and exits
0 only if every acknowledged record was consumed.

usage: switchover_check.py SERVERS SERVICE GROUP --seconds N --ready FILE
  SERVERS: comma-separated control-service URLs
  The caller promotes the service once FILE exists; the producer runs N seconds.
"""

import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from follower import DiscoveryFollower, FollowingConsumer, FollowingProducer  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("servers")
    p.add_argument("service")
    p.add_argument("group")
    p.add_argument("--seconds", type=float, default=12)
    p.add_argument("--ready", required=True)
    p.add_argument("--rate", type=int, default=100)
    args = p.parse_args()

    follower = DiscoveryFollower(args.servers.split(","), args.service).start()
    if follower.wait_for_document() is None:
        print(json.dumps({"error": "no discovery document within 30 s"}))
        return 2
    start_epoch = follower.current()[0]["epoch"]

    acked, consumed, lock = set(), {}, threading.Lock()
    stop_consuming = threading.Event()

    def delivered(err, msg):
        if err is None:
            with lock:
                acked.add(msg.value().decode())

    consumer = FollowingConsumer(follower, args.group)

    def consume():
        while not stop_consuming.is_set():
            m = consumer.poll(0.2)
            if m is not None:
                with lock:
                    v = m.value().decode()
                    consumed[v] = consumed.get(v, 0) + 1
        consumer.close()

    reader = threading.Thread(target=consume)
    reader.start()
    producer = FollowingProducer(follower, {"linger.ms": 5})
    sent = 0
    started = time.monotonic()
    with open(args.ready, "w") as f:
        f.write("producing\n")
    while time.monotonic() - started < args.seconds:
        producer.produce(key=b"k%d" % (sent % 16), value=b"py-%d" % sent, on_delivery=delivered)
        sent += 1
        time.sleep(1.0 / args.rate)
    producer.flush()
    # The consumer catches up with everything acknowledged, or gives up after 30 s.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with lock:
            if acked <= consumed.keys():
                break
        time.sleep(0.2)
    stop_consuming.set()
    reader.join(30)
    doc, _ = follower.current()
    with lock:
        lost = sorted(acked - consumed.keys(), key=lambda v: int(v.split("-")[1]))
        summary = {
            "sent": sent, "acknowledged": len(acked), "consumed": len(consumed),
            "redelivered": sum(n - 1 for n in consumed.values()), "lost": len(lost), "firstLost": lost[:5],
            "epochBefore": start_epoch, "epochAfter": doc["epoch"], "clusterAfter": doc["active"]["cluster"],
            "consumerEpochs": consumer.epochs,
        }
    print(json.dumps(summary))
    return 0 if not lost and len(acked) > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
