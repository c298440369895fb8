/*
 * app_reload.c — a running server's reload (SIGHUP): chungthu.ini and the holiday files read
 * again and put in force, and the configuration every use case reads (app_cfg).
 *
 * The configuration and the calendar are each swapped whole, as atomic pointers: a reload builds
 * the new one aside, checks it, then publishes it with one store. A request reads one
 * configuration from its start to its end: the face holds the one in force when the request
 * starts (app_config_hold, a thread-local pointer), and every app_cfg() on that thread returns
 * it until the release, so no use case sees half of an old file and half of a new one. A
 * replaced configuration or calendar may still be in a request's hands, so it is kept until the
 * app closes (a reload costs some 12 kB).
 *
 * What a reload applies: the keys chungthu.ini(5) marks "applied on reload" (config.c's table:
 * office hours and cut-off, the office's names, holidays, approvals, limits, checkpoints, the
 * subscriber profile's days and key, the responder's renewal), all together. The others are
 * bound when the instance opens or the server starts (paths, the database, keys and the HSM,
 * the CA's names and URLs, the listening socket and the HTTP layer's limits): the new
 * configuration carries their running values, so nothing reads a value that is not in force, and
 * a changed one is named for the next restart. A file that does not parse, or holds a value out
 * of range, changes nothing.
 */
#include "app/app_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct retired_calendar {
    ct_calendar *cal;
    struct retired_calendar *next;
} retired_calendar;

typedef struct retired_config {
    app_config *cfg;
    struct retired_config *next;
} retired_config;

/* One reload at a time (the server's signal thread is the only caller, but a test may not be). */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

/* The configuration this thread holds, for which app, and how many holds deep. */
static _Thread_local struct {
    const app *app;
    const app_config *cfg;
    unsigned depth;
} held;

static const app_config *in_force(const app *a)
{
    const app_config *now = atomic_load_explicit(&a->cfg_now, memory_order_acquire);

    return now ? now : &a->cfg_open;
}

const app_config *app_cfg(const app *a)
{
    if (held.depth > 0 && held.app == a)
        return held.cfg;
    return in_force(a);
}

const app_config *app_get_config(const app *a)
{
    return app_cfg(a);
}

void app_config_hold(const app *a)
{
    if (held.depth > 0 && held.app == a) {
        held.depth++;
        return;
    }
    /* a thread holds one app's configuration at a time; another app's reads are not held */
    if (held.depth > 0)
        return;
    held.app = a;
    held.cfg = in_force(a);
    held.depth = 1;
}

void app_config_release(const app *a)
{
    if (held.depth > 0 && held.app == a && --held.depth == 0) {
        held.app = NULL;
        held.cfg = NULL;
    }
}

void app_config_hold_as(const app *a, const app_config *cfg)
{
    held.app = a;
    held.cfg = cfg;
    held.depth = 1;
}

/* Append "[section] key" to a comma-separated list (cut short rather than overflow). */
static void list_key(char *list, size_t size, const config_setting_info *s)
{
    size_t len = strlen(list);
    int n = snprintf(list + len, size - len, "%s[%s] %s", len ? ", " : "", s->section, s->name);

    if (n < 0 || (size_t)n >= size - len)
        list[len] = '\0';
}

/* Into fresh, the running value of every key a reload does not apply; the changed keys listed:
 * those now in force, those a restart applies. */
static void keep_restart_keys(app_config *fresh, const app_config *running, app_reload_report *out)
{
    config_setting_info now, next;

    for (size_t i = 0; config_setting(i, running, &now) && config_setting(i, fresh, &next); i++) {
        if (strcmp(now.value, next.value) == 0)
            continue;
        if (next.live) {
            list_key(out->applied_keys, sizeof out->applied_keys, &next);
        } else {
            list_key(out->restart_keys, sizeof out->restart_keys, &next);
            config_setting_copy(i, fresh, running);
        }
    }
}

int app_reload(app *a, app_reload_report *out, ct_error *err)
{
    app_config *fresh = malloc(sizeof *fresh);
    const app_config *running;
    char holidays[CFG_PATH * 2];
    ct_calendar *cal = NULL;
    retired_calendar *old_cal = malloc(sizeof *old_cal);
    retired_config *old_cfg = malloc(sizeof *old_cfg);

    memset(out, 0, sizeof *out);
    if (fresh == NULL || old_cal == NULL || old_cfg == NULL) {
        free(fresh);
        free(old_cal);
        free(old_cfg);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    pthread_mutex_lock(&reload_lock);
    running = in_force(a);
    if (config_load(fresh, running->home, err) != 0)
        goto refused;
    keep_restart_keys(fresh, running, out);
    config_path(fresh, fresh->holidays_dir, holidays, sizeof holidays);
    if (calendar_open(holidays, &cal, err) != 0)
        goto refused;
    /* Both checked: now both in force. The calendar first, so that a request holding the new
     * configuration never counts days with holidays older than it. */
    old_cal->cal = atomic_exchange(&a->cal, cal);
    old_cal->next = a->retired_cals;
    a->retired_cals = old_cal;
    /* cfg_open is not freed: only the configurations a reload made are retired */
    old_cfg->cfg = (app_config *)atomic_exchange_explicit(&a->cfg_now, fresh, memory_order_acq_rel);
    old_cfg->next = a->retired_cfgs;
    a->retired_cfgs = old_cfg;
    pthread_mutex_unlock(&reload_lock);
    snprintf(out->holidays_dir, sizeof out->holidays_dir, "%s", holidays);
    return 0;
refused:
    pthread_mutex_unlock(&reload_lock);
    memset(out, 0, sizeof *out);
    free(fresh);
    free(old_cal);
    free(old_cfg);
    return -1;
}

void app_reload_close(app *a)
{
    while (a->retired_cals) {
        retired_calendar *r = a->retired_cals;
        a->retired_cals = r->next;
        calendar_free(r->cal);
        free(r);
    }
    while (a->retired_cfgs) {
        retired_config *r = a->retired_cfgs;
        a->retired_cfgs = r->next;
        free(r->cfg); /* NULL for the first: cfg_open is part of the app */
        free(r);
    }
    free((app_config *)atomic_load(&a->cfg_now));
}
