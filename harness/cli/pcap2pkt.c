/* synack pcap2pkt: the packetdrill script of one conversation of a capture,
 * exactly the script a replay of it runs (pcap/translate.h), to read, edit
 * and keep as a vector of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "pcap/capture.h"
#include "pcap/meta.h"
#include "pcap/translate.h"

#define CMD "synack pcap2pkt"

static int parse_endpoint(const char *opt, const char *arg, struct conv_endpoint *ep)
{
    if (conv_endpoint_parse(arg, ep) == 0)
        return 0;
    fprintf(stderr, CMD ": %s: expected ADDR[:PORT] (192.0.2.1:8080, [2001:db8::1]:8080), got '%s'\n",
            opt, arg);
    return -1;
}

int cli_pcap2pkt(int argc, char **argv)
{
    struct pcap2pkt_args a = {0};
    int first;
    int rc = cli_parse(cli_command("pcap2pkt"), argc, argv, &a, &first);
    if (rc >= 0)
        return rc;
    const char *meta_path = a.meta, *out_path = a.out;
    struct conv_endpoint stack, peer;
    if ((a.stack && parse_endpoint("--stack", a.stack, &stack) < 0) ||
        (a.peer && parse_endpoint("--peer", a.peer, &peer) < 0))
        return CLI_EXIT_USAGE;
    bool stack_given = a.stack != NULL, peer_given = a.peer != NULL;
    if (!cli_readable_file(CMD, argv[first]) || (meta_path && !cli_readable_file(CMD, meta_path)) ||
        (out_path && !cli_writable_file(CMD, "-o", out_path)))
        return CLI_EXIT_USAGE;
    const char *cap_path = argv[first];
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
    if (!meta->stack_given) {
        char ep[CONV_ENDPOINT_LEN];
        fprintf(stderr, CMD ": %s%s: the stack is guessed to be %s (the side that received the "
                        "first SYN, or sent it when the metadata has 'app connect'); --stack "
                        "says which\n", meta_path ? "no 'stack' line in " : "no metadata",
                meta_path ? meta_path : "", conv_endpoint_str(&ps.stack, ep, sizeof ep));
    }
    FILE *out = out_path ? fopen(out_path, "w") : stdout;
    if (!out) {
        snprintf(err, sizeof err, "%s: cannot write", out_path);
        status = CLI_EXIT_USAGE;
        goto fail;
    }
    bool ok = fwrite(ps.text, 1, ps.len, out) == ps.len;
    if (out != stdout)
        ok = fclose(out) == 0 && ok;
    else
        ok = fflush(out) == 0 && ok;
    if (!ok) {
        snprintf(err, sizeof err, "%s: write error", out_path ? out_path : "standard output");
        status = CLI_EXIT_USAGE; /* an I/O error */
        goto fail;
    }
    status = 0;
    goto done;
fail:
    fprintf(stderr, CMD ": %s\n", err);
done:
    pcap_script_free(&ps);
    pcap_meta_free(meta);
    capture_free(cap);
    free(default_meta);
    return status;
}
