/*
 * app_read_only.c — a node that serves reads only: `serve --read-only`, or any node whose
 * PostgreSQL database is a hot standby (docs/operations.md, "A read-only standby").
 *
 * The store is the one barrier (store_set_read_only): every write of the process, whatever use
 * case makes it, is refused there with 503 "store.read_only" before it reaches the database, and
 * a standby refuses with the same code whatever slips past. The faces refuse earlier where they
 * can (a POST of the API answers 503 before its handler runs), and the server's upkeep, which
 * writes (publication, CRLs, responder renewal, checkpoints), stands down.
 *
 * The mode follows the database: the server looks at its role every second while read-only. A
 * standby seen once and a primary now is a promotion (failover): the node then writes again,
 * also when it was started with --read-only, since that is how a standby's nodes are started and
 * a promoted standby is the primary. A node started with --read-only on a primary stays
 * read-only: it never sees a promotion.
 */
#include "app/app_internal.h"

void app_set_read_only(app *a)
{
    atomic_store(&a->read_only_asked, true);
    store_set_read_only(a->db, true);
}

bool app_read_only(app *a)
{
    return store_read_only(a->db);
}

bool app_database_standby(app *a)
{
    return atomic_load(&a->standby);
}

int app_read_only_check(app *a, bool *changed, ct_error *err)
{
    bool before = store_read_only(a->db), standby;

    if (store_standby(a->db, &standby, err) != 0)
        return -1;
    if (atomic_load(&a->standby) && !standby)
        atomic_store(&a->read_only_asked, false); /* promoted */
    atomic_store(&a->standby, standby);
    store_set_read_only(a->db, standby || atomic_load(&a->read_only_asked));
    *changed = before != store_read_only(a->db);
    return 0;
}

int app_read_only_refuse(ct_error *err)
{
    return store_fail_read_only(err);
}
