/*
 * cli_store.c — `chungthu store migrate --to URL [--switch]`: the instance's SQLite database
 * copied to PostgreSQL, each table's rows on both sides printed, and what to change (or what
 * --switch changed) in chungthu.ini.
 */
#include <stdio.h>

#include <jansson.h>

#include "cli/cli.h"

int cmd_store_migrate(cli_call *c)
{
    json_t *report = NULL, *tables, *t;
    size_t i;

    if (app_store_migrate(c->a, &c->actor, cli_get(&c->args, "to"), cli_flag(&c->args, "switch"),
                          &report, &c->err) != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "json")) {
        cli_print_json(report);
        return 0;
    }
    printf("Đã chuyển sang PostgreSQL / migrated to PostgreSQL: %s (schema %lld)\n",
           json_string_value(json_object_get(report, "to")),
           (long long)json_integer_value(json_object_get(report, "schema_version")));
    printf("  %-20s %12s %12s\n", "table", "sqlite", "postgresql");
    tables = json_object_get(report, "tables");
    json_array_foreach(tables, i, t)
    {
        printf("  %-20s %12lld %12lld\n", json_string_value(json_object_get(t, "name")),
               (long long)json_integer_value(json_object_get(t, "sqlite")),
               (long long)json_integer_value(json_object_get(t, "postgresql")));
    }
    printf("  audit verify: ok, head %lld (then store.migrated, audited on PostgreSQL)\n",
           (long long)json_integer_value(
               json_object_get(json_object_get(report, "audit_verify"), "head_id")));
    if (json_is_true(json_object_get(report, "switched")))
        printf("  %s: [database] backend = postgresql, url = %s\n",
               json_string_value(json_object_get(report, "config")),
               json_string_value(json_object_get(report, "to")));
    else
        printf("  Đổi trong chungthu.ini / change in chungthu.ini:\n    [database]\n"
               "    backend = postgresql\n    url = %s\n",
               json_string_value(json_object_get(report, "to")));
    printf("  Tệp SQLite giữ nguyên / the SQLite file is kept, no longer written: %s\n"
           "  Khởi động lại máy chủ / start the server again on the new configuration.\n",
           json_string_value(json_object_get(report, "from")));
    json_decref(report);
    return 0;
}
