/*
 * app_reload.c — a running server's reload (SIGHUP): the holiday files read again, and
 * chungthu.ini read again to check it.
 *
 * The calendar is swapped whole: request threads read a->cal (an atomic pointer) once per use,
 * so a request sees either the old calendar or the new one, never half of each. A replaced
 * calendar may still be in a request's hands, so it is kept until the app closes (a reload a day
 * costs a few kilobytes). The configuration is only checked: its values are copied into the
 * running app nowhere, because threads read them without a lock; a changed key is named so the
 * operator knows a restart applies it.
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

/* One reload at a time (the server's signal thread is the only caller, but a test may not be). */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

/* The "[section] key" names whose values differ between a and b, comma separated. */
static void changed_keys(const app_config *a, const app_config *b, char *out, size_t size)
{
    config_setting_info x, y;
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; config_setting(i, a, &x) && config_setting(i, b, &y); i++) {
        int n;
        if (strcmp(x.value, y.value) == 0)
            continue;
        n = snprintf(out + len, size - len, "%s[%s] %s", len ? ", " : "", x.section, x.name);
        if (n < 0 || (size_t)n >= size - len) {
            out[len] = '\0';
            return;
        }
        len += (size_t)n;
    }
}

int app_reload(app *a, app_reload_report *out, ct_error *err)
{
    app_config fresh;
    char holidays[CFG_PATH * 2];
    ct_calendar *cal = NULL;
    retired_calendar *old;

    memset(out, 0, sizeof *out);
    if (config_load(&fresh, a->cfg.home, err) != 0)
        return -1;
    config_path(&a->cfg, a->cfg.holidays_dir, holidays, sizeof holidays);
    if (calendar_open(holidays, &cal, err) != 0)
        return -1;
    old = malloc(sizeof *old);
    if (old == NULL) {
        calendar_free(cal);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    pthread_mutex_lock(&reload_lock);
    old->cal = atomic_exchange(&a->cal, cal);
    old->next = a->retired_cals;
    a->retired_cals = old;
    pthread_mutex_unlock(&reload_lock);
    snprintf(out->holidays_dir, sizeof out->holidays_dir, "%s", holidays);
    changed_keys(&a->cfg, &fresh, out->restart_keys, sizeof out->restart_keys);
    return 0;
}

void app_reload_close(app *a)
{
    while (a->retired_cals) {
        retired_calendar *r = a->retired_cals;
        a->retired_cals = r->next;
        calendar_free(r->cal);
        free(r);
    }
}
