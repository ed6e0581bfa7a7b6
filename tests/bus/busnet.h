/* An RS485 bus in one process, in simulated time: a bus master (slink_node,
 * address 1, "host-1") and N half-duplex devices (slink_conn, addresses
 * 10.., "dev-10"..) on slink-linesim's shared medium (bus_model.c), with an
 * application per device and direction moving a byte pattern that the
 * receiver checks byte for byte.  Used by the bus unit test and the bus
 * bench figures. */
#ifndef SLINK_BUSNET_H
#define SLINK_BUSNET_H

#include <stddef.h>
#include <stdint.h>
#include "slink/slink.h"
#include "bus_model.h"
#include "testutil.h"

#define BUSNET_MAX 32
#define BUSNET_MASTER_ADDR 1u
#define BUSNET_DEV_ADDR(i) ((uint8_t)(10u + (i)))

typedef struct {
    size_t   ndev;
    uint32_t baud;
    uint64_t seed;
    size_t   bytes_each;     /* per device and direction; 0: idle bus */
    int      dead_dev;       /* device index that never reaches the bus; -1: none */
    /* Delay between a device receiving its POLL and answering (its wake-up
     * and processing time on a real MCU or host). */
    uint32_t dev_latency_us;
    /* Mixed load: with rr_bytes > 0 only device 0 moves bytes_each each
     * way; every other device runs request/response exchanges of rr_bytes
     * each way (the master writes a request, the device answers once it has
     * all of it), rr_think_ms after the previous answer arrived. */
    size_t   rr_bytes;
    uint32_t rr_think_ms;
    /* Device 0 configured as the example firmware (firmware/apps/device/
     * main.c, mk/firmware.mk): its receivable frame body (192 bytes there,
     * so the master's msg3 goes in fragments) and its hs_min_interval_ms
     * (FW_HS_MIN_INTERVAL_MS, 4 s); 0: the core's defaults. */
    uint16_t dev0_mtu;
    uint32_t dev0_hs_min_interval_ms;
} busnet_opts;

/* Latencies of the request/response exchanges (mixed load), request
 * written to answer complete. */
#define BUSNET_RR_MAX 8192

typedef struct {
    uint64_t sent, recvd;     /* application bytes */
    uint64_t done_ns;         /* when recvd reached bytes_each; 0: not yet */
    uint64_t bad;             /* bytes that differed from the pattern */
    uint64_t at_first_done;   /* recvd when the first flow of all completed */
} busnet_flow;

typedef struct {
    busnet_opts o;
    lbus_model bus;
    slink_node node;
    slink_conn *host;         /* [ndev]: the master's connections */
    slink_conn *dev;          /* [ndev] */
    slink_creds host_creds;
    slink_creds *dev_creds;   /* [ndev] */
    slink_platform *plat;     /* [ndev + 1] */
    fake_plat_ctx *px;
    char (*names)[16];
    uint64_t now_ns;
    uint64_t *dev_ready_ns;   /* a device answers its POLL no earlier than this */
    busnet_flow flow[BUSNET_MAX][2];   /* [i][0]: master -> dev i, [i][1]: dev i -> master */
    uint32_t ended[BUSNET_MAX + 1];    /* session-ended events per device side / host */
    uint32_t established_host;         /* host-side ESTABLISHED events */
    uint64_t est_ns[BUSNET_MAX];       /* when both sides of device i were first established */
    uint64_t poll_bytes;               /* POLL and TURN_END wire bytes (tap) */
    uint64_t hs_bytes;                 /* handshake frames' wire bytes (tap) */
    uint64_t tap_pending;              /* tap bytes since the last whole frame */
    slink_deframer tap;
    uint64_t tap_bytes;
    uint64_t first_done_ns;   /* the first flow completed */
    uint64_t want[BUSNET_MAX][2];      /* bytes the application has asked to send so far */
    uint64_t rr_t0[BUSNET_MAX];        /* request written; 0: none outstanding */
    uint64_t rr_next[BUSNET_MAX];      /* next request no earlier than this */
    uint32_t *rr_lat_us;               /* [BUSNET_RR_MAX] */
    size_t   rr_n;
} busnet;

/* Request/response latency quantile q (0..1) in seconds; 0 if none. */
double busnet_rr_quantile(busnet *b, double q);

/* Slowest flow's bytes over the mean, when the first flow completed: how
 * fairly the schedule shares the line while everyone is busy. */
double busnet_min_share(const busnet *b);

/* 0 on success. */
int  busnet_init(busnet *b, const busnet_opts *o);
void busnet_free(busnet *b);
/* Advances to the next event; returns 0 if nothing will happen again. */
int  busnet_step(busnet *b);
void busnet_run_until(busnet *b, uint64_t end_ns, int (*done)(const busnet *));
int  busnet_all_established(const busnet *b);
int  busnet_all_done(const busnet *b);
/* Kills (1) or revives with a fresh connection (0) device i. */
void busnet_set_dead(busnet *b, size_t i, int dead);
void busnet_reboot(busnet *b, size_t i);
/* Airtime of n bytes at the bus rate, ns. */
uint64_t busnet_airtime_ns(const busnet *b, uint64_t n);

#endif
