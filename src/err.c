/* The error class of a code, by value range (include/slink/err.h); the
 * names and descriptions are in err_str.c. */
#include "slink/err.h"

slink_err_class slink_err_classify(slink_err e)
{
    int v = (int)e;
    if (v == 0) return SLINK_CLASS_OK;
    if (v < 20) return SLINK_CLASS_AGAIN;
    if (v < 60) return SLINK_CLASS_DROP;
    if (v < 120) return SLINK_CLASS_FATAL;
    return SLINK_CLASS_USAGE;
}
