/* Slab heap for small kernel objects. Pure: kernel and host tests. */
#include "heap.h"

#define SLAB_MAGIC 0x534c4142u          /* "SLAB" */

struct slab {
    uint32_t magic;
    uint16_t cls;
    uint16_t inuse;
    void *free;                         /* singly linked free objects */
    struct slab *prev, *next;           /* on the class's partial list */
    uint32_t on_list;
};

static size_t class_size(unsigned cls)
{
    return (size_t)1 << (cls + HEAP_MIN_SHIFT);
}

/* First object offset: past the header, aligned to the object size (max 64). */
static size_t first_offset(unsigned cls)
{
    size_t sz = class_size(cls), align = sz < 64 ? sz : 64;
    return (sizeof(struct slab) + align - 1) / align * align;
}

static size_t class_count(unsigned cls)
{
    return (HEAP_PAGE - first_offset(cls)) / class_size(cls);
}

static void list_add(struct heap *h, struct slab *s)
{
    s->prev = 0;
    s->next = h->partial[s->cls];
    if (s->next)
        s->next->prev = s;
    h->partial[s->cls] = s;
    s->on_list = 1;
}

static void list_del(struct heap *h, struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        h->partial[s->cls] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = 0;
    s->on_list = 0;
}

void heap_init(struct heap *h, void *(*page_alloc)(void *), void (*page_free)(void *, void *),
               void *ctx)
{
    h->page_alloc = page_alloc;
    h->page_free = page_free;
    h->ctx = ctx;
    for (unsigned i = 0; i < HEAP_CLASSES; i++)
        h->partial[i] = 0;
    h->pages = h->objects = 0;
}

static struct slab *slab_new(struct heap *h, unsigned cls)
{
    unsigned char *page = h->page_alloc(h->ctx);
    if (!page)
        return 0;
    struct slab *s = (struct slab *)page;
    s->magic = SLAB_MAGIC;
    s->cls = (uint16_t)cls;
    s->inuse = 0;
    s->free = 0;
    size_t sz = class_size(cls), off = first_offset(cls);
    for (size_t i = class_count(cls); i-- > 0;) {
        void **obj = (void **)(page + off + i * sz);
        *obj = s->free;
        s->free = obj;
    }
    h->pages++;
    list_add(h, s);
    return s;
}

void *heap_alloc(struct heap *h, size_t size)
{
    if (size == 0 || size > HEAP_MAX_OBJECT)
        return 0;
    unsigned cls = 0;
    while (class_size(cls) < size)
        cls++;
    struct slab *s = h->partial[cls];
    if (!s && !(s = slab_new(h, cls)))
        return 0;
    void **obj = s->free;
    s->free = *obj;
    s->inuse++;
    if (!s->free)
        list_del(h, s);
    h->objects++;
    unsigned char *p = (unsigned char *)obj;
    for (size_t i = 0; i < class_size(cls); i++)
        p[i] = 0;
    return p;
}

hv_status_t heap_free(struct heap *h, void *p)
{
    if (!p)
        return HV_OK;
    uintptr_t addr = (uintptr_t)p;
    struct slab *s = (struct slab *)(addr & ~(uintptr_t)(HEAP_PAGE - 1));
    if (s->magic != SLAB_MAGIC || s->cls >= HEAP_CLASSES || s->inuse == 0)
        return HV_ERR_INVALID_ARGS;
    size_t sz = class_size(s->cls), off = first_offset(s->cls);
    size_t rel = addr - (uintptr_t)s;
    if (rel < off || (rel - off) % sz || (rel - off) / sz >= class_count(s->cls))
        return HV_ERR_INVALID_ARGS;
    for (void **f = s->free; f; f = *f)  /* double free: refuse, keep the list sane */
        if ((void *)f == p)
            return HV_ERR_INVALID_ARGS;
    *(void **)p = s->free;
    s->free = p;
    s->inuse--;
    h->objects--;
    if (s->inuse == 0) {                 /* hand the page back at once */
        if (s->on_list)
            list_del(h, s);
        s->magic = 0;
        h->pages--;
        h->page_free(h->ctx, s);
    } else if (!s->on_list) {
        list_add(h, s);
    }
    return HV_OK;
}
