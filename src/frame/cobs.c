/* Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999).  Chosen over
 * HDLC-style escaping because its worst case is one byte per 254 (a frame
 * full of 0x7E never doubles), and because 0x00 then appears only as the
 * frame delimiter, so a receiver resynchronises at the very next delimiter
 * after any corruption.
 *
 * Both directions run a single forward pass in which the write position
 * never overtakes the read position, which is what allows the in-place use
 * below (the frame encoder encodes inside the caller's output buffer; the
 * deframer, src/frame/frame.c, decodes as bytes arrive instead, with
 * slink_cobs_decode as its reference in test_frame): no scratch copy, no
 * heap. */
#include "slink/frame.h"

/* Aliasing: out may overlap in when out + n/254 + 1 <= in (each closed
 * 254-byte block and the first code byte are the only bytes the output
 * gains on the input, and each is written after the input it displaces has
 * been read).  A full block at the very end gets no trailing code byte, as
 * in the paper's reference encoder. */
slink_err slink_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    SLINK_CHECK(out != NULL && out_len != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(in != NULL || n == 0, SLINK_ERR_ARG);
    SLINK_CHECK(cap >= 1u, SLINK_ERR_BUFFER);

    size_t code_pos = 0;
    size_t o = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = in[i];
        if (b != 0u) {
            SLINK_CHECK(o < cap, SLINK_ERR_BUFFER);
            out[o++] = b;
            code++;
            if (code != 0xFFu || i + 1u == n)
                continue;
        }
        /* a zero byte, or a block of 254 non-zero bytes that is not last */
        out[code_pos] = code;
        SLINK_CHECK(o < cap, SLINK_ERR_BUFFER);
        code_pos = o++;
        code = 1;
    }
    out[code_pos] = code;
    *out_len = o;
    return SLINK_OK;
}

/* out may alias in exactly (out == in) or sit anywhere before it: the
 * output never grows faster than the input is consumed. */
slink_err slink_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    SLINK_CHECK(in != NULL && out != NULL && out_len != NULL, SLINK_ERR_ARG);
    /* the encoder always emits at least the code byte: empty is not COBS */
    SLINK_CHECK(n > 0u, SLINK_ERR_FRAME_COBS);

    size_t i = 0;
    size_t o = 0;
    while (i < n) {
        uint8_t code = in[i++];
        SLINK_CHECK(code != 0u, SLINK_ERR_FRAME_COBS);
        /* a block that claims more bytes than remain is truncated */
        SLINK_CHECK((size_t)(code - 1u) <= n - i, SLINK_ERR_FRAME_COBS);
        for (uint8_t j = 1; j < code; j++) {
            uint8_t b = in[i++];
            SLINK_CHECK(b != 0u, SLINK_ERR_FRAME_COBS);
            SLINK_CHECK(o < cap, SLINK_ERR_BUFFER);
            out[o++] = b;
        }
        if (code != 0xFFu && i < n) {
            SLINK_CHECK(o < cap, SLINK_ERR_BUFFER);
            out[o++] = 0u;
        }
    }
    *out_len = o;
    return SLINK_OK;
}
