/* Capture vectors: read, translate, run with the ordinary runner, then
 * speak of frames rather than of the generated script's lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap/capture.h"
#include "pcap/meta.h"
#include "pcap/replay.h"
#include "pcap/translate.h"
#include "script/script.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

bool pcap_is_capture_path(const char *path)
{
    return ends_with(path, ".pcap") || ends_with(path, ".pcapng") || ends_with(path, ".cap");
}

static void set_error(struct vector_result *res, const char *msg)
{
    res->status = RESULT_ERROR;
    free(res->message);
    res->message = strdup(msg);
}

/* "line N: rest" -> "frame F: rest" or "app (x.meta:L): rest". */
static char *relabel(const struct pcap_script *ps, const struct pcap_meta *m, const char *msg,
                     unsigned *frame)
{
    unsigned line;
    int off = 0;
    *frame = 0;
    if (!msg || sscanf(msg, "line %u: %n", &line, &off) != 1 || off == 0 || line == 0 ||
        line > ps->lines)
        return NULL;
    char buf[1400];
    if (ps->line_frame[line - 1]) {
        *frame = ps->line_frame[line - 1];
        snprintf(buf, sizeof buf, "frame %u: %s", *frame, msg + off);
    } else if (ps->line_meta[line - 1]) {
        snprintf(buf, sizeof buf, "app (%s:%u): %s", m->path ? m->path : "metadata",
                 ps->line_meta[line - 1], msg + off);
    } else {
        return NULL;
    }
    return strdup(buf);
}

static void speak_of_frames(const struct pcap_script *ps, const struct pcap_meta *m,
                            struct vector_result *res)
{
    unsigned frame;
    char *msg = relabel(ps, m, res->message, &frame);
    if (msg) {
        free(res->message);
        res->message = msg;
    }
    res->fail_line = 0; /* the message names the frame; there is no script line */
    for (size_t i = 0; i < res->ladder_count; i++) {
        struct ladder_row *row = &res->ladder[i];
        if (row->line > 0 && row->line <= ps->lines)
            row->line = ps->line_frame[row->line - 1];
    }
}

/* A capture run without its metadata file: the stack's side was guessed;
 * a failure says so, since a wrong guess is the likeliest cause. */
static void say_guessed(const struct pcap_script *ps, const struct pcap_meta *m,
                        const char *meta_path, struct vector_result *res)
{
    char ep[CONV_ENDPOINT_LEN], *msg;
    bool active = false;
    for (size_t k = 0; k < m->app_count; k++)
        active |= m->app[k].kind == META_APP_CONNECT;
    if (res->status != RESULT_FAIL && res->status != RESULT_ERROR)
        return;
    conv_endpoint_str(&ps->stack, ep, sizeof ep);
    size_t n = strlen(res->message ? res->message : "") + strlen(meta_path ? meta_path : "") + 200;
    if (!(msg = malloc(n)))
        return;
    snprintf(msg, n, "%s (no %s: the stack was guessed to be %s, the side that %s the first "
                     "SYN; a 'stack ADDR:PORT' line there says which it is)",
             res->message ? res->message : "failed", meta_path ? meta_path : "metadata", ep,
             active ? "sent" : "received");
    free(res->message);
    res->message = msg;
}

void pcap_run_file(const char *path, const struct run_options *o, struct vector_result *res)
{
    memset(res, 0, sizeof *res);
    vector_result_init(res);
    res->path = strdup(path);
    res->name = run_vector_name(path);
    char err[1024];
    struct capture *cap = NULL;
    struct pcap_meta *meta = NULL;
    struct pcap_script ps = {0};
    struct script *s = NULL;
    char *meta_path = pcap_meta_path_for(path);
    if (capture_read_file(path, 0, &cap, err, sizeof err) < 0) {
        set_error(res, err);
        goto out;
    }
    if (meta_path && access(meta_path, F_OK) == 0) {
        if (pcap_meta_parse_file(meta_path, &meta, err, sizeof err) < 0) {
            set_error(res, err);
            goto out;
        }
    } else if (!(meta = pcap_meta_new())) {
        set_error(res, "out of memory");
        goto out;
    }
    if (pcap_translate(cap, meta, &ps, err, sizeof err) < 0) {
        set_error(res, err);
        goto out;
    }
    struct script_error se;
    if (script_parse_buffer(ps.text, ps.len, path, &s, &se) < 0) {
        char msg[600];
        script_error_format(&se, msg, sizeof msg);
        snprintf(err, sizeof err, "the script made from the capture does not parse (a bug: "
                                  "see synack pcap2pkt %s): %s", path, msg);
        set_error(res, err);
        goto out;
    }
    run_script(s, o, res);
    speak_of_frames(&ps, meta, res);
    if (!meta->stack_given && !(meta_path && access(meta_path, F_OK) == 0))
        say_guessed(&ps, meta, meta_path, res);
out:
    script_free(s);
    pcap_script_free(&ps);
    pcap_meta_free(meta);
    capture_free(cap);
    free(meta_path);
}

void run_vector_file(const char *path, const struct run_options *o, struct vector_result *res)
{
    if (pcap_is_capture_path(path))
        pcap_run_file(path, o, res);
    else
        run_file(path, o, res);
}
