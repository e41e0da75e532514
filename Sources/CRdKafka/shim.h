#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H
/* librdkafka 2.8.0 as scripts/librdkafka.sh builds it into the package's .deps folder
   (`make deps`); a path relative to this header, so every target that imports the module
   finds it without flags. Without it, a system librdkafka of 2.2 or newer is accepted:
   2.0.2 (Debian bookworm) mis-skips tagged fields (confluentinc/librdkafka PR #4278) and
   cannot read ApiVersions v3 answers of current brokers. */
#if __has_include("../../.deps/librdkafka/include/librdkafka/rdkafka.h")
#include "../../.deps/librdkafka/include/librdkafka/rdkafka.h"
#include "../../.deps/librdkafka/include/librdkafka/rdkafka_mock.h"
#else
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#if RD_KAFKA_VERSION < 0x020200ff
#error "librdkafka older than 2.2 (it cannot parse tagged fields): run `make deps` to build 2.8.0 into .deps/librdkafka"
#endif
#endif

/* rd_kafka_producev is variadic and cannot be called from Swift; this fixed-arity
   wrapper hands ownership of `headers` to librdkafka on success only. */
static inline rd_kafka_resp_err_t crk_produce(rd_kafka_t *rk, const char *topic,
                                              int32_t partition, const void *key,
                                              size_t key_len, const void *value,
                                              size_t value_len, int64_t timestamp,
                                              rd_kafka_headers_t *headers,
                                              void *opaque) {
  return rd_kafka_producev(
      rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE(value, value_len),
      RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_HEADERS(headers),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque),
      RD_KAFKA_V_END);
}
#endif
