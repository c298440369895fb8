/*
 * app_store_migrate.c — `store migrate --to URL`: an SQLite instance moved to PostgreSQL.
 *
 * The store copies the rows (store_copy_to_postgresql: one PostgreSQL transaction, checked
 * table by table). Around it, what only the use case knows: the audit chain verified on SQLite
 * before anything is written (a broken chain is not carried over), then verified again on the
 * copy with the very code `audit verify` runs, and the move audited as "store.migrated" in the
 * new database, whose trail goes on from the copied one (the old file is not written: it stays
 * as it was at the copy, the operator's way back). With --switch, [database] in chungthu.ini is
 * rewritten in place (the other lines, comments included, kept), through a new file renamed
 * over the old.
 *
 * The copy holds SQLite's write lock, so a server still running cannot write meanwhile; but
 * what it writes after the copy stays in the SQLite file only. The server is stopped first and
 * started again after the switch (docs/operator-guide.md).
 */
#include "app/app_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INI_MAX (1u << 20)

/* url with the password of its user part (postgresql://user:secret@host/…) masked, for the trail
 * and the screen. */
static void url_for_display(const char *url, char *out, size_t size)
{
    const char *start = strstr(url, "://"), *at, *colon, *slash;

    snprintf(out, size, "%s", url);
    if (start == NULL)
        return;
    start += 3;
    at = strchr(start, '@');
    colon = strchr(start, ':');
    slash = strchr(start, '/');
    if (at == NULL || colon == NULL || colon > at || (slash && slash < at))
        return;
    snprintf(out, size, "%.*s:***%s", (int)(colon - url), url, at);
}

/* The audit chain as `audit verify` checks it, against the checkpoint file when there is one. */
static int verify_chain(app *a, const app_actor *actor, app_audit_report *report, ct_error *err)
{
    char path[CFG_PATH * 2];
    unsigned char *external = NULL;
    size_t len;
    int rc;

    config_path(app_cfg(a), app_cfg(a)->checkpoint_file, path, sizeof path);
    if (access(path, F_OK) == 0 && app_read_file(path, &external, &len, 64u << 20, err) != 0)
        return -1;
    rc = app_audit_verify_with(a, actor, (const char *)external, report, err);
    free(external);
    return rc;
}

/* On the copy: its chain verified, then the move audited there. a->db is the copy meanwhile. */
static int check_copy(app *a, const app_actor *actor, const char *url, const store_copy_report *rep,
                      app_audit_report *audit, ct_error *err)
{
    char shown[CFG_PATH + 16], from[CFG_PATH * 2];
    json_t *counts = json_object();
    int rc;

    rc = verify_chain(a, actor, audit, err);
    if (rc == 0 && audit->first_bad_id != 0)
        rc = ct_fail(err, 500, "store.migrate_audit_failed",
                     "chuỗi nhật ký trên PostgreSQL không kiểm chứng được: %s (bỏ cơ sở dữ liệu "
                     "đích đi; phiên bản vẫn chạy trên SQLite)",
                     "the audit chain does not verify on PostgreSQL: %s (drop the target "
                     "database; the instance stays on SQLite)",
                     audit->problem);
    for (size_t i = 0; rc == 0 && counts && i < rep->n_tables; i++)
        json_object_set_new(counts, rep->tables[i].name,
                            json_integer((json_int_t)rep->tables[i].target_rows));
    url_for_display(url, shown, sizeof shown);
    config_path(app_cfg(a), app_cfg(a)->db_path, from, sizeof from);
    if (rc == 0 && store_begin(a->db, err) == 0) {
        rc = audit_append(a, actor, "store.migrated", shown,
                          json_pack("{s:s, s:s, s:i, s:O}", "from", from, "to", "postgresql",
                                    "schema_version", rep->schema_version, "rows", counts),
                          err);
        if (rc == 0)
            rc = store_commit(a->db, err);
        if (rc != 0)
            store_rollback(a->db);
    } else if (rc == 0) {
        rc = -1;
    }
    json_decref(counts);
    return rc;
}

/* The [database] section's lines: backend and url set, the rest kept. */
static void switch_ini(const char *text, const char *url, ct_buf *out)
{
    bool in_db = false, seen_db = false, put_backend = false, put_url = false;

    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        const char *p = line;

        while (p < line + n && (*p == ' ' || *p == '\t'))
            p++;
        if (*p == '[') {
            if (in_db) { /* leaving [database]: what it lacked */
                if (!put_backend)
                    buf_append_str(out, "backend = postgresql\n");
                if (!put_url)
                    buf_printf(out, "url = %s\n", url);
                put_backend = put_url = true;
            }
            in_db = strncmp(p, "[database]", 10) == 0;
            seen_db |= in_db;
        }
        if (in_db && strncmp(p, "backend", 7) == 0 && strchr(" \t=", p[7])) {
            buf_append_str(out, "backend = postgresql\n");
            put_backend = true;
        } else if (in_db && strncmp(p, "url", 3) == 0 && strchr(" \t=", p[3])) {
            buf_printf(out, "url = %s\n", url);
            put_url = true;
        } else {
            buf_append(out, line, n);
            buf_append_byte(out, '\n');
        }
        line += n + (end ? 1 : 0);
    }
    if (!seen_db)
        buf_append_str(out, "\n[database]\n");
    if (!put_backend)
        buf_append_str(out, "backend = postgresql\n");
    if (!put_url)
        buf_printf(out, "url = %s\n", url);
}

int app_config_set_database(const char *ini, const char *url, ct_error *err)
{
    char tmp[CFG_PATH * 2 + 8];
    unsigned char *text = NULL;
    size_t len;
    ct_buf b;
    int rc;

    snprintf(tmp, sizeof tmp, "%s.new", ini);
    if (app_read_file(ini, &text, &len, INI_MAX, err) != 0)
        return -1;
    buf_init(&b);
    switch_ini((const char *)text, url, &b);
    free(text);
    unlink(tmp); /* one a failed switch left */
    rc = buf_ok(&b) ? app_write_file_excl(tmp, b.data, b.len, 0600, err)
                    : ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    buf_free(&b);
    if (rc == 0 && rename(tmp, ini) != 0) {
        rc = ct_fail(err, 500, "config.write", "không thay được %s: %s", "cannot replace %s: %s",
                     ini, strerror(errno));
        unlink(tmp);
    }
    return rc;
}

int app_store_migrate(app *a, const app_actor *actor, const char *url, bool switch_config,
                      json_t **report_out, ct_error *err)
{
    store_copy_report rep;
    app_audit_report audit;
    store *sqlite_db = a->db, *pg = NULL;
    char shown[CFG_PATH + 16], from[CFG_PATH * 2], ini[CFG_PATH * 2] = "";
    json_t *tables;
    int rc;

    if (role_require(actor->role, ROLE_CA_ADMIN, "store migrate", err) != 0)
        return -1;
    if (strcmp(store_backend_name(a->db), "sqlite") != 0)
        return ct_fail(err, 409, "store.migrate_not_sqlite",
                       "phiên bản này không dùng SQLite: không có gì để chuyển",
                       "this instance is not on SQLite: there is nothing to migrate");
    if (url == NULL || !store_is_url(url))
        return ct_fail(err, 400, "store.migrate_url",
                       "cần --to postgresql://…: URL của cơ sở dữ liệu PostgreSQL trống",
                       "--to postgresql://… is needed: the URL of an empty PostgreSQL database");
    if (strlen(url) >= sizeof app_cfg(a)->db_url || strpbrk(url, "\r\n"))
        return ct_fail(err, 400, "store.migrate_url", "URL không hợp lệ", "the URL is not valid");
    /* a chain already broken is not carried over */
    if (verify_chain(a, actor, &audit, err) != 0)
        return -1;
    if (audit.first_bad_id != 0)
        return ct_fail(err, 409, "store.migrate_audit_broken",
                       "chuỗi nhật ký trên SQLite không kiểm chứng được (%s): không chuyển",
                       "the audit chain does not verify on SQLite (%s): nothing migrated",
                       audit.problem);
    if (store_copy_to_postgresql(a->db, url, &rep, err) != 0)
        return -1;
    if (store_open(url, &pg, err) != 0)
        return -1;
    a->db = pg;
    rc = check_copy(a, actor, url, &rep, &audit, err);
    a->db = sqlite_db;
    store_close(pg);
    if (rc == 0 && switch_config) {
        snprintf(ini, sizeof ini, "%s/chungthu.ini", app_cfg(a)->home);
        rc = app_config_set_database(ini, url, err);
    }
    if (rc != 0)
        return -1;
    url_for_display(url, shown, sizeof shown);
    config_path(app_cfg(a), app_cfg(a)->db_path, from, sizeof from);
    tables = json_array();
    for (size_t i = 0; tables && i < rep.n_tables; i++)
        json_array_append_new(tables,
                              json_pack("{s:s, s:I, s:I}", "name", rep.tables[i].name, "sqlite",
                                        (json_int_t)rep.tables[i].source_rows, "postgresql",
                                        (json_int_t)rep.tables[i].target_rows));
    *report_out = json_pack(
        "{s:s, s:s, s:i, s:o, s:{s:s, s:I}, s:b, s:s}", "from", from, "to", shown, "schema_version",
        rep.schema_version, "tables", tables ? tables : json_array(), "audit_verify", "result",
        "ok", "head_id", (json_int_t)audit.head_id, "switched", switch_config, "config", ini);
    return *report_out ? 0 : ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
}
