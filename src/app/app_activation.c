/*
 * app_activation.c — whether the issuing CA's key may sign: activated under four eyes after
 * `ca import`, and never once the root has revoked it (docs/key-ceremony.md).
 *
 * An issuing CA brought back from a key ceremony is imported but not active: `ca import` leaves
 * ca/issuing.inactive (the imported certificate's SHA-256), and while that file is there no
 * subscriber certificate, issuing CRL or OCSP responder certificate is signed ("ca.not_active").
 * `ca activate` removes it, gated by [approvals] activate (default 2: a second CA administrator
 * or officer approves the first one's request, through app_approval.c). The mark is a file
 * beside the key's certificate rather than a row: it is the state of ca/issuing.crt, which is a
 * file too, and an instance made before activation existed has none and so stays active.
 * An instance that keeps its own root (`init`, `init --demo`) activates its key at init in the
 * one step that made it, and says so in its audit row.
 *
 * The root CRL installed last (ca import-crl) is read before each signing step: once it lists
 * the issuing CA's certificate, the key signs nothing more ("ca.issuing_revoked").
 */
#include "app/app_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pki/crl.h"

#define INACTIVE_FILE "ca/issuing.inactive"
/* the mark while an activation is being recorded: the key stays inactive until it is gone */
#define ACTIVATING_FILE "ca/issuing.activating"

static void mark_path(const app *a, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", app_cfg(a)->home, name);
}

static bool marked_inactive(const app *a)
{
    char path[CFG_PATH + 32];

    mark_path(a, INACTIVE_FILE, path, sizeof path);
    if (access(path, F_OK) == 0)
        return true;
    mark_path(a, ACTIVATING_FILE, path, sizeof path);
    return access(path, F_OK) == 0;
}

int ca_mark_inactive(app *a, const char *issuing_sha256, ct_error *err)
{
    char path[CFG_PATH + 32];

    mark_path(a, INACTIVE_FILE, path, sizeof path);
    return app_write_file_excl(path, issuing_sha256, strlen(issuing_sha256), 0600, err);
}

void ca_unmark(app *a)
{
    char path[CFG_PATH + 32];

    mark_path(a, INACTIVE_FILE, path, sizeof path);
    unlink(path);
    mark_path(a, ACTIVATING_FILE, path, sizeof path);
    unlink(path);
}

/* The issuing CA's serial as the root CRL lists it. */
static int issuing_serial(app *a, char out[80], ct_error *err)
{
    pki_cert_info info;

    if (pki_cert_info_read(a->issuing.cert_der, a->issuing.cert_len, &info, err) != 0)
        return -1;
    snprintf(out, 80, "%s", info.serial_hex);
    return 0;
}

int app_ca_issuing_revoked(app *a, int *reason, int64_t *crl_number, ct_error *err)
{
    crl_record rec;
    char serial[80];
    ct_error none = {0};
    int listed;

    if (issuing_serial(a, serial, err) != 0)
        return -1;
    if (store_crl_latest(a->db, "root", &rec, &none) != 0)
        return 0; /* no root CRL yet: nothing revoked */
    listed = crl_lists(rec.der, rec.der_len, serial, reason, NULL);
    if (crl_number)
        *crl_number = rec.number;
    crl_record_free(&rec);
    if (listed < 0)
        return ct_fail(err, 500, "crl.malformed", "CRL gốc đang dùng không đọc được",
                       "the root CRL in use cannot be read");
    return listed;
}

int issuing_usable(app *a, ct_error *err)
{
    int reason = 0, revoked;
    int64_t number = 0;

    if (marked_inactive(a))
        return ct_fail(err, 409, "ca.not_active",
                       "CA cấp phát đã được nhập nhưng chưa kích hoạt: chưa ký gì bằng khóa này "
                       "(`chungthu ca activate`, một cán bộ thứ hai phê duyệt)",
                       "the issuing CA was imported but is not active: nothing is signed with its "
                       "key until `chungthu ca activate` is approved by a second CA officer");
    revoked = app_ca_issuing_revoked(a, &reason, &number, err);
    if (revoked < 0)
        return -1;
    if (revoked)
        return ct_fail(err, 409, "ca.issuing_revoked",
                       "CA cấp phát đã bị CA gốc thu hồi (CRL gốc số %lld, lý do %s): không ký gì "
                       "bằng khóa này nữa",
                       "the issuing CA was revoked by the root (root CRL number %lld, reason %s): "
                       "its key signs nothing more",
                       (long long)number, crl_reason_name(reason));
    return 0;
}

/* ---- activation ---- */

static int check_inactive(app *a, void *ctx, ct_error *err)
{
    (void)ctx;
    if (!marked_inactive(a))
        return ct_fail(err, 409, "ca.already_active", "CA cấp phát đã được kích hoạt",
                       "the issuing CA is active already");
    return 0;
}

typedef struct {
    const app_actor *actor;
    const char *requested_by;
    const char *sha256;
} activation;

static int record_activation(app *a, void *ctx, ct_error *err)
{
    activation *act = ctx;

    return audit_append(
        a, act->actor, "ca.activate", "issuing",
        json_pack("{s:s, s:s}", "sha256", act->sha256, "requested_by", act->requested_by), err);
}

/* The mark is moved aside, the activation audited, and only then removed: a failure at any
 * point leaves the key inactive (the mark put back), never active without its audit row. */
static int activate(app *a, const app_actor *actor, const char *requested_by, const char *sha256,
                    ct_error *err)
{
    char inactive[CFG_PATH + 32], activating[CFG_PATH + 32];
    unsigned char *stated = NULL;
    size_t len;
    int rc;

    mark_path(a, INACTIVE_FILE, inactive, sizeof inactive);
    mark_path(a, ACTIVATING_FILE, activating, sizeof activating);
    if (app_read_file(inactive, &stated, &len, 256, err) != 0) {
        if (!marked_inactive(a))
            check_inactive(a, NULL, err); /* activated meanwhile: say that */
        return -1;
    }
    /* a request for one certificate does not activate another imported since */
    if (sha256 && strcmp((const char *)stated, sha256) != 0) {
        free(stated);
        return ct_fail(err, 409, "ca.activation_stale",
                       "yêu cầu kích hoạt dành cho một chứng thư CA cấp phát khác",
                       "the activation was requested for another issuing CA certificate");
    }
    if (rename(inactive, activating) != 0) {
        free(stated);
        return ct_fail(err, 500, "file.write", "không đổi được %s: %s", "cannot rename %s: %s",
                       inactive, strerror(errno));
    }
    rc = with_transaction(
        a, record_activation,
        &(activation){actor, requested_by ? requested_by : "", (const char *)stated}, err);
    free(stated);
    if (rc != 0) {
        rename(activating, inactive);
        return -1;
    }
    unlink(activating);
    app_status_changed(a);
    return 0;
}

int ca_activate_after_approval(app *a, const app_actor *actor, json_t *parameters, ct_error *err)
{
    return activate(a, actor, json_string_value(json_object_get(parameters, "requested_by")),
                    json_string_value(json_object_get(parameters, "sha256")), err);
}

int app_ca_activate_or_request(app *a, const app_actor *actor, approval_record *pending,
                               ct_error *err)
{
    pki_cert_info info;
    int rc;

    if (role_require(actor->role, ROLE_CA_ADMIN, "ca activate", err) != 0 ||
        check_inactive(a, NULL, err) != 0 ||
        pki_cert_info_read(a->issuing.cert_der, a->issuing.cert_len, &info, err) != 0)
        return -1;
    rc = approval_gate(a, actor, APPROVAL_ACTIVATE, "issuing",
                       json_pack("{s:s, s:s}", "sha256", info.sha256_hex, "requested_by",
                                 actor->name ? actor->name : ""),
                       check_inactive, NULL, pending, err);
    if (rc != 0)
        return rc;
    return activate(a, actor, actor->name, info.sha256_hex, err);
}
