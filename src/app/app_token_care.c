/*
 * app_token_care.c — token care (issue 17): a new PIN, a lost token, a broken one, a token back
 * at the CA, a token destroyed, as moves of the token's chain of custody (core/token_custody.h).
 *
 * Each is one write transaction (its own, or a dossier step's: token_care_in_transaction) that
 * reads the token, checks the move against the custody table
 * for the caller's role, writes the token, revokes its certificate when the move calls for it
 * (cert_revoke_in_transaction: the same audit row and notices as `cert revoke`) and appends the
 * token's own audit row. The reason given to RFC 5280 for each revocation:
 *   lost      keyCompromise: the key is in a stranger's hands, PIN or no PIN;
 *   broken    cessationOfOperation: the key died with the device and nobody else holds it;
 *             RFC 5280 has no "broken", and keyCompromise would claim an exposure that did not
 *             happen (relying parties treat the two differently for past signatures);
 *   returned  cessationOfOperation, done here rather than refused: a key in the CA's drawer no
 *             longer serves its holder, and refusing would only make the officer revoke first.
 * A certificate already revoked keeps its revocation (a revocation is final, with its own
 * reason and time).
 *
 * The device is worked on inside the transaction (a PIN reset and a wipe take milliseconds on
 * SoftHSM2, about a second on a USB token), after every record is written and before the
 * commit, so that a refused move never touches it. The new PIN's envelope is written first, as
 * a file beside the waiting one, and takes its place only once the device has the new PIN: the
 * PIN on the device and the PIN in the envelope are never two different ones.
 */
#include "app/app_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/cert_status.h"
#include "core/token_custody.h"
#include "token/token.h"

#define BLANK_LABEL "chungthu-blank"
#define REASON_MAX 300

typedef struct care {
    const app_actor *actor;
    const char *serial;
    token_action action;
    const char *reason;
    token_record t;
    bool cert_changed;
    char envelope[CFG_PATH * 2 + 64];
    char envelope_new[CFG_PATH * 2 + 80];
} care;

static int not_found(const char *serial, ct_error *err)
{
    return ct_fail(err, 404, "token.not_found", "không tìm thấy thiết bị \"%s\"", "no token \"%s\"",
                   serial);
}

/* An agency sees the tokens of its own dossiers (and its sub-units'), as it sees the dossiers;
 * any other token is, to it, one that does not exist. */
static int visible(app *a, const app_actor *actor, const token_record *t, ct_error *err)
{
    dossier_record d;
    ct_error ignored = {0};

    if (actor->role & (ROLES_CA | ROLE_AUDITOR | ROLE_SYSTEM))
        return 0;
    if (t->dossier[0] == '\0' || store_dossier_get(a->db, t->dossier, &d, &ignored) != 0 ||
        !agency_visible(a, actor, d.agency))
        return not_found(t->serial, err);
    return 0;
}

static int check_reason(token_action action, const char *reason, ct_error *err)
{
    if (action == TOKEN_ACT_LOST && (reason == NULL || reason[strspn(reason, " ")] == '\0'))
        return ct_fail(err, 400, "token.reason_missing",
                       "cần lý do (--reason): khi nào, ở đâu, hoàn cảnh mất thiết bị",
                       "a reason is required (--reason): when, where and how it was lost");
    if (reason == NULL)
        return 0;
    if (strlen(reason) > REASON_MAX)
        return ct_fail(err, 400, "token.reason_invalid", "lý do dài quá %d byte",
                       "the reason is longer than %d bytes", REASON_MAX);
    for (const char *p = reason; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return ct_fail(err, 400, "token.reason_invalid", "lý do chứa ký tự điều khiển",
                           "the reason contains control characters");
    return 0;
}

/* The certificate's side of a move: revoked with reason unless it already is. */
static int revoke_for(app *a, care *c, int reason, ct_error *err)
{
    cert_record cert;

    if (c->t.cert_serial[0] == '\0')
        return 0;
    if (store_cert_get(a->db, c->t.cert_serial, &cert, err) != 0)
        return -1;
    cert_record_free(&cert);
    if (strcmp(cert.status, CERT_STATUS_REVOKED) == 0 || strcmp(cert.status, "expired") == 0)
        return 0;
    if (cert_revoke_in_transaction(a, c->actor, cert.serial, reason, err) != 0)
        return -1;
    c->cert_changed = true;
    return 0;
}

/* ---- a new PIN ---- */

static void envelope_paths(app *a, care *c)
{
    char dir[CFG_PATH * 2];

    config_path(app_cfg(a), "envelopes", dir, sizeof dir);
    mkdir(dir, 0700);
    snprintf(c->envelope, sizeof c->envelope, "%s/%s.txt", dir, c->t.serial);
    snprintf(c->envelope_new, sizeof c->envelope_new, "%s/%s.txt.reset", dir, c->t.serial);
}

/* The envelope of the new PIN, in the layout provisioning writes (app_envelope.c reads it). */
static int write_reset_envelope(app *a, care *c, const char *pin, ct_error *err)
{
    char holder[256] = "-", email[256] = "-";
    cert_record cert;
    ct_error ignored = {0};
    FILE *f;
    int fd;

    if (c->t.cert_serial[0] && store_cert_get(a->db, c->t.cert_serial, &cert, &ignored) == 0) {
        snprintf(holder, sizeof holder, "%s", cert.common_name);
        snprintf(email, sizeof email, "%s", cert.email[0] ? cert.email : "-");
        cert_record_free(&cert);
    }
    envelope_paths(a, c);
    unlink(c->envelope_new); /* left by a reset that died before its device step */
    fd = open(c->envelope_new, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        return ct_fail(err, 500, "token.envelope", "không tạo được phong bì mã PIN %s",
                       "cannot create the PIN envelope %s", c->envelope_new);
    }
    fprintf(f,
            "PHONG BÌ MÃ PIN — THIẾT BỊ LƯU KHÓA BÍ MẬT (ĐẶT LẠI MÃ PIN)\n"
            "(PIN envelope — private-key storage device, PIN reset)\n\n"
            "Thuê bao / subscriber:      %s\n"
            "Thư điện tử / e-mail:       %s\n"
            "Hồ sơ / dossier:            %s%s%lld\n"
            "Thiết bị / token serial:    %s (%s)\n"
            "Chứng thư số / certificate: %s\n\n"
            "MÃ PIN / USER PIN:          %s\n\n"
            "Mã PIN cũ không còn dùng được. Đổi mã PIN ngay khi nhận phong bì.\n"
            "The old PIN no longer works. Change the PIN when you receive this envelope.\n",
            holder, email, c->t.dossier[0] ? c->t.dossier : "-", c->t.dossier[0] ? " #" : "",
            c->t.dossier[0] ? (long long)c->t.applicant : 0LL, c->t.serial, c->t.label,
            c->t.cert_serial[0] ? c->t.cert_serial : "-", pin);
    if (fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0) {
        unlink(c->envelope_new);
        return ct_fail(err, 500, "token.envelope", "không ghi được phong bì mã PIN %s",
                       "cannot write the PIN envelope %s", c->envelope_new);
    }
    return 0;
}

static int reset_pin(app *a, care *c, ct_error *err)
{
    struct token_module *m;
    char so_pin[80], pin[16];
    int rc = -1;

    if (token_care_module(a, &m, err) != 0 ||
        token_care_so_pin(a, &c->t, so_pin, sizeof so_pin, err) != 0)
        return -1;
    if (token_care_user_pin(pin, err) == 0 && write_reset_envelope(a, c, pin, err) == 0) {
        if (token_reset_user_pin(m, c->t.serial, so_pin, pin, err) != 0)
            unlink(c->envelope_new); /* the device kept its PIN */
        else if (rename(c->envelope_new, c->envelope) != 0)
            /* the device has the new PIN: its envelope stays where it was written */
            ct_fail(err, 500, "token.envelope",
                    "thiết bị đã có mã PIN mới nhưng không đặt được phong bì vào %s: phong bì ở "
                    "%s",
                    "the token has its new PIN but the envelope could not be moved to %s: it is "
                    "at %s",
                    c->envelope, c->envelope_new);
        else
            rc = 0;
    }
    OPENSSL_cleanse(so_pin, sizeof so_pin);
    OPENSSL_cleanse(pin, sizeof pin);
    return rc;
}

/* ---- destroy ---- */

/* Wipe what the device still holds; a device that is gone (lost, smashed) is recorded so. */
static int wipe_if_present(app *a, care *c, bool *wiped, ct_error *err)
{
    struct token_module *m;
    char so_pin[80];
    ct_error why = {0};
    int rc;

    *wiped = false;
    if (token_care_module(a, &m, err) != 0 ||
        token_care_so_pin(a, &c->t, so_pin, sizeof so_pin, err) != 0)
        return -1;
    rc = token_wipe(m, c->t.serial, so_pin, BLANK_LABEL, &why);
    OPENSSL_cleanse(so_pin, sizeof so_pin);
    if (rc == 0) {
        *wiped = true;
        return 0;
    }
    if (strcmp(why.code, "token.not_found") == 0)
        return 0;
    *err = why;
    return -1;
}

/* ---- one move, in one transaction ---- */

static int care_in_transaction(app *a, void *ctx, ct_error *err)
{
    care *c = ctx;
    token_state to;
    char from[24];
    bool wiped = false;
    json_t *detail;

    c->cert_changed = false;
    if (store_token_get(a->db, c->serial, &c->t, err) != 0)
        return err->status == 404 ? not_found(c->serial, err) : -1;
    if (visible(a, c->actor, &c->t, err) != 0 ||
        token_custody_step(c->t.state, c->action, c->actor->role, &to, err) != 0)
        return -1;
    snprintf(from, sizeof from, "%s", c->t.state);
    snprintf(c->t.state, sizeof c->t.state, "%s", token_state_name(to));
    if (c->reason && *c->reason)
        snprintf(c->t.note, sizeof c->t.note, "%s", c->reason);
    c->t.updated_at = app_now();
    /* the token first, so that its revocation finds it moved already and leaves it be */
    if (store_token_update(a->db, &c->t, err) != 0)
        return -1;
    switch (c->action) {
    case TOKEN_ACT_LOST:
        if (revoke_for(a, c, 1 /* keyCompromise */, err) != 0)
            return -1;
        break;
    case TOKEN_ACT_BROKEN:
    case TOKEN_ACT_RETURNED:
        if (revoke_for(a, c, 5 /* cessationOfOperation */, err) != 0)
            return -1;
        break;
    default:
        break;
    }
    detail = json_pack("{s:s, s:s, s:s, s:s}", "from", from, "to", c->t.state, "cert",
                       c->t.cert_serial, "reason", c->reason ? c->reason : "");
    /* the device last: nothing above may fail after it changed */
    if (c->action == TOKEN_ACT_DESTROY) {
        if (wipe_if_present(a, c, &wiped, err) != 0) {
            json_decref(detail);
            return -1;
        }
        json_object_set_new(detail, "wiped", json_boolean(wiped));
    }
    if (audit_append(a, c->actor,
                     c->action == TOKEN_ACT_RESET_PIN  ? "token.reset_pin"
                     : c->action == TOKEN_ACT_LOST     ? "token.lost"
                     : c->action == TOKEN_ACT_BROKEN   ? "token.broken"
                     : c->action == TOKEN_ACT_RETURNED ? "token.returned"
                                                       : "token.destroy",
                     c->t.serial, detail, err) != 0)
        return -1;
    return c->action == TOKEN_ACT_RESET_PIN ? reset_pin(a, c, err) : 0;
}

token_action token_care_action_of(dossier_kind kind)
{
    return kind == KIND_PIN_RESET    ? TOKEN_ACT_RESET_PIN
           : kind == KIND_TOKEN_LOST ? TOKEN_ACT_LOST
                                     : TOKEN_ACT_BROKEN;
}

int token_care_in_transaction(app *a, const app_actor *actor, const char *serial,
                              token_action action, const char *reason, bool *cert_changed,
                              ct_error *err)
{
    care c = {.actor = actor, .serial = serial, .action = action, .reason = reason};

    if (check_reason(action, reason, err) != 0 || care_in_transaction(a, &c, err) != 0)
        return -1;
    if (c.cert_changed)
        *cert_changed = true;
    return 0;
}

int app_token_care(app *a, const app_actor *actor, const char *serial, token_action action,
                   const char *reason, token_record *out, ct_error *err)
{
    care c = {.actor = actor, .serial = serial, .action = action, .reason = reason};

    if (!token_action_is_care(action))
        return ct_fail(err, 400, "token.action", "không có thao tác này với thiết bị",
                       "no such token action");
    if (role_require(actor->role, token_action_roles(action), token_action_name(action), err) !=
            0 ||
        check_reason(action, reason, err) != 0)
        return -1;
    if (serial == NULL || *serial == '\0' || strlen(serial) >= sizeof c.t.serial)
        return not_found(serial ? serial : "", err);
    if (with_transaction(a, care_in_transaction, &c, err) != 0)
        return -1;
    if (c.cert_changed)
        app_status_changed(a);
    if (out)
        *out = c.t;
    return 0;
}

/* ---- a revocation's effect on the token ---- */

int token_follow_revocation(app *a, const app_actor *actor, const char *cert_serial, ct_error *err)
{
    token_record t;
    token_state to;
    ct_error why = {0};
    char from[24];

    if (store_token_by_cert(a->db, cert_serial, &t, &why) != 0) {
        if (why.status == 404)
            return 0; /* a certificate made without a token */
        *err = why;
        return -1;
    }
    /* the move is the system's consequence of a revocation someone was allowed to make */
    if (token_custody_step(t.state, TOKEN_ACT_CERT_REVOKED, ROLE_SYSTEM, &to, &why) != 0)
        return 0;
    snprintf(from, sizeof from, "%s", t.state);
    snprintf(t.state, sizeof t.state, "%s", token_state_name(to));
    t.updated_at = app_now();
    if (store_token_update(a->db, &t, err) != 0)
        return -1;
    return audit_append(
        a, actor, "token.cert_revoked", t.serial,
        json_pack("{s:s, s:s, s:s}", "from", from, "to", t.state, "cert", cert_serial), err);
}
