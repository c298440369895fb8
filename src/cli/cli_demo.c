/*
 * cli_demo.c — `chungthu demo`: the whole procedure on sample data, start to finish, with the
 * trail printed at the end. It runs on the instance given by --home (created if missing), as
 * the people of the procedure: an agency clerk prepares a draft with the list and the signed
 * letter, the head confirms it, the clerk submits it online, the CA officer accepts, issues
 * on tokens and gives the pickup notice; then, rehearsed at the pickup time (the agency cannot
 * collect before it), the clerk records receipt, hand-over and the activation request, and the
 * officer publishes. Where [approvals] asks two people for a step (accept, issue, publish), the
 * rehearsal's second officer approves the first one's request, and the output says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/calendar.h"

static const char sample_list[] =
    "\xEF\xBB\xBF"
    "STT,Họ và tên,Ngày sinh,Số CCCD/CMND/Hộ chiếu,Ngày cấp,Nơi cấp,Thư điện tử công vụ,"
    "Cơ quan đơn vị công tác,Tỉnh/thành phố,Chức vụ,Ngạch,Số điện thoại di động,"
    "Số hiệu chứng thư số cũ\r\n"
    "1,Nguyễn Thị Thu Hà,12/03/1985,001185012345,10/05/2021,Cục Cảnh sát QLHC về TTXH,"
    "ha.ntt@mic.gov.vn,Vụ Pháp chế,Hà Nội,Chuyên viên chính,Công chức,0912345678,\r\n"
    "2,Trần Văn Đức,02/11/1979,036079004567,20/08/2021,Cục Cảnh sát QLHC về TTXH,"
    "duc.tv@mic.gov.vn,Vụ Pháp chế,Hà Nội,Phó Vụ trưởng,Công chức,0987654321,\r\n"
    "3,Lê Hoàng Yến,25/07/1992,079192008910,15/01/2022,Cục Cảnh sát QLHC về TTXH,"
    "yen.lh@mic.gov.vn,Vụ Pháp chế,Hồ Chí Minh,Chuyên viên,Viên chức,0905123456,\r\n";

/* The agency's signed request letter, as the demo's scan: the smallest well-formed PDF. */
static const char sample_letter[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/* The rehearsal's second CA officer: with [approvals] accept, issue or publish = 2 a step waits
 * for a second person, and this one approves it, as a colleague at the next desk would. */
#define SECOND_OFFICER "can.bo.cuc.2"

static int step(app *a, const app_actor *actor, const char *code, proc_action action,
                const app_step_args *args, ct_error *err)
{
    approval_record pending;
    app_actor second = {SECOND_OFFICER, ROLE_CA_OFFICER, "demo", NULL};
    int rc = app_dossier_step_or_request(a, actor, code, action, args, &pending, err);

    if (rc < 0)
        return -1;
    if (rc == APP_PENDING) {
        printf("  … %-20s yêu cầu số %lld chờ cán bộ thứ hai / request %lld waits for a second "
               "officer ([approvals] %s = 2)\n",
               proc_action_name(action), (long long)pending.id, (long long)pending.id,
               pending.action);
        if (app_approval_approve(a, &second, pending.id, NULL, err) != 0)
            return -1;
        printf("  ✓ %-20s %s (%s), phê duyệt bởi / approved by %s\n", proc_action_name(action),
               proc_action_label(action, false), role_name(actor->role), SECOND_OFFICER);
        return 0;
    }
    printf("  ✓ %-20s %s (%s)\n", proc_action_name(action), proc_action_label(action, false),
           role_name(actor->role));
    return 0;
}

static int ensure_agencies(app *a, const app_actor *officer, ct_error *err)
{
    agency_record rec;
    app_agency_input ministry = {"BKHCN",  "Bộ Khoa học và Công nghệ", NULL,
                                 "Hà Nội", "Nguyễn Mạnh Hùng",         "Bộ trưởng",
                                 "state",  "most.gov.vn, mic.gov.vn"};
    app_agency_input unit = {"BKHCN.VPC",    "Vụ Pháp chế", "BKHCN", "Hà Nội",
                             "Phạm Thị Lan", "Vụ trưởng",   "state", "most.gov.vn, mic.gov.vn"};

    if (app_agency_get(a, officer, "BKHCN", &rec, NULL) != 0 &&
        app_agency_add(a, officer, &ministry, NULL, err) != 0)
        return -1;
    if (app_agency_get(a, officer, "BKHCN.VPC", &rec, NULL) != 0 &&
        app_agency_add(a, officer, &unit, NULL, err) != 0)
        return -1;
    return 0;
}

typedef struct {
    char name[64];
} head_found;

static int find_head(void *ctx, const user_record *u)
{
    head_found *h = ctx;

    if (h->name[0] == '\0' && !u->disabled && strcmp(u->role, "agency_head") == 0 &&
        strcmp(u->agency, "BKHCN.VPC") == 0)
        snprintf(h->name, sizeof h->name, "%s", u->username);
    return 0;
}

/* The head who confirms the demo's draft must be an account: the one `init --demo` made, else
 * one made now, with a random password nobody is told (it only stands for the signature). */
static int ensure_head(app *a, const app_actor *admin, char name[64], ct_error *err)
{
    head_found h = {""};
    unsigned char r[16];
    char password[33];
    FILE *f;
    app_user_input in = {"thu.truong.vpc", "Phạm Thị Lan", "agency_head",
                         "BKHCN.VPC",      password,       NULL};
    approval_record pending;
    int rc;

    if (app_user_list(a, admin, find_head, &h, err) != 0)
        return -1;
    if (h.name[0]) {
        snprintf(name, 64, "%s", h.name);
        return 0;
    }
    f = fopen("/dev/urandom", "rb");
    if (f == NULL || fread(r, 1, sizeof r, f) != sizeof r) {
        if (f)
            fclose(f);
        return ct_fail(err, 500, "rand", "không đọc được /dev/urandom", "cannot read /dev/urandom");
    }
    fclose(f);
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(password + 2 * i, 3, "%02x", r[i]);
    rc = app_user_add_or_request(a, admin, &in, &pending, err);
    if (rc < 0)
        return -1;
    /* four eyes: the rehearsal's second administrator approves the account it asked for */
    if (rc == APP_PENDING) {
        app_actor second = *admin;
        second.name = "demo.second-admin";
        if (app_approval_approve(a, &second, pending.id, NULL, err) != 0)
            return -1;
    }
    snprintf(name, 64, "%s", in.username);
    return 0;
}

static int rehearse_from_pickup(app *a, const app_actor *officer, const app_actor *clerk,
                                const dossier_record *d, int64_t at, ct_error *err);

/* The procedure on sample data, on the open instance, as the people of the procedure; leaves
 * the submitted dossier in d. */
static int run_procedure(app *a, const app_actor *admin, dossier_record *d, ct_error *err)
{
    app_actor officer = {"can.bo.cuc", ROLE_CA_OFFICER, "demo", NULL};
    app_actor clerk = {"van.thu.vpc", ROLE_AGENCY_CLERK, "demo", "BKHCN.VPC"};
    char head_name[64];
    app_actor head = {head_name, ROLE_AGENCY_HEAD, "demo", "BKHCN.VPC"};
    app_step_args args = {0};
    draft_record draft;

    printf("Thủ tục 1.010847 — cấp mới chứng thư số cho cá nhân (dữ liệu mẫu / sample data)\n");
    if (ensure_agencies(a, &officer, err) != 0 || app_token_stock(a, admin, 3, err) != 0)
        return -1;
    printf("  ✓ cơ quan BKHCN.VPC, 3 thiết bị trắng trong kho / 3 blank tokens in stock\n");
    if (ensure_head(a, admin, head_name, err) != 0 ||
        app_draft_create(a, &clerk, NULL, "Đợt thử nghiệm", &draft, err) != 0 ||
        app_draft_set_list(a, &clerk, draft.id, "csv", (const unsigned char *)sample_list,
                           sizeof sample_list - 1, &draft, NULL, err) != 0 ||
        app_draft_set_letter(a, &clerk, draft.id, "cong-van.pdf", "application/pdf",
                             (const unsigned char *)sample_letter, sizeof sample_letter - 1, &draft,
                             err) != 0 ||
        app_draft_confirm(a, &head, draft.id, NULL, NULL, &draft, err) != 0 ||
        app_draft_submit(a, &clerk, draft.id, d, err) != 0)
        return -1;
    printf("  ✓ %-20s bản nháp %lld: danh sách, công văn đã ký (agency_clerk)\n", "draft",
           (long long)draft.id);
    printf("  ✓ %-20s thủ trưởng xác nhận (agency_head)\n", "confirm");
    printf("  ✓ %-20s nộp hồ sơ trực tuyến: %s (agency_clerk)\n", "submit", d->code);
    if (step(a, &officer, d->code, ACT_ACCEPT, NULL, err) != 0 ||
        step(a, &officer, d->code, ACT_ISSUE, NULL, err) != 0)
        return -1;
    /* Pickup: the next working day, 09:00. The agency cannot collect before then, so the demo
     * plays the agency's part and the publication as a rehearsal at that time, on the clock
     * CHUNGTHU_NOW sets (app_now), and gives the clock back afterwards. */
    args.pickup_at = ct_local_to_utc(
        calendar_add_working_days(app_calendar(a), ct_utc_to_local_date(app_now()), 1), 9 * 60);
    args.pickup_place = "Phòng 203, 23 Ngụy Như Kon Tum, Thanh Xuân, Hà Nội";
    if (step(a, &officer, d->code, ACT_NOTIFY_PICKUP, &args, err) != 0)
        return -1;
    return rehearse_from_pickup(a, &officer, &clerk, d, args.pickup_at + 30 * 60, err);
}

/* The steps from the pickup on, with the clock at `at`. */
static int rehearse_from_pickup(app *a, const app_actor *officer, const app_actor *clerk,
                                const dossier_record *d, int64_t at, ct_error *err)
{
    const char *was = getenv("CHUNGTHU_NOW");
    char saved[64] = "", now[32];
    app_step_args received = {.person = "Nguyễn Văn Nhận"};
    ct_date day = ct_utc_to_local_date(at);
    int minute = ct_utc_to_local_minute(at), rc = 0;

    if (was)
        snprintf(saved, sizeof saved, "%s", was);
    snprintf(now, sizeof now, "%lld", (long long)at);
    setenv("CHUNGTHU_NOW", now, 1);
    printf(
        "  — diễn tập bước của cơ quan lúc %02d:%02d ngày %02d/%02d/%04d (rehearsed at the pickup "
        "time)\n",
        minute / 60, minute % 60, day.day, day.month, day.year);
    if (step(a, clerk, d->code, ACT_AGENCY_RECEIVED, &received, err) != 0 ||
        step(a, clerk, d->code, ACT_HANDED_OVER, NULL, err) != 0 ||
        step(a, clerk, d->code, ACT_REQUEST_ACTIVATION, NULL, err) != 0 ||
        step(a, officer, d->code, ACT_PUBLISH, NULL, err) != 0)
        rc = -1;
    if (was)
        setenv("CHUNGTHU_NOW", saved, 1);
    else
        unsetenv("CHUNGTHU_NOW");
    if (rc == 0)
        printf("\n");
    return rc;
    printf("\n");
    return 0;
}

/* Initialise a demo instance at --home if there is none, run the procedure, show the dossier
 * as `dossier show` does. */
int cmd_demo(cli_call *c)
{
    const char *home = c->ctx->home;
    app_actor officer = c->actor;
    dossier_record d;
    struct stat st;
    char path[1024];
    app *a;
    int rc;

    officer.role = ROLE_CA_OFFICER; /* the owner shows the dossier as an officer sees it */
    snprintf(path, sizeof path, "%s/chungthu.ini", home);
    if (stat(path, &st) != 0) {
        app_init_options opt = {0};
        opt.demo = true;
        printf("Khởi tạo phiên bản thử nghiệm / initialising a demo instance in %s\n", home);
        if (app_init(home, &opt, &c->actor, &c->err) != 0)
            return CLI_FAILED;
    }
    if ((rc = cli_open(c->ctx, &a)) != 0)
        return rc;
    rc = run_procedure(a, &c->actor, &d, &c->err);
    app_close(a);
    if (rc != 0)
        return CLI_FAILED;
    if ((rc = cli_open(c->ctx, &a)) != 0)
        return rc;
    rc = cli_dossier_print(a, &officer, d.code, false, &c->err);
    app_close(a);
    return rc == 0 ? 0 : CLI_FAILED;
}
