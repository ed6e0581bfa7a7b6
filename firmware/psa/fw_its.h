/* Internal trusted storage of the PSA firmware variant (fw_its.c): the
 * region's layout, shared with the provisioning tool
 * (firmware/tools/gen_its.py), which writes the same records on the host. */
#ifndef FW_ITS_H
#define FW_ITS_H

#include <stdint.h>

/* One flash page at the end of the image (firmware/psa/its.ld). */
#define FW_ITS_SIZE      1024u
/* A record: magic, state, uid (64 bits), size, flags (all little-endian
 * 32-bit words), then the data padded with 0xFF to a word.  An erased
 * word (0xFFFFFFFF) where a magic would be ends the log.  Removing
 * programs the state word from 0xFFFFFFFF (live) to 0 (dead): on flash
 * every change only clears bits, so nothing is ever erased in place. */
#define FW_ITS_MAGIC     0x31535449u   /* "ITS1" */
#define FW_ITS_LIVE      0xFFFFFFFFu
#define FW_ITS_DEAD      0x00000000u
#define FW_ITS_HDR_LEN   24u

/* The region (linker section .slink_its). */
extern uint8_t fw_its_region[FW_ITS_SIZE];

/* The identity key's PSA key id: persistent, in the user range. */
#define FW_PSA_IDENTITY_KEY_ID 0x00534C01u

#endif
