/* report/html_internal.h: what the pieces of the HTML report share: the
 * model (vectors across runs, requirements across vectors) and small
 * writers for page frames, status badges and links.
 */
#ifndef SYNACK_HARNESS_REPORT_HTML_INTERNAL_H
#define SYNACK_HARNESS_REPORT_HTML_INTERNAL_H

#include <stdio.h>

#include "report/registry.h"
#include "report/result.h"

/* One vector name across the runs. */
struct html_vec {
    const char *name;
    const struct vector_result **per_run; /* nruns entries; NULL where not run */
    char *page;                           /* "vectors/handshake/passive-open.html" */
};

/* One requirement: from the registry, the tags, or both. */
struct html_req {
    const char *id;
    const struct req_entry *reg; /* NULL when only tagged */
    size_t nvec;
    size_t *vec;                 /* indices into html_model.vecs */
};

struct html_model {
    const struct run_results *runs;
    size_t nruns;
    struct html_vec *vecs;
    size_t nvecs;
    struct html_req *reqs;
    size_t nreqs;
    const struct req_registry *reg; /* NULL when there is no registry */
    const struct run_results *previous; /* an earlier run to compare with, or NULL */
    const char *mutants; /* make mutate's JSON for strength.html, or NULL */
};

/* html_model.c */
int html_model_build(struct html_model *m, const struct run_results *runs, size_t nruns,
                     const struct req_registry *reg);
void html_model_free(struct html_model *m);
const char *html_vec_name(const struct vector_result *v);
/* The worst status of the vectors covering q on run r; -1 if none ran. */
int html_req_status(const struct html_model *m, const struct html_req *q, size_t r);

/* html.c: page frame and small pieces. root is the relative path from the
 * page to the report's top ("" or "../../"). */
void html_page_start(FILE *f, const char *title, const char *root);
void html_page_end(FILE *f);
void html_badge(FILE *f, int status, const char *title); /* status -1: not run */
void html_vector_badge(FILE *f, const struct vector_result *v);
void html_duration(FILE *f, double ms);
void html_anchor(FILE *f, const char *prefix, const char *id); /* an id= value */
void html_req_link(FILE *f, const char *root, const char *id);
const char *html_target(const struct run_results *r);
/* Create dir/rel (and its folders) for writing; *path is dir/rel, malloc'd.
 * html_close finishes the file and frees path. Both set err on failure. */
FILE *html_open(const char *dir, const char *rel, char **path, char *err, size_t errlen);
int html_close(FILE *f, char *path, char *err, size_t errlen);

/* html_index.c, html_reqs.c (the requirements section), html_vector.c */
int html_index_write(const struct html_model *m, const char *dir, char *err, size_t errlen);
void html_requirements(FILE *f, const struct html_model *m);
int html_vector_write(const struct html_model *m, size_t i, const char *dir, char *err,
                      size_t errlen);

/* html_failures.c: the failures grouped by message; what changed since
 * m->previous (nothing when NULL). */
bool html_status_fails(enum result_status s);
char *html_failure_key(const struct vector_result *v); /* malloc'd */
void html_failures(FILE *f, const struct html_model *m);
void html_since_previous(FILE *f, const struct html_model *m);

/* html_matrix.c: matrix.html, the state x event matrix (vectors named
 * matrix/<state>/<segment>-<position>); nothing when there are none. */
bool html_has_matrix(const struct html_model *m);
int html_matrix_write(const struct html_model *m, const char *dir, char *err, size_t errlen);

/* html_strength.c: strength.html from m->mutants (make mutate's JSON):
 * mutants killed, unit-only, survived, and the requirement rows defended. */
bool html_has_strength(const struct html_model *m);
int html_strength_write(const struct html_model *m, const char *dir, char *err, size_t errlen);

/* html_bench.c: is there a bench page (dir/bench.html, from make bench)? */
bool html_has_bench(const char *dir);

/* html_ladder.c: the ladder of v as an inline SVG (ids prefixed with idp),
 * and the same rows as a table. */
void html_ladder_svg(FILE *f, const struct vector_result *v, const char *idp);
void html_ladder_table(FILE *f, const struct vector_result *v);

#endif
