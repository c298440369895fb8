/*
 * test_store.c — the storage interface on each backend: the same cases, the same answers and
 * error codes on SQLite and on PostgreSQL.
 *
 * Run plainly, it tests SQLite (a file in a temporary directory) and checks that both backend
 * tables are complete (an op left NULL in a port fails here, before any server is asked). With
 * CT_BACKEND=postgresql and CT_DATABASE_URL (tests/with-postgresql.sh, the unit_test_store_pg
 * case), it runs the same cases on that database. The last case is two "nodes" (two handles on
 * one database) writing at once: the day's dossier numbers and the audit chain stay single.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "core/token_custody.h"
#include "store/store_backend.h"

static char target[600]; /* the database: a file path or a URL */
static char dir[64];
static store *s;

static void ops_complete(const store_backend *b)
{
    const unsigned char *p = (const unsigned char *)b;

    assert_non_null(b->name);
    for (size_t at = offsetof(store_backend, close); at + sizeof(void (*)(void)) <= sizeof *b;
         at += sizeof(void (*)(void))) {
        void (*fn)(void);
        memcpy(&fn, p + at, sizeof fn);
        if (fn == NULL)
            fail_msg("backend %s: the op at offset %zu is missing", b->name, at);
    }
}

static void backends_complete(void **state)
{
    (void)state;
    ops_complete(&store_sqlite_backend);
    ops_complete(&store_pg_backend);
}

static void schema_current(void **state)
{
    (void)state;
    assert_int_equal(store_schema_version(s), store_schema_latest(s));
    /* a migration added to one backend is added to the other, under the same number */
    assert_int_equal(store_sqlite_backend.schema_latest(NULL),
                     store_pg_backend.schema_latest(NULL));
    assert_string_equal(store_backend_name(s), store_is_url(target) ? "postgresql" : "sqlite");
}

static void make_cert(cert_record *c, const char *serial, const char *status, const char *key,
                      int64_t effective_at)
{
    static unsigned char der[] = {0x30, 0x00, 0x01, 0x02, 0xff};

    memset(c, 0, sizeof *c);
    snprintf(c->serial, sizeof c->serial, "%s", serial);
    snprintf(c->kind, sizeof c->kind, "subscriber");
    snprintf(c->issuer, sizeof c->issuer, "issuing");
    snprintf(c->status, sizeof c->status, "%s", status);
    snprintf(c->subject, sizeof c->subject, "CN=%s", key);
    snprintf(c->common_name, sizeof c->common_name, "%s", key);
    snprintf(c->search_key, sizeof c->search_key, "%s", key);
    snprintf(c->sha256, sizeof c->sha256, "%064d", 0);
    c->not_before = 1000;
    c->not_after = 4000000000;
    c->created_at = 1000;
    c->effective_at = effective_at;
    c->revocation_reason = -1;
    c->der = der;
    c->der_len = sizeof der;
}

static void certificates(void **state)
{
    cert_record c, got;
    ct_error err;
    int64_t before, after, count;

    (void)state;
    assert_int_equal(store_cert_changes(s, 0, NULL, NULL, &before, &err), 0);
    make_cert(&c, "A1", "hold", "nguyen van a", 0);
    assert_int_equal(store_cert_insert(s, &c, &err), 0);
    assert_int_equal(store_cert_insert(s, &c, &err), -1);
    assert_string_equal(err.code, "cert.serial_duplicate");
    assert_int_equal(store_cert_get(s, "A1", &got, &err), 0);
    assert_string_equal(got.common_name, "nguyen van a");
    assert_int_equal(got.der_len, 5);
    assert_memory_equal(got.der, c.der, 5); /* a NUL byte inside survives */
    assert_int_equal(got.revocation_reason, -1);
    cert_record_free(&got);
    assert_int_equal(store_cert_get(s, "NOPE", &got, &err), -1);
    assert_string_equal(err.code, "cert.not_found");

    /* the status table: hold → active; back to hold only once published (a suspension, its
     * resumption hold → active again); a revoked certificate stays revoked */
    assert_int_equal(store_cert_set_status(s, "A1", "hold", "active", 2000, 0, -1, &err), 0);
    assert_int_equal(store_cert_set_status(s, "A1", "hold", "active", 2000, 0, -1, &err), -1);
    assert_string_equal(err.code, "cert.status_changed");
    assert_int_equal(store_cert_set_status(s, "A1", "active", "hold", 2000, 0, -1, &err), 0);
    assert_int_equal(store_cert_set_status(s, "A1", "hold", "active", 2000, 0, -1, &err), 0);
    make_cert(&c, "A0", "hold", "never published", 0);
    assert_int_equal(store_cert_insert(s, &c, &err), 0);
    assert_int_equal(store_cert_set_status(s, "A0", "hold", "active", 0, 0, -1, &err), 0);
    assert_int_equal(store_cert_set_status(s, "A0", "active", "hold", 0, 0, -1, &err), -1);
    assert_string_equal(err.code, "cert.status"); /* the store's own guard: never published */
    assert_int_equal(store_cert_set_status(s, "A1", "active", "revoked", 2000, 3000, 1, &err), 0);
    assert_int_equal(store_cert_set_status(s, "A1", "revoked", "active", 2000, 0, -1, &err), -1);
    assert_string_equal(err.code, "cert.status"); /* the store's own guard */
    assert_int_equal(store_cert_set_status(s, "A1", "active", "expired", 2000, 0, -1, &err), -1);
    assert_string_equal(err.code, "cert.revoked");
    assert_int_equal(store_cert_get(s, "A1", &got, &err), 0);
    assert_string_equal(got.status, "revoked");
    assert_int_equal(got.revoked_at, 3000);
    cert_record_free(&got);
    assert_int_equal(store_cert_changes(s, before, NULL, NULL, &after, &err), 0);
    assert_true(after >= before + 3); /* the insert and two changes */

    cert_filter f = {.status = "revoked", .query = "van"};
    assert_int_equal(store_cert_count(s, &f, &count, &err), 0);
    assert_int_equal(count, 1);
    f.query = "zzz";
    assert_int_equal(store_cert_count(s, &f, &count, &err), 0);
    assert_int_equal(count, 0);
}

typedef struct found {
    char serials[16][41];
    int n;
} found;

static int collect(void *ctx, const cert_record *rec)
{
    found *f = ctx;

    if (f->n < 16)
        snprintf(f->serials[f->n++], 41, "%s", rec->serial);
    return 0;
}

static found search(const char *q, int64_t limit, int64_t offset, bool *more)
{
    found f = {0};
    ct_error err;
    bool m;

    assert_int_equal(
        store_directory_search(s, q, limit, offset, collect, &f, more ? more : &m, &err), 0);
    return f;
}

static void directory(void **state)
{
    static const char *const keys[] = {
        "nguyen thi thu ha bo tu phap ha noi",
        "tran thu ha so y te",
        "nguyen thi mai bo tai chinh",
        "le van nguyen ha tinh",
    };
    cert_record c;
    ct_error err;
    char serial[8];
    bool more;
    found f;

    (void)state;
    for (int i = 0; i < 4; i++) {
        snprintf(serial, sizeof serial, "D%d", i);
        make_cert(&c, serial, "hold", keys[i], 0);
        assert_int_equal(store_cert_insert(s, &c, &err), 0);
        /* published: it enters the directory */
        assert_int_equal(store_cert_set_status(s, serial, "hold", "active", 5000 + i, 0, -1, &err),
                         0);
    }
    make_cert(&c, "D9", "active", "nguyen thi thu ha hidden", 0); /* never published */
    assert_int_equal(store_cert_insert(s, &c, &err), 0);

    f = search("nguyen thi thu ha", 10, 0, &more); /* the pairs, in order */
    assert_int_equal(f.n, 1);
    assert_string_equal(f.serials[0], "D0");
    f = search("thu ha", 10, 0, NULL); /* newest publication first */
    assert_int_equal(f.n, 2);
    assert_string_equal(f.serials[0], "D1");
    assert_string_equal(f.serials[1], "D0");
    f = search("ha nguyen", 10, 0, NULL); /* no pair: every word, any order */
    assert_int_equal(f.n, 2);
    assert_string_equal(f.serials[0], "D3");
    assert_string_equal(f.serials[1], "D0");
    f = search("nguyen thi ha noi", 10, 0, NULL); /* one pair kept, the other words anywhere */
    assert_int_equal(f.n, 1);
    assert_string_equal(f.serials[0], "D0");
    f = search("nguy", 10, 0, NULL); /* a word still being typed (A1 was published above) */
    assert_int_equal(f.n, 4);
    f = search("tai chinh", 10, 0, NULL);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.serials[0], "D2");
    f = search("khong co", 10, 0, NULL);
    assert_int_equal(f.n, 0);
    f = search("nguy", 2, 0, &more); /* pages */
    assert_int_equal(f.n, 2);
    assert_true(more);
    f = search("nguy", 2, 2, &more);
    assert_int_equal(f.n, 2);
    assert_false(more);
    assert_string_equal(f.serials[1], "A1");
    f = search("", 10, 0, NULL); /* the whole directory */
    assert_int_equal(f.n, 5);
    assert_int_equal(store_directory_merge(s, false, &more, &err), 0);
    f = search("thu ha", 10, 0, NULL);
    assert_int_equal(f.n, 2);
}

static void make_agency(agency_record *a, const char *code)
{
    memset(a, 0, sizeof *a);
    snprintf(a->code, sizeof a->code, "%s", code);
    snprintf(a->name, sizeof a->name, "Bộ %s", code);
    snprintf(a->province, sizeof a->province, "Hà Nội");
    snprintf(a->head_name, sizeof a->head_name, "Nguyễn Văn A");
    snprintf(a->head_title, sizeof a->head_title, "Bộ trưởng");
    snprintf(a->kind, sizeof a->kind, "state");
    a->created_at = 1;
}

static void transactions(void **state)
{
    agency_record a, got;
    ct_error err;

    (void)state;
    /* rolled back: nothing stays */
    make_agency(&a, "TX1");
    assert_int_equal(store_begin(s, &err), 0);
    assert_int_equal(store_begin(s, &err), -1);
    assert_string_equal(err.code, "store.nested");
    assert_int_equal(store_agency_insert(s, &a, &err), 0);
    assert_int_equal(store_agency_get(s, "TX1", &got, &err), 0); /* its own write, seen */
    store_rollback(s);
    assert_int_equal(store_agency_get(s, "TX1", &got, &err), -1);
    assert_string_equal(err.code, "agency.not_found");

    /* a refused write inside a transaction leaves the transaction usable */
    assert_int_equal(store_begin(s, &err), 0);
    assert_int_equal(store_agency_insert(s, &a, &err), 0);
    assert_int_equal(store_agency_insert(s, &a, &err), -1);
    assert_string_equal(err.code, "agency.exists");
    make_agency(&a, "TX2");
    assert_int_equal(store_agency_insert(s, &a, &err), 0);
    assert_int_equal(store_commit(s, &err), 0);
    assert_int_equal(store_agency_get(s, "TX1", &got, &err), 0);
    assert_int_equal(store_agency_get(s, "TX2", &got, &err), 0);
    assert_string_equal(got.name, "Bộ TX2");
    snprintf(got.phone, sizeof got.phone, "024 1234");
    assert_int_equal(store_agency_update(s, &got, &err), 0);
    assert_int_equal(store_agency_get(s, "TX2", &got, &err), 0);
    assert_string_equal(got.phone, "024 1234");
    make_agency(&a, "TX-NONE");
    assert_int_equal(store_agency_update(s, &a, &err), -1);
    assert_string_equal(err.code, "agency.not_found");
    assert_int_equal(store_commit(s, &err), -1);
    assert_string_equal(err.code, "store.no_transaction");
}

static void records(void **state)
{
    static const unsigned char list[] = {'a', 0, 'b', 0xfe};
    draft_record d = {0}, dg;
    approval_record ap = {0}, ap2;
    outbox_record m = {0}, mg;
    claim_record cl = {0}, cg;
    agency_record a;
    ct_error err;
    unsigned char *data;
    size_t len;
    bool inserted;
    int64_t id;

    (void)state;
    make_agency(&a, "REC");
    assert_int_equal(store_agency_insert(s, &a, &err), 0);
    snprintf(d.agency, sizeof d.agency, "REC");
    snprintf(d.state, sizeof d.state, "open");
    snprintf(d.created_by, sizeof d.created_by, "clerk");
    assert_int_equal(store_draft_insert(s, &d, &err), 0);
    assert_true(d.id > 0);
    assert_int_equal(store_draft_get_document(s, d.id, DRAFT_LIST, &data, &len, &err), -1);
    assert_string_equal(err.code, "draft.no_document");
    assert_int_equal(store_draft_put_document(s, d.id, DRAFT_LIST, list, sizeof list, &err), 0);
    assert_int_equal(store_draft_get_document(s, d.id, DRAFT_LIST, &data, &len, &err), 0);
    assert_int_equal(len, sizeof list);
    assert_memory_equal(data, list, sizeof list);
    free(data);
    assert_int_equal(store_draft_get(s, d.id, &dg, &err), 0);
    assert_string_equal(dg.created_by, "clerk");
    assert_int_equal(store_draft_delete(s, d.id, &err), 0);
    assert_int_equal(store_draft_delete(s, d.id, &err), -1);
    assert_string_equal(err.code, "draft.not_found");

    /* four eyes: one pending request per action and object */
    snprintf(ap.action, sizeof ap.action, "revoke");
    snprintf(ap.object, sizeof ap.object, "A1");
    snprintf(ap.parameters, sizeof ap.parameters, "{}");
    snprintf(ap.requested_by, sizeof ap.requested_by, "officer");
    snprintf(ap.state, sizeof ap.state, "pending");
    ap2 = ap;
    assert_int_equal(store_approval_insert(s, &ap, &err), 0);
    assert_int_equal(store_approval_insert(s, &ap2, &err), -1);
    assert_string_equal(err.code, "approval.exists");
    assert_int_equal(store_approval_get(s, ap.id + 1, &ap2, &err), -1);
    assert_string_equal(err.code, "approval.not_found");

    /* claims name their holder */
    snprintf(cl.object, sizeof cl.object, "token:1");
    snprintf(cl.holder, sizeof cl.holder, "node-a");
    assert_int_equal(store_claim_insert(s, &cl, &err), 0);
    assert_int_equal(store_claim_insert(s, &cl, &err), -1);
    assert_string_equal(err.code, "claim.taken");
    assert_int_equal(store_claim_delete(s, "token:1", "node-b", &err), 0);
    assert_int_equal(store_claim_get(s, "token:1", &cg, &err), 0);
    assert_string_equal(cg.holder, "node-a");
    assert_int_equal(store_claim_delete(s, "token:1", NULL, &err), 0);
    assert_int_equal(store_claim_get(s, "token:1", &cg, &err), -1);
    assert_string_equal(err.code, "claim.not_found");

    /* the outbox and the expiry notices */
    assert_int_equal(store_outbox_next_id(s, &id, &err), 0);
    m.id = id;
    snprintf(m.message_id, sizeof m.message_id, "<outbox-%lld@test>", (long long)id);
    snprintf(m.kind, sizeof m.kind, "test");
    snprintf(m.recipients, sizeof m.recipients, "a@example.vn");
    snprintf(m.subject, sizeof m.subject, "Thư thử");
    snprintf(m.state, sizeof m.state, "queued");
    m.body_text = "nội dung";
    m.body_html = "<p>nội dung</p>";
    assert_int_equal(store_outbox_insert(s, &m, &err), 0);
    assert_int_equal(store_outbox_insert(s, &m, &err), -1);
    assert_string_equal(err.code, "mail.exists");
    assert_int_equal(store_outbox_get(s, id, &mg, &err), 0);
    assert_string_equal(mg.body_text, "nội dung");
    outbox_record_free(&mg);
    assert_int_equal(store_expiry_notice_insert(s, "A1", 30, id, 1, &inserted, &err), 0);
    assert_true(inserted);
    assert_int_equal(store_expiry_notice_insert(s, "A1", 30, id, 2, &inserted, &err), 0);
    assert_false(inserted);
}

/* ---- dossier kinds and token care ---- */

static void make_dossier(dossier_record *d, const char *code, const char *agency, int64_t seq,
                         const char *kind)
{
    memset(d, 0, sizeof *d);
    snprintf(d->code, sizeof d->code, "%s", code);
    snprintf(d->agency, sizeof d->agency, "%s", agency);
    snprintf(d->channel, sizeof d->channel, "direct");
    snprintf(d->state, sizeof d->state, "received");
    snprintf(d->day, sizeof d->day, "261204");
    d->seq = seq;
    snprintf(d->created_by, sizeof d->created_by, "clerk");
    snprintf(d->kind, sizeof d->kind, "%s", kind);
}

static void make_applicant(applicant_record *p, const char *dossier, int64_t n,
                           const char *cert_serial)
{
    memset(p, 0, sizeof *p);
    snprintf(p->dossier, sizeof p->dossier, "%s", dossier);
    p->n = n;
    snprintf(p->full_name, sizeof p->full_name, "Người %lld", (long long)n);
    snprintf(p->category, sizeof p->category, "cong_chuc");
    snprintf(p->state, sizeof p->state, "received");
    snprintf(p->cert_serial, sizeof p->cert_serial, "%s", cert_serial);
}

static int count_holder(void *ctx, const applicant_record *p)
{
    char *serials = ctx;

    strcat(serials, p->cert_serial);
    strcat(serials, ";");
    return 0;
}

static void kinds_and_custody(void **state)
{
    agency_record a;
    dossier_record d, dg;
    applicant_record p;
    token_record t = {0}, tg;
    ct_error err;
    char serials[128] = "";

    (void)state;
    make_agency(&a, "KIND");
    assert_int_equal(store_agency_insert(s, &a, &err), 0);
    make_agency(&a, "OTHER");
    assert_int_equal(store_agency_insert(s, &a, &err), 0);

    /* a dossier's kind and a request's reason; a kind outside the table refused */
    make_dossier(&d, "KIND-1", "KIND", 1, "token_lost");
    snprintf(d.request_reason, sizeof d.request_reason, "keyCompromise");
    assert_int_equal(store_dossier_insert(s, &d, &err), 0);
    assert_int_equal(store_dossier_get(s, "KIND-1", &dg, &err), 0);
    assert_string_equal(dg.kind, "token_lost");
    assert_string_equal(dg.request_reason, "keyCompromise");
    make_dossier(&d, "KIND-2", "KIND", 2, "pin_forgotten");
    assert_int_equal(store_dossier_insert(s, &d, &err), -1);
    assert_int_equal(store_dossier_get(s, "KIND-2", &dg, &err), -1);
    assert_string_equal(err.code, "dossier.not_found");
    make_dossier(&d, "OTHER-1", "OTHER", 3, "new");
    assert_int_equal(store_dossier_insert(s, &d, &err), 0);

    /* an agency's holders: its own dossiers' applicants who were issued a certificate */
    make_applicant(&p, "KIND-1", 1, "K1");
    assert_int_equal(store_applicant_insert(s, &p, &err), 0);
    make_applicant(&p, "KIND-1", 2, "");
    assert_int_equal(store_applicant_insert(s, &p, &err), 0);
    make_applicant(&p, "OTHER-1", 1, "O1");
    assert_int_equal(store_applicant_insert(s, &p, &err), 0);
    assert_int_equal(
        store_applicant_holders(s, "KIND", (applicant_visit_fn)count_holder, serials, &err), 0);
    assert_string_equal(serials, "K1;");

    /* a token found by the certificate it carries, and its custody kept by the store */
    snprintf(t.serial, sizeof t.serial, "TK1");
    snprintf(t.label, sizeof t.label, "tk1");
    snprintf(t.state, sizeof t.state, "with_subscriber");
    snprintf(t.cert_serial, sizeof t.cert_serial, "K1");
    snprintf(t.so_pin, sizeof t.so_pin, "sealed");
    assert_int_equal(store_token_insert(s, &t, &err), 0);
    assert_int_equal(store_token_by_cert(s, "K1", &tg, &err), 0);
    assert_string_equal(tg.serial, "TK1");
    assert_int_equal(store_token_by_cert(s, "O1", &tg, &err), -1);
    assert_string_equal(err.code, "token.not_found");
    assert_int_equal(store_token_by_cert(s, "", &tg, &err), -1);
    assert_string_equal(err.code, "token.not_found");
    snprintf(t.state, sizeof t.state, "lost");
    assert_int_equal(store_token_update(s, &t, &err), 0);
    snprintf(t.state, sizeof t.state, "with_agency"); /* a lost token is never handed out */
    assert_int_equal(store_token_update(s, &t, &err), -1);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, "token.custody");
    assert_int_equal(store_token_get(s, "TK1", &tg, &err), 0);
    assert_string_equal(tg.state, "lost");
    snprintf(t.state, sizeof t.state, "destroyed");
    assert_int_equal(store_token_update(s, &t, &err), 0);
}

/* Every pair of token states through the store: the backend's trigger allows exactly the moves of
 * core/token_custody.c's table (test_token_custody.c checks SQLite's with plain SQL too). */
static void custody_every_pair(void **state)
{
    token_record t = {0};
    ct_error err;
    int allowed = 0;

    (void)state;
    snprintf(t.label, sizeof t.label, "pair");
    snprintf(t.so_pin, sizeof t.so_pin, "sealed");
    for (int from = 0; from < TOKEN_STATE_COUNT; from++) {
        for (int to = 0; to < TOKEN_STATE_COUNT; to++) {
            const char *f = token_state_name((token_state)from);
            const char *n = token_state_name((token_state)to);
            int rc;

            snprintf(t.serial, sizeof t.serial, "PAIR-%d-%d", from, to);
            snprintf(t.state, sizeof t.state, "%s", f);
            assert_int_equal(store_token_insert(s, &t, &err), 0);
            snprintf(t.state, sizeof t.state, "%s", n);
            rc = store_token_update(s, &t, &err);
            if (from == to || token_custody_allowed((token_state)from, (token_state)to)) {
                if (rc != 0)
                    fail_msg("%s → %s refused by the store: %s", f, n, err.en);
                allowed += from != to;
            } else if (rc == 0 || strcmp(err.code, "token.custody") != 0) {
                fail_msg("%s → %s not refused as token.custody by the store", f, n);
            }
        }
    }
    assert_true(allowed > 20);
}

/* ---- two nodes writing at once ---- */

#define WRITERS 4
#define ROUNDS 15

static int one_round(store *db, int writer, int round)
{
    dossier_record d = {0};
    audit_entry e = {0};
    ct_error err;
    int64_t seq, last;
    char hash[65];

    if (store_begin(db, &err) != 0)
        return -1;
    if (store_dossier_next_seq(db, "261203", &seq, &err) != 0)
        goto fail;
    snprintf(d.code, sizeof d.code, "RACE-%04lld", (long long)seq);
    snprintf(d.agency, sizeof d.agency, "RACE");
    snprintf(d.channel, sizeof d.channel, "direct");
    snprintf(d.state, sizeof d.state, "received");
    snprintf(d.day, sizeof d.day, "261203");
    d.seq = seq;
    snprintf(d.kind, sizeof d.kind, "new");
    snprintf(d.created_by, sizeof d.created_by, "w%d.%d", writer, round);
    if (store_dossier_insert(db, &d, &err) != 0 || store_audit_last(db, &last, hash, &err) != 0)
        goto fail;
    e.id = last + 1;
    e.at = 1;
    snprintf(e.actor, sizeof e.actor, "w%d", writer);
    snprintf(e.action, sizeof e.action, "race");
    snprintf(e.object, sizeof e.object, "%s", d.code);
    snprintf(e.prev_hash, sizeof e.prev_hash, "%s", hash);
    snprintf(e.hash, sizeof e.hash, "%064lld", (long long)e.id);
    if (store_audit_append(db, &e, &err) != 0 || store_commit(db, &err) != 0)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "writer %d round %d (dossier %s): %s %s\n", writer, round, d.code, err.code,
            err.en);
    store_rollback(db);
    return -1;
}

typedef struct writer {
    store *db;
    int n;
    int failures;
} writer;

static void *write_rounds(void *arg)
{
    writer *w = arg;

    for (int r = 0; r < ROUNDS; r++)
        w->failures += one_round(w->db, w->n, r) != 0;
    return NULL;
}

typedef struct chain {
    int64_t rows, prev_id;
    char prev_hash[65];
    bool broken;
} chain;

static int follow(void *ctx, const audit_entry *e)
{
    chain *c = ctx;

    if (c->rows > 0 && (e->id != c->prev_id + 1 || strcmp(e->prev_hash, c->prev_hash) != 0))
        c->broken = true;
    c->rows++;
    c->prev_id = e->id;
    snprintf(c->prev_hash, sizeof c->prev_hash, "%s", e->hash);
    return 0;
}

static int count_dossier(void *ctx, const dossier_record *d)
{
    int64_t *seen = ctx;

    if (d->seq >= 1 && d->seq <= WRITERS * ROUNDS)
        seen[d->seq - 1]++;
    return 0;
}

static void two_nodes(void **state)
{
    store *other;
    agency_record a;
    ct_error err;
    pthread_t t[WRITERS];
    writer w[WRITERS];
    int64_t seen[WRITERS * ROUNDS] = {0};
    chain c = {0};
    dossier_filter f = {.agency = "RACE"};

    (void)state;
    make_agency(&a, "RACE");
    assert_int_equal(store_agency_insert(s, &a, &err), 0);
    assert_int_equal(store_open(target, &other, &err), 0);
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (writer){i % 2 ? other : s, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, write_rounds, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    store_close(other);
    assert_int_equal(store_dossier_list(s, &f, (dossier_visit_fn)count_dossier, seen, &err), 0);
    for (int i = 0; i < WRITERS * ROUNDS; i++)
        if (seen[i] != 1)
            fail_msg("dossier number %d taken %lld times", i + 1, (long long)seen[i]);
    assert_int_equal(store_audit_walk(s, follow, &c, &err), 0);
    assert_int_equal(c.rows, WRITERS * ROUNDS);
    assert_false(c.broken);
}

/* One node leads the upkeep; when it goes, another takes over (on SQLite every process leads:
 * one server per file). */
static void upkeep_lead(void **state)
{
    store *n1, *n2;
    ct_error err;
    bool lead = false, pg = store_is_url(target);

    (void)state;
    assert_int_equal(store_open(target, &n1, &err), 0);
    assert_int_equal(store_open(target, &n2, &err), 0);
    assert_int_equal(store_lead_upkeep(n1, 1000, &lead, &err), 0);
    assert_true(lead);
    assert_int_equal(store_lead_upkeep(n1, 1000, &lead, &err), 0); /* it keeps it */
    assert_true(lead);
    assert_int_equal(store_lead_upkeep(n2, 1000, &lead, &err), 0);
    assert_int_equal(lead, !pg);
    store_close(n1); /* the leading node goes */
    for (int i = 0; i < 100 && !lead; i++) {
        assert_int_equal(store_lead_upkeep(n2, 1000, &lead, &err), 0);
        if (!lead)
            usleep(20000);
    }
    assert_true(lead);
    store_close(n2);
}

/* Rate limits counted by every node: two handles count together (PostgreSQL); SQLite leaves
 * them to each process. */
static void rate_limits(void **state)
{
    store *other;
    ct_error err;
    bool taken;
    int64_t until;
    int count;

    (void)state;
    if (!store_is_url(target)) {
        assert_false(store_limits_shared(s));
        assert_int_equal(store_limit_take(s, "k", 1, 1000, 1100, &taken, &until, &err), -1);
        assert_string_equal(err.code, "store.limits_local");
        return;
    }
    assert_true(store_limits_shared(s));
    assert_int_equal(store_open(target, &other, &err), 0);
    assert_int_equal(store_limit_take(s, "login\n1.2.3.4", 2, 1000, 1100, &taken, &until, &err), 0);
    assert_true(taken);
    assert_int_equal(store_limit_take(other, "login\n1.2.3.4", 2, 1010, 1110, &taken, &until, &err),
                     0);
    assert_true(taken); /* the second use, on the other node */
    assert_int_equal(store_limit_take(s, "login\n1.2.3.4", 2, 1020, 1120, &taken, &until, &err), 0);
    assert_false(taken);
    assert_int_equal(until, 1100); /* the window opened by the first use */
    assert_int_equal(store_limit_count(other, "login\n1.2.3.4", 1020, &count, &err), 0);
    assert_int_equal(count, 2);
    assert_int_equal(store_limit_release(other, "login\n1.2.3.4", false, 1030, &err), 0);
    assert_int_equal(store_limit_take(s, "login\n1.2.3.4", 2, 1040, 1140, &taken, &until, &err), 0);
    assert_true(taken); /* the use given back */
    assert_int_equal(store_limit_take(s, "login\n1.2.3.4", 2, 1100, 1200, &taken, &until, &err), 0);
    assert_true(taken); /* a new window */
    assert_int_equal(store_limit_count(s, "login\n1.2.3.4", 1100, &count, &err), 0);
    assert_int_equal(count, 1);
    assert_int_equal(store_limit_release(s, "login\n1.2.3.4", true, 1100, &err), 0);
    assert_int_equal(store_limit_count(other, "login\n1.2.3.4", 1100, &count, &err), 0);
    assert_int_equal(count, 0);
    store_close(other);
}

static int open_store(void **state)
{
    ct_error err;

    (void)state;
    if (store_open(target, &s, &err) != 0) {
        fprintf(stderr, "%s: %s\n", err.code, err.en);
        return -1;
    }
    return 0;
}

static int close_store(void **state)
{
    (void)state;
    store_close(s);
    return 0;
}

int main(void)
{
    const struct CMUnitTest independent[] = {
        cmocka_unit_test(backends_complete),
    };
    const struct CMUnitTest cases[] = {
        cmocka_unit_test(schema_current),
        cmocka_unit_test(certificates),
        cmocka_unit_test(directory),
        cmocka_unit_test(transactions),
        cmocka_unit_test(records),
        cmocka_unit_test(kinds_and_custody),
        cmocka_unit_test(custody_every_pair),
        cmocka_unit_test(two_nodes),
        cmocka_unit_test(upkeep_lead),
        cmocka_unit_test(rate_limits),
    };
    const char *backend = getenv("CT_BACKEND"), *url = getenv("CT_DATABASE_URL");
    char cmd[128];
    int failed;

    failed = cmocka_run_group_tests_name("backends", independent, NULL, NULL);
    if (backend && strcmp(backend, "postgresql") == 0) {
        if (url == NULL || !store_is_url(url)) {
            fprintf(stderr, "CT_BACKEND=postgresql needs CT_DATABASE_URL\n");
            return 1;
        }
        snprintf(target, sizeof target, "%s", url);
        printf("backend: postgresql\n");
        return failed + cmocka_run_group_tests_name("postgresql", cases, open_store, close_store);
    }
    snprintf(dir, sizeof dir, "/tmp/ct-store.XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(target, sizeof target, "%s/test.db", dir);
    printf("backend: sqlite\n");
    failed += cmocka_run_group_tests_name("sqlite", cases, open_store, close_store);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        failed++;
    return failed;
}
