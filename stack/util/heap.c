/* Binary min-heap (heap.h). Nodes know their position, so any node is
 * moved or removed in O(log N) without a search. */
#include <stdlib.h>

#include "util/heap.h"

static void place(struct heap *h, uint32_t i, struct heap_node *x)
{
    h->v[i] = x;
    x->pos = i + 1;
}

static void sift_up(struct heap *h, uint32_t i)
{
    struct heap_node *x = h->v[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (h->v[parent]->key <= x->key)
            break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, x);
}

static void sift_down(struct heap *h, uint32_t i)
{
    struct heap_node *x = h->v[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1]->key < h->v[c]->key)
            c++;
        if (x->key <= h->v[c]->key)
            break;
        place(h, i, h->v[c]);
        i = c;
    }
    place(h, i, x);
}

static void heap_remove(struct heap *h, struct heap_node *node)
{
    uint32_t i = node->pos - 1;
    node->pos = 0;
    node->key = HEAP_KEY_NONE;
    struct heap_node *last = h->v[--h->n];
    if (i == h->n)
        return;
    place(h, i, last);
    sift_down(h, i);
    sift_up(h, last->pos - 1);
}

bool heap_reserve(struct heap *h, uint32_t n)
{
    if (n <= h->cap)
        return true;
    uint32_t cap = h->cap ? h->cap : 64;
    while (cap < n)
        cap *= 2;
    struct heap_node **v = realloc(h->v, cap * sizeof *v);
    if (!v)
        return false;
    h->v = v;
    h->cap = cap;
    return true;
}

bool heap_set(struct heap *h, struct heap_node *node, uint64_t key)
{
    if (key == HEAP_KEY_NONE) {
        if (node->pos)
            heap_remove(h, node);
        node->key = key;
        return true;
    }
    if (!node->pos) {
        if (h->n == h->cap && !heap_reserve(h, h->n + 1))
            return false;
        node->key = key;
        place(h, h->n++, node);
        sift_up(h, h->n - 1);
        return true;
    }
    uint64_t old = node->key;
    node->key = key;
    if (key < old)
        sift_up(h, node->pos - 1);
    else if (key > old)
        sift_down(h, node->pos - 1);
    return true;
}

void heap_free(struct heap *h)
{
    for (uint32_t i = 0; i < h->n; i++)
        h->v[i]->pos = 0;
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}
