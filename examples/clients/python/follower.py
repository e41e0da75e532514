"""Follow a failoverctl service from Python: the recipe of docs/clients.md.

`DiscoveryFollower` reads the service's event stream (`/v1/services/NAME/events`,
Server-Sent Events) from each control-service URL in turn and keeps the current
discovery document and the client's lease. `FollowingProducer` and `FollowingConsumer`
wrap confluent-kafka so that an epoch change moves them: the producer flushes, closes
and reopens on the new cluster; the consumer commits, closes and rejoins the same group
there, where the orchestrator wrote its translated offsets. Standard library only,
besides confluent-kafka.
"""

import json
import threading
import time
import urllib.request

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer

DEFAULT_LEASE = 15


class DiscoveryFollower:
    def __init__(self, servers, service, token=None):
        self.servers = [s.rstrip("/") for s in servers]
        self.service = service
        self.token = token
        self._lock = threading.Condition()
        self._doc = None
        self._heard = None  # time.monotonic() of the last word from any server
        self._stop = False

    # -- what the application asks -------------------------------------------------
    def current(self):
        """(document, writes_allowed): writes are allowed when the active cluster is
        writable and the lease has not run out since the last word from a server."""
        with self._lock:
            doc = self._doc
            if doc is None:
                return None, False
            lease = doc.get("leaseSeconds", DEFAULT_LEASE)
            fresh = time.monotonic() - self._heard <= lease
            return doc, fresh and doc["active"]["writable"]

    def wait_for_document(self, timeout=30):
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._doc is None and time.monotonic() < deadline:
                self._lock.wait(0.1)
            return self._doc

    def start(self):
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def stop(self):
        self._stop = True

    # -- the stream ----------------------------------------------------------------
    def _run(self):
        pause = 0.25
        while not self._stop:
            for server in self.servers:
                try:
                    self._follow(server)
                    pause = 0.25
                except Exception:  # refused, reset, silent: the next server
                    pass
                if self._stop:
                    return
            time.sleep(pause)
            pause = min(pause * 2, 5)

    def _follow(self, server):
        headers = {"Accept": "text/event-stream"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        with self._lock:
            if self._doc is not None:
                # Resume: the server sends the current document only if it is newer.
                headers["Last-Event-ID"] = str(self._doc["epoch"])
            lease = (self._doc or {}).get("leaseSeconds", DEFAULT_LEASE)
        url = "%s/v1/services/%s/events" % (server, self.service)
        # Heartbeats come every third of the lease: silence for two thirds means the
        # server is gone, and the next one is tried while the lease still holds.
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=lease * 2 / 3) as stream:
            event, data = None, []
            while not self._stop:
                line = stream.readline()
                if not line:
                    return  # the server ended the stream
                line = line.decode("utf-8").rstrip("\r\n")
                if line.startswith(":"):
                    self._hear(None)  # a heartbeat
                elif line == "":
                    if event == "discovery" and data:
                        self._hear(json.loads("\n".join(data)))
                    event, data = None, []
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))

    def _hear(self, doc):
        with self._lock:
            self._heard = time.monotonic()
            if doc is not None and (self._doc is None or doc["epoch"] > self._doc["epoch"]):
                self._doc = doc
            self._lock.notify_all()


def client_config(doc, extra):
    config = dict(doc["properties"])
    config["bootstrap.servers"] = doc["active"]["bootstrapServers"]
    config.update(extra)
    return config


class FollowingProducer:
    """Produces to the service's topic on whichever cluster discovery names; holds
    writes while the service is fenced or the lease has run out."""

    def __init__(self, follower, config=None):
        self.follower = follower
        self.config = dict(config or {})
        self.config.setdefault("acks", "all")
        self._producer = None
        self._epoch = None

    def produce(self, key, value, on_delivery=None, hold_timeout=60):
        deadline = time.monotonic() + hold_timeout
        while True:
            doc, writes_allowed = self.follower.current()
            if doc is not None and doc["epoch"] != self._epoch:
                self._move(doc)
            if writes_allowed and self._producer is not None:
                break
            if time.monotonic() > deadline:
                raise TimeoutError("writes held for %ss: service fenced or lease ran out" % hold_timeout)
            time.sleep(0.05)
        self._producer.produce(doc["topics"]["produce"][0], key=key, value=value, on_delivery=on_delivery)
        self._producer.poll(0)

    def _move(self, doc):
        # Epoch change: everything sent to the old cluster is delivered (or fails and
        # reports it) before anything goes to the new one.
        if self._producer is not None:
            self._producer.flush(30)
        self._producer = Producer(client_config(doc, self.config)) if doc["active"]["writable"] else None
        self._epoch = doc["epoch"]

    def flush(self, timeout=30):
        if self._producer is not None:
            self._producer.flush(timeout)


class FollowingConsumer:
    """Consumes the service's topics as one consumer group on whichever cluster
    discovery names; on an epoch change it commits, closes and rejoins the group on the
    new cluster, where it resumes from the offsets the orchestrator translated."""

    def __init__(self, follower, group, config=None):
        self.follower = follower
        self.group = group
        self.config = dict(config or {})
        self._consumer = None
        self._cluster = None
        self.epochs = []

    def poll(self, timeout=0.5):
        doc, _ = self.follower.current()
        if doc is not None and doc["active"]["cluster"] != self._cluster:
            self._move(doc)
        if self._consumer is None:
            time.sleep(timeout)
            return None
        message = self._consumer.poll(timeout)
        if message is None or message.error():
            if message is not None and message.error().code() != KafkaError._PARTITION_EOF:
                pass  # transient: an unknown topic while the cluster moves, a broker gone
            return None
        try:
            self._consumer.commit(message=message, asynchronous=False)
        except KafkaException:
            pass  # the cluster is going (or gone): the record comes again from where the group resumes
        return message

    def _move(self, doc):
        if self._consumer is not None:
            self._consumer.close()  # commits nothing more: every record was committed as processed
        config = client_config(doc, self.config)
        config.update({"group.id": self.group, "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        self._consumer = Consumer(config)
        self._consumer.subscribe(doc["topics"]["consume"])
        self._cluster = doc["active"]["cluster"]
        self.epochs.append(doc["epoch"])

    def close(self):
        if self._consumer is not None:
            self._consumer.close()
