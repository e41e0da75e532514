"""The peer of `failover-bench failover --broker tansu`: the same offset reads and writes
(OffsetFetch, then AlterConsumerGroupOffsets, GROUPS groups x PARTITIONS partitions) sent
by a client this project did not write (confluent-kafka, its own librdkafka), every call
in flight at once, against the same broker. It tells what the broker itself admits.

usage: offsets-peer.py BOOTSTRAP TOPIC GROUPS PARTITIONS
Prints one line ending in the total seconds.
"""

import sys
import time

import confluent_kafka
from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

bootstrap, topic, groups, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
admin = AdminClient({"bootstrap.servers": bootstrap})
names = ["peer-%d" % g for g in range(groups)]


def every(call):
    start = time.monotonic()
    futures = []
    for name in names:
        futures += call(name).values()
    for f in futures:
        f.result()
    return time.monotonic() - start


fetch = every(
    lambda g: admin.list_consumer_group_offsets(
        [ConsumerGroupTopicPartitions(g, [TopicPartition(topic, p) for p in range(partitions)])]
    )
)
alter = every(
    lambda g: admin.alter_consumer_group_offsets(
        [ConsumerGroupTopicPartitions(g, [TopicPartition(topic, p, 5) for p in range(partitions)])]
    )
)
print(
    "peer (confluent-kafka %s, librdkafka %s) fetch %.3f s alter %.3f s total %.3f"
    % (confluent_kafka.__version__, confluent_kafka.libversion()[0], fetch, alter, fetch + alter)
)
