/* PSA internal trusted storage (psa_its_set/get/get_info/remove, the
 * interface mbedTLS's key store calls with MBEDTLS_PSA_CRYPTO_STORAGE_C)
 * over a reserved region of the image: an append-only log of records
 * (layout in fw_its.h) that the provisioning tool fills at build time with
 * the identity key in PSA's persistent-key format.  The PSA core reads a
 * key from here into its own key slot when it is used; slink only ever
 * holds the key id.
 *
 * The region is flash on a real part.  Programming is one function,
 * its_program(), which only ever turns erased bytes into data; on QEMU's
 * AN385 the "flash" is SSRAM, so it is a plain store.  A full region is
 * refused (PSA_ERROR_INSUFFICIENT_STORAGE) rather than compacted: this
 * device writes nothing at run time (its one key is provisioned), and a
 * product that creates keys in the field would add a second page and
 * copy live records across when one fills. */
#include <string.h>
#include "fw_its.h"
#include "psa_crypto_its.h"

__attribute__((section(".slink_its"), aligned(4)))
uint8_t fw_its_region[FW_ITS_SIZE] = { [0 ... FW_ITS_SIZE - 1] = 0xFF };

static uint32_t get32(uint32_t off)
{
    const uint8_t *p = fw_its_region + off;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Flash programming: bytes of an erased area written once. */
static void its_program(uint32_t off, const uint8_t *p, uint32_t n)
{
    volatile uint8_t *dst = fw_its_region + off;
    for (uint32_t i = 0; i < n; i++)
        dst[i] = p[i];
}

static uint32_t padded(uint32_t n)
{
    return (n + 3u) & ~3u;
}

/* Walks the log: the offset of the last live record for uid (0 found, -1
 * not), and where the log ends.  A record that runs past the region ends
 * the walk as corrupt (-2). */
static int its_find(psa_storage_uid_t uid, uint32_t *at, uint32_t *end)
{
    uint32_t off = 0;
    int found = -1;
    while (off + FW_ITS_HDR_LEN <= FW_ITS_SIZE && get32(off) == FW_ITS_MAGIC) {
        uint32_t size = get32(off + 16u);
        uint64_t ruid = (uint64_t)get32(off + 8u) | (uint64_t)get32(off + 12u) << 32;
        if (size > FW_ITS_SIZE - off - FW_ITS_HDR_LEN)
            return -2;
        if (ruid == uid && get32(off + 4u) == FW_ITS_LIVE) {
            *at = off;
            found = 0;
        }
        off += FW_ITS_HDR_LEN + padded(size);
    }
    if (off + 4u <= FW_ITS_SIZE && get32(off) != 0xFFFFFFFFu)
        return -2;   /* neither a record nor erased */
    *end = off;
    return found;
}

/* its_find's answer as the PSA status both readers return. */
static psa_status_t its_lookup(psa_storage_uid_t uid, uint32_t *at)
{
    uint32_t end = 0;
    int r = its_find(uid, at, &end);
    if (r == -2)
        return PSA_ERROR_DATA_CORRUPT;
    return r == 0 ? PSA_SUCCESS : PSA_ERROR_DOES_NOT_EXIST;
}

psa_status_t psa_its_get_info(psa_storage_uid_t uid, struct psa_storage_info_t *p_info)
{
    uint32_t at = 0;
    psa_status_t st = its_lookup(uid, &at);
    if (st != PSA_SUCCESS)
        return st;
    p_info->size = get32(at + 16u);
    p_info->flags = get32(at + 20u);
    return PSA_SUCCESS;
}

psa_status_t psa_its_get(psa_storage_uid_t uid, uint32_t data_offset, uint32_t data_length,
                         void *p_data, size_t *p_data_length)
{
    uint32_t at = 0, size;
    psa_status_t st = its_lookup(uid, &at);
    if (st != PSA_SUCCESS)
        return st;
    size = get32(at + 16u);
    if (data_offset > size || data_length > size - data_offset)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (data_length != 0 && p_data == NULL)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (data_length != 0)
        memcpy(p_data, fw_its_region + at + FW_ITS_HDR_LEN + data_offset, data_length);
    if (p_data_length != NULL)
        *p_data_length = data_length;
    return PSA_SUCCESS;
}

psa_status_t psa_its_set(psa_storage_uid_t uid, uint32_t data_length, const void *p_data,
                         psa_storage_create_flags_t create_flags)
{
    static const uint8_t ff[3] = { 0xFF, 0xFF, 0xFF };
    uint8_t hdr[FW_ITS_HDR_LEN], dead[4];
    uint32_t at = 0, end = 0;
    int r = its_find(uid, &at, &end);

    if (r == -2)
        return PSA_ERROR_DATA_CORRUPT;
    if ((create_flags & ~(psa_storage_create_flags_t)PSA_STORAGE_FLAG_WRITE_ONCE) != 0)
        return PSA_ERROR_NOT_SUPPORTED;
    if (data_length != 0 && p_data == NULL)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (r == 0 && (get32(at + 20u) & PSA_STORAGE_FLAG_WRITE_ONCE) != 0)
        return PSA_ERROR_NOT_PERMITTED;
    if (data_length > FW_ITS_SIZE || end + FW_ITS_HDR_LEN + padded(data_length) > FW_ITS_SIZE)
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    /* Flash is programmed only where it is erased: the remains of a write
     * cut short (data with no magic) are not written over; the page needs
     * compacting first, which this device does not do. */
    for (uint32_t i = end; i < end + FW_ITS_HDR_LEN + padded(data_length); i++)
        if (fw_its_region[i] != 0xFF)
            return PSA_ERROR_STORAGE_FAILURE;
    put32(hdr, FW_ITS_MAGIC);
    put32(hdr + 4, FW_ITS_LIVE);
    put32(hdr + 8, (uint32_t)uid);
    put32(hdr + 12, (uint32_t)(uid >> 32));
    put32(hdr + 16, data_length);
    put32(hdr + 20, create_flags);
    /* Data first, header last: a record whose writing was cut short is
     * not there (its magic is still erased).  The old record dies only
     * after the new one is whole; until then the last one found wins. */
    its_program(end + FW_ITS_HDR_LEN, p_data, data_length);
    its_program(end + FW_ITS_HDR_LEN + data_length, ff, padded(data_length) - data_length);
    its_program(end + 4u, hdr + 4, FW_ITS_HDR_LEN - 4u);
    its_program(end, hdr, 4u);
    if (r == 0) {
        put32(dead, FW_ITS_DEAD);
        its_program(at + 4u, dead, 4u);
    }
    return PSA_SUCCESS;
}

psa_status_t psa_its_remove(psa_storage_uid_t uid)
{
    uint8_t dead[4];
    uint32_t at = 0, end = 0;
    int r = its_find(uid, &at, &end);
    if (r == -2)
        return PSA_ERROR_DATA_CORRUPT;
    if (r != 0)
        return PSA_ERROR_DOES_NOT_EXIST;
    if ((get32(at + 20u) & PSA_STORAGE_FLAG_WRITE_ONCE) != 0)
        return PSA_ERROR_NOT_PERMITTED;
    put32(dead, FW_ITS_DEAD);
    its_program(at + 4u, dead, 4u);
    return PSA_SUCCESS;
}
