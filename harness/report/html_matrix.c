/* report/html_matrix.c: matrix.html, the state x event matrix of the
 * vectors named matrix/<state>/<segment>-<position> (vectors/matrix/): one
 * column per state, one row per segment and position, in each cell the
 * vector's status on every target, linked to its page. Names that do not
 * follow the pattern are left out; unknown states, segments and positions
 * follow the known ones in the order they appear.
 */
#include <stdlib.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/util.h"

#define PREFIX "matrix/"
#define MAX_COLS 64
#define MAX_ROWS 1024
#define NAME_MAX_LEN 128

static const char *const known_states[] = {
    "closed", "listen", "syn-sent", "syn-received", "syn-received-active", "established",
    "fin-wait-1", "fin-wait-2", "close-wait", "closing", "last-ack", "time-wait",
};
/* Longest first where one is a prefix of another. */
static const char *const known_segments[] = {
    "syn-ack", "syn-fin", "syn", "ack", "fin-ack", "fin", "rst-ack", "rst", "data-fin", "data",
};
/* The order of the rows. */
static const char *const segment_order[] = {
    "syn", "syn-ack", "syn-fin", "ack", "fin", "fin-ack", "rst", "rst-ack", "data", "data-fin",
};
static const char *const known_positions[] = {
    "", "ack-too-old", "ack-too-new", "below-window", "left-edge", "inside", "right-edge",
    "beyond-window", "left-edge-ack-too-new", "left-edge-ack-too-old", "left-edge-ack-of-fin",
};

struct row {
    char seg[NAME_MAX_LEN], pos[NAME_MAX_LEN];
    int seg_rank, pos_rank;
    size_t first;      /* order of appearance, for unknown names */
    int cell[MAX_COLS];
};

struct grid {
    char cols[MAX_COLS][NAME_MAX_LEN];
    int col_rank[MAX_COLS];
    size_t ncols;
    struct row *rows;
    size_t nrows;
};

static int rank_of(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return (int)i;
    return (int)n;
}

#define RANK(list, s) rank_of(list, sizeof list / sizeof list[0], s)

/* "matrix/<state>/<segment>[-<position>]" split; false if not of that form. */
static bool split_name(const char *name, char *state, char *seg, char *pos)
{
    const char *s, *slash, *rest;
    size_t n;

    if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
        return false;
    s = name + strlen(PREFIX);
    slash = strchr(s, '/');
    if (slash == NULL || slash == s || strchr(slash + 1, '/') != NULL ||
        (size_t)(slash - s) >= NAME_MAX_LEN || strlen(slash + 1) >= NAME_MAX_LEN)
        return false;
    memcpy(state, s, (size_t)(slash - s));
    state[slash - s] = '\0';
    rest = slash + 1;
    for (size_t i = 0; i < sizeof known_segments / sizeof known_segments[0]; i++) {
        n = strlen(known_segments[i]);
        if (strncmp(rest, known_segments[i], n) == 0 && (rest[n] == '\0' || rest[n] == '-')) {
            memcpy(seg, rest, n);
            seg[n] = '\0';
            strcpy(pos, rest[n] ? rest + n + 1 : "");
            return true;
        }
    }
    n = strcspn(rest, "-"); /* an unknown segment: up to the first '-' */
    memcpy(seg, rest, n);
    seg[n] = '\0';
    strcpy(pos, rest[n] ? rest + n + 1 : "");
    return true;
}

static int col_of(struct grid *g, const char *state)
{
    for (size_t i = 0; i < g->ncols; i++)
        if (strcmp(g->cols[i], state) == 0)
            return (int)i;
    if (g->ncols == MAX_COLS)
        return -1;
    strcpy(g->cols[g->ncols], state);
    g->col_rank[g->ncols] = RANK(known_states, state) * MAX_COLS + (int)g->ncols;
    return (int)g->ncols++;
}

static struct row *row_of(struct grid *g, const char *seg, const char *pos)
{
    for (size_t i = 0; i < g->nrows; i++)
        if (strcmp(g->rows[i].seg, seg) == 0 && strcmp(g->rows[i].pos, pos) == 0)
            return &g->rows[i];
    if (g->nrows == MAX_ROWS)
        return NULL;
    struct row *r = &g->rows[g->nrows];
    strcpy(r->seg, seg);
    strcpy(r->pos, pos);
    r->seg_rank = RANK(segment_order, seg);
    r->pos_rank = RANK(known_positions, pos);
    r->first = g->nrows++;
    for (size_t c = 0; c < MAX_COLS; c++)
        r->cell[c] = -1;
    return r;
}

static int row_cmp(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;

    if (a->seg_rank != b->seg_rank)
        return a->seg_rank - b->seg_rank;
    if (a->seg_rank == (int)(sizeof segment_order / sizeof segment_order[0])) {
        int c = strcmp(a->seg, b->seg);
        if (c != 0)
            return c;
    }
    if (a->pos_rank != b->pos_rank)
        return a->pos_rank - b->pos_rank;
    return (a->first > b->first) - (a->first < b->first);
}

/* Fill g from the model; returns the number of matrix vectors. */
static size_t build(struct grid *g, const struct html_model *m)
{
    char state[NAME_MAX_LEN], seg[NAME_MAX_LEN], pos[NAME_MAX_LEN];
    size_t n = 0;

    for (size_t i = 0; i < m->nvecs; i++) {
        if (!split_name(m->vecs[i].name, state, seg, pos))
            continue;
        int c = col_of(g, state);
        struct row *r = c >= 0 ? row_of(g, seg, pos) : NULL;
        if (r == NULL)
            continue;
        r->cell[c] = (int)i;
        n++;
    }
    qsort(g->rows, g->nrows, sizeof *g->rows, row_cmp);
    return n;
}

bool html_has_matrix(const struct html_model *m)
{
    char state[NAME_MAX_LEN], seg[NAME_MAX_LEN], pos[NAME_MAX_LEN];

    for (size_t i = 0; i < m->nvecs; i++)
        if (split_name(m->vecs[i].name, state, seg, pos))
            return true;
    return false;
}

static void cell(FILE *f, const struct html_model *m, int vi)
{
    char msg[1024], title[1200];

    fprintf(f, "<td>");
    if (vi < 0) {
        fprintf(f, "</td>");
        return;
    }
    const struct html_vec *hv = &m->vecs[vi];
    fprintf(f, "<a href=\"%s\">", hv->page);
    for (size_t r = 0; r < m->nruns; r++) {
        const struct vector_result *v = hv->per_run[r];
        const char *what = v != NULL ? vector_result_describe(v, msg, sizeof msg) : "not run";
        if (what[0] == '\0')
            what = result_status_name(v->status);
        snprintf(title, sizeof title, "%s on %s: %s", hv->name, html_target(&m->runs[r]), what);
        html_badge(f, v != NULL ? (int)v->status : -1, title);
    }
    fprintf(f, "</a></td>");
}

static void table(FILE *f, const struct html_model *m, const struct grid *g, const int *order)
{
    fprintf(f, "<table class=\"matrix\">\n<thead><tr><th>segment</th><th>position</th>");
    for (size_t c = 0; c < g->ncols; c++) {
        fprintf(f, "<th>");
        rpt_xml(f, g->cols[order[c]], 0);
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < g->nrows; i++) {
        const struct row *r = &g->rows[i];
        bool first = i == 0 || strcmp(g->rows[i - 1].seg, r->seg) != 0;
        fprintf(f, "<tr%s><th>", first ? " class=\"first\"" : "");
        if (first)
            rpt_xml(f, r->seg, 0);
        fprintf(f, "</th><td>");
        rpt_xml(f, r->pos[0] ? r->pos : "-", 0);
        fprintf(f, "</td>");
        for (size_t c = 0; c < g->ncols; c++)
            cell(f, m, r->cell[order[c]]);
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

int html_matrix_write(const struct html_model *m, const char *dir, char *err, size_t errlen)
{
    struct grid *g = calloc(1, sizeof *g);
    int order[MAX_COLS], rc;
    char *path;
    FILE *f;

    if (g == NULL || (g->rows = calloc(MAX_ROWS, sizeof *g->rows)) == NULL) {
        free(g);
        return rpt_fail(err, errlen, "%s: out of memory", dir);
    }
    size_t n = build(g, m);
    for (size_t c = 0; c < g->ncols; c++) /* the columns by rank (a few dozen at most) */
        order[c] = (int)c;
    for (size_t i = 0; i < g->ncols; i++)
        for (size_t j = i + 1; j < g->ncols; j++)
            if (g->col_rank[order[j]] < g->col_rank[order[i]]) {
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    f = n ? html_open(dir, "matrix.html", &path, err, errlen) : NULL;
    if (n == 0 || f == NULL) {
        free(g->rows);
        free(g);
        return n == 0 ? 0 : -1;
    }
    html_page_start(f, "synack: state x event matrix", "");
    fprintf(f, "<nav><a href=\"index.html\">synack conformance report</a></nav>\n"
               "<h1>State &#215; event matrix <small>%zu vectors</small></h1>\n"
               "<p class=\"note\">One vector per state, arriving segment and position of its "
               "sequence and acknowledgment numbers (vectors/matrix/README.md); each cell shows "
               "its status on every target (",
            n);
    for (size_t r = 0; r < m->nruns; r++)
        fprintf(f, "%s%s", r ? ", " : "", html_target(&m->runs[r]));
    fprintf(f, "), linked to its page. An empty cell is a combination with no vector.</p>\n");
    table(f, m, g, order);
    html_page_end(f);
    rc = html_close(f, path, err, errlen);
    free(g->rows);
    free(g);
    return rc;
}
