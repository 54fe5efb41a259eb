/* cli/batch.h: the engine behind `synack run` and `synack coverage`: find
 * the target, load its expectations, run a list of vectors on N threads.
 * One engine, so both commands judge every vector alike (.pkt scripts and
 * .pcap captures, the same limits, the same expectations). */
#ifndef SYNACK_HARNESS_CLI_BATCH_H
#define SYNACK_HARNESS_CLI_BATCH_H

#include <stdint.h>

#include "cli/cli.h"
#include "cli/paths.h"
#include "run/expect.h"
#include "run/runner.h"

#define BATCH_MAX_JOBS 256
#define BATCH_MAX_SCRIPT_US (30LL * 24 * 3600 * 1000000) /* virtual time a script may span: 30 days, past RFC 7323 5.5's 24 */
#define BATCH_MAX_REAL_S 600.0                 /* real time, default of --max-real-time */

struct batch {
    const struct run_options *opts; /* target, seed, limits */
    const struct expectations *exp; /* NULL: every vector must pass */
    const char *pcap_dir;           /* NULL: no capture per vector */
    int jobs;
    /* Called for each vector as it finishes, one call at a time; may be NULL. */
    void (*done)(void *ctx, const struct vector_result *v);
    void *ctx;
};

/* Runs the list into res->v (allocated here; res->count and res->wall_ms
 * set), each result named as the list names it. -1 only when out of memory. */
int batch_run(const struct batch *b, const struct vector_list *l, struct run_results *res);

/* The target a --target argument names, with --so-flags (NULL: none), or
 * NULL after "CMD: why". Release it with target_release. */
/* The target of --target (with --so-flags); NULL, said on stderr, when it
 * does not resolve or cannot do what the options ask (--offload). */
const struct target_ops *batch_target(const char *cmd, const struct batch_args *b);
/* --expect FILE, else vectors/expect/<target>.tsv if it exists: 0 with *out
 * (NULL when there is none), or -1 after printing why it could not load. */
int batch_expectations(const char *cmd, const char *target, const char *file,
                       struct expectations **out);

#endif
