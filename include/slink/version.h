/* The one version string of the library and every tool (slinkd, slinkctl,
 * slink-pki, slink-dump, slink-linesim print it for --version). */
#ifndef SLINK_VERSION_H
#define SLINK_VERSION_H
#define SLINK_VERSION_STRING "0.1.0"
#endif
