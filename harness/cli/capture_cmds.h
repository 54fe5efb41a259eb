/* cli/capture_cmds.h: the subcommands about captures (harness/main.c):
 *
 *   synack pcap2pkt CAPTURE   the script of a conversation (cli/pcap2pkt.c)
 *   synack lint CAPTURE...    the RFC oracle on any capture (cli/lint.c)
 *   synack record SCRIPT      run on linux, save capture + metadata (cli/record.c)
 *
 * Each takes argv starting at the subcommand's name; returns the exit status. */
#ifndef SYNACK_HARNESS_CAPTURE_CMDS_H
#define SYNACK_HARNESS_CAPTURE_CMDS_H

int cli_pcap2pkt(int argc, char **argv);
int cli_lint(int argc, char **argv);
int cli_record(int argc, char **argv);

#endif
