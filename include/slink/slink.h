/* Umbrella header for applications embedding slink. */
#ifndef SLINK_SLINK_H
#define SLINK_SLINK_H
#include "slink/config.h"
#include "slink/err.h"
#include "slink/platform.h"
#include "slink/wire.h"
#include "slink/frame.h"
#include "slink/crypto.h"
#include "slink/record.h"
#include "slink/cert.h"
#include "slink/handshake.h"
#include "slink/stream.h"
#include "slink/conn.h"
#include "slink/node.h"
#include "slink/version.h"
#endif
