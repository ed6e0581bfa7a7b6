/* The mbedTLS backend has no key store: software keys only. */
#include <stdio.h>

int xsign_key_store(FILE *out, int n);

int xsign_key_store(FILE *out, int n)
{
    (void)out;
    (void)n;
    return 0;
}
