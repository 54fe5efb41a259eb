/* The table of targets, and the targets made from an argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/exec.h"
#include "target/so.h"
#include "target/target.h"

extern const struct target_ops target_mem;
extern const struct target_ops target_tun;   /* target/tun.c: synack on a real TUN device */
extern const struct target_ops target_linux; /* target/linux.c: the host kernel's TCP */

static const struct target_ops *const all_targets[] = {&target_mem, &target_tun, &target_linux};
const char *const target_names[] = {"mem", "tun", "linux", "lwip", NULL};
const char *const target_forms[] = {"so:PATH", "exec:COMMAND", NULL};

const struct target_ops *target_find(const char *name)
{
    for (size_t i = 0; i < sizeof all_targets / sizeof all_targets[0]; i++)
        if (strcmp(all_targets[i]->name, name) == 0)
            return all_targets[i];
    return NULL;
}

/* "so:dir/libx.so" -> "so:libx.so": what results call it. */
static void so_name(const char *path, char *out, size_t n)
{
    const char *base = strrchr(path, '/');
    snprintf(out, n, "so:%s", base ? base + 1 : path);
}

const struct target_ops *target_resolve(const char *arg, const char *flags, char *err, size_t n)
{
    const struct target_ops *fixed = target_find(arg);
    if (fixed) {
        if (flags) {
            snprintf(err, n, "--so-flags is for the so: and lwip targets, not %s", arg);
            return NULL;
        }
        return fixed;
    }
    if (strcmp(arg, "lwip") == 0) {
        /* lwIP behind our own object of packetdrill's interface
         * (harness/target/lwip/), built beside synack. */
        char *path = so_beside_harness("SYNACK_LWIP_OBJECT", "liblwip-packetdrill.so");
        char all[1024]; /* virtual time unless the flags say otherwise (the last wins) */
        snprintf(all, sizeof all, "clock=virtual%s%s", flags ? "," : "", flags ? flags : "");
        const struct target_ops *ops = path ? so_target_new("lwip", path, all, false, err, n) : NULL;
        if (!path)
            snprintf(err, n, "cannot find liblwip-packetdrill.so");
        free(path);
        return ops;
    }
    if (strncmp(arg, "so:", 3) == 0 && arg[3]) {
        char name[300];
        so_name(arg + 3, name, sizeof name);
        return so_target_new(name, arg + 3, flags, true, err, n);
    }
    if (strncmp(arg, "exec:", 5) == 0 && arg[5]) {
        if (flags) {
            snprintf(err, n, "--so-flags is for the so: and lwip targets, not exec:");
            return NULL;
        }
        return exec_target_new(arg + 5, err, n);
    }
    snprintf(err, n, "unknown target '%s' (known: mem, tun, linux, lwip, so:PATH, exec:COMMAND)",
             arg);
    return NULL;
}

void target_release(const struct target_ops *ops)
{
    if (ops && ops->release)
        ops->release(ops);
}
