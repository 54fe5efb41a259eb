/* target/linux_info.h: Linux's struct tcp_info as synack's STATUS, for
 * the targets whose stack answers TCP_INFO the Linux way (the kernel, and
 * objects of packetdrill's SO interface, which take Linux's values). */
#ifndef SYNACK_HARNESS_LINUX_INFO_H
#define SYNACK_HARNESS_LINUX_INFO_H

#include <netinet/tcp.h>

#include <synack/socket.h>

void linux_info_convert(const struct tcp_info *ti, struct synack_tcp_info *i);

#endif
