/*
 * cli_demo.c — `chungthu demo`: the whole procedure on sample data, start to finish, with the
 * trail printed at the end. It runs on the instance given by --home (created if missing), as
 * the people of the procedure: an agency clerk submits online, the CA officer accepts, issues
 * on tokens and gives the pickup notice, the clerk records receipt, hand-over and the
 * activation request, the officer publishes.
 */
#include <stdio.h>
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

static int step(app *a, const app_actor *actor, const char *code, proc_action action,
                const app_step_args *args, ct_error *err)
{
    if (app_dossier_step(a, actor, code, action, args, err) != 0)
        return -1;
    printf("  ✓ %-20s %s (%s)\n", proc_action_name(action), proc_action_label_vi(action),
           role_name(actor->role));
    return 0;
}

static int ensure_agencies(app *a, const app_actor *officer, ct_error *err)
{
    agency_record rec;
    app_agency_input ministry = {"BKHCN",  "Bộ Khoa học và Công nghệ", NULL,
                                 "Hà Nội", "Nguyễn Mạnh Hùng",         "Bộ trưởng",
                                 "state"};
    app_agency_input unit = {"BKHCN.VPC",    "Vụ Pháp chế", "BKHCN", "Hà Nội",
                             "Phạm Thị Lan", "Vụ trưởng",   "state"};

    if (app_agency_get(a, officer, "BKHCN", &rec, NULL) != 0 &&
        app_agency_add(a, officer, &ministry, NULL, err) != 0)
        return -1;
    if (app_agency_get(a, officer, "BKHCN.VPC", &rec, NULL) != 0 &&
        app_agency_add(a, officer, &unit, NULL, err) != 0)
        return -1;
    return 0;
}

int cmd_demo(const cli_ctx *ctx, int argc, char **argv)
{
    app *a;
    app_actor admin = cli_actor(ctx, ROLE_CA_ADMIN);
    app_actor officer = {"can.bo.cuc", ROLE_CA_OFFICER, "demo", NULL};
    app_actor clerk = {"van.thu.vpc", ROLE_AGENCY_CLERK, "demo", "BKHCN.VPC"};
    app_submission sub = {0};
    app_step_args args = {0};
    dossier_record d;
    ct_error err = {0};
    struct stat st;
    char path[1024];
    int rc;

    (void)argv;
    if (argc != 0)
        return cli_usage_error("usage: demo");
    snprintf(path, sizeof path, "%s/chungthu.ini", ctx->home);
    if (stat(path, &st) != 0) {
        app_init_options opt = {0};
        opt.demo = true;
        printf("Khởi tạo phiên bản thử nghiệm / initialising a demo instance in %s\n", ctx->home);
        if (app_init(ctx->home, &opt, &admin, &err) != 0)
            return cli_report(&err);
    }
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    printf("Thủ tục 1.010847 — cấp mới chứng thư số cho cá nhân (dữ liệu mẫu / sample data)\n");
    if (ensure_agencies(a, &officer, &err) != 0 || app_token_stock(a, &admin, 3, &err) != 0)
        goto fail;
    printf("  ✓ cơ quan BKHCN.VPC, 3 thiết bị trắng trong kho / 3 blank tokens in stock\n");
    sub.agency = "BKHCN.VPC";
    sub.channel = "online";
    sub.format = "csv";
    sub.data = (const unsigned char *)sample_list;
    sub.len = sizeof sample_list - 1;
    sub.confirmed_by = "Phạm Thị Lan, Vụ trưởng Vụ Pháp chế";
    if (app_dossier_submit(a, &clerk, &sub, &d, &err) != 0)
        goto fail;
    printf("  ✓ %-20s nộp hồ sơ trực tuyến: %s (agency_clerk)\n", "submit", d.code);
    if (step(a, &officer, d.code, ACT_ACCEPT, NULL, &err) != 0 ||
        step(a, &officer, d.code, ACT_ISSUE, NULL, &err) != 0)
        goto fail;
    /* Pickup: the next working day, 09:00. */
    args.pickup_at = ct_local_to_utc(
        calendar_add_working_days(app_calendar(a), ct_utc_to_local_date(app_now()), 1), 9 * 60);
    args.pickup_place = "Phòng 203, 23 Ngụy Như Kon Tum, Thanh Xuân, Hà Nội";
    if (step(a, &officer, d.code, ACT_NOTIFY_PICKUP, &args, &err) != 0 ||
        step(a, &clerk, d.code, ACT_AGENCY_RECEIVED, NULL, &err) != 0 ||
        step(a, &clerk, d.code, ACT_HANDED_OVER, NULL, &err) != 0 ||
        step(a, &clerk, d.code, ACT_REQUEST_ACTIVATION, NULL, &err) != 0 ||
        step(a, &officer, d.code, ACT_PUBLISH, NULL, &err) != 0)
        goto fail;
    app_close(a);
    printf("\n");
    {
        char *show_argv[] = {"show", d.code};
        return cmd_dossier(ctx, 2, show_argv);
    }
fail:
    app_close(a);
    return cli_report(&err);
}
