/* synack pcap2pkt: the packetdrill script of one conversation of a capture,
 * exactly the script a replay of it runs (pcap/translate.h), to read, edit
 * and keep as a vector of its own. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/capture_cmds.h"
#include "pcap/capture.h"
#include "pcap/meta.h"
#include "pcap/translate.h"

static void usage(void)
{
    fputs("usage: synack pcap2pkt [--meta FILE] [--stack ADDR[:PORT]] [--peer ADDR[:PORT]]\n"
          "                       [-o FILE] CAPTURE\n"
          "Writes the script of one TCP conversation of CAPTURE (pcap or pcapng). The\n"
          "metadata (default: CAPTURE with .meta, when it exists) says which endpoint is\n"
          "the stack and what its application does; --stack and --peer override it.\n",
          stderr);
}

static int parse_endpoint(const char *opt, const char *arg, struct conv_endpoint *ep)
{
    if (conv_endpoint_parse(arg, ep) == 0)
        return 0;
    fprintf(stderr, "synack pcap2pkt: %s: expected ADDR[:PORT] (192.0.2.1:8080), got '%s'\n",
            opt, arg);
    return -1;
}

int cli_pcap2pkt(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"meta", required_argument, NULL, 'm'}, {"stack", required_argument, NULL, 's'},
        {"peer", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *meta_path = NULL, *out_path = NULL;
    struct conv_endpoint stack, peer;
    bool stack_given = false, peer_given = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': meta_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 's':
            if (parse_endpoint("--stack", optarg, &stack) < 0)
                return 2;
            stack_given = true;
            break;
        case 'p':
            if (parse_endpoint("--peer", optarg, &peer) < 0)
                return 2;
            peer_given = true;
            break;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "synack pcap2pkt: expected one capture\n");
        usage();
        return 2;
    }
    const char *cap_path = argv[optind];
    char err[1024];
    int status = 1;
    struct capture *cap = NULL;
    struct pcap_meta *meta = NULL;
    struct pcap_script ps = {0};
    char *default_meta = pcap_meta_path_for(cap_path);
    if (!meta_path && default_meta && access(default_meta, F_OK) == 0)
        meta_path = default_meta;
    if (capture_read_file(cap_path, 0, &cap, err, sizeof err) < 0)
        goto fail;
    if (meta_path) {
        if (pcap_meta_parse_file(meta_path, &meta, err, sizeof err) < 0)
            goto fail;
    } else if (!(meta = pcap_meta_new())) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    if (stack_given)
        meta->stack = stack, meta->stack_given = true;
    if (peer_given)
        meta->peer = peer, meta->peer_given = true;
    if (pcap_translate(cap, meta, &ps, err, sizeof err) < 0)
        goto fail;
    FILE *out = out_path ? fopen(out_path, "w") : stdout;
    if (!out) {
        snprintf(err, sizeof err, "%s: cannot write", out_path);
        goto fail;
    }
    bool ok = fwrite(ps.text, 1, ps.len, out) == ps.len;
    if (out != stdout)
        ok = fclose(out) == 0 && ok;
    else
        ok = fflush(out) == 0 && ok;
    if (!ok) {
        snprintf(err, sizeof err, "%s: write error", out_path ? out_path : "standard output");
        goto fail;
    }
    status = 0;
    goto done;
fail:
    fprintf(stderr, "synack pcap2pkt: %s\n", err);
done:
    pcap_script_free(&ps);
    pcap_meta_free(meta);
    capture_free(cap);
    free(default_meta);
    return status;
}
