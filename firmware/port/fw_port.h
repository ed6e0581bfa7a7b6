/* The firmware port layer: what a board supplies so the unchanged slink
 * core can run on it (docs/PORTING.md).  The board support (board.h)
 * provides the UART, the millisecond tick and the NV sector; this layer
 * turns them into a slink_platform, an mbedTLS heap and provisioned
 * credentials. */
#ifndef FW_PORT_H
#define FW_PORT_H

#include <stddef.h>
#include <stdint.h>
#include "slink/platform.h"

/* ---- entropy (fw_entropy.c) ----
 * Boards without a TRNG: a per-device seed provisioned into flash, mixed
 * with the persisted NV seed record, the boot counter and timing jitter;
 * the NV record is replaced before any output is used (the discipline of
 * mbedTLS's NV seed).  A board with a TRNG replaces fw_entropy() with a
 * read of it (and may still mix the device seed in). */
typedef struct {
    uint8_t  pool[32];     /* secret state; ratcheted after every output */
    uint32_t counter;
    uint32_t boot_count;   /* this boot's number (persisted) */
    int      ready;
} fw_entropy_state;

/* The NV seed record's size (layout in fw_entropy.c) and why
 * fw_entropy_boot refused to start: fail closed, never a silent first
 * boot (docs/PORTING.md). */
#define FW_NV_REC_LEN          60u
#define FW_ENTROPY_NV_WRITE    (-1)   /* the new record did not read back */
#define FW_ENTROPY_NV_ERASED   (-2)   /* blank sector: never provisioned, or wiped */
#define FW_ENTROPY_NV_CORRUPT  (-3)   /* a record that fails its magic, version or check */

/* 0, or one of the codes above (nothing is produced and NV is left as it
 * was, except after a failed write). */
int  fw_entropy_boot(fw_entropy_state *st, const uint8_t device_seed[32]);
/* The record check alone (0, ERASED or CORRUPT); exposed for tests. */
int  fw_entropy_nv_check(const uint8_t rec[FW_NV_REC_LEN]);
const char *fw_entropy_strerror(int r);
/* slink_platform.entropy: ctx is an fw_entropy_state. */
int  fw_entropy(void *ctx, uint8_t *out, size_t len);

/* ---- mbedTLS heap (fw_alloc.c): first-fit allocator over a static pool;
 * mbedtls_calloc/free are these (slink_mbedtls_config.h).  Until fw_alloc_init()
 * every allocation fails. ---- */
void   fw_alloc_init(void);
void  *fw_calloc(size_t n, size_t size);
void   fw_free(void *p);
size_t fw_alloc_pool_size(void);
/* Peak bytes handed out (block payloads: requests plus alignment) and
 * peak block count. */
void   fw_alloc_peak(size_t *bytes, size_t *blocks);
/* Highest pool offset ever written (pool painted at init): the pool size
 * this workload really needs, headers and fragmentation included. */
size_t fw_alloc_high_water(void);

/* ---- platform (fw_platform.c) ----
 * entropy as above; no wall clock (wall_time NULL: the certificate time
 * policy falls back to the build-time floor); log to the console UART. */
void fw_platform_init(slink_platform *p, fw_entropy_state *es);

/* ---- provisioning (generated at build time: $(BUILD)/fw/gen/provision.c) ---- */
extern const uint8_t  fw_prov_device_seed[32];
extern const uint8_t  fw_prov_ca_der[];
extern const size_t   fw_prov_ca_der_len;
extern const uint8_t  fw_prov_cert_der[];
extern const size_t   fw_prov_cert_der_len;
extern const uint8_t  fw_prov_key[32];      /* the identity key's scalar */
extern const uint8_t  fw_prov_key_der[];    /* its SEC 1 DER (the DTLS reference's) */
extern const size_t   fw_prov_key_der_len;
extern const int64_t  fw_prov_time_floor;   /* unix seconds: the build date */
extern const char     fw_prov_host_name[];  /* identity the host must present */
extern const uint8_t  fw_prov_local_addr, fw_prov_host_addr;
/* 1: a device on a half-duplex bus (RS485): it transmits only in the turns
 * the host (bus master) grants, PROTOCOL.md §2.5.  0: point to point. */
extern const uint8_t  fw_prov_bus_device;

#endif
