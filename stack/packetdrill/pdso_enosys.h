/* stack/packetdrill/pdso_enosys.h: the members of packetdrill's SO
 * interface a TCP stack of ours does not implement (epoll, pipe, splice),
 * filled with calls that fail with ENOSYS, for every object we build. */
#ifndef SYNACK_PDSO_ENOSYS_H
#define SYNACK_PDSO_ENOSYS_H

#include "packetdrill/packetdrill_so.h"

void pdso_enosys(struct packetdrill_interface *ifc);

#endif
