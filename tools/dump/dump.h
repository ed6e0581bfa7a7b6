/* slink-dump internals: describing frames (dump_fmt.c) and the optional
 * debug key log used to open records (dump_keys.c).  The byte source and
 * the command line live in dump_main.c. */
#ifndef SLINK_DUMP_H
#define SLINK_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "slink/slink.h"

/* ---- key log ---------------------------------------------------------- */
typedef struct dump_key {
    uint8_t sender, receiver;
    uint16_t epoch;                 /* epoch the logged secret belongs to */
    slink_record rec;               /* rx side opens sender -> receiver records */
    struct dump_key *next;          /* heap list: mbedTLS contexts must not move */
} dump_key;

typedef struct {
    dump_key *head;
    unsigned lines, skipped;
} dump_keylog;

/* Reads "SLINK_TRAFFIC <sender> <receiver> <epoch> <64 hex>" lines; other
 * lines (comments, other labels) are ignored.  -1 if the file cannot be
 * read. */
int  dump_keylog_load(dump_keylog *kl, const char *path, FILE *err);
void dump_keylog_free(dump_keylog *kl);

/* Tries every logged key for src -> dst.  SLINK_OK with the plaintext, or
 * the most telling failure (REPLAY before AUTH before EPOCH); NO_PEER when
 * the log has no key for that direction at all.  *epoch gets the full
 * epoch of the key that opened the record. */
slink_err dump_keylog_open(dump_keylog *kl, uint8_t dst, uint8_t src, uint8_t type,
                           const uint8_t *body, size_t body_len, uint64_t now_ms,
                           uint8_t *pt, size_t cap, size_t *pt_len, uint16_t *epoch);

/* ---- output ----------------------------------------------------------- */
typedef struct {
    uint8_t  have[SLINK_HS_MSG_MAX];    /* 1 where the byte arrived */
    uint8_t  buf[SLINK_HS_MSG_MAX];
    uint8_t  dst, src, msg;
    uint16_t total;
    int      used;
} dump_reasm;

#define DUMP_REASM_SLOTS 4

typedef struct {
    FILE *out;
    int json;
    int show_time;          /* live tap: add seconds since start */
    dump_keylog *keys;      /* NULL: no decryption */
    dump_reasm reasm[DUMP_REASM_SLOTS];
    unsigned reasm_next;
    uint64_t frames, drops, decrypted;
} dump_ctx;

/* One good frame that started at stream offset off and took wire_len bytes
 * (delimiter included). */
void dump_frame(dump_ctx *c, uint64_t off, size_t wire_len, double t,
                const slink_frame *f, uint64_t now_ms);
/* One dropped frame: raw holds its encoded bytes (no delimiter), raw_len
 * may be less than wire_len when the frame was too long to keep. */
void dump_drop(dump_ctx *c, uint64_t off, size_t wire_len, double t, slink_err why,
               const uint8_t *raw, size_t raw_len);
void dump_summary(dump_ctx *c, const slink_frame_stats *st);

#endif
