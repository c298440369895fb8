/*
 * cli_dossier.c — `chungthu agency …`, `chungthu dossier …`, `chungthu run-due`: the procedure
 * from the command line, acting as the local CA officer (recording paper steps of an agency on
 * its behalf when they arrive in person or by post).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/calendar.h"

#define MAX_LIST_FILE (1024 * 1024)

static void print_json(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(j);
}

/* ---- agency ---- */

static int list_agency(void *user, const agency_record *r)
{
    json_t *list = user;

    if (list)
        json_array_append_new(list, app_view_agency(r));
    else
        printf("%-16s %-6s %-40s %s\n", r->code, r->kind, r->name, r->parent[0] ? r->parent : "-");
    return 0;
}

int cmd_agency(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {
        {"code", true, false},     {"name", true, false},      {"parent", true, false},
        {"province", true, false}, {"head-name", true, false}, {"head-title", true, false},
        {"kind", true, false},     {"json", false, false},     {NULL, false, false}};
    cli_args args;
    app *a;
    app_actor actor = cli_actor(ctx, ROLE_CA_OFFICER);
    ct_error err = {0};
    int rc;

    if (argc < 1 || cli_parse(argc - 1, argv + 1, specs, &args) != 0 || args.n_pos != 0)
        return cli_usage_error("usage: agency add --code C --name N [--parent P] --province P "
                               "--head-name N --head-title T --kind party|state | agency list");
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    if (strcmp(argv[0], "add") == 0) {
        app_agency_input in = {cli_get(&args, "code"),      cli_get(&args, "name"),
                               cli_get(&args, "parent"),    cli_get(&args, "province"),
                               cli_get(&args, "head-name"), cli_get(&args, "head-title"),
                               cli_get(&args, "kind")};
        agency_record rec;
        rc = app_agency_add(a, &actor, &in, &rec, &err);
        if (rc == 0 && cli_flag(&args, "json"))
            print_json(app_view_agency(&rec));
        else if (rc == 0)
            printf("Đã thêm cơ quan / agency added: %s — %s\n", rec.code, rec.name);
    } else if (strcmp(argv[0], "list") == 0) {
        json_t *list = cli_flag(&args, "json") ? json_array() : NULL;
        rc = app_agency_list(a, &actor, list_agency, list, &err);
        if (list && rc == 0)
            print_json(list);
        else
            json_decref(list);
    } else {
        app_close(a);
        return cli_usage_error("usage: agency add|list");
    }
    app_close(a);
    return rc == 0 ? 0 : cli_report(&err);
}

/* ---- dossier ---- */

/* "YYYY-MM-DD HH:MM" in Vietnam time → Unix seconds */
static int parse_local_time(const char *text, int64_t *out)
{
    char day[11];
    int h, m;
    char tail;
    ct_date d;

    if (text == NULL || strlen(text) < 16 || text[10] != ' ')
        return -1;
    memcpy(day, text, 10);
    day[10] = '\0';
    if (ct_date_parse(day, &d) != 0 || sscanf(text + 11, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 ||
        h > 23 || m < 0 || m > 59)
        return -1;
    *out = ct_local_to_utc(d, h * 60 + m);
    return 0;
}

static void time_text(int64_t t, char *out, size_t size)
{
    if (t == 0)
        snprintf(out, size, "-");
    else
        cli_local_time(t, out, size);
}

typedef struct {
    json_t *list;
    int64_t now;
    const app_actor *actor;
    const dossier_record *d;
} show_ctx;

static int show_applicant(void *user, const applicant_record *ap)
{
    show_ctx *s = user;
    char due[40], pub[40];

    if (s->list) {
        json_array_append_new(s->list, app_view_applicant(s->actor, s->d, ap, s->now));
        return 0;
    }
    time_text(ap->due_step4, due, sizeof due);
    time_text(ap->published_at, pub, sizeof pub);
    printf("  %2lld. %-28s %-22s cert %s\n", (long long)ap->n, ap->full_name, ap->state,
           ap->cert_serial[0] ? ap->cert_serial : "-");
    if (ap->pickup_at) {
        char at[40];
        time_text(ap->pickup_at, at, sizeof at);
        printf("      nhận thiết bị / pickup: %s, %s\n", at, ap->pickup_place);
    }
    if (ap->due_step4)
        printf("      bước 4 hạn / step 4 due: %s [%s]%s%s\n", due,
               deadline_status_name(app_deadline_status(ap->due_step4, ap->published_at, s->now)),
               ap->published_at ? "  công bố / published: " : "", ap->published_at ? pub : "");
    return 0;
}

static int show_event(void *user, const audit_entry *e)
{
    json_t *list = user;
    char at[40];

    if (list) {
        json_array_append_new(list, app_view_audit(e));
        return 0;
    }
    cli_local_time(e->at, at, sizeof at);
    printf("  %s  %-26s %-14s %s (%s)\n", at, e->action, e->object + strcspn(e->object, "#"),
           e->actor, e->role);
    return 0;
}

static int dossier_show(app *a, const app_actor *actor, const char *code, bool json, ct_error *err)
{
    dossier_record d;
    show_ctx s = {0};
    json_t *events = json ? json_array() : NULL;
    int64_t now;
    char t1[40], t2[40];

    if (app_dossier_get(a, actor, code, &d, err) != 0) {
        json_decref(events);
        return -1;
    }
    now = app_now();
    s.now = now;
    s.actor = actor;
    s.d = &d;
    s.list = json ? json_array() : NULL;
    if (!json) {
        time_text(d.received_at, t1, sizeof t1);
        time_text(d.due_step2, t2, sizeof t2);
        printf("Hồ sơ / dossier %s — %s\n", d.code, d.state);
        printf("  cơ quan / agency: %s; cách nộp / channel: %s\n", d.agency, d.channel);
        printf("  xác nhận / confirmed by: %s, %s (%s)\n", d.confirmed_name, d.confirmed_title,
               d.confirmed_on);
        printf("  tiếp nhận / received: %s (tính từ / counted from %s)\n", t1, d.counted_from);
        printf("  bước 2 hạn / step 2 due: %s [%s]\n", t2,
               deadline_status_name(app_dossier_deadline(&d, now)));
        if (d.reason[0])
            printf("  lý do / reason: %s\n", d.reason);
        printf("Người đề nghị / applicants:\n");
    }
    if (app_dossier_applicants(a, actor, code, show_applicant, &s, err) != 0)
        goto fail;
    if (!json)
        printf("Diễn biến / timeline:\n");
    if (app_dossier_timeline(a, actor, code, show_event, events, err) != 0)
        goto fail;
    if (json) {
        json_t *j = app_view_dossier(actor, &d, now);
        json_object_set_new(j, "applicants", s.list);
        json_object_set_new(j, "timeline", events);
        print_json(j);
    }
    return 0;
fail:
    json_decref(s.list);
    json_decref(events);
    return -1;
}

typedef struct {
    json_t *list;
    int64_t now;
    bool overdue;
    const app_actor *actor;
} list_ctx;

static int list_dossier(void *user, const dossier_record *d)
{
    list_ctx *l = user;
    deadline_status st = app_dossier_deadline(d, l->now);
    char due[40];

    if (l->overdue && !app_dossier_overdue(d, l->now))
        return 0;
    if (l->list) {
        json_array_append_new(l->list, app_view_dossier(l->actor, d, l->now));
        return 0;
    }
    time_text(d->due_step2, due, sizeof due);
    printf("%-34s %-12s %-17s %-24s %s\n", d->code, d->agency, d->state, due,
           deadline_status_name(st));
    return 0;
}

static int dossier_list(app *a, const app_actor *actor, const cli_args *args, ct_error *err)
{
    dossier_filter f = {0};
    list_ctx l = {0};
    int rc;

    f.agency = cli_get(args, "agency");
    f.state = cli_get(args, "state");
    l.now = app_now();
    l.actor = actor;
    l.overdue = cli_flag(args, "overdue");
    l.list = cli_flag(args, "json") ? json_array() : NULL;
    rc = app_dossier_list(a, actor, &f, list_dossier, &l, err);
    if (l.list && rc == 0)
        print_json(l.list);
    else
        json_decref(l.list);
    return rc;
}

static int dossier_submit(app *a, const app_actor *actor, const cli_args *args, ct_error *err)
{
    app_submission in = {0};
    const char *file = cli_get(args, "file");
    unsigned char *data;
    size_t len;
    dossier_record d;
    char *slip = NULL;
    int rc;

    if (file == NULL)
        return ct_fail(err, 400, "dossier.file", "thiếu --file DANH_SÁCH.csv|.json",
                       "missing --file LIST.csv|LIST.json");
    if (cli_read_file(file, MAX_LIST_FILE, &data, &len) != 0)
        return ct_fail(err, 400, "file.read", "không đọc được %s", "cannot read %s", file);
    in.agency = cli_get(args, "agency");
    in.channel = cli_get(args, "channel");
    in.confirmed_by = cli_get(args, "confirmed-by");
    in.confirmed_on = cli_get(args, "confirmed-on");
    in.format = strlen(file) > 5 && strcmp(file + strlen(file) - 5, ".json") == 0 ? "json" : "csv";
    in.data = data;
    in.len = len;
    rc = app_dossier_submit(a, actor, &in, &d, err);
    free(data);
    if (rc != 0)
        return -1;
    if (cli_flag(args, "json")) {
        print_json(app_view_dossier(actor, &d, d.received_at));
        return 0;
    }
    if (app_dossier_receipt(a, actor, d.code, SLIP_RECEIPT, SLIP_TEXT, &slip, err) != 0)
        return -1;
    fputs(slip, stdout);
    free(slip);
    return 0;
}

int cmd_dossier(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {
        {"agency", true, false},       {"channel", true, false},      {"file", true, false},
        {"confirmed-by", true, false}, {"confirmed-on", true, false}, {"reason", true, false},
        {"applicant", true, false},    {"at", true, false},           {"place", true, false},
        {"effective", true, false},    {"state", true, false},        {"overdue", false, false},
        {"html", false, false},        {"json", false, false},        {NULL, false, false}};
    cli_args args;
    app *a;
    app_actor actor = cli_actor(ctx, ROLE_CA_OFFICER);
    ct_error err = {0};
    const char *sub;
    proc_action action;
    int rc;

    if (argc < 1 || cli_parse(argc - 1, argv + 1, specs, &args) != 0)
        return cli_usage_error("usage: dossier submit|accept|reject|supplement|resubmit|"
                               "withdraw|issue|notify-pickup|agency-received|handed-over|"
                               "request-activation|publish|cancel|show|list|receipt|notice ...");
    sub = argv[0];
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    if (strcmp(sub, "submit") == 0) {
        rc = dossier_submit(a, &actor, &args, &err);
    } else if (strcmp(sub, "list") == 0) {
        rc = dossier_list(a, &actor, &args, &err);
    } else if (args.n_pos != 1) {
        app_close(a);
        return cli_usage_error("dossier %s needs the dossier code", sub);
    } else if (strcmp(sub, "show") == 0) {
        rc = dossier_show(a, &actor, args.pos[0], cli_flag(&args, "json"), &err);
    } else if (strcmp(sub, "receipt") == 0 || strcmp(sub, "notice") == 0) {
        char *slip;
        rc = app_dossier_receipt(a, &actor, args.pos[0],
                                 strcmp(sub, "notice") == 0 ? SLIP_PICKUP_NOTICE : SLIP_RECEIPT,
                                 cli_flag(&args, "html") ? SLIP_HTML : SLIP_TEXT, &slip, &err);
        if (rc == 0) {
            fputs(slip, stdout);
            free(slip);
        }
    } else if (proc_action_parse(sub, &action, &err) == 0) {
        app_step_args step = {0};
        const char *n = cli_get(&args, "applicant");
        step.applicant = n ? atoll(n) : 0;
        step.reason = cli_get(&args, "reason");
        step.pickup_place = cli_get(&args, "place");
        if ((n && step.applicant <= 0) ||
            (cli_get(&args, "at") && parse_local_time(cli_get(&args, "at"), &step.pickup_at)) ||
            (cli_get(&args, "effective") &&
             parse_local_time(cli_get(&args, "effective"), &step.effective_at))) {
            app_close(a);
            return cli_usage_error("--applicant takes a row number; --at and --effective take "
                                   "\"YYYY-MM-DD HH:MM\" (Vietnam time)");
        }
        rc = app_dossier_step(a, &actor, args.pos[0], action, &step, &err);
        if (rc == 0)
            printf("%s: %s — xong / done\n", args.pos[0], sub);
    } else {
        rc = -1;
    }
    app_close(a);
    return rc == 0 ? 0 : cli_report(&err);
}

int cmd_run_due(const cli_ctx *ctx, int argc, char **argv)
{
    app *a;
    app_actor actor = cli_actor(ctx, ROLE_SYSTEM);
    ct_error err = {0};
    int published = 0, rc;

    (void)argv;
    if (argc != 0)
        return cli_usage_error("usage: run-due");
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    rc = app_run_due(a, &actor, &published, &err);
    app_close(a);
    printf("Đã công bố / published: %d\n", published);
    return rc == 0 ? 0 : cli_report(&err);
}
