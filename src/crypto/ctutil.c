/* Wiping and constant-time comparison, the two helpers every layer needs
 * and no crypto library has to provide. */
#include "slink/crypto.h"
#include <string.h>

/* A call through a volatile pointer cannot be proven dead, so the store is
 * kept even when the buffer is never read again (the technique mbedTLS's
 * platform_zeroize uses where no explicit_bzero exists). */
static void *(*const volatile memset_v)(void *, int, size_t) = memset;

void slink_memzero(void *p, size_t n)
{
    if (p != NULL && n != 0)
        (void)memset_v(p, 0, n);
}

int slink_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (uint8_t)(x[i] ^ y[i]);
    return diff == 0;
}
