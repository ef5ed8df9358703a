/*
 * Per-process handle table: slot index + generation handle values, a FIFO
 * free list through the caller's entries. Pure logic (kernel and host
 * tests); see include/handle_table.h for the encoding and the contract.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "handle_table.h"
#include "hv/rights.h"
#include "hv/status.h"

void ht_init(struct handle_table *t, struct ht_entry *storage, uint32_t capacity)
{
    if (capacity > HT_MAX_CAPACITY)
        capacity = HT_MAX_CAPACITY;
    t->e = storage;
    t->cap = capacity;
    t->count = 0;
    t->pop_hint = 0;
    for (uint32_t i = 0; i < capacity; i++) {
        storage[i].obj = NULL;
        storage[i].type = HV_OBJ_NONE;
        storage[i].rights = 0;
        storage[i].gen = 1;
        storage[i].next = i + 1 < capacity ? i + 1 : HT_NIL;
    }
    t->free_head = capacity ? 0 : HT_NIL;
    t->free_tail = capacity ? capacity - 1 : HT_NIL;
}

/* The live entry h names, or NULL. */
static struct ht_entry *lookup(const struct handle_table *t, hv_handle_t h)
{
    uint32_t i = ht_handle_index(h);
    if (i >= t->cap)
        return NULL;
    struct ht_entry *e = &t->e[i];
    if (e->next != HT_LIVE || e->gen != ht_handle_gen(h))
        return NULL;
    return e;
}

/* Take the oldest free slot for obj; the caller has checked there is one. */
static hv_handle_t take_slot(struct handle_table *t, void *obj, uint32_t type, hv_rights_t rights)
{
    uint32_t i = t->free_head;
    struct ht_entry *e = &t->e[i];
    t->free_head = e->next;
    if (t->free_head == HT_NIL)
        t->free_tail = HT_NIL;
    e->obj = obj;
    e->type = type;
    e->rights = rights;
    e->next = HT_LIVE;
    t->count++;
    if (i < t->pop_hint)
        t->pop_hint = i;
    return ht_make_handle(i, e->gen);
}

/* Free the live entry e: advance its generation, append it to the free list. */
static void release(struct handle_table *t, struct ht_entry *e, void **obj, uint32_t *type)
{
    uint32_t i = (uint32_t)(e - t->e);
    if (obj)
        *obj = e->obj;
    if (type)
        *type = e->type;
    e->obj = NULL;
    e->type = HV_OBJ_NONE;
    e->rights = 0;
    e->gen = e->gen == HT_GEN_MAX ? 1 : e->gen + 1;
    e->next = HT_NIL;
    if (t->free_tail == HT_NIL)
        t->free_head = i;
    else
        t->e[t->free_tail].next = i;
    t->free_tail = i;
    t->count--;
}

hv_status_t ht_add(struct handle_table *t, void *obj, uint32_t type, hv_rights_t rights,
                   hv_handle_t *out)
{
    if (!obj || !out || type == HV_OBJ_NONE || (rights & ~HV_RIGHTS_ALL))
        return HV_ERR_INVALID_ARGS;
    if (t->free_head == HT_NIL)
        return HV_ERR_NO_RESOURCES;
    *out = take_slot(t, obj, type, rights);
    return HV_OK;
}

hv_status_t ht_get_info(const struct handle_table *t, hv_handle_t h, uint32_t type,
                        hv_rights_t needed, void **obj, uint32_t *type_out,
                        hv_rights_t *rights_out)
{
    const struct ht_entry *e = lookup(t, h);
    if (!e)
        return HV_ERR_BAD_HANDLE;
    if (type != HV_OBJ_NONE && type != e->type)
        return HV_ERR_WRONG_TYPE;
    if ((e->rights & needed) != needed)
        return HV_ERR_ACCESS_DENIED;
    if (obj)
        *obj = e->obj;
    if (type_out)
        *type_out = e->type;
    if (rights_out)
        *rights_out = e->rights;
    return HV_OK;
}

hv_status_t ht_get(const struct handle_table *t, hv_handle_t h, uint32_t type,
                   hv_rights_t needed, void **obj)
{
    return ht_get_info(t, h, type, needed, obj, NULL, NULL);
}

hv_status_t ht_remove(struct handle_table *t, hv_handle_t h, void **obj, uint32_t *type)
{
    struct ht_entry *e = lookup(t, h);
    if (!e)
        return HV_ERR_BAD_HANDLE;
    release(t, e, obj, type);
    return HV_OK;
}

hv_status_t ht_duplicate(struct handle_table *t, hv_handle_t h, hv_rights_t rights,
                         hv_handle_t *out, void **obj)
{
    if (!out)
        return HV_ERR_INVALID_ARGS;
    const struct ht_entry *e = lookup(t, h);
    if (!e)
        return HV_ERR_BAD_HANDLE;
    if (!(e->rights & HV_RIGHT_DUPLICATE))
        return HV_ERR_ACCESS_DENIED;
    if (rights == HV_RIGHT_SAME_RIGHTS)
        rights = e->rights;
    else if (rights & ~e->rights)
        return HV_ERR_INVALID_ARGS;
    if (t->free_head == HT_NIL)
        return HV_ERR_NO_RESOURCES;
    void *o = e->obj;
    *out = take_slot(t, o, e->type, rights);
    if (obj)
        *obj = o;
    return HV_OK;
}

uint32_t ht_count(const struct handle_table *t)
{
    return t->count;
}

uint32_t ht_capacity(const struct handle_table *t)
{
    return t->cap;
}

bool ht_pop_any(struct handle_table *t, void **obj, uint32_t *type)
{
    if (t->count == 0)
        return false;
    /* count > 0 and nothing live below pop_hint: the scan finds one before cap. */
    uint32_t i = t->pop_hint;
    while (i < t->cap && t->e[i].next != HT_LIVE)
        i++;
    if (i == t->cap)
        return false;   /* unreachable unless the table was corrupted */
    t->pop_hint = i + 1;
    release(t, &t->e[i], obj, type);
    return true;
}
