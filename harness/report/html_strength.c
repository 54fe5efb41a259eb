/* report/html_strength.c: strength.html, the suite's strength from a
 * `make mutate` run (mk/mutate.py, JSON schema synack-mutate/1): which
 * mutants of the stack the vectors kill, which only the unit tests notice,
 * which survive, and which requirement rows are defended by a killed one.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/util.h"

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The vector page of name, or NULL when the report has no such vector. */
static const char *vec_page(const struct html_model *m, const char *name)
{
    for (size_t i = 0; i < m->nvecs; i++)
        if (strcmp(m->vecs[i].name, name) == 0)
            return m->vecs[i].page;
    return NULL;
}

static void names(FILE *f, const struct html_model *m, json_t *list, size_t max)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (i == max) {
            fprintf(f, " and %zu more", json_array_size(list) - max);
            break;
        }
        const char *n = json_string_value(v);
        const char *page = n ? vec_page(m, n) : NULL;
        fprintf(f, "%s", i ? ", " : "");
        if (page) {
            fprintf(f, "<a href=\"");
            rpt_xml(f, page, 1);
            fprintf(f, "\">");
        }
        rpt_xml(f, n ? n : "?", 0);
        if (page)
            fprintf(f, "</a>");
    }
}

static void mutants_table(FILE *f, const struct html_model *m, json_t *muts)
{
    fprintf(f, "<h2 id=\"mutants\">Mutants</h2>\n<table><tr><th>mutant</th><th>status</th>"
               "<th>wrong behaviour</th><th>requirements</th><th>killed by</th></tr>\n");
    size_t i;
    json_t *mu;
    json_array_foreach(muts, i, mu) {
        const char *st = str(mu, "status");
        int badge = strcmp(st, "killed") == 0 ? RESULT_PASS
                    : strcmp(st, "unit-only") == 0 ? RESULT_XFAIL : RESULT_FAIL;
        fprintf(f, "<tr><td>");
        rpt_xml(f, str(mu, "name"), 0);
        fprintf(f, "</td><td>");
        html_badge(f, (int)badge, st);
        fprintf(f, " ");
        rpt_xml(f, st, 0);
        fprintf(f, "</td><td>");
        rpt_xml(f, str(mu, "what"), 0);
        fprintf(f, "</td><td>");
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(mu, "reqs"), k, r) {
            fprintf(f, "%s", k ? " " : "");
            html_req_link(f, "", json_string_value(r) ? json_string_value(r) : "?");
        }
        fprintf(f, "</td><td>");
        json_t *vecs = json_object_get(mu, "vectors");
        if (json_array_size(vecs))
            names(f, m, vecs, 5);
        else
            names(f, m, json_object_get(mu, "unit"), 5);
        if (*str(mu, "note"))
            fprintf(f, " ("), rpt_xml(f, str(mu, "note"), 0), fprintf(f, ")");
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</table>\n");
}

static void requirements_table(FILE *f, json_t *reqs, json_t *undefended)
{
    fprintf(f, "<h2 id=\"defended\">Requirement rows</h2>\n<p class=\"meta\">A row is "
               "defended when a mutant that breaks it is killed by a vector.</p>\n"
               "<table><tr><th>requirement</th><th>level</th><th>defended</th>"
               "<th>mutants</th></tr>\n");
    size_t i;
    json_t *q;
    json_array_foreach(reqs, i, q) {
        bool def = json_is_true(json_object_get(q, "defended"));
        fprintf(f, "<tr><td>");
        html_req_link(f, "", str(q, "id"));
        fprintf(f, "</td><td>");
        rpt_xml(f, str(q, "level"), 0);
        fprintf(f, "</td><td>");
        html_badge(f, def ? RESULT_PASS : RESULT_FAIL, def ? "defended" : "not defended");
        fprintf(f, " %s</td><td>", def ? "yes" : "no");
        size_t k;
        json_t *n;
        json_array_foreach(json_object_get(q, "mutants"), k, n) {
            fprintf(f, "%s", k ? ", " : "");
            rpt_xml(f, json_string_value(n) ? json_string_value(n) : "?", 0);
        }
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</table>\n");
    if (json_array_size(undefended) == 0)
        return;
    fprintf(f, "<p>Testable RFC 9293 MUSTs no mutant breaks yet (%zu): ",
            json_array_size(undefended));
    json_array_foreach(undefended, i, q) {
        fprintf(f, "%s", i ? " " : "");
        html_req_link(f, "", json_string_value(q) ? json_string_value(q) : "?");
    }
    fprintf(f, "</p>\n");
}

static void totals(FILE *f, json_t *doc)
{
    json_t *t = json_object_get(doc, "totals"), *reqs = json_object_get(doc, "requirements");
    size_t n = json_array_size(json_object_get(doc, "mutants")), def = 0, i;
    json_t *q;
    json_array_foreach(reqs, i, q)
        def += json_is_true(json_object_get(q, "defended"));
    fprintf(f, "<table><tr><th>mutants</th><th>killed by a vector</th><th>only by unit "
               "tests</th><th>survived</th><th>requirement rows defended</th></tr>\n"
               "<tr><td class=\"num\">%zu</td><td class=\"num\">%lld</td><td class=\"num\">"
               "%lld</td><td class=\"num\">%lld</td><td class=\"num\">%zu / %zu</td></tr>"
               "</table>\n",
            n, json_integer_value(json_object_get(t, "killed")),
            json_integer_value(json_object_get(t, "unit-only")),
            json_integer_value(json_object_get(t, "survived")), def, json_array_size(reqs));
    if (!json_is_true(json_object_get(doc, "unit_run")))
        fprintf(f, "<p class=\"meta\">The unit tests were not run against the mutants "
                   "(MUTATE_UNIT=0): \"survived\" means no vector killed it.</p>\n");
}

bool html_has_strength(const struct html_model *m)
{
    return m->mutants != NULL;
}

int html_strength_write(const struct html_model *m, const char *dir, char *err, size_t errlen)
{
    if (!m->mutants)
        return 0;
    json_error_t je;
    json_t *doc = json_load_file(m->mutants, 0, &je);
    if (!doc)
        return rpt_fail(err, errlen, "%s:%d: %s", m->mutants, je.line, je.text);
    if (strcmp(str(doc, "schema"), "synack-mutate/1") != 0) {
        json_decref(doc);
        return rpt_fail(err, errlen, "%s: not a make mutate result (schema synack-mutate/1)",
                        m->mutants);
    }
    char *path;
    FILE *f = html_open(dir, "strength.html", &path, err, errlen);
    if (!f) {
        json_decref(doc);
        return -1;
    }
    html_page_start(f, "Suite strength: mutants of the stack", "");
    fprintf(f, "<p class=\"meta\">Each mutant is one RFC-cited wrong behaviour compiled "
               "into a mutation build of the stack (stack/util/mutant.h) and switched on "
               "by SYNACK_MUTANT; make mutate runs the vectors and the unit tests against "
               "each. A mutant no vector kills is a hole in the suite.</p>\n");
    totals(f, doc);
    mutants_table(f, m, json_object_get(doc, "mutants"));
    requirements_table(f, json_object_get(doc, "requirements"),
                       json_object_get(doc, "undefended_musts"));
    html_page_end(f);
    json_decref(doc);
    return html_close(f, path, err, errlen);
}
