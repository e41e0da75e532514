// OpenSSL's libcrypto, for SHA-256 only (token digests and strong ETags). librdkafka links
// the same library, so it costs nothing to install or to load.
#include <openssl/evp.h>
