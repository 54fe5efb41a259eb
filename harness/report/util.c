/* report/util.c: output files, directories, time formatting, UTF-8 and
 * XML escaping for the result writers. No writer-specific layout here.
 */
#include "report/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int rpt_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

FILE *rpt_create(const char *path, char *err, size_t errlen)
{
    FILE *f;

    if (strcmp(path, "-") == 0)
        return stdout;
    f = fopen(path, "w");
    if (f == NULL)
        rpt_fail(err, errlen, "%s: %s", path, strerror(errno));
    return f;
}

int rpt_finish(FILE *f, const char *path, char *err, size_t errlen)
{
    int bad = ferror(f);
    int saved = errno;

    if (f == stdout) {
        if (fflush(f) != 0 && !bad) {
            bad = 1;
            saved = errno;
        }
    } else if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (bad)
        return rpt_fail(err, errlen, "%s: write failed: %s", path,
                        saved != 0 ? strerror(saved) : "I/O error");
    return 0;
}

static int mkdir_one(const char *dir, char *err, size_t errlen)
{
    struct stat st;

    if (mkdir(dir, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    if (errno == EEXIST)
        return rpt_fail(err, errlen, "%s: exists and is not a directory", dir);
    return rpt_fail(err, errlen, "%s: %s", dir, strerror(errno));
}

int rpt_mkdirs(const char *dir, char *err, size_t errlen)
{
    size_t n = strlen(dir);
    char *buf = malloc(n + 1);
    int rc = 0;

    if (buf == NULL)
        return rpt_fail(err, errlen, "%s: out of memory", dir);
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        if (buf[i - 1] == '/')
            continue;
        buf[i] = '\0';
        rc = mkdir_one(buf, err, errlen);
        buf[i] = dir[i];
    }
    free(buf);
    return rc;
}

char *rpt_time_s(int64_t us, char *buf, size_t len)
{
    if (us < 0)
        snprintf(buf, len, "-");
    else if (us % 1000 == 0)
        snprintf(buf, len, "%lld.%03lld", (long long)(us / 1000000),
                 (long long)(us % 1000000 / 1000));
    else
        snprintf(buf, len, "%lld.%06lld", (long long)(us / 1000000),
                 (long long)(us % 1000000));
    return buf;
}

/* Length of the sequence a lead byte starts, 0 if it cannot start one. */
static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

size_t rpt_utf8_next(const char *str, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = utf8_seq_len(s[0]);
    uint32_t c;

    *cp = 0xfffd;
    if (n == 0)
        return 1;
    c = n == 1 ? s[0] : s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 1;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 1;
    *cp = c;
    return n;
}

size_t rpt_utf8_put(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

char *rpt_utf8_clean(const char *s)
{
    /* Each input byte becomes at most 3 output bytes (U+FFFD). */
    char *out = malloc(strlen(s) * 3 + 1);
    size_t o = 0;
    uint32_t cp;

    if (out == NULL)
        return NULL;
    while (*s != '\0') {
        s += rpt_utf8_next(s, &cp);
        o += rpt_utf8_put(cp, out + o);
    }
    out[o] = '\0';
    return out;
}

size_t rpt_utf8_len(const char *s)
{
    size_t n = 0;
    uint32_t cp;

    while (s != NULL && *s != '\0') {
        s += rpt_utf8_next(s, &cp);
        n++;
    }
    return n;
}

static int xml_allowed(uint32_t cp)
{
    if (cp < 0x20)
        return cp == '\t' || cp == '\n' || cp == '\r';
    return cp != 0xfffe && cp != 0xffff;
}

static void xml_char(FILE *f, uint32_t cp, int attr)
{
    char buf[4];

    if (!xml_allowed(cp))
        cp = 0xfffd;
    switch (cp) {
    case '&': fputs("&amp;", f); return;
    case '<': fputs("&lt;", f); return;
    case '>': fputs("&gt;", f); return;
    case '\r': fputs("&#13;", f); return;
    default: break;
    }
    if (attr && (cp == '"' || cp == '\'' || cp == '\t' || cp == '\n')) {
        fprintf(f, "&#%u;", (unsigned)cp);
        return;
    }
    fwrite(buf, 1, rpt_utf8_put(cp, buf), f);
}

void rpt_xml(FILE *f, const char *s, int attr)
{
    uint32_t cp;

    while (s != NULL && *s != '\0') {
        s += rpt_utf8_next(s, &cp);
        xml_char(f, cp, attr);
    }
}

void rpt_xml_cut(FILE *f, const char *s, size_t max)
{
    uint32_t cp;
    size_t n = 0;
    int cut = max > 0 && rpt_utf8_len(s) > max;

    while (s != NULL && *s != '\0' && (!cut || n + 1 < max)) {
        s += rpt_utf8_next(s, &cp);
        xml_char(f, cp, 0);
        n++;
    }
    if (cut)
        fputs("\xe2\x80\xa6", f); /* U+2026 HORIZONTAL ELLIPSIS */
}

void rpt_oneline(FILE *f, const char *s, const char *backslashed)
{
    uint32_t cp;
    char buf[4];

    while (s != NULL && *s != '\0') {
        s += rpt_utf8_next(s, &cp);
        if (cp != 0 && cp < 0x80 && backslashed != NULL && strchr(backslashed, (int)cp) != NULL)
            fprintf(f, "\\%c", (int)cp);
        else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            fprintf(f, "\\x%02x", (unsigned)cp);
        else
            fwrite(buf, 1, rpt_utf8_put(cp, buf), f);
    }
}

/* Compare two runs of digits by value (leading zeros ignored). */
static int digits_cmp(const char **pa, const char **pb)
{
    const char *a = *pa, *b = *pb;
    size_t la, lb;
    int c;

    while (*a == '0' && isdigit((unsigned char)a[1]))
        a++;
    while (*b == '0' && isdigit((unsigned char)b[1]))
        b++;
    for (la = 0; isdigit((unsigned char)a[la]); la++)
        ;
    for (lb = 0; isdigit((unsigned char)b[lb]); lb++)
        ;
    if (la != lb)
        return la < lb ? -1 : 1;
    c = strncmp(a, b, la);
    *pa = a + la;
    *pb = b + lb;
    return c;
}

int rpt_natcmp(const char *a, const char *b)
{
    while (*a != '\0' && *b != '\0') {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            int c = digits_cmp(&a, &b);
            if (c != 0)
                return c;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* Rewrite the absolute path p in place without ".", ".." and "//". */
static void normalise(char *p)
{
    char *out = p, *s = p;

    while (*s != '\0') {
        size_t len;
        while (*s == '/')
            s++;
        len = strcspn(s, "/");
        if (len == 0 || (len == 1 && s[0] == '.')) {
            s += len;
            continue;
        }
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            while (out > p && *--out != '/')
                ;
            s += len;
            continue;
        }
        *out++ = '/';
        memmove(out, s, len);
        out += len;
        s += len;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

char *rpt_abspath(const char *path)
{
    char *real = realpath(path, NULL), *cwd, *p;
    size_t n;

    if (real != NULL || path[0] == '\0')
        return real;
    cwd = path[0] == '/' ? strdup("") : getcwd(NULL, 0);
    if (cwd == NULL)
        return NULL;
    n = strlen(cwd) + strlen(path) + 2;
    p = malloc(n);
    if (p != NULL) {
        snprintf(p, n, "%s/%s", cwd, path);
        normalise(p);
    }
    free(cwd);
    return p;
}

/* Length of the leading components from and to share ("/a/b" "/a/bc": 2). */
static size_t common_prefix(const char *from, const char *to)
{
    size_t i = 0, last = 0;

    while (from[i] != '\0' && from[i] == to[i]) {
        i++;
        if (from[i - 1] == '/')
            last = i - 1;
    }
    if ((from[i] == '\0' || from[i] == '/') && (to[i] == '\0' || to[i] == '/'))
        last = i;
    return last;
}

static void url_byte(char **o, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";

    if (isalnum(c) || strchr("-._~/", c) != NULL) {
        *(*o)++ = (char)c;
        return;
    }
    *(*o)++ = '%';
    *(*o)++ = hex[c >> 4];
    *(*o)++ = hex[c & 15];
}

char *rpt_relative_href(const char *from_dir, const char *to)
{
    size_t k = common_prefix(from_dir, to), ups = 0;
    const char *rest = to + k + (to[k] == '/');
    char *href, *o;

    for (const char *p = from_dir + k; *p != '\0'; p++)
        ups += *p == '/' && p[1] != '\0';
    href = malloc(ups * 3 + strlen(rest) * 3 + 2);
    if (href == NULL)
        return NULL;
    o = href;
    for (size_t i = 0; i < ups; i++)
        o = stpcpy(o, "../");
    for (const char *p = rest; *p != '\0'; p++)
        url_byte(&o, (unsigned char)*p);
    if (o == href)
        *o++ = '.';
    *o = '\0';
    return href;
}
