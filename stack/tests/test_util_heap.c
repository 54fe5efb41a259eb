/* The timer heap (util/heap.c): after any sequence of sets, moves and
 * removals its minimum is the smallest key held, checked against a plain
 * array, and every node knows its place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/heap.h"
#include "util/rng.h"

#define N 500

static void check(const struct heap *h, const struct heap_node *nodes)
{
    uint64_t min = HEAP_KEY_NONE;
    uint32_t in = 0;
    for (unsigned i = 0; i < N; i++) {
        if (!nodes[i].pos)
            continue;
        in++;
        assert_ptr_equal(h->v[nodes[i].pos - 1], &nodes[i]);
        if (nodes[i].key < min)
            min = nodes[i].key;
    }
    assert_int_equal(in, h->n);
    assert_int_equal(heap_min_key(h), min);
    for (uint32_t i = 1; i < h->n; i++)
        assert_true(h->v[(i - 1) / 2]->key <= h->v[i]->key);
}

static void test_random_sets_moves_and_removals_keep_the_minimum(void **state)
{
    (void)state;
    static struct heap_node nodes[N];
    struct heap h = {0};
    struct rng r;
    rng_seed(&r, 7);
    for (unsigned step = 0; step < 20000; step++) {
        struct heap_node *n = &nodes[rng_below(&r, N)];
        uint64_t key = rng_below(&r, 4) == 0 ? HEAP_KEY_NONE : rng_below(&r, 1000);
        assert_true(heap_set(&h, n, key));
        if (step % 97 == 0)
            check(&h, nodes);
    }
    check(&h, nodes);
    /* pop everything in order */
    uint64_t last = 0;
    while (heap_min(&h)) {
        struct heap_node *m = heap_min(&h);
        assert_true(m->key >= last);
        last = m->key;
        heap_set(&h, m, HEAP_KEY_NONE);
        assert_int_equal(m->pos, 0);
    }
    heap_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sets_moves_and_removals_keep_the_minimum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
