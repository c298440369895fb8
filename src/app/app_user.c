/*
 * app_user.c — accounts, passwords and sessions for the online channel and the portal.
 *
 * Passwords are stored as Argon2id only (t=2, 19 MiB, one lane: the OWASP baseline). A session
 * token is 32 random bytes given to the client once; the database keeps its SHA-256, so a copy
 * of the database opens no session. Five wrong passwords lock a user name for fifteen minutes
 * from the address they came from (not everywhere: an attacker must not lock its owner out); a
 * wrong user name costs the same Argon2 work and the same audit row as a wrong password, so
 * neither the answer nor its timing tells which names exist. Changing a password ends the
 * account's other sessions; disabling an account ends them all.
 *
 * On the command line a person acts as an account too: the one their operating-system account
 * is mapped to (app_user_map_os), or the one they logged in as with `chungthu login`
 * (app_login_local, whose failures are counted from the audit trail, since each command is a
 * process of its own and the server's counters live in its process).
 */
#include "app/app_internal.h"

#include <argon2.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/text.h"

#define ARGON2_T 2
#define ARGON2_M_KIB 19456
#define ARGON2_LANES 1
#define SESSION_SECONDS (8 * 3600)

static int hash_password(const char *password, char *out, size_t size, ct_error *err)
{
    unsigned char salt[16];

    if (RAND_bytes(salt, sizeof salt) != 1 ||
        argon2id_hash_encoded(ARGON2_T, ARGON2_M_KIB, ARGON2_LANES, password, strlen(password),
                              salt, sizeof salt, 32, out, size) != ARGON2_OK)
        return ct_fail(err, 500, "auth.hash", "không băm được mật khẩu",
                       "cannot hash the password");
    return 0;
}

static bool password_matches(const char *encoded, const char *password)
{
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

static int check_password(const char *username, const char *password, ct_error *err)
{
    size_t n = password ? strlen(password) : 0;

    if (n < 10 || n > 256)
        return ct_fail(err, 400, "user.password_weak", "mật khẩu phải dài từ 10 đến 256 ký tự",
                       "the password must be 10 to 256 characters long");
    if (strcmp(password, username) == 0)
        return ct_fail(err, 400, "user.password_weak", "mật khẩu không được trùng tên đăng nhập",
                       "the password must not be the user name");
    return 0;
}

/* An OS login name as useradd takes it (and a little more: upper case): it goes into the audit
 * trail's source ("cli:NAME"), which must stay short and plain. */
static int check_os_user(const char *name, ct_error *err)
{
    size_t n = name ? strlen(name) : 0;

    if (n < 1 || n > 32 || name[0] == '-' ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
        return ct_fail(err, 400, "user.os_user_invalid",
                       "tên người dùng hệ điều hành gồm 1–32 ký tự A–Z, a–z, 0–9, '.', '_', '-'",
                       "an OS user name is 1–32 characters of A–Z, a–z, 0–9, '.', '_', '-'");
    return 0;
}

/* Inside the transaction: the OS account answers for no other account yet. */
static int os_user_free(app *a, const char *os_user, const char *username, ct_error *err)
{
    user_record other;

    if (os_user[0] == '\0' || store_user_get_by_os(a->db, os_user, &other, NULL) != 0 ||
        strcmp(other.username, username) == 0)
        return 0;
    return ct_fail(err, 409, "user.os_user_taken",
                   "người dùng hệ điều hành \"%s\" đã được gắn với tài khoản \"%s\"",
                   "the OS user \"%s\" already acts as the account \"%s\"", os_user,
                   other.username);
}

/* A change to an account, written with its audit row in one transaction. */
typedef struct {
    const app_actor *actor;
    user_record *u;
    const char *keep; /* password change: the session that made it, which goes on */
} user_change;

static int add_in_transaction(app *a, void *ctx, ct_error *err)
{
    user_change *c = ctx;

    json_t *detail;

    if (os_user_free(a, c->u->os_user, c->u->username, err) != 0 ||
        store_user_insert(a->db, c->u, err) != 0)
        return -1;
    detail = json_pack("{s:s, s:s, s:s}", "role", c->u->role, "agency", c->u->agency,
                       "display_name", c->u->display_name);
    if (c->u->os_user[0])
        json_object_set_new(detail, "os_user", json_string(c->u->os_user));
    return audit_append(a, c->actor, "user.add", c->u->username, detail, err);
}

/* Read inside the transaction, so that a disabling and a password change at once both stand. */
static int disable_in_transaction(app *a, void *ctx, ct_error *err)
{
    user_change *c = ctx;

    if (store_user_get(a->db, c->u->username, c->u, err) != 0)
        return -1;
    c->u->disabled = 1;
    c->u->updated_at = app_now();
    /* every session of the account ends with it (a later re-enabling opens none again) */
    if (store_user_update(a->db, c->u, err) != 0 ||
        store_session_delete_user(a->db, c->u->username, NULL, err) != 0)
        return -1;
    return audit_append(a, c->actor, "user.disable", c->u->username, json_object(), err);
}

int user_insert_in_transaction(app *a, const app_actor *actor, user_record *u, ct_error *err)
{
    return add_in_transaction(a, &(user_change){actor, u, NULL}, err);
}

int user_disable_in_transaction(app *a, const app_actor *actor, const char *username, ct_error *err)
{
    user_record u;

    snprintf(u.username, sizeof u.username, "%s", username);
    return disable_in_transaction(a, &(user_change){actor, &u, NULL}, err);
}

/* A request to add an account is refused at once when the name is taken. */
static int user_absent_in_transaction(app *a, void *ctx, ct_error *err)
{
    const user_record *u = ctx;
    user_record existing;

    if (store_user_get(a->db, u->username, &existing, NULL) == 0)
        return ct_fail(err, 409, "user.exists", "\"%s\" đã tồn tại", "\"%s\" already exists",
                       u->username);
    return 0;
}

static int user_present_in_transaction(app *a, void *ctx, ct_error *err)
{
    user_record u;

    return store_user_get(a->db, ctx, &u, err);
}

/* gated: four eyes applies (everyone but init's own demo accounts, made by the instance's
 * first administrator while the instance is being created). */
static int user_add(app *a, const app_actor *actor, const app_user_input *in, bool gated,
                    approval_record *pending, ct_error *err)
{
    user_record u;
    role r;
    int gate;
    size_t n = in->username ? strlen(in->username) : 0;

    if (role_require(actor->role, ROLE_CA_ADMIN, "user add", err) != 0)
        return -1;
    if (n < 3 || n > 32 || strspn(in->username, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
        return ct_fail(err, 400, "user.name_invalid",
                       "tên đăng nhập gồm 3–32 ký tự a–z, 0–9, '.', '_', '-'",
                       "a user name is 3–32 characters of a–z, 0–9, '.', '_', '-'");
    if (in->role == NULL || role_parse(in->role, &r, err) != 0 || r == ROLE_SYSTEM)
        return in->role && r == ROLE_SYSTEM
                   ? ct_fail(err, 400, "role.unknown", "vai trò không hợp lệ: \"%s\"",
                             "unknown role \"%s\"", in->role)
                   : (in->role ? -1
                               : ct_fail(err, 400, "role.unknown", "thiếu vai trò",
                                         "the role is missing"));
    memset(&u, 0, sizeof u);
    if ((r == ROLE_AGENCY_CLERK || r == ROLE_AGENCY_HEAD)) {
        agency_record ag;
        if (in->agency == NULL || store_agency_get(a->db, in->agency, &ag, err) != 0)
            return in->agency ? -1
                              : ct_fail(err, 400, "user.agency_missing",
                                        "tài khoản của cơ quan cần mã cơ quan (--agency)",
                                        "an agency account needs its agency (--agency)");
        snprintf(u.agency, sizeof u.agency, "%s", ag.code);
    }
    if (in->os_user && in->os_user[0]) {
        if (check_os_user(in->os_user, err) != 0)
            return -1;
        snprintf(u.os_user, sizeof u.os_user, "%s", in->os_user);
    }
    if (check_password(in->username, in->password, err) != 0 ||
        text_clean_field(in->display_name ? in->display_name : in->username, 64, "họ tên",
                         "display name", u.display_name, sizeof u.display_name, err) != 0 ||
        hash_password(in->password, u.password_hash, sizeof u.password_hash, err) != 0)
        return -1;
    snprintf(u.username, sizeof u.username, "%s", in->username);
    snprintf(u.role, sizeof u.role, "%s", role_name(r));
    u.created_at = u.updated_at = app_now();
    /* four eyes ([approvals] user): the account, its password as its hash only, waits */
    gate = !gated ? 0
                  : approval_gate(a, actor, APPROVAL_USER_ADD, u.username,
                                  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "username",
                                            u.username, "display_name", u.display_name, "role",
                                            u.role, "agency", u.agency, "os_user", u.os_user,
                                            "password_hash", u.password_hash),
                                  user_absent_in_transaction, &u, pending, err);
    if (gate != 0)
        return gate;
    return with_transaction(a, add_in_transaction, &(user_change){actor, &u, NULL}, err);
}

int app_user_add_or_request(app *a, const app_actor *actor, const app_user_input *in,
                            approval_record *pending, ct_error *err)
{
    return user_add(a, actor, in, true, pending, err);
}

int app_user_add(app *a, const app_actor *actor, const app_user_input *in, ct_error *err)
{
    return app_user_add_or_request(a, actor, in, NULL, err);
}

typedef struct {
    user_visit_fn visit;
    void *ctx;
} hide_ctx;

static int visit_without_hash(void *user, const user_record *rec)
{
    hide_ctx *h = user;
    user_record copy = *rec;

    memset(copy.password_hash, 0, sizeof copy.password_hash);
    return h->visit(h->ctx, &copy);
}

int app_user_list(app *a, const app_actor *actor, user_visit_fn visit, void *ctx, ct_error *err)
{
    hide_ctx h = {visit, ctx};

    if (role_require(actor->role, ROLE_CA_ADMIN | ROLE_AUDITOR, "user list", err) != 0)
        return -1;
    return store_user_list(a->db, visit_without_hash, &h, err);
}

int app_user_disable_or_request(app *a, const app_actor *actor, const char *username,
                                approval_record *pending, ct_error *err)
{
    user_record u;
    int gate;

    if (role_require(actor->role, ROLE_CA_ADMIN, "user disable", err) != 0 ||
        store_user_get(a->db, username, &u, err) != 0)
        return -1;
    gate = approval_gate(a, actor, APPROVAL_USER_DISABLE, u.username,
                         json_pack("{s:s}", "username", u.username), user_present_in_transaction,
                         u.username, pending, err);
    if (gate != 0)
        return gate;
    return with_transaction(a, disable_in_transaction, &(user_change){actor, &u, NULL}, err);
}

int app_user_disable(app *a, const app_actor *actor, const char *username, ct_error *err)
{
    return app_user_disable_or_request(a, actor, username, NULL, err);
}

/* ---- a role changed ---- */

typedef struct {
    const app_actor *actor;
    const char *username;
    const char *role;
    const char *agency; /* "" for a CA role */
} role_change;

static int count_admins(void *user, const user_record *u)
{
    if (!u->disabled && strcmp(u->role, role_name(ROLE_CA_ADMIN)) == 0)
        ++*(int *)user;
    return 0;
}

/* What the change would refuse, read in the transaction that makes it (or records it). */
static int role_change_possible(app *a, const role_change *c, user_record *u, ct_error *err)
{
    int admins = 0;

    if (store_user_get(a->db, c->username, u, err) != 0)
        return -1;
    if (u->disabled)
        return ct_fail(err, 409, "user.disabled", "tài khoản \"%s\" đã bị khóa",
                       "the account \"%s\" is disabled", u->username);
    if (strcmp(u->role, c->role) == 0 && strcmp(u->agency, c->agency) == 0)
        return ct_fail(err, 409, "user.same_role", "tài khoản \"%s\" đã có vai trò %s",
                       "the account \"%s\" already has the role %s", u->username, c->role);
    /* the instance keeps someone who can manage its accounts */
    if (strcmp(u->role, role_name(ROLE_CA_ADMIN)) == 0 &&
        strcmp(c->role, role_name(ROLE_CA_ADMIN)) != 0) {
        if (store_user_list(a->db, count_admins, &admins, err) != 0)
            return -1;
        if (admins <= 1)
            return ct_fail(err, 409, "user.last_admin",
                           "\"%s\" là quản trị viên cuối cùng: cần một quản trị viên khác trước",
                           "\"%s\" is the last CA administrator: make another one first",
                           u->username);
    }
    return 0;
}

static int role_possible_in_transaction(app *a, void *ctx, ct_error *err)
{
    user_record u;

    return role_change_possible(a, ctx, &u, err);
}

static int role_in_transaction(app *a, void *ctx, ct_error *err)
{
    role_change *c = ctx;
    user_record u;
    char before_role[sizeof u.role], before_agency[sizeof u.agency];

    if (role_change_possible(a, c, &u, err) != 0)
        return -1;
    snprintf(before_role, sizeof before_role, "%s", u.role);
    snprintf(before_agency, sizeof before_agency, "%s", u.agency);
    snprintf(u.role, sizeof u.role, "%s", c->role);
    snprintf(u.agency, sizeof u.agency, "%s", c->agency);
    u.updated_at = app_now();
    /* a session carries what its role allowed when it began: every one ends */
    if (store_user_update(a->db, &u, err) != 0 ||
        store_session_delete_user(a->db, u.username, NULL, err) != 0)
        return -1;
    return audit_append(a, c->actor, "user.role", u.username,
                        json_pack("{s:s, s:s, s:s, s:s}", "from", before_role, "to", u.role,
                                  "agency_before", before_agency, "agency", u.agency),
                        err);
}

int user_set_role_in_transaction(app *a, const app_actor *actor, const char *username,
                                 const char *new_role, const char *agency, ct_error *err)
{
    if (role_require(actor->role, ROLE_CA_ADMIN, "user set-role", err) != 0)
        return -1;
    return role_in_transaction(a, &(role_change){actor, username, new_role, agency}, err);
}

int app_user_set_role_or_request(app *a, const app_actor *actor, const char *username,
                                 const char *role_text, const char *agency,
                                 approval_record *pending, ct_error *err)
{
    role_change c = {actor, username ? username : "", NULL, ""};
    agency_record ag;
    role r;
    int gate;

    if (role_require(actor->role, ROLE_CA_ADMIN, "user set-role", err) != 0)
        return -1;
    if (role_text == NULL || role_text[0] == '\0')
        return ct_fail(err, 400, "role.unknown", "thiếu vai trò", "the role is missing");
    if (role_parse(role_text, &r, err) != 0)
        return -1;
    if (r == ROLE_SYSTEM)
        return ct_fail(err, 400, "role.unknown", "vai trò không hợp lệ: \"%s\"",
                       "unknown role \"%s\"", role_text);
    c.role = role_name(r);
    if (r == ROLE_AGENCY_CLERK || r == ROLE_AGENCY_HEAD) {
        if (agency == NULL || agency[0] == '\0')
            return ct_fail(err, 400, "user.agency_missing",
                           "tài khoản của cơ quan cần mã cơ quan (--agency)",
                           "an agency account needs its agency (--agency)");
        if (store_agency_get(a->db, agency, &ag, err) != 0)
            return -1;
        c.agency = ag.code;
    } else if (agency && agency[0]) {
        return ct_fail(err, 400, "user.agency_unexpected",
                       "chỉ tài khoản của cơ quan mới có mã cơ quan",
                       "only an agency account has an agency");
    }
    gate = approval_gate(
        a, actor, APPROVAL_USER_ROLE, c.username,
        json_pack("{s:s, s:s, s:s}", "username", c.username, "role", c.role, "agency", c.agency),
        role_possible_in_transaction, &c, pending, err);
    if (gate != 0)
        return gate;
    return with_transaction(a, role_in_transaction, &c, err);
}

int app_user_set_role(app *a, const app_actor *actor, const char *username, const char *new_role,
                      const char *agency, ct_error *err)
{
    return app_user_set_role_or_request(a, actor, username, new_role, agency, NULL, err);
}

typedef struct {
    const app_actor *actor;
    const char *username;
    const char *os_user;
} os_map;

static int map_in_transaction(app *a, void *ctx, ct_error *err)
{
    os_map *m = ctx;
    user_record u;
    char before[sizeof u.os_user];

    if (store_user_get(a->db, m->username, &u, err) != 0 ||
        os_user_free(a, m->os_user, u.username, err) != 0)
        return -1;
    snprintf(before, sizeof before, "%s", u.os_user);
    snprintf(u.os_user, sizeof u.os_user, "%s", m->os_user);
    u.updated_at = app_now();
    if (store_user_update(a->db, &u, err) != 0)
        return -1;
    return audit_append(a, m->actor, "user.map_os", u.username,
                        json_pack("{s:s, s:s}", "os_user", u.os_user, "before", before), err);
}

int app_user_map_os(app *a, const app_actor *actor, const char *username, const char *os_user,
                    ct_error *err)
{
    os_map m = {actor, username, os_user ? os_user : ""};

    if (role_require(actor->role, ROLE_CA_ADMIN, "user map-os", err) != 0 ||
        (m.os_user[0] && check_os_user(m.os_user, err) != 0))
        return -1;
    return with_transaction(a, map_in_transaction, &m, err);
}

static void fill_session(app_session *out, const user_record *u, int64_t expires);

int app_os_account(app *a, const char *os_user, app_session *out, ct_error *err)
{
    user_record u;

    memset(out, 0, sizeof *out);
    if (check_os_user(os_user, err) != 0)
        return -1;
    if (store_user_get_by_os(a->db, os_user, &u, NULL) != 0)
        return ct_fail(err, 404, "user.os_unmapped",
                       "người dùng hệ điều hành \"%s\" chưa được gắn với tài khoản nào",
                       "the OS user \"%s\" acts as no account", os_user);
    if (u.disabled)
        return ct_fail(err, 403, "auth.disabled", "tài khoản \"%s\" đã bị khóa",
                       "the account \"%s\" is disabled", u.username);
    fill_session(out, &u, 0);
    return 0;
}

static void token_hash(const char *token, char out[65])
{
    unsigned char md[32];

    EVP_Digest(token, strlen(token), md, NULL, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void fill_session(app_session *out, const user_record *u, int64_t expires)
{
    snprintf(out->username, sizeof out->username, "%s", u->username);
    snprintf(out->display_name, sizeof out->display_name, "%s", u->display_name);
    snprintf(out->agency, sizeof out->agency, "%s", u->agency);
    if (role_parse(u->role, &out->role, NULL) != 0)
        out->role = ROLE_NONE;
    out->expires_at = expires;
}

/* A login attempt's audit row, in its own transaction: for a wrong password and for an unknown
 * name alike (the same work, so the answer's timing does not tell them apart), and for a
 * success. object is the account's name, or the name as typed when it looks like one. */
typedef struct {
    const app_actor *who;
    bool ok;
    int failures;
} attempt_row;

static int attempt_in_transaction(app *a, void *ctx, ct_error *err)
{
    attempt_row *row = ctx;

    return audit_append(a, row->who, row->ok ? "auth.login" : "auth.login_failed", row->who->name,
                        json_pack("{s:I}", "failures", (json_int_t)row->failures), err);
}

static void record_attempt(app *a, const char *object, const char *role_text, const char *source,
                           bool ok, int failures)
{
    app_actor who = {object, ROLE_NONE, source, NULL};
    ct_error ignored = {0};

    attempt_row row = {&who, ok, failures};

    if (role_text)
        role_parse(role_text, &who.role, NULL);
    with_transaction(a, attempt_in_transaction, &row, &ignored);
}

/* A real Argon2id hash (same parameters as every account's) of a random password, verified for
 * unknown names so that they cost what a wrong password costs. */
static char decoy[160];
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

static void make_decoy(void)
{
    unsigned char r[16];
    char password[33];

    RAND_bytes(r, sizeof r);
    for (int i = 0; i < 16; i++)
        snprintf(password + 2 * i, 3, "%02x", r[i]);
    hash_password(password, decoy, sizeof decoy, NULL);
}

static bool name_shaped(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    return n >= 3 && n <= 32 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* One answer for a wrong password, an unknown name and a name locked from this address: the
 * caller cannot learn which names exist. */
static int login_refused(ct_error *err)
{
    return ct_fail(err, 401, "auth.failed",
                   "sai tên đăng nhập hoặc mật khẩu (sau 5 lần sai, tên này bị khóa 15 phút từ "
                   "địa chỉ của bạn)",
                   "wrong user name or password (after 5 failures, this name is locked for 15 "
                   "minutes from your address)");
}

/*
 * Two limits guard the password check (app_limit.c), each reserved BEFORE the Argon2 work so
 * that parallel guesses cannot all be checked before any is counted:
 *  - per address (LIMIT_LOGIN_ADDRESS, 20 in 10 minutes): stops one password tried on many
 *    names; answered 429 auth.rate_limited with Retry-After, whatever the name;
 *  - per user name and address (LIMIT_LOGIN_PAIR, 5 in 15 minutes): stops guessing one
 *    account's password, yet leaves its owner free to log in from their own address. Names that
 *    do not exist are counted the same way, and a locked pair gets the same answer as a wrong
 *    password.
 * A success gives its address use back and clears its pair. (The pair's key puts the address
 * first: a name typed too long to keep whole is cut, never the address.)
 */
/* How an attempt is counted: by the process's limits (the server), or from the audit trail
 * (the command line, where each attempt is a process of its own). */
typedef struct {
    bool local;
    int64_t prior; /* local: the failures already counted */
} login_count;

/* Check the password and open the session; the attempt was already let through the limits. */
static int login_check(app *a, const char *username, const char *password, const char *source,
                       const login_count *count, app_session *out, ct_error *err)
{
    user_record u;
    session_record s;
    unsigned char raw[32];
    int64_t now = app_now();
    const char *name = username ? username : "";
    bool known = username && password && store_user_get(a->db, username, &u, NULL) == 0;

    if (!known || !password_matches(u.password_hash, password)) {
        const char *object = known ? u.username : (name_shaped(name) ? name : "?");
        if (!known)
            password_matches(decoy, password ? password : "");
        record_attempt(a, object, known ? u.role : NULL, source, false,
                       count->local ? (int)count->prior + 1
                                    : limit_count(a, LIMIT_LOGIN_PAIR, source, name));
        return login_refused(err);
    }
    if (!count->local) {
        limit_clear(a, LIMIT_LOGIN_PAIR, source, name);
        limit_give_back(a, LIMIT_LOGIN_ADDRESS, source, NULL);
    }
    if (u.disabled)
        return ct_fail(err, 403, "auth.disabled", "tài khoản đã bị khóa",
                       "this account is disabled");
    if (RAND_bytes(raw, sizeof raw) != 1)
        return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
    for (int i = 0; i < 32; i++)
        snprintf(out->token + 2 * i, 3, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof raw);
    memset(&s, 0, sizeof s);
    token_hash(out->token, s.token_hash);
    snprintf(s.username, sizeof s.username, "%s", u.username);
    s.created_at = now;
    s.expires_at = now + SESSION_SECONDS;
    if (store_session_insert(a->db, &s, err) != 0)
        return -1;
    record_attempt(a, u.username, u.role, source, true, 0);
    fill_session(out, &u, s.expires_at);
    return 0;
}

int app_login(app *a, const char *username, const char *password, const char *source,
              app_session *out, ct_error *err)
{
    int64_t wait;
    const char *name = username ? username : "";
    login_count count = {false, 0};

    memset(out, 0, sizeof *out);
    source = source ? source : "";
    pthread_once(&decoy_once, make_decoy);
    if (limit_take(a, LIMIT_LOGIN_ADDRESS, source, NULL, &wait) != 0)
        return limit_fail(err, "auth.rate_limited", wait,
                          "quá nhiều lần đăng nhập sai từ địa chỉ này",
                          "too many failed logins from this address");
    if (limit_take(a, LIMIT_LOGIN_PAIR, source, name, &wait) != 0)
        return login_refused(err);
    return login_check(a, username, password, source, &count, out, err);
}

/* The pair's limit as the server applies it (LIMIT_LOGIN_PAIR), over the audit trail: this many
 * failures in this many seconds lock a name from an OS account. */
#define LOCAL_LOGIN_MAX 5
#define LOCAL_LOGIN_WINDOW 900

int app_login_local(app *a, const char *username, const char *password, const char *os_user,
                    app_session *out, ct_error *err)
{
    char source[64];
    const char *name = username ? username : "";
    login_count count = {true, 0};

    memset(out, 0, sizeof *out);
    if (check_os_user(os_user, err) != 0)
        return -1;
    snprintf(source, sizeof source, "cli:%s", os_user);
    pthread_once(&decoy_once, make_decoy);
    if (store_login_failures(a->db, source, name_shaped(name) ? name : "?",
                             app_now() - LOCAL_LOGIN_WINDOW, &count.prior, err) != 0)
        return -1;
    if (count.prior >= LOCAL_LOGIN_MAX)
        return login_refused(err);
    return login_check(a, username, password, source, &count, out, err);
}

int app_session_resolve(app *a, const char *token, app_session *out, ct_error *err)
{
    session_record s;
    user_record u;
    char hash[65];
    char keep[65];

    memset(out, 0, sizeof *out);
    if (token == NULL || strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
        return ct_fail(err, 401, "session.invalid", "phiên đăng nhập không hợp lệ",
                       "no valid session");
    token_hash(token, hash);
    if (store_session_get(a->db, hash, &s, NULL) != 0 || s.expires_at <= app_now() ||
        store_user_get(a->db, s.username, &u, NULL) != 0 || u.disabled)
        return ct_fail(err, 401, "session.invalid",
                       "phiên đăng nhập không hợp lệ hoặc đã hết hạn: đăng nhập lại",
                       "the session is invalid or expired: log in again");
    snprintf(keep, sizeof keep, "%s", token);
    fill_session(out, &u, s.expires_at);
    snprintf(out->token, sizeof out->token, "%s", keep);
    return 0;
}

int app_logout(app *a, const char *token, ct_error *err)
{
    char hash[65];
    app_session s;

    if (app_session_resolve(a, token, &s, err) != 0)
        return -1;
    token_hash(token, hash);
    return store_session_delete(a->db, hash, err);
}

typedef struct {
    const app_actor *actor;
    const char *username;
    char verified[160]; /* the hash the old password was checked against */
    char new_hash[160];
    char keep[65];
} password_change;

/* The hashing is done before (Argon2 takes tens of milliseconds); here the account is read
 * again and changed only if its password is still the one the old password was checked
 * against, so that two changes at once cannot both stand on one old password. */
static int password_in_transaction(app *a, void *ctx, ct_error *err)
{
    password_change *c = ctx;
    user_record u;

    if (store_user_get(a->db, c->username, &u, err) != 0)
        return -1;
    if (strcmp(u.password_hash, c->verified) != 0)
        return ct_fail(err, 409, "user.changed", "mật khẩu vừa được đổi ở một phiên khác",
                       "the password has just been changed in another session");
    if (u.disabled)
        return ct_fail(err, 403, "auth.disabled", "tài khoản đã bị khóa",
                       "the account is disabled");
    snprintf(u.password_hash, sizeof u.password_hash, "%s", c->new_hash);
    u.updated_at = app_now();
    /* The other sessions end: whoever knew the old password (and logged in with it) is out,
     * and only the session that changed it goes on. */
    if (store_user_update(a->db, &u, err) != 0 ||
        store_session_delete_user(a->db, u.username, c->keep, err) != 0)
        return -1;
    return audit_append(a, c->actor, "user.password", u.username, json_object(), err);
}

int app_password_change(app *a, const app_session *s, const char *old_password,
                        const char *new_password, ct_error *err)
{
    user_record u;
    app_actor actor = app_session_actor(s, "session");
    password_change change = {.actor = &actor, .username = s->username};

    if (store_user_get(a->db, s->username, &u, err) != 0)
        return -1;
    token_hash(s->token, change.keep);
    if (!password_matches(u.password_hash, old_password ? old_password : ""))
        return ct_fail(err, 403, "auth.failed", "mật khẩu hiện tại không đúng",
                       "the current password is wrong");
    snprintf(change.verified, sizeof change.verified, "%s", u.password_hash);
    if (check_password(u.username, new_password, err) != 0 ||
        hash_password(new_password, change.new_hash, sizeof change.new_hash, err) != 0)
        return -1;
    return with_transaction(a, password_in_transaction, &change, err);
}

app_actor app_session_actor(const app_session *s, const char *source)
{
    app_actor actor = {s->username, s->role, source, s->agency[0] ? s->agency : NULL};

    return actor;
}

/* `init --demo`: a demo ministry with one unit, and one account per role with a random
 * password, listed in demo-accounts.txt (0600) for the person trying the demo. */
int users_create_demo(app *a, const app_actor *actor, ct_error *err)
{
    static const struct {
        const char *username, *name, *role, *agency;
    } accounts[] = {
        {"quantri", "Quản trị hệ thống", "ca_admin", NULL},
        {"canbo", "Cán bộ Cục Chứng thực số", "ca_officer", NULL},
        {"kiemtoan", "Kiểm toán viên", "auditor", NULL},
        {"vanthu", "Văn thư Vụ Pháp chế", "agency_clerk", "BKHCN.VPC"},
        {"thutruong", "Phạm Thị Lan", "agency_head", "BKHCN.VPC"},
    };
    /* the ministry took over mic.gov.vn's staff in 2025: both domains are official */
    app_agency_input ministry = {.code = "BKHCN",
                                 .name = "Bộ Khoa học và Công nghệ",
                                 .province = "Hà Nội",
                                 .head_name = "Nguyễn Mạnh Hùng",
                                 .head_title = "Bộ trưởng",
                                 .kind = "state",
                                 .email_domains = "most.gov.vn, mic.gov.vn"};
    app_agency_input unit = {.code = "BKHCN.VPC",
                             .name = "Vụ Pháp chế",
                             .parent = "BKHCN",
                             .province = "Hà Nội",
                             .head_name = "Phạm Thị Lan",
                             .head_title = "Vụ trưởng",
                             .kind = "state",
                             .email_domains = "most.gov.vn, mic.gov.vn"};
    app_actor admin = *actor;
    char path[CFG_PATH + 32];
    FILE *f;
    int fd;

    admin.role = ROLE_CA_ADMIN;
    if (app_agency_add(a, &admin, &ministry, NULL, err) != 0 ||
        app_agency_add(a, &admin, &unit, NULL, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/demo-accounts.txt", app_cfg(a)->home);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL)
        return ct_fail(err, 500, "file.write", "không tạo được %s", "cannot create %s", path);
    fprintf(f, "# Tài khoản thử nghiệm / demo accounts (portal: /portal/)\n");
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
        char password[24];
        unsigned char r[16];
        app_user_input in = {accounts[i].username, accounts[i].name, accounts[i].role,
                             accounts[i].agency,   password,         NULL};
        if (RAND_bytes(r, sizeof r) != 1) {
            fclose(f);
            return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
        }
        for (size_t k = 0; k < 16; k++)
            password[k] = "abcdefghjkmnpqrstuvwxyz23456789"[r[k] % 31];
        password[16] = '\0';
        if (user_add(a, &admin, &in, false, NULL, err) != 0) {
            fclose(f);
            return -1;
        }
        fprintf(f, "%-10s %-13s %s\n", accounts[i].username, accounts[i].role, password);
    }
    return fclose(f) == 0
               ? 0
               : ct_fail(err, 500, "file.write", "không ghi được %s", "cannot write %s", path);
}
