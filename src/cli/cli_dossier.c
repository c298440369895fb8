/*
 * cli_dossier.c — `chungthu agency …`, `chungthu dossier …`, `chungthu run-due`: the procedure
 * from the command line, acting as the local CA officer (recording paper steps of an agency on
 * its behalf when they arrive in person or by post).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cli/cli.h"

#include "core/mau02.h"

/* a list file read whole: a CSV list is 1 MiB at most (mau02.too_large says so), an .xlsx 2 MiB */
#define MAX_LIST_FILE (2 * 1024 * 1024)

/* ---- agency ---- */

static int list_agency(void *user, const agency_record *r)
{
    json_t *list = user;
    char name[512];

    if (list)
        json_array_append_new(list, app_view_agency(r));
    else /* padded by columns on screen, not bytes: names carry diacritics */
        printf("%-16s %-6s %s %-16s %s\n", r->code, r->kind,
               cli_pad(r->name, 40, name, sizeof name), r->parent[0] ? r->parent : "-",
               r->email_domains[0] ? r->email_domains : "-");
    return 0;
}

int cmd_agency_add(cli_call *c)
{
    const cli_args *args = &c->args;
    app_agency_input in = {cli_get(args, "code"),      cli_get(args, "name"),
                           cli_get(args, "parent"),    cli_get(args, "province"),
                           cli_get(args, "head-name"), cli_get(args, "head-title"),
                           cli_get(args, "kind"),      cli_get(args, "email-domains")};
    agency_record rec;

    if (app_agency_add(c->a, &c->actor, &in, &rec, &c->err) != 0)
        return CLI_FAILED;
    if (cli_flag(args, "json"))
        cli_print_json(app_view_agency(&rec));
    else
        printf("Đã thêm cơ quan / agency added: %s — %s\n", rec.code, rec.name);
    return 0;
}

int cmd_agency_set_domains(cli_call *c)
{
    agency_record rec;

    if (app_agency_set_domains(c->a, &c->actor, cli_pos(c, 0), cli_get(&c->args, "email-domains"),
                               &rec, &c->err) != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "json"))
        cli_print_json(app_view_agency(&rec));
    else if (rec.email_domains[0])
        printf("%s: tên miền thư điện tử / e-mail domains: %s\n", rec.code, rec.email_domains);
    else
        printf("%s: không kiểm tra tên miền thư điện tử / no e-mail domain check\n", rec.code);
    return 0;
}

int cmd_agency_list(cli_call *c)
{
    json_t *list = cli_flag(&c->args, "json") ? json_array() : NULL;

    if (app_agency_list(c->a, &c->actor, list_agency, list, &c->err) != 0) {
        json_decref(list);
        return CLI_FAILED;
    }
    if (list)
        cli_print_json(list);
    return 0;
}

/* ---- dossier ---- */

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

/* One applicant: the whole Mẫu 02 row, where it stands, and the check's flags (from app's view,
 * which the --json form prints as it is). */
static int show_applicant(void *user, const applicant_record *ap, json_t *view)
{
    show_ctx *s = user;
    char due[40], pub[40];
    json_t *flags = json_object_get(view, "flags"), *f;
    position_category category;
    size_t i;

    if (s->list) {
        json_array_append_new(s->list, view);
        return 0;
    }
    char name[512];

    time_text(ap->due_step4, due, sizeof due);
    time_text(ap->published_at, pub, sizeof pub);
    printf("  %2lld. %s %-22s cert %s\n", (long long)ap->n,
           cli_pad(ap->full_name, 28, name, sizeof name), ap->state,
           ap->cert_serial[0] ? ap->cert_serial : "-");
    printf("      ngày sinh / born: %s; giấy tờ / ID: %s, cấp ngày / issued %s, %s\n",
           ap->birth_date, ap->id_number, ap->id_issued_on, ap->id_issued_at);
    printf("      thư / e-mail: %s; điện thoại / phone: %s\n", ap->email, ap->phone);
    printf("      đơn vị / unit: %s; tỉnh / province: %s\n", ap->unit, ap->province);
    printf("      chức vụ / position: %s; ngạch / category: %s\n", ap->position,
           position_category_parse(ap->category, &category) == 0
               ? position_category_label_vi(category)
               : ap->category);
    if (ap->previous_serial[0])
        printf("      chứng thư cũ / previous serial: %s\n", ap->previous_serial);
    if (ap->reason[0])
        printf("      lý do / reason: %s\n", ap->reason);
    json_array_foreach(flags, i, f)
    {
        printf("      ! %s\n", json_string_value(json_object_get(f, "vi")));
        printf("        %s [%s]\n", json_string_value(json_object_get(f, "en")),
               json_string_value(json_object_get(f, "code")));
    }
    json_decref(view);
    if (ap->pickup_at) {
        char at[40];
        time_text(ap->pickup_at, at, sizeof at);
        printf("      nhận thiết bị / pickup: %s, %s\n", at, ap->pickup_place);
    }
    if (ap->received_by[0]) {
        char at[40];
        time_text(ap->agency_received_at, at, sizeof at);
        printf("      cơ quan nhận / collected: %s, %s\n", at, ap->received_by);
    }
    if (ap->handed_to[0]) {
        char at[40];
        time_text(ap->handed_over_at, at, sizeof at);
        printf("      bàn giao cho / handed to: %s, %s\n", at, ap->handed_to);
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

int cli_dossier_print(app *a, const app_actor *actor, const char *code, bool json, ct_error *err)
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
    if (app_dossier_applicant_views(a, actor, code, now, show_applicant, &s, err) != 0)
        goto fail;
    if (!json)
        printf("Diễn biến / timeline:\n");
    if (app_dossier_timeline(a, actor, code, show_event, events, err) != 0)
        goto fail;
    if (json) {
        json_t *j = app_view_dossier(actor, &d, now);
        json_object_set_new(j, "applicants", s.list);
        json_object_set_new(j, "timeline", events);
        cli_print_json(j);
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
    const app_actor *actor;
} list_ctx;

static int list_dossier(void *user, const dossier_record *d)
{
    list_ctx *l = user;
    deadline_status st = app_dossier_deadline(d, l->now);
    char due[40], code[128], agency[128];

    if (l->list) {
        json_array_append_new(l->list, app_view_dossier(l->actor, d, l->now));
        return 0;
    }
    time_text(d->due_step2, due, sizeof due);
    printf("%s %s %-17s %-24s %s\n", cli_pad(d->code, 34, code, sizeof code),
           cli_pad(d->agency, 12, agency, sizeof agency), d->state, due, deadline_status_name(st));
    return 0;
}

int cmd_dossier_list(cli_call *c)
{
    dossier_filter f = {0};
    list_ctx l = {0};

    f.agency = cli_get(&c->args, "agency");
    f.state = cli_get(&c->args, "state");
    l.now = app_now();
    l.actor = &c->actor;
    f.overdue = cli_flag(&c->args, "overdue");
    l.list = cli_flag(&c->args, "json") ? json_array() : NULL;
    if (app_dossier_list(c->a, &c->actor, &f, list_dossier, &l, &c->err) != 0) {
        json_decref(l.list);
        return CLI_FAILED;
    }
    if (l.list)
        cli_print_json(l.list);
    return 0;
}

/* The submission of a list read from --file, as the CA officer records one received on paper. */
/* A list file's format: an .xlsx workbook by its name or its content (a zip), JSON by its
 * name, else CSV. A file named .xlsx is read as one, so that what is not a workbook is told so. */
static const char *list_format(const char *file, const unsigned char *data, size_t len)
{
    size_t n = strlen(file);
    if (n > 5 && strcasecmp(file + n - 5, ".xlsx") == 0)
        return "xlsx";
    return app_list_format_sniff(data, len,
                                 n > 5 && strcmp(file + n - 5, ".json") == 0 ? "json" : "csv");
}

static int submit(app *a, const app_actor *actor, const cli_args *args, dossier_record *d,
                  app_list_errors *problems, ct_error *err)
{
    app_submission in = {0};
    const char *file = cli_get(args, "file");
    unsigned char *data;
    size_t len;
    int rc;

    if (file == NULL)
        return ct_fail(err, 400, "dossier.file", "thiếu --file DANH_SÁCH.csv|.json|.xlsx",
                       "missing --file LIST.csv|LIST.json|LIST.xlsx");
    if (cli_read_file(file, MAX_LIST_FILE, &data, &len) != 0)
        return ct_fail(err, 400, "file.read", "không đọc được %s", "cannot read %s", file);
    in.agency = cli_get(args, "agency");
    in.channel = cli_get(args, "channel");
    in.confirmed_by = cli_get(args, "confirmed-by");
    in.confirmed_on = cli_get(args, "confirmed-on");
    in.format = list_format(file, data, len);
    in.data = data;
    in.len = len;
    rc = app_dossier_submit(a, actor, &in, d, problems, err);
    free(data);
    return rc;
}

/* A dossier just received: its view with --json, else the receipt slip as text. */
static int print_received(cli_call *c, const dossier_record *d)
{
    char *slip = NULL;

    if (cli_flag(&c->args, "json")) {
        cli_print_json(app_view_dossier(&c->actor, d, d->received_at));
        return 0;
    }
    if (app_dossier_receipt(c->a, &c->actor, d->code, SLIP_RECEIPT, SLIP_TEXT, &slip, &c->err) != 0)
        return CLI_FAILED;
    fputs(slip, stdout);
    free(slip);
    return 0;
}

int cmd_dossier_submit(cli_call *c)
{
    dossier_record d;
    app_list_errors problems = {0};

    /* a refused list: every problem, one a line, then the summary as for any error */
    if (submit(c->a, &c->actor, &c->args, &d, &problems, &c->err) != 0) {
        cli_report_list(&problems);
        app_list_errors_free(&problems);
        return CLI_FAILED;
    }
    return print_received(c, &d);
}

/* A request about certificates already issued (--kind), one applicant per --cert. */
int cmd_dossier_request(cli_call *c)
{
    const char *serials[1000];
    app_request_cert certs[1000];
    app_request in = {0};
    dossier_record d;
    size_t n = cli_get_all(&c->args, "cert", serials, 1000);

    for (size_t i = 0; i < n; i++)
        certs[i] =
            (app_request_cert){serials[i], cli_get(&c->args, "name"), cli_get(&c->args, "unit"),
                               cli_get(&c->args, "position"), cli_get(&c->args, "email")};
    in.kind = cli_get(&c->args, "kind");
    in.reason = cli_get(&c->args, "reason");
    in.intake.agency = cli_get(&c->args, "agency");
    in.intake.channel = cli_get(&c->args, "channel");
    in.intake.confirmed_by = cli_get(&c->args, "confirmed-by");
    in.intake.confirmed_on = cli_get(&c->args, "confirmed-on");
    in.certs = certs;
    in.n_certs = n;
    if (app_dossier_request(c->a, &c->actor, &in, &d, &c->err) != 0)
        return CLI_FAILED;
    return print_received(c, &d);
}

int cmd_dossier_show(cli_call *c)
{
    bool json = cli_flag(&c->args, "json");

    return cli_dossier_print(c->a, &c->actor, cli_pos(c, 0), json, &c->err) == 0 ? 0 : CLI_FAILED;
}

int cmd_dossier_slip(cli_call *c)
{
    slip_format format = cli_flag(&c->args, "html") ? SLIP_HTML : SLIP_TEXT;
    char *slip;

    if (app_dossier_receipt(c->a, &c->actor, cli_pos(c, 0), (slip_kind)c->cmd->data, format, &slip,
                            &c->err) != 0)
        return CLI_FAILED;
    fputs(slip, stdout);
    free(slip);
    return 0;
}

int cmd_dossier_paper(cli_call *c)
{
    const char *n = cli_get(&c->args, "applicant"), *path = cli_get(&c->args, "output");
    app_paper_kind kind;
    app_paper p;
    int64_t applicant = n ? atoll(n) : 0;
    FILE *f;
    bool ok;

    if (n && applicant <= 0)
        return cli_usage_error("--applicant takes a row number of the list: 1, 2, …");
    if (app_paper_kind_parse(cli_pos(c, 1), &kind, &c->err) != 0)
        return CLI_FAILED;
    if (app_dossier_paper(c->a, &c->actor, cli_pos(c, 0), kind, applicant,
                          cli_flag(&c->args, "pdf") ? APP_PAPER_PDF : APP_PAPER_HTML, &p,
                          &c->err) != 0)
        return CLI_FAILED;
    f = path ? fopen(path, "wb") : stdout;
    if (f == NULL) {
        ct_fail(&c->err, 500, "file.write", "không ghi được tệp %s", "cannot write file %s", path);
        app_paper_free(&p);
        return CLI_FAILED;
    }
    ok = fwrite(p.bytes, 1, p.len, f) == p.len;
    ok = (path ? fclose(f) == 0 : fflush(f) == 0) && ok;
    app_paper_free(&p);
    if (!ok) {
        ct_fail(&c->err, 500, "file.write", "không ghi được tệp %s", "cannot write file %s",
                path ? path : "(stdout)");
        return CLI_FAILED;
    }
    return 0;
}

/* One procedure step: the row's action, with what the options add to it. */
/* The applicants' states before a step, to say afterwards what it did to whom. */
typedef struct {
    struct moved {
        int64_t n;
        char state[24];
    } * items;
    size_t n;
    size_t cap;
} applicant_snapshot;

static int snapshot_applicant(void *user, const applicant_record *ap)
{
    struct moved m = {.n = ap->n};

    snprintf(m.state, sizeof m.state, "%s", ap->state);
    return vec_push((applicant_snapshot *)user, m);
}

/* One line per applicant the step moved: the new state in words; for an issue, the certificate,
 * the token and where the PIN envelope waits to be printed. */
static int report_moved(void *user, const applicant_record *ap)
{
    cli_call *c = ((void **)user)[0];
    const applicant_snapshot *before = ((void **)user)[1];
    applicant_state st;
    char envelopes[CFG_PATH + 16], name[300];

    for (size_t i = 0; i < before->n; i++) {
        if (before->items[i].n != ap->n || strcmp(before->items[i].state, ap->state) == 0)
            continue;
        if (applicant_state_parse(ap->state, &st) != 0)
            return 0;
        printf("  %2lld. %s %s / %s\n", (long long)ap->n,
               cli_pad(ap->full_name, 28, name, sizeof name), applicant_state_label(st, false),
               applicant_state_label(st, true));
        if (st == APPLICANT_ISSUED) {
            config_path(app_get_config(c->a), "envelopes", envelopes, sizeof envelopes);
            printf("      chứng thư / certificate %s, thiết bị / token %s\n", ap->cert_serial,
                   ap->token_serial);
            printf("      phong bì mã PIN / PIN envelope: %s/%s.txt\n", envelopes,
                   ap->token_serial);
        }
    }
    return 0;
}

int cmd_dossier_step(cli_call *c)
{
    applicant_snapshot before = {.n = 0};
    void *report[2] = {c, &before};
    ct_error ignored = {0};
    const char *n = cli_get(&c->args, "applicant"), *at = cli_get(&c->args, "at"),
               *effective = cli_get(&c->args, "effective"), *file = cli_get(&c->args, "file");
    app_step_args step = {0};
    app_list_errors problems = {0};
    approval_record pending;
    unsigned char *list = NULL;
    int rc;

    step.applicant = n ? atoll(n) : 0;
    step.reason = cli_get(&c->args, "reason");
    step.pickup_place = cli_get(&c->args, "place");
    step.person =
        c->cmd->data == ACT_HANDED_OVER ? cli_get(&c->args, "to") : cli_get(&c->args, "by");
    if (n && step.applicant <= 0)
        return cli_usage_error("--applicant takes a row number of the list: 1, 2, …");
    if (at && cli_parse_local_time(at, &step.pickup_at) != 0)
        return cli_usage_error("--at takes \"YYYY-MM-DD HH:MM\" (Vietnam time)");
    if (effective && cli_parse_local_time(effective, &step.effective_at) != 0)
        return cli_usage_error("--effective takes \"YYYY-MM-DD HH:MM\" (Vietnam time)");
    /* resubmit --file: a new list; one that cannot be read changes nothing */
    if (file) {
        if (cli_read_file(file, MAX_LIST_FILE, &list, &step.list_len) != 0) {
            ct_fail(&c->err, 400, "file.read", "không đọc được %s", "cannot read %s", file);
            return CLI_FAILED;
        }
        step.list = list;
        step.list_format = list_format(file, list, step.list_len);
        step.list_errors = &problems;
    }
    app_dossier_applicants(c->a, &c->actor, cli_pos(c, 0), snapshot_applicant, &before, &ignored);
    rc = app_dossier_step_or_request(c->a, &c->actor, cli_pos(c, 0), (proc_action)c->cmd->data,
                                     &step, &pending, &c->err);
    free(list);
    if (rc == APP_PENDING) {
        cli_print_pending(&pending);
        free(before.items);
        return 0;
    }
    if (rc != 0) {
        cli_report_list(&problems);
        app_list_errors_free(&problems);
        free(before.items);
        return CLI_FAILED;
    }
    printf("%s: %s — xong / done\n", cli_pos(c, 0), c->cmd->sub);
    app_dossier_applicants(c->a, &c->actor, cli_pos(c, 0), report_moved, report, &ignored);
    free(before.items);
    return 0;
}

int cmd_run_due(cli_call *c)
{
    int published = 0, rc = app_run_due(c->a, &c->actor, &published, &c->err);
    audit_checkpoint cp;
    bool made = false;

    printf("Đã công bố / published: %d\n", published);
    /* the e-mail waiting, and the expiry notices due, as the server's upkeep sends them */
    if (rc == 0) {
        app_mail_report mail;
        rc = app_mail_send_due(c->a, &c->actor, &mail, &c->err);
        if (rc == 0)
            cli_print_mail_report(&mail);
    }
    /* the upkeep outside the server also signs the audit trail's checkpoints when due */
    if (rc == 0)
        rc = app_audit_checkpoint(c->a, &c->actor, false, &cp, &made, &c->err);
    if (made)
        printf("Điểm kiểm tra nhật ký / audit checkpoint: %lld (%lld rows)\n", (long long)cp.seq,
               (long long)cp.rows);
    return rc == 0 ? 0 : CLI_FAILED;
}
