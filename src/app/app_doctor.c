/*
 * app_doctor.c — the health check of an instance (`chungthu doctor`): each check small and
 * named, each finding said in Vietnamese and English with what to do about it, and figures for
 * monitoring (days left, free bytes, the audit head).
 *
 * The file modes are looked at before anything opens the instance, since opening it tightens a
 * loosened database file and would hide that it was ever readable by others. An instance that
 * does not open is a finding too: the checks that need it are then left out, the others (the
 * file modes, the disk) still run. Nothing here signs a CRL or writes a row: the check reads.
 */
#include "app/app_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "pki/ca.h"

#define DAY 86400
#define CA_WARN_DAYS 90
#define OCSP_WARN_DAYS 30
#define DISK_WARN_BYTES (1024LL * 1024 * 1024)
#define DISK_ERROR_BYTES (100LL * 1024 * 1024)

typedef struct doctor_run {
    app_doctor_report *report;
    const app_actor *actor;
    const char *home;
    app_config cfg; /* the instance's, or the defaults when chungthu.ini does not load */
    app *a;         /* NULL when the instance did not open */
    int64_t now;
    bool oom;
} doctor_run;

const char *app_doctor_status_name(app_doctor_status s)
{
    return s == APP_DOCTOR_ERROR ? "error" : s == APP_DOCTOR_WARNING ? "warning" : "ok";
}

static app_doctor_check *check_new(doctor_run *r, const char *name)
{
    app_doctor_report *rep = r->report;
    app_doctor_check *c;

    if (rep->n == APP_DOCTOR_MAX_CHECKS)
        return NULL;
    c = &rep->checks[rep->n++];
    memset(c, 0, sizeof *c);
    c->name = name;
    c->figures = json_object();
    if (c->figures == NULL)
        r->oom = true;
    return c;
}

static void figure(app_doctor_check *c, const char *name, json_t *value)
{
    if (c->figures)
        json_object_set_new(c->figures, name, value);
    else
        json_decref(value);
}

/* Add a finding to c: its status becomes the worse of the two, and the messages join the ones
 * already there with "; ". */
static void say(app_doctor_check *c, app_doctor_status status, const char *vi, const char *en)
{
    size_t nv = strlen(c->vi), ne = strlen(c->en);

    if (status > c->status)
        c->status = status;
    snprintf(c->vi + nv, sizeof c->vi - nv, "%s%s", nv ? "; " : "", vi);
    snprintf(c->en + ne, sizeof c->en - ne, "%s%s", ne ? "; " : "", en);
    ct_utf8_repair(c->vi);
    ct_utf8_repair(c->en);
}

/* The same with the two formats taking the same arguments (numbers, paths, names). */
static void note(app_doctor_check *c, app_doctor_status status, const char *vi_fmt,
                 const char *en_fmt, ...) __attribute__((format(printf, 4, 5)));
static void note(app_doctor_check *c, app_doctor_status status, const char *vi_fmt,
                 const char *en_fmt, ...)
{
    char vi[APP_DOCTOR_MESSAGE], en[APP_DOCTOR_MESSAGE];
    va_list ap, ap2;

    va_start(ap, en_fmt);
    va_copy(ap2, ap);
    /* both formats are literals at every call; the attribute can name only one of them */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(vi, sizeof vi, vi_fmt, ap);
    vsnprintf(en, sizeof en, en_fmt, ap2);
#pragma GCC diagnostic pop
    va_end(ap2);
    va_end(ap);
    say(c, status, vi, en);
}

/* An error from below, after what failed: "WHAT: MESSAGE" in each language. */
static void note_error(app_doctor_check *c, const char *vi_what, const char *en_what,
                       const ct_error *err)
{
    char vi[APP_DOCTOR_MESSAGE], en[APP_DOCTOR_MESSAGE];

    snprintf(vi, sizeof vi, "%s: %s", vi_what, err->vi);
    snprintf(en, sizeof en, "%s: %s", en_what, err->en);
    say(c, APP_DOCTOR_ERROR, vi, en);
}

/* The "YYYY-MM-DD" of t in Vietnam time. */
static void local_day(int64_t t, char out[11])
{
    ct_date_format(ct_utc_to_local_date(t), out);
}

/* Whole days from now to t, rounded down (negative once t is past). */
static int64_t days_until(int64_t t, int64_t now)
{
    int64_t d = t - now;

    return d >= 0 ? d / DAY : -((-d + DAY - 1) / DAY);
}

/* ---- file modes ---- */

/* path must be reachable by its owner only: a directory 0700, a file 0600 (no group or other
 * bit at all). A missing path is not this check's business. */
static bool mode_of(app_doctor_check *c, const char *path, bool dir, int *checked)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return true;
    (*checked)++;
    if ((st.st_mode & 077) == 0)
        return true;
    note(c, APP_DOCTOR_ERROR, "%s có quyền %04o, người khác đọc được: chạy chmod %s %s",
         "%s is mode %04o, open to group or others: run chmod %s %s", path,
         (unsigned)(st.st_mode & 07777), dir ? "700" : "600", path);
    return false;
}

/* A directory and every entry in it (one level: these directories hold files only). */
static void mode_of_dir(app_doctor_check *c, const char *dir, int *checked)
{
    char path[CFG_PATH * 2 + 256];
    DIR *d;
    struct dirent *e;

    mode_of(c, dir, true, checked);
    d = opendir(dir);
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0)
            mode_of(c, path, S_ISDIR(st.st_mode), checked);
    }
    closedir(d);
}

static void check_file_modes(doctor_run *r)
{
    static const char *const db_suffixes[] = {"", "-wal", "-shm"};
    static const char *const ca_keys[] = {"root", "issuing", "ocsp"};
    app_doctor_check *c = check_new(r, "file_modes");
    char path[CFG_PATH * 2 + 64], secrets[CFG_PATH * 2];
    int checked = 0;
    bool db_private = true;

    if (c == NULL)
        return;
    mode_of(c, r->home, true, &checked);
    for (size_t i = 0; i < sizeof db_suffixes / sizeof db_suffixes[0]; i++) {
        char db[CFG_PATH * 2];
        config_path(&r->cfg, r->cfg.db_path, db, sizeof db);
        snprintf(path, sizeof path, "%s%s", db, db_suffixes[i]);
        db_private &= mode_of(c, path, false, &checked);
    }
    config_path(&r->cfg, "secrets", secrets, sizeof secrets);
    mode_of_dir(c, secrets, &checked);
    /* the passphrase file is in secrets/ unless chungthu.ini puts it elsewhere */
    config_path(&r->cfg, r->cfg.passphrase_file, path, sizeof path);
    if (strncmp(path, secrets, strlen(secrets)) != 0)
        mode_of(c, path, false, &checked);
    config_path(&r->cfg, "envelopes", path, sizeof path);
    mode_of_dir(c, path, &checked);
    config_path(&r->cfg, r->cfg.token_dir, path, sizeof path);
    mode_of(c, path, true, &checked);
    for (size_t i = 0; i < sizeof ca_keys / sizeof ca_keys[0]; i++) {
        snprintf(path, sizeof path, "%s/ca/%s.key", r->home, ca_keys[i]);
        mode_of(c, path, false, &checked);
    }
    if (c->status == APP_DOCTOR_OK)
        note(c, APP_DOCTOR_OK, "%d tệp và thư mục riêng chỉ chủ sở hữu truy cập được",
             "%d private files and directories are the owner's only", checked);
    else if (!db_private)
        say(c, APP_DOCTOR_ERROR,
            "cơ sở dữ liệu: chương trình tự đặt lại 0600 khi mở, nhưng hãy tìm ai đã đổi",
            "the database: chungthu sets it back to 0600 when it opens it, but find out who "
            "changed it");
    figure(c, "checked", json_integer(checked));
}

/* ---- the instance ---- */

static void check_instance(doctor_run *r)
{
    app_doctor_check *c = check_new(r, "instance");
    ct_error err = {0};

    if (c == NULL)
        return;
    if (app_open(r->home, &r->a, &err) != 0) {
        r->a = NULL;
        note_error(c, "không mở được cơ sở", "the instance does not open", &err);
        figure(c, "code", json_string(err.code));
        return;
    }
    note(c, APP_DOCTOR_OK, "mở được: cấu hình, khóa CA, cơ sở dữ liệu",
         "opens: configuration, CA keys, database");
}

/* ---- CA certificates ---- */

static void check_ca(doctor_run *r, const char *name)
{
    app *a = r->a;
    const pki_ca *responder = &responder_current(a)->ca;
    const pki_ca *ca = strcmp(name, "root") == 0      ? &a->root
                       : strcmp(name, "issuing") == 0 ? &a->issuing
                                                      : responder;
    const pki_ca *up[2];
    size_t n_up = 0;
    bool ocsp = ca == responder;
    app_doctor_check *c = check_new(r, ca == &a->root ? "ca_root"
                                       : ocsp         ? "ca_ocsp"
                                                      : "ca_issuing");
    const char *vi_what = ca == &a->root ? "chứng thư CA gốc"
                          : ocsp         ? "chứng thư của máy chủ OCSP"
                                         : "chứng thư CA cấp phát";
    const char *en_what = ca == &a->root ? "the root CA certificate"
                          : ocsp         ? "the OCSP responder certificate"
                                         : "the issuing CA certificate";
    int64_t left, warn_days;
    char until[11], vi[APP_DOCTOR_MESSAGE], en[APP_DOCTOR_MESSAGE];
    ct_error err = {0};

    if (c == NULL)
        return;
    if (ca != &a->root)
        up[n_up++] = ocsp ? &a->issuing : &a->root;
    if (ocsp)
        up[n_up++] = &a->root;
    if (pki_chain_verify(ca->cert_der, ca->cert_len, up, n_up, &err) != 0)
        note_error(c, vi_what, en_what, &err);
    /* An issuing key imported from a key ceremony and not yet activated signs nothing: worth
     * a warning (a step is waiting for a second officer); one the root revoked is an error. */
    if (ca == &a->issuing && issuing_usable(a, &err) != 0) {
        bool inactive = strcmp(err.code, "ca.not_active") == 0;
        say(c, inactive ? APP_DOCTOR_WARNING : APP_DOCTOR_ERROR, err.vi, err.en);
        figure(c, "code", json_string(err.code));
    }
    left = days_until(ca->not_after, r->now);
    local_day(ca->not_after, until);
    /* A responder certificate lives 30 days by default ([ca] ocsp_days): it is warned about
     * in the last quarter of its life when that is shorter than 30 days, or it would warn from
     * the day it was made. */
    warn_days = ocsp ? OCSP_WARN_DAYS : CA_WARN_DAYS;
    if (ocsp && (ca->not_after - ca->not_before) / 4 < warn_days * DAY)
        warn_days = (ca->not_after - ca->not_before) / 4 / DAY;
    if (r->now >= ca->not_after) {
        snprintf(vi, sizeof vi, "%s đã hết hạn ngày %s: %s", vi_what, until,
                 ocsp ? "câu trả lời OCSP không còn được tin; cấp lại chứng thư máy chủ OCSP"
                      : "mọi chứng thư dưới nó không còn được tin; cần lập CA mới");
        snprintf(en, sizeof en, "%s expired on %s: %s", en_what, until,
                 ocsp ? "OCSP answers are no longer trusted; issue a new responder certificate"
                      : "nothing under it is trusted any more; a new CA is needed");
        say(c, APP_DOCTOR_ERROR, vi, en);
    } else if (r->now < ca->not_before) {
        snprintf(vi, sizeof vi, "%s chưa có hiệu lực: đồng hồ máy chạy chậm?", vi_what);
        snprintf(en, sizeof en, "%s is not valid yet: is the clock behind?", en_what);
        say(c, APP_DOCTOR_ERROR, vi, en);
    } else if (left < warn_days) {
        snprintf(vi, sizeof vi, "%s chỉ còn %lld ngày (đến %s): chuẩn bị thay", vi_what,
                 (long long)left, until);
        snprintf(en, sizeof en, "%s has %lld days left (until %s): prepare its replacement",
                 en_what, (long long)left, until);
        say(c, APP_DOCTOR_WARNING, vi, en);
    }
    if (c->status == APP_DOCTOR_OK) {
        snprintf(vi, sizeof vi, "%s: chuỗi đúng, còn %lld ngày (đến %s)", vi_what, (long long)left,
                 until);
        snprintf(en, sizeof en, "%s: chain verifies, %lld days left (until %s)", en_what,
                 (long long)left, until);
        say(c, APP_DOCTOR_OK, vi, en);
    }
    figure(c, "days_left", json_integer(left));
    figure(c, "not_after", app_view_time(ca->not_after));
}

/* ---- CRLs ---- */

static void check_crl(doctor_run *r, const char *name)
{
    app_doctor_check *c = check_new(r, strcmp(name, "root") == 0 ? "crl_root" : "crl_issuing");
    crl_record rec;
    ct_error err = {0};
    int64_t period, left;

    if (c == NULL)
        return;
    if (store_crl_latest(r->a->db, name, &rec, &err) != 0) {
        if (strcmp(err.code, "crl.none") == 0)
            note(c, APP_DOCTOR_OK,
                 "CRL %s chưa ký lần nào: ký khi được tải lần đầu hoặc bằng chungthu crl generate",
                 "no %s CRL signed yet: one is signed at the first fetch or by chungthu crl "
                 "generate",
                 name);
        else
            note_error(c, "không đọc được CRL", "cannot read the CRL", &err);
        return;
    }
    period = rec.next_update - rec.this_update;
    left = rec.next_update - r->now;
    if (left <= 0)
        note(c, APP_DOCTOR_ERROR,
             "CRL %s số %lld đã quá nextUpdate %lld giờ: chạy chungthu crl generate (máy chủ "
             "đang chạy thì tự ký lại)",
             "the %s CRL number %lld is %lld hours past its nextUpdate: run chungthu crl generate "
             "(a running server re-signs it)",
             name, (long long)rec.number, (long long)(-left / 3600));
    else if (left < period / 4)
        note(c, APP_DOCTOR_WARNING,
             "CRL %s số %lld chỉ còn %lld phút trước nextUpdate: máy chủ có đang chạy không?",
             "the %s CRL number %lld has only %lld minutes before its nextUpdate: is the server "
             "running?",
             name, (long long)rec.number, (long long)(left / 60));
    else
        note(c, APP_DOCTOR_OK, "CRL %s số %lld còn %lld giờ trước nextUpdate",
             "the %s CRL number %lld has %lld hours before its nextUpdate", name,
             (long long)rec.number, (long long)(left / 3600));
    figure(c, "number", json_integer(rec.number));
    figure(c, "this_update", app_view_time(rec.this_update));
    figure(c, "next_update", app_view_time(rec.next_update));
    figure(c, "seconds_left", json_integer(left));
    crl_record_free(&rec);
}

/* ---- the token module ---- */

static void check_token(doctor_run *r)
{
    app_doctor_check *c = check_new(r, "token_module");
    const char *module = app_cfg(r->a)->token_module;
    size_t tokens, initialized;
    ct_error err = {0};

    if (c == NULL)
        return;
    figure(c, "module", json_string(module));
    if (app_token_slots(r->a, &tokens, &initialized, &err) != 0) {
        char vi[APP_DOCTOR_MESSAGE], en[APP_DOCTOR_MESSAGE];
        snprintf(vi, sizeof vi,
                 "mô-đun thiết bị lưu khóa %s không nạp được (%s): sửa [token] module trong "
                 "chungthu.ini",
                 module, err.vi);
        snprintf(en, sizeof en,
                 "the token module %s does not load (%s): set [token] module in chungthu.ini",
                 module, err.en);
        say(c, APP_DOCTOR_ERROR, vi, en);
        return;
    }
    note(c, APP_DOCTOR_OK, "mô-đun %s nạp được: %zu thiết bị, %zu đã khởi tạo",
         "module %s loads: %zu tokens, %zu initialised", module, tokens, initialized);
    figure(c, "tokens", json_integer((json_int_t)tokens));
    figure(c, "initialized", json_integer((json_int_t)initialized));
}

/* ---- the database ---- */

static void check_database(doctor_run *r)
{
    app_doctor_check *c = check_new(r, "database");
    char problem[1024];
    int have, want;
    ct_error err = {0};

    if (c == NULL)
        return;
    have = store_schema_version(r->a->db);
    want = store_schema_latest(r->a->db);
    if (store_integrity_check(r->a->db, problem, sizeof problem, &err) != 0)
        note_error(c, "không kiểm tra được", "cannot be checked", &err);
    else if (problem[0])
        note(c, APP_DOCTOR_ERROR,
             "cơ sở dữ liệu hỏng (PRAGMA integrity_check): %s; khôi phục từ bản sao lưu",
             "the database is damaged (PRAGMA integrity_check): %s; restore it from a backup",
             problem);
    if (have != want)
        note(c, APP_DOCTOR_ERROR, "phiên bản lược đồ %d, chương trình cần %d",
             "schema version %d where this program needs %d", have, want);
    if (c->status == APP_DOCTOR_OK)
        note(c, APP_DOCTOR_OK, "nguyên vẹn, lược đồ phiên bản %d", "intact, schema version %d",
             have);
    figure(c, "schema_version", json_integer(have));
    figure(c, "schema_latest", json_integer(want));
}

/* ---- e-mail ---- */

/* What the outbox says about delivery: messages given up on, and the oldest still waiting. */
typedef struct {
    int64_t failed, queued, oldest_queued, oldest_failed_id;
    char last_error[512];
} outbox_tally;

static int tally_message(void *ctx, const outbox_record *m)
{
    outbox_tally *t = ctx;

    if (strcmp(m->state, "failed") == 0) {
        if (t->failed++ == 0)
            t->oldest_failed_id = m->id;
    } else if (strcmp(m->state, "queued") == 0) {
        if (t->queued++ == 0) {
            t->oldest_queued = m->created_at;
            snprintf(t->last_error, sizeof t->last_error, "%s", m->last_error);
        }
    }
    return 0;
}

/* A queued message older than this has met more than a passing outage (the sender's backoff
 * starts at a minute): the SMTP server or the configuration needs a look. */
#define MAIL_STUCK_SECONDS 3600

static void check_mail(doctor_run *r)
{
    app_doctor_check *c = check_new(r, "mail");
    outbox_tally t = {0};
    outbox_filter queued = {.state = "queued"}, failed = {.state = "failed"};
    ct_error err = {0};

    if (c == NULL)
        return;
    if (store_outbox_list(r->a->db, &queued, tally_message, &t, &err) != 0 ||
        store_outbox_list(r->a->db, &failed, tally_message, &t, &err) != 0) {
        note_error(c, "không đọc được hộp thư đi", "cannot read the outbox", &err);
        return;
    }
    figure(c, "queued", json_integer(t.queued));
    figure(c, "failed", json_integer(t.failed));
    if (r->cfg.mail_smtp_url[0] == '\0') {
        say(c, t.queued ? APP_DOCTOR_WARNING : APP_DOCTOR_OK,
            t.queued ? "thư điện tử đang tắt ([mail] smtp_url trống) mà vẫn còn thư chờ gửi"
                     : "thư điện tử đang tắt ([mail] smtp_url trống)",
            t.queued ? "e-mail is off ([mail] smtp_url is empty) with messages still waiting"
                     : "e-mail is off ([mail] smtp_url is empty)");
        return;
    }
    if (t.failed)
        note(c, APP_DOCTOR_WARNING,
             "thư đã thôi gửi sau %d lần thử: %lld (đầu tiên: số %lld); sửa nguyên nhân rồi "
             "chạy chungthu mail retry SỐ",
             "messages given up after %d attempts: %lld (the first: number %lld); fix the cause, "
             "then run chungthu mail retry ID",
             r->cfg.mail_max_attempts, (long long)t.failed, (long long)t.oldest_failed_id);
    if (t.queued && r->now - t.oldest_queued > MAIL_STUCK_SECONDS)
        note(c, APP_DOCTOR_WARNING,
             "thư đang chờ gửi: %lld, thư cũ nhất đã %lld phút; lỗi gần nhất: %s",
             "messages waiting: %lld, the oldest for %lld minutes; last error: %s",
             (long long)t.queued, (long long)((r->now - t.oldest_queued) / 60),
             t.last_error[0] ? t.last_error : "-");
    if (c->status == APP_DOCTOR_OK)
        note(c, APP_DOCTOR_OK, "thư đang chờ gửi: %lld, không thư nào bị thôi gửi",
             "messages waiting: %lld, none given up", (long long)t.queued);
}

/* ---- disk space ---- */

static void check_disk(doctor_run *r)
{
    app_doctor_check *c = check_new(r, "disk_space");
    struct statvfs fs;
    long long free_bytes;

    if (c == NULL)
        return;
    if (statvfs(r->home, &fs) != 0) {
        note(c, APP_DOCTOR_ERROR, "không đọc được dung lượng trống của %s: %s",
             "cannot read the free space of %s: %s", r->home, strerror(errno));
        return;
    }
    free_bytes = (long long)fs.f_bavail * (long long)fs.f_frsize;
    if (free_bytes < DISK_ERROR_BYTES)
        note(c, APP_DOCTOR_ERROR,
             "chỉ còn %lld MiB trống ở %s: ghi sẽ sớm hỏng; giải phóng chỗ ngay",
             "only %lld MiB free at %s: writes will soon fail; free space now", free_bytes >> 20,
             r->home);
    else if (free_bytes < DISK_WARN_BYTES)
        note(c, APP_DOCTOR_WARNING, "chỉ còn %lld MiB trống ở %s: giải phóng chỗ",
             "only %lld MiB free at %s: free some space", free_bytes >> 20, r->home);
    else
        note(c, APP_DOCTOR_OK, "còn %lld MiB trống", "%lld MiB free", free_bytes >> 20);
    figure(c, "free_bytes", json_integer(free_bytes));
}

/* ---- the audit chain ---- */

static void check_audit(doctor_run *r)
{
    app_doctor_check *c = check_new(r, "audit_chain");
    app_audit_report rep;
    ct_error err = {0};

    if (c == NULL)
        return;
    if (app_audit_verify(r->a, r->actor, &rep, &err) != 0) {
        note_error(c, "không kiểm tra được nhật ký", "cannot verify the audit trail", &err);
        return;
    }
    if (rep.first_bad_id != 0)
        note(c, APP_DOCTOR_ERROR,
             "nhật ký kiểm toán bị sửa từ dòng %lld (%s): chạy chungthu audit verify, giữ nguyên "
             "tệp cơ sở dữ liệu làm bằng chứng",
             "the audit chain is broken from row %lld (%s): run chungthu audit verify and keep "
             "the database file as evidence",
             (long long)rep.first_bad_id, rep.problem);
    else
        note(c, APP_DOCTOR_OK, "nguyên vẹn, %lld dòng; đầu chuỗi #%lld %s",
             "intact, %lld rows; head #%lld %s", (long long)rep.rows, (long long)rep.head_id,
             rep.head_hash);
    figure(c, "rows", json_integer(rep.rows));
    figure(c, "head_id", json_integer(rep.head_id));
    figure(c, "head_hash", json_string(rep.head_hash));
    figure(c, "first_bad_row", json_integer(rep.first_bad_id));
    figure(c, "reserved_not_issued", json_integer((json_int_t)rep.unissued));
}

/* ---- the clock ---- */

/* The clock must not be behind what the instance already did: certificates signed from it
 * would start before their issuer, and CRLs would go back in time. */
static void check_clock(doctor_run *r)
{
    app_doctor_check *c = check_new(r, "clock");
    int64_t latest = 0;

    if (c == NULL)
        return;
    if (r->now < r->a->issuing.not_before)
        note(c, APP_DOCTOR_ERROR,
             "đồng hồ chậm hơn ngày bắt đầu của CA cấp phát %lld giây: chỉnh giờ (NTP)",
             "the clock is %lld seconds before the issuing CA's notBefore: set the time (NTP)",
             (long long)(r->a->issuing.not_before - r->now));
    for (int i = 0; i < 2; i++) {
        crl_record rec;
        if (store_crl_latest(r->a->db, i ? "issuing" : "root", &rec, NULL) != 0)
            continue;
        if (rec.this_update > latest)
            latest = rec.this_update;
        crl_record_free(&rec);
    }
    if (latest > r->now)
        note(c, APP_DOCTOR_ERROR,
             "đồng hồ chậm hơn thisUpdate của CRL mới nhất %lld giây: chỉnh giờ (NTP)",
             "the clock is %lld seconds before the latest CRL's thisUpdate: set the time (NTP)",
             (long long)(latest - r->now));
    if (c->status == APP_DOCTOR_OK)
        note(c, APP_DOCTOR_OK, "không chậm hơn CA cấp phát và CRL mới nhất",
             "not behind the issuing CA and the latest CRL");
    figure(c, "now", app_view_time(r->now));
}

int app_doctor(const char *home, const app_actor *actor, app_doctor_report *out, ct_error *err)
{
    doctor_run r = {.report = out, .actor = actor, .home = home, .now = app_now()};

    memset(out, 0, sizeof *out);
    if (role_require(actor->role, ROLES_CA | ROLE_AUDITOR | ROLE_SYSTEM, "doctor", err) != 0)
        return -1;
    if (config_load(&r.cfg, home, NULL) != 0)
        config_defaults(&r.cfg, home);
    check_file_modes(&r);
    check_instance(&r);
    if (r.a) {
        check_ca(&r, "root");
        check_ca(&r, "issuing");
        check_ca(&r, "ocsp");
        check_crl(&r, "root");
        check_crl(&r, "issuing");
        check_token(&r);
        check_database(&r);
        check_mail(&r);
    }
    check_disk(&r);
    if (r.a) {
        check_audit(&r);
        check_clock(&r);
    }
    app_close(r.a);
    for (size_t i = 0; i < out->n; i++)
        if (out->checks[i].status > out->worst)
            out->worst = out->checks[i].status;
    if (r.oom)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    return 0;
}

void app_doctor_report_free(app_doctor_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        json_decref(r->checks[i].figures);
        r->checks[i].figures = NULL;
    }
    r->n = 0;
}
