/* synack/synack.h: everything a user of libsynack includes. */
#ifndef SYNACK_SYNACK_H
#define SYNACK_SYNACK_H

#include <synack/link_mem.h>
#include <synack/link_pcap.h>
#include <synack/loop.h>
#include <synack/socket.h>
#include <synack/stack.h>
#include <synack/wire.h>

#endif
