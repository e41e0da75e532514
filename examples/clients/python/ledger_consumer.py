"""An independent consumer for the demo's proof: confluent-kafka (its own librdkafka),
following each service's discovery document (the recipe's DiscoveryFollower), one
consumer group per service, counting every record it reads. It assigns the partitions
itself and commits each record as read, under the group's name, instead of joining the
group: librdkafka's mock cluster, which the demo runs on, refuses offsets written from
outside to any group that has ever had members (its OffsetCommit handler answers
UNKNOWN_MEMBER_ID when the group exists and the member does not, empty or not), where
Kafka accepts them once the group is empty; a joined group would keep a failback from
putting it past what it read (docs/testing.md). It writes a JSON summary to
--out every second (replacing it whole), and a last one when --stop exists, then exits.

usage: ledger_consumer.py SERVERS SERVICE=GROUP [SERVICE=GROUP ...] --stop FILE --out FILE
  SERVERS: comma-separated control-service URLs; the summary is written to --out
"""

import argparse
import json
import os
import sys
import threading
import time

import confluent_kafka

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from confluent_kafka import Consumer, KafkaException, TopicPartition  # noqa: E402
from follower import DiscoveryFollower, client_config  # noqa: E402


class AssignedReader:
    """The group's committed positions on whichever cluster discovery names, read with
    assign(); each record committed as read. On a move it starts again from the group's
    offsets on the new cluster, which the orchestrator translated."""

    def __init__(self, follower, group):
        self.follower, self.group = follower, group
        self.consumer, self.cluster, self.epochs = None, None, []

    def poll(self, timeout):
        doc, _ = self.follower.current()
        if doc is not None and doc["active"]["cluster"] != self.cluster:
            self._move(doc)
        if self.consumer is None:
            time.sleep(timeout)
            return None
        m = self.consumer.poll(timeout)
        if m is None or m.error():
            return None
        try:
            self.consumer.commit(message=m, asynchronous=False)
        except KafkaException:
            pass  # the cluster is going: the record comes again from where the group resumes
        return m

    def _move(self, doc):
        if self.consumer is not None:
            self.consumer.close()
            self.consumer = None
        config = client_config(doc, {"group.id": self.group, "enable.auto.commit": False})
        consumer = Consumer(config)
        try:
            metadata = consumer.list_topics(timeout=5)
            partitions = [TopicPartition(t, p) for t in doc["topics"]["consume"] if t in metadata.topics
                          for p in metadata.topics[t].partitions]
            committed = consumer.committed(partitions, timeout=5)
        except KafkaException:
            consumer.close()
            return  # the cluster does not answer yet: tried again at the next poll
        # Where the group has no offset: the start, as the lab's readers do.
        for tp in committed:
            if tp.offset < 0:
                tp.offset = 0
        consumer.assign(committed)
        self.consumer, self.cluster = consumer, doc["active"]["cluster"]
        self.epochs.append(doc["epoch"])

    def close(self):
        if self.consumer is not None:
            self.consumer.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("servers")
    p.add_argument("groups", nargs="+", help="SERVICE=GROUP")
    p.add_argument("--stop", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()

    reads, lock = {}, threading.Lock()
    done = threading.Event()
    epochs = {}

    def consume(service, group):
        follower = DiscoveryFollower(args.servers.split(","), service).start()
        consumer = AssignedReader(follower, group)
        while not done.is_set():
            m = consumer.poll(0.2)
            if m is not None and m.value() is not None:
                with lock:
                    v = m.value().decode()
                    reads[v] = reads.get(v, 0) + 1
        epochs[service] = consumer.epochs
        consumer.close()
        follower.stop()

    threads = []
    for pair in args.groups:
        service, _, group = pair.partition("=")
        t = threading.Thread(target=consume, args=(service, group), daemon=True)
        t.start()
        threads.append(t)
    version = confluent_kafka.version()
    client = f"confluent-kafka {version[0] if isinstance(version, tuple) else version} " \
        f"(librdkafka {confluent_kafka.libversion()[0]})"

    def write():
        with lock:
            summary = {
                "client": client,
                "reads": dict(reads), "epochs": dict(epochs),
            }
        with open(args.out + ".tmp", "w") as f:
            json.dump(summary, f)
        os.replace(args.out + ".tmp", args.out)

    while not os.path.exists(args.stop):
        write()
        time.sleep(1)
    done.set()
    for t in threads:
        t.join(10)
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
