/* fuzz/driver.h: the entry points every fuzz target shares. A target is one
 * C file that defines LLVMFuzzerTestOneInput (its whole logic sits behind
 * it) and includes this header once, at its end. What it adds depends on
 * the build (fuzz/README.md, mk/fuzz.mk):
 *
 *   clang -fsanitize=fuzzer (FUZZ_LIBFUZZER): nothing; libFuzzer has main.
 *   afl-clang-fast (__AFL_COMPILER): main() with AFL++'s persistent loop
 *     over the shared-memory test case (__AFL_FUZZ_TESTCASE_BUF, __AFL_LOOP);
 *     run outside afl-fuzz with FILE arguments it replays them instead.
 *   plain clang or gcc (regress, coverage): main() replays every FILE or
 *     every file in a DIR named on the command line, one level deep.
 *
 * Each input is copied into a buffer of exactly its size, so ASan sees any
 * read past its end. A crash while replaying names the file it came from.
 */
#ifndef SYNACK_FUZZ_DRIVER_H
#define SYNACK_FUZZ_DRIVER_H

#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_LIBFUZZER

/* The file being replayed, for the crash message. A static is the only way
 * a signal handler can reach it; it lives in the driver, never the stack. */
static const char *fuzz_current_file;

static void fuzz_name_culprit(void)
{
    if (!fuzz_current_file)
        return;
    static const char pre[] = "\nfuzz: the input was ";
    ssize_t w = write(2, pre, sizeof pre - 1);
    w = write(2, fuzz_current_file, strlen(fuzz_current_file));
    w = write(2, "\n", 1);
    (void)w;
}

static void fuzz_on_signal(int sig)
{
    fuzz_name_culprit();
    signal(sig, SIG_DFL);
    raise(sig);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define FUZZ_HAVE_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_HAVE_SANITIZER 1
#endif
#ifdef FUZZ_HAVE_SANITIZER
void __sanitizer_set_death_callback(void (*callback)(void));
#endif

static int fuzz_run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf)
        return -1;
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    fuzz_current_file = path;
    LLVMFuzzerTestOneInput(exact, len);
    fuzz_current_file = NULL;
    free(exact);
    return 0;
}

static int fuzz_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Replay FILEs and the regular files of DIRs (sorted, dot files skipped). */
static int fuzz_replay(int argc, char **argv)
{
    int sigs[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], fuzz_on_signal);
#ifdef FUZZ_HAVE_SANITIZER
    __sanitizer_set_death_callback(fuzz_name_culprit);
#endif
    unsigned runs = 0, errors = 0;
    for (int a = 1; a < argc; a++) {
        if (!fuzz_is_dir(argv[a])) {
            errors += fuzz_run_file(argv[a]) != 0;
            runs++;
            continue;
        }
        struct dirent **ents;
        int n = scandir(argv[a], &ents, NULL, alphasort);
        if (n < 0) {
            fprintf(stderr, "fuzz: cannot read %s\n", argv[a]);
            errors++;
            continue;
        }
        for (int i = 0; i < n; i++) {
            char path[4096];
            if (ents[i]->d_name[0] != '.' &&
                snprintf(path, sizeof path, "%s/%s", argv[a], ents[i]->d_name) <
                    (int)sizeof path &&
                !fuzz_is_dir(path)) {
                errors += fuzz_run_file(path) != 0;
                runs++;
            }
            free(ents[i]);
        }
        free(ents);
    }
    fprintf(stderr, "%s: %u inputs replayed, %u unreadable\n", argv[0], runs, errors);
    return errors ? 1 : 0;
}

#ifdef __AFL_COMPILER
__AFL_FUZZ_INIT();

int main(int argc, char **argv)
{
    if (argc > 1)
        return fuzz_replay(argc, argv);
#ifdef __AFL_HAVE_MANUAL_CONTROL
    __AFL_INIT();
#endif
    const uint8_t *shm = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(100000)) {
        size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact)
            abort();
        memcpy(exact, shm, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}
#else
int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    return fuzz_replay(argc, argv);
}
#endif /* __AFL_COMPILER */

#endif /* !FUZZ_LIBFUZZER */
#endif
