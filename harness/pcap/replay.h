/* pcap/replay.h: a capture vector run against a target (DESIGN 5.3).
 *
 * x.pcap (or x.pcapng) with its metadata x.meta beside it, when there is
 * one, is translated into a script (translate.h) and run by the ordinary
 * runner, so it is matched with exactly the rules of scripts. Messages and
 * ladder rows name the capture's frame numbers instead of script lines:
 * "frame 7: field ack: expected 101, got 1"; "app (x.meta:5): ...".
 */
#ifndef SYNACK_HARNESS_REPLAY_H
#define SYNACK_HARNESS_REPLAY_H

#include <stdbool.h>

#include "report/result.h"
#include "run/runner.h"

/* Does path name a capture (.pcap, .pcapng, .cap)? */
bool pcap_is_capture_path(const char *path);

/* Run the capture vector at path; like run_file, never aborts and turns
 * every problem with the capture or its metadata into an ERROR result. */
void pcap_run_file(const char *path, const struct run_options *o, struct vector_result *res);

/* Either: a capture through pcap_run_file, anything else through run_file. */
void run_vector_file(const char *path, const struct run_options *o, struct vector_result *res);

#endif
