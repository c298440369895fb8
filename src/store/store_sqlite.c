/*
 * store_sqlite.c — the embedded SQLite backend of the storage interface.
 *
 * Durability first: WAL journal with synchronous=FULL, so a commit that returned is on disk even
 * if the process or the machine dies right after. The schema is versioned with PRAGMA
 * user_version and migrated forward, one step per entry of `sq_migrations`, each in a
 * transaction. Connections: see store_sqlite_internal.h. Certificates, audit rows and CRLs are
 * described as columns here, the procedure's records (agencies, dossiers, applicants, tokens, …)
 * in store_sqlite_procedure.c; store_sqlite_record.c reads and writes them all.
 */
#include "store/store_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_sqlite_internal.h"

_Thread_local sqlite_store *tx_owner;

conn sq_acquire_read(sqlite_store *st)
{
    unsigned start;

    if (tx_owner == st)
        return (conn){st->db, NULL};
    start = atomic_fetch_add(&st->next_reader, 1);
    for (unsigned k = 0; k < READERS; k++) {
        reader *r = &st->readers[(start + k) % READERS];
        if (pthread_mutex_trylock(&r->lock) == 0)
            return (conn){r->db, &r->lock};
    }
    pthread_mutex_lock(&st->readers[start % READERS].lock);
    return (conn){st->readers[start % READERS].db, &st->readers[start % READERS].lock};
}

/* A write outside an explicit transaction is its own (autocommit) transaction. */
conn sq_acquire_write(sqlite_store *st)
{
    if (tx_owner == st)
        return (conn){st->db, NULL};
    pthread_mutex_lock(&st->write_lock);
    return (conn){st->db, &st->write_lock};
}

void sq_release(conn c)
{
    if (c.lock)
        pthread_mutex_unlock(c.lock);
}

/* Each entry moves the schema from version i to i+1. Never edit a released entry: add one. */
const char *const sq_migrations[] = {
    /* 1: certificates and the audit trail */
    /* A rowid table: rows hold a whole certificate, and SQLite keeps large rows best in rowid
     * tables (WITHOUT ROWID suits small rows). */
    "CREATE TABLE certificates ("
    "  id INTEGER PRIMARY KEY,"
    "  serial TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('subscriber','root','issuing','ocsp')),"
    "  issuer TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('hold','active','revoked','expired')),"
    "  subject TEXT NOT NULL,"
    "  common_name TEXT NOT NULL,"
    "  email TEXT NOT NULL DEFAULT '',"
    "  search_key TEXT NOT NULL DEFAULT '',"
    "  sha256 TEXT NOT NULL,"
    "  not_before INTEGER NOT NULL,"
    "  not_after INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  effective_at INTEGER NOT NULL DEFAULT 0,"
    "  revoked_at INTEGER NOT NULL DEFAULT 0,"
    "  revocation_reason INTEGER NOT NULL DEFAULT -1,"
    "  der BLOB NOT NULL"
    ");"
    "CREATE INDEX certificates_status ON certificates(status, kind);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  object TEXT NOT NULL,"
    "  detail TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL"
    ");"
    /* Append-only: the database itself refuses edits and deletions made through SQL that does
     * not drop these triggers first; `audit verify` catches the rest. */
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
    /* 2: CRLs, the revoked-entry index, and the public directory's full-text index. Published
     * certificates enter the directory in the same transaction as their publication (not by
     * trigger: a trigger writing a virtual table makes every certificate insert pay for the
     * full-text index's savepoints, published or not). */
    "CREATE TABLE crls ("
    "  issuer TEXT NOT NULL,"
    "  number INTEGER NOT NULL,"
    "  this_update INTEGER NOT NULL,"
    "  next_update INTEGER NOT NULL,"
    "  der BLOB NOT NULL,"
    "  PRIMARY KEY (issuer, number)"
    ") WITHOUT ROWID;"
    "CREATE INDEX certificates_revoked ON certificates(issuer, serial)"
    "  WHERE status IN ('hold', 'revoked');"
    "CREATE VIRTUAL TABLE directory USING fts5(serial UNINDEXED, search_key,"
    "  tokenize = 'unicode61 remove_diacritics 2');",
    /* 3: the procedure: agencies, dossiers (one Mẫu 02 list each), applicants, token stock */
    "CREATE TABLE agencies ("
    "  code TEXT PRIMARY KEY NOT NULL,"
    "  name TEXT NOT NULL,"
    "  parent TEXT NOT NULL DEFAULT '',"
    "  province TEXT NOT NULL,"
    "  head_name TEXT NOT NULL,"
    "  head_title TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('party', 'state')),"
    "  created_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE dossiers ("
    "  code TEXT PRIMARY KEY NOT NULL,"
    "  agency TEXT NOT NULL REFERENCES agencies(code),"
    "  channel TEXT NOT NULL CHECK (channel IN ('direct', 'online', 'postal')),"
    "  state TEXT NOT NULL,"
    "  day TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  received_at INTEGER NOT NULL,"
    "  counted_from TEXT NOT NULL,"
    "  due_step2 INTEGER NOT NULL DEFAULT 0,"
    "  step2_done_at INTEGER NOT NULL DEFAULT 0,"
    "  confirmed_name TEXT NOT NULL,"
    "  confirmed_title TEXT NOT NULL,"
    "  confirmed_on TEXT NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  created_by TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (day, seq)"
    ") WITHOUT ROWID;"
    "CREATE INDEX dossiers_state ON dossiers(state, due_step2);"
    "CREATE TABLE applicants ("
    "  dossier TEXT NOT NULL REFERENCES dossiers(code),"
    "  n INTEGER NOT NULL,"
    "  full_name TEXT NOT NULL,"
    "  birth_date TEXT NOT NULL,"
    "  id_number TEXT NOT NULL,"
    "  id_issued_on TEXT NOT NULL,"
    "  id_issued_at TEXT NOT NULL,"
    "  email TEXT NOT NULL,"
    "  unit TEXT NOT NULL,"
    "  province TEXT NOT NULL,"
    "  position TEXT NOT NULL,"
    "  category TEXT NOT NULL CHECK (category IN ('can_bo', 'cong_chuc', 'vien_chuc')),"
    "  phone TEXT NOT NULL,"
    "  previous_serial TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL,"
    "  cert_serial TEXT NOT NULL DEFAULT '',"
    "  token_serial TEXT NOT NULL DEFAULT '',"
    "  pickup_at INTEGER NOT NULL DEFAULT 0,"
    "  pickup_place TEXT NOT NULL DEFAULT '',"
    "  notified_at INTEGER NOT NULL DEFAULT 0,"
    "  agency_received_at INTEGER NOT NULL DEFAULT 0,"
    "  handed_over_at INTEGER NOT NULL DEFAULT 0,"
    "  activation_requested_at INTEGER NOT NULL DEFAULT 0,"
    "  requested_effective_at INTEGER NOT NULL DEFAULT 0,"
    "  due_step4 INTEGER NOT NULL DEFAULT 0,"
    "  published_at INTEGER NOT NULL DEFAULT 0,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (dossier, n)"
    ") WITHOUT ROWID;"
    "CREATE INDEX applicants_state ON applicants(state, requested_effective_at);"
    "CREATE TABLE tokens ("
    "  serial TEXT PRIMARY KEY NOT NULL,"
    "  label TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('blank', 'provisioned', 'with_agency',"
    "    'with_subscriber', 'damaged', 'wiped')),"
    "  cert_serial TEXT NOT NULL DEFAULT '',"
    "  dossier TEXT NOT NULL DEFAULT '',"
    "  applicant INTEGER NOT NULL DEFAULT 0,"
    "  so_pin TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  updated_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX audit_object ON audit(object);",
    /* 4: a change counter on certificates, so that a server notices status changes made by
     * another process (the command line) and re-signs its OCSP answers and CRLs */
    "ALTER TABLE certificates ADD COLUMN changed_seq INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX certificates_changed ON certificates(changed_seq);",
    /* 5: accounts and sessions (session tokens are stored as their SHA-256 only) */
    "CREATE TABLE users ("
    "  username TEXT PRIMARY KEY NOT NULL,"
    "  display_name TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  agency TEXT NOT NULL DEFAULT '',"
    "  password_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  failed_logins INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE sessions ("
    "  token_hash TEXT PRIMARY KEY NOT NULL,"
    "  username TEXT NOT NULL REFERENCES users(username),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ") WITHOUT ROWID;",
    /* 6: drafts of online dossiers: the list and the signed request letter, kept until the
     * agency head confirms and the clerk submits */
    "CREATE TABLE drafts ("
    "  id INTEGER PRIMARY KEY,"
    "  agency TEXT NOT NULL REFERENCES agencies(code),"
    "  state TEXT NOT NULL,"
    "  title TEXT NOT NULL DEFAULT '',"
    "  list_format TEXT NOT NULL DEFAULT '',"
    "  applicants INTEGER NOT NULL DEFAULT 0,"
    "  letter_name TEXT NOT NULL DEFAULT '',"
    "  letter_type TEXT NOT NULL DEFAULT '',"
    "  letter_size INTEGER NOT NULL DEFAULT 0,"
    "  letter_sha256 TEXT NOT NULL DEFAULT '',"
    "  confirmed_name TEXT NOT NULL DEFAULT '',"
    "  confirmed_title TEXT NOT NULL DEFAULT '',"
    "  confirmed_by TEXT NOT NULL DEFAULT '',"
    "  confirmed_at INTEGER NOT NULL DEFAULT 0,"
    "  dossier TEXT NOT NULL DEFAULT '',"
    "  created_by TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  list_data BLOB,"
    "  letter_data BLOB"
    ");"
    "CREATE INDEX drafts_agency ON drafts(agency, state);"
    "CREATE INDEX drafts_dossier ON drafts(dossier) WHERE dossier <> '';",
    /* 7: the directory's index rebuilt for speed at a million entries (see directory_text()):
     * adjacent word pairs indexed as tokens, so a full name is found through its rare pairs
     * rather than by intersecting its common words; 2- and 3-letter prefixes indexed; no
     * positions kept (no phrase search needs them); newest first as ascending rowids, the
     * direction FTS5 reads fastest. */
    "CREATE VIRTUAL TABLE directory_new USING fts5(serial UNINDEXED, search_key,"
    "  tokenize = \"unicode61 remove_diacritics 2 tokenchars '_'\", prefix = '2 3',"
    "  detail = none);"
    "INSERT INTO directory_new (rowid, serial, search_key)"
    "  SELECT -rowid, serial, ct_directory_text(search_key) FROM directory ORDER BY rowid DESC;"
    "DROP TABLE directory;"
    "ALTER TABLE directory_new RENAME TO directory;",
    /* 8: the CRL's index in the order certificates are stored, not by serial: serials are
     * random, so an index by serial takes each new certificate on hold to a page of its own,
     * and bulk issuance wrote that page again for nearly every certificate */
    "DROP INDEX certificates_revoked;"
    "CREATE INDEX certificates_revoked ON certificates(issuer, id)"
    "  WHERE status IN ('hold', 'revoked');",
    /* 9: the change counter's index carries the serial, so that reading what changed since a
     * given number (after every commit that issues, revokes or publishes) reads only this
     * index, in order, instead of looking up each changed row in the table */
    "DROP INDEX certificates_changed;"
    "CREATE INDEX certificates_changed ON certificates(changed_seq, serial);",
    /* 10: a certificate's status changes only as the table of core/cert_status.c allows, and a
     * revoked certificate never changes again (its status, time, reason or publication), by
     * whatever code path; and claims: a step that works outside a transaction (a token being
     * provisioned for an applicant) first claims what it works on, so that a second step on
     * the same thing is refused instead of done twice. A claim names the process holding it,
     * so a claim left by a process that died is known to be abandoned. */
    "CREATE TRIGGER certificates_revoked_final BEFORE UPDATE ON certificates"
    "  WHEN OLD.status = 'revoked' AND (NEW.status IS NOT 'revoked'"
    "    OR NEW.revoked_at IS NOT OLD.revoked_at"
    "    OR NEW.revocation_reason IS NOT OLD.revocation_reason"
    "    OR NEW.effective_at IS NOT OLD.effective_at)"
    "  BEGIN SELECT RAISE(ABORT, 'a revoked certificate stays revoked'); END;"
    "CREATE TRIGGER certificates_status_table BEFORE UPDATE OF status ON certificates"
    "  WHEN NEW.status IS NOT OLD.status AND NOT ("
    "    (OLD.status = 'hold' AND NEW.status IN ('active', 'revoked', 'expired'))"
    "    OR (OLD.status = 'active' AND NEW.status IN ('revoked', 'expired')))"
    "  BEGIN SELECT RAISE(ABORT, 'certificate status change not allowed'); END;"
    "CREATE TABLE claims ("
    "  object TEXT PRIMARY KEY NOT NULL,"
    "  holder TEXT NOT NULL,"
    "  at INTEGER NOT NULL"
    ") WITHOUT ROWID;",
    /* 11: a draft's confirmation is bound to the exact list and letter the head confirmed */
    "ALTER TABLE drafts ADD COLUMN list_sha256 TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE drafts ADD COLUMN confirmed_list_sha256 TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE drafts ADD COLUMN confirmed_letter_sha256 TEXT NOT NULL DEFAULT '';",
    /* 12: the CA officer's check: an agency's official e-mail domains, and the applicants found
     * by ID number (who already holds a certificate) and by certificate (whose is a previous
     * serial) without reading the whole table */
    "ALTER TABLE agencies ADD COLUMN email_domains TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX applicants_id_number ON applicants(id_number);"
    "CREATE INDEX applicants_cert ON applicants(cert_serial) WHERE cert_serial <> '';",
    /* 13: who took each token: the agency's person who collected it from the CA, and the person
     * it was handed to (the hand-over minutes name them) */
    "ALTER TABLE applicants ADD COLUMN received_by TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE applicants ADD COLUMN handed_to TEXT NOT NULL DEFAULT '';",
    /* 14: official papers as first issued, byte for byte: one row per dossier, kind, applicant
     * (0: the whole dossier), format and version of the dossier's state; a later state makes a
     * new row and the older ones stay */
    "CREATE TABLE papers ("
    "  id INTEGER PRIMARY KEY,"
    "  dossier TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  applicant INTEGER NOT NULL,"
    "  format TEXT NOT NULL CHECK (format IN ('html','pdf')),"
    "  version INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  bytes BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  created_by TEXT NOT NULL,"
    "  UNIQUE (dossier, kind, applicant, format, version)"
    ");",
    /* 15: signed checkpoints of the audit trail, append-only like the trail */
    "CREATE TABLE audit_checkpoints ("
    "  seq INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  rows INTEGER NOT NULL,"
    "  head_id INTEGER NOT NULL,"
    "  head_hash TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  signature TEXT NOT NULL,"
    "  signer TEXT NOT NULL"
    ");"
    "CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints"
    "  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;"
    "CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints"
    "  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;",
    /* 16: the audit-signing certificate is one of the CA's own ('audit'). A CHECK constraint
     * cannot be altered in place: the table is rebuilt as SQLite's ALTER TABLE documentation
     * describes (new table, copy, drop, rename, then its indexes and triggers again). */
    "CREATE TABLE certificates_new ("
    "  id INTEGER PRIMARY KEY,"
    "  serial TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('subscriber','root','issuing','ocsp','audit')),"
    "  issuer TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('hold','active','revoked','expired')),"
    "  subject TEXT NOT NULL,"
    "  common_name TEXT NOT NULL,"
    "  email TEXT NOT NULL DEFAULT '',"
    "  search_key TEXT NOT NULL DEFAULT '',"
    "  sha256 TEXT NOT NULL,"
    "  not_before INTEGER NOT NULL,"
    "  not_after INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  effective_at INTEGER NOT NULL DEFAULT 0,"
    "  revoked_at INTEGER NOT NULL DEFAULT 0,"
    "  revocation_reason INTEGER NOT NULL DEFAULT -1,"
    "  der BLOB NOT NULL,"
    "  changed_seq INTEGER NOT NULL DEFAULT 0"
    ");"
    "INSERT INTO certificates_new (id, serial, kind, issuer, status, subject, common_name, email,"
    "  search_key, sha256, not_before, not_after, created_at, effective_at, revoked_at,"
    "  revocation_reason, der, changed_seq)"
    "  SELECT id, serial, kind, issuer, status, subject, common_name, email, search_key, sha256,"
    "  not_before, not_after, created_at, effective_at, revoked_at, revocation_reason, der,"
    "  changed_seq FROM certificates;"
    "DROP TABLE certificates;"
    "ALTER TABLE certificates_new RENAME TO certificates;"
    "CREATE INDEX certificates_status ON certificates(status, kind);"
    "CREATE INDEX certificates_revoked ON certificates(issuer, id)"
    "  WHERE status IN ('hold', 'revoked');"
    "CREATE INDEX certificates_changed ON certificates(changed_seq, serial);"
    "CREATE TRIGGER certificates_revoked_final BEFORE UPDATE ON certificates"
    "  WHEN OLD.status = 'revoked' AND (NEW.status IS NOT 'revoked'"
    "    OR NEW.revoked_at IS NOT OLD.revoked_at"
    "    OR NEW.revocation_reason IS NOT OLD.revocation_reason"
    "    OR NEW.effective_at IS NOT OLD.effective_at)"
    "  BEGIN SELECT RAISE(ABORT, 'a revoked certificate stays revoked'); END;"
    "CREATE TRIGGER certificates_status_table BEFORE UPDATE OF status ON certificates"
    "  WHEN NEW.status IS NOT OLD.status AND NOT ("
    "    (OLD.status = 'hold' AND NEW.status IN ('active', 'revoked', 'expired'))"
    "    OR (OLD.status = 'active' AND NEW.status IN ('revoked', 'expired')))"
    "  BEGIN SELECT RAISE(ABORT, 'certificate status change not allowed'); END;",
    /* 17: four eyes: a step that needs a second person waits here as a request, with what it
     * will do (parameters, JSON) and who decided it; at most one pending request per action and
     * object */
    "CREATE TABLE approvals ("
    "  id INTEGER PRIMARY KEY,"
    "  action TEXT NOT NULL,"
    "  object TEXT NOT NULL,"
    "  parameters TEXT NOT NULL,"
    "  requested_by TEXT NOT NULL,"
    "  requested_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending','approved','declined')),"
    "  decided_by TEXT NOT NULL DEFAULT '',"
    "  decided_at INTEGER NOT NULL DEFAULT 0,"
    "  reason TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE UNIQUE INDEX approvals_pending ON approvals(action, object) WHERE state = 'pending';",
    /* 18: the operating-system account that acts as an account on the command line: one OS
     * account answers for at most one account */
    "ALTER TABLE users ADD COLUMN os_user TEXT NOT NULL DEFAULT '';"
    "CREATE UNIQUE INDEX users_os_user ON users(os_user) WHERE os_user <> '';",
    /* 19: e-mail. An agency's contacts; the outbox, written in the transaction of the step that
     * causes a message and delivered later (its Message-ID fixed here); the expiry notices
     * given, one per certificate and threshold, written with the message they queued; and the
     * active certificates by their end, for the notices' daily look */
    "ALTER TABLE agencies ADD COLUMN address TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE agencies ADD COLUMN email TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE agencies ADD COLUMN phone TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE agencies ADD COLUMN clerk_email TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE agencies ADD COLUMN head_email TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  ref TEXT NOT NULL,"
    "  recipients TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  body_text TEXT NOT NULL,"
    "  body_html TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('queued','sent','failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  sent_at INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE state = 'queued';"
    "CREATE TABLE expiry_notices ("
    "  serial TEXT NOT NULL,"
    "  threshold_days INTEGER NOT NULL,"
    "  outbox_id INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (serial, threshold_days)"
    ") WITHOUT ROWID;"
    "CREATE INDEX certificates_not_after ON certificates(not_after)"
    "  WHERE status = 'active' AND kind = 'subscriber';",
    /* 20: dossier kinds (new issuance, suspension, resumption, revocation, renewal, change of
     * details) and the reason a revocation request gives; the applicants found by the
     * certificate they concern; and suspension in the status table: a published certificate
     * (effective_at set) may go from active to hold and back, a certificate never published
     * only from hold to active (publication) */
    "ALTER TABLE dossiers ADD COLUMN kind TEXT NOT NULL DEFAULT 'new' CHECK (kind IN ('new',"
    "  'suspension', 'resumption', 'revocation', 'renewal', 'change'));"
    "ALTER TABLE dossiers ADD COLUMN request_reason TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX applicants_previous ON applicants(previous_serial) WHERE previous_serial <> '';"
    "DROP TRIGGER certificates_status_table;"
    "CREATE TRIGGER certificates_status_table BEFORE UPDATE OF status ON certificates"
    "  WHEN NEW.status IS NOT OLD.status AND NOT ("
    "    (OLD.status = 'hold' AND NEW.status IN ('active', 'revoked', 'expired'))"
    "    OR (OLD.status = 'active' AND NEW.status IN ('revoked', 'expired'))"
    "    OR (OLD.status = 'active' AND NEW.status = 'hold' AND OLD.effective_at <> 0))"
    "  BEGIN SELECT RAISE(ABORT, 'certificate status change not allowed'); END;",
    /* 21: token care: the token's chain of custody (core/token_custody.c). The states lost,
     * revoked (its certificate revoked, the holder keeps it), returned and destroyed join the
     * CHECK, rebuilt as migration 16 rebuilt certificates'; a trigger refuses every change of
     * state the custody table has no row for, by whatever code path; and a token is found by
     * the certificate it carries (a revocation moves its token). A token with its subscriber
     * goes back to provisioned (or wiped) when a renewal or change of details re-keys it. */
    "CREATE TABLE tokens_new ("
    "  serial TEXT PRIMARY KEY NOT NULL,"
    "  label TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('blank', 'provisioned', 'with_agency',"
    "    'with_subscriber', 'damaged', 'wiped', 'lost', 'revoked', 'returned', 'destroyed')),"
    "  cert_serial TEXT NOT NULL DEFAULT '',"
    "  dossier TEXT NOT NULL DEFAULT '',"
    "  applicant INTEGER NOT NULL DEFAULT 0,"
    "  so_pin TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  updated_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT INTO tokens_new (serial, label, state, cert_serial, dossier, applicant, so_pin, note,"
    "  updated_at)"
    "  SELECT serial, label, state, cert_serial, dossier, applicant, so_pin, note, updated_at"
    "  FROM tokens;"
    "DROP TABLE tokens;"
    "ALTER TABLE tokens_new RENAME TO tokens;"
    "CREATE INDEX tokens_cert ON tokens(cert_serial) WHERE cert_serial <> '';"
    "CREATE TRIGGER tokens_custody BEFORE UPDATE OF state ON tokens"
    "  WHEN NEW.state IS NOT OLD.state AND NOT ("
    "    (OLD.state = 'blank' AND NEW.state IN ('provisioned', 'wiped', 'damaged'))"
    "    OR (OLD.state = 'wiped' AND NEW.state IN ('provisioned', 'damaged'))"
    "    OR (OLD.state = 'provisioned' AND NEW.state IN ('wiped', 'damaged', 'with_agency',"
    "      'revoked', 'returned'))"
    "    OR (OLD.state = 'with_agency' AND NEW.state IN ('with_subscriber', 'revoked', 'lost',"
    "      'damaged', 'returned'))"
    "    OR (OLD.state = 'with_subscriber' AND NEW.state IN ('revoked', 'lost', 'damaged',"
    "      'returned', 'provisioned', 'wiped'))"
    "    OR (OLD.state = 'revoked' AND NEW.state IN ('lost', 'damaged', 'returned'))"
    "    OR (OLD.state = 'lost' AND NEW.state IN ('returned', 'destroyed'))"
    "    OR (OLD.state IN ('returned', 'damaged') AND NEW.state = 'destroyed'))"
    "  BEGIN SELECT RAISE(ABORT, 'token.custody: token state change not allowed'); END;",
    /* 22: token care as dossier kinds (PIN reset, lost token, broken token) join the kind's
     * CHECK. A column's CHECK cannot be altered, and rebuilding dossiers would drop the parent
     * of applicants' foreign key: the column is made again beside the old one, filled, and takes
     * its name. */
    "ALTER TABLE dossiers ADD COLUMN kind_new TEXT NOT NULL DEFAULT 'new' CHECK (kind_new IN"
    "  ('new', 'suspension', 'resumption', 'revocation', 'renewal', 'change', 'pin_reset',"
    "  'token_lost', 'token_broken'));"
    "UPDATE dossiers SET kind_new = kind;"
    "ALTER TABLE dossiers DROP COLUMN kind;"
    "ALTER TABLE dossiers RENAME COLUMN kind_new TO kind;",
};
const size_t sq_migration_count = sizeof sq_migrations / sizeof sq_migrations[0];

int sq_db_fail(sqlite3 *db, ct_error *err, const char *what)
{
    if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_READONLY)
        return store_fail_read_only(err);
    return ct_fail(err, 500, "store.sqlite", "lỗi cơ sở dữ liệu khi %s: %s",
                   "database error while %s: %s", what, sqlite3_errmsg(db));
}

static int exec_sql(sqlite3 *db, const char *sql, ct_error *err, const char *what)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ct_fail(err, 500, "store.sqlite", "lỗi cơ sở dữ liệu khi %s: %s",
                "database error while %s: %s", what, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *stmt;
    int v = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static int migrate(sqlite_store *st, ct_error *err)
{
    int have = user_version(st->db), want = (int)(sq_migration_count);
    char sql[64];

    if (have < 0)
        return sq_db_fail(st->db, err, "reading the schema version");
    if (have > want)
        return ct_fail(err, 500, "store.schema_newer",
                       "cơ sở dữ liệu có phiên bản lược đồ %d, mới hơn chương trình (%d)",
                       "the database schema is version %d, newer than this program (%d)", have,
                       want);
    for (int v = have; v < want; v++) {
        if (exec_sql(st->db, "BEGIN IMMEDIATE", err, "migrating") != 0)
            return -1;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if (exec_sql(st->db, sq_migrations[v], err, "migrating") != 0 ||
            exec_sql(st->db, sql, err, "migrating") != 0 ||
            exec_sql(st->db, "COMMIT", err, "migrating") != 0) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

static void sqlite_close(void *impl)
{
    sqlite_store *st = impl;

    if (st == NULL)
        return;
    sqlite3_finalize(st->cert_insert);
    sqlite3_close_v2(st->db);
    for (int i = 0; i < READERS; i++) {
        sqlite3_close_v2(st->readers[i].db);
        pthread_mutex_destroy(&st->readers[i].lock);
    }
    pthread_mutex_destroy(&st->write_lock);
    free(st);
}

/*
 * The text the directory indexes for a certificate: its folded search key ("nguyen thi thu ha
 * bo tu phap ...") followed by every pair of adjacent words joined by '_' ("nguyen_thi
 * thi_thu thu_ha ..."), a token of its own ('_' is a token character). Vietnamese names share
 * few words (a third of people are Nguyễn, half the women Thị), so "nguyen thi thu ha" as four
 * words means walking long lists to intersect them, while "nguyen_thi thi_thu thu_ha" are rare
 * and meet fast. The key's own '_' are read as spaces, so its words split as they always did.
 */
static void directory_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *key = sqlite3_value_text(argv[0]);
    size_t n, len = 0;
    char *out, *words;
    const char *prev = NULL;
    size_t prev_len = 0;

    (void)argc;
    if (key == NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    n = strlen((const char *)key);
    /* the key, then at most one pair per word, each at most the key's length plus '_' and ' ' */
    out = sqlite3_malloc64(3 * (n + 1) + 2);
    words = sqlite3_malloc64(n + 1);
    if (out == NULL || words == NULL) {
        sqlite3_free(out);
        sqlite3_free(words);
        sqlite3_result_error_nomem(ctx);
        return;
    }
    for (size_t i = 0; i <= n; i++)
        words[i] = key[i] == '_' ? ' ' : (char)key[i];
    memcpy(out, words, n);
    len = n;
    for (const char *p = words; *p;) {
        const char *w;
        size_t wl;
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            p++;
        w = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            p++;
        wl = (size_t)(p - w);
        if (wl == 0)
            break;
        if (prev) {
            out[len++] = ' ';
            memcpy(out + len, prev, prev_len);
            len += prev_len;
            out[len++] = '_';
            memcpy(out + len, w, wl);
            len += wl;
        }
        prev = w;
        prev_len = wl;
    }
    sqlite3_free(words);
    sqlite3_result_text(ctx, out, (int)len, sqlite3_free);
}

static int open_connection(const char *path, int flags, sqlite3 **db, ct_error *err)
{
    if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return ct_fail(err, 500, "store.open", "không mở được cơ sở dữ liệu %s: %s",
                       "cannot open database %s: %s", path,
                       *db ? sqlite3_errmsg(*db) : "out of memory");
    sqlite3_busy_timeout(*db, 10000);
    sqlite3_create_function(*db, "ct_directory_text", 1,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                            directory_text, NULL, NULL);
    return 0;
}

/* The database holds ID numbers, birth dates and password hashes: the owner's only. SQLite gives
 * the -wal and -shm files it creates the database file's mode, so the file is made 0600 before
 * SQLite first opens it, and one left readable by an older version is tightened (with any
 * -wal/-shm beside it). */
static void make_private(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char name[4096];
    struct stat st;

    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        int fd;
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        fd = open(name, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (i == 0 ? O_CREAT : 0), 0600);
        if (fd < 0)
            continue;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
            fchmod(fd, st.st_mode & 0700);
        close(fd);
    }
}

int store_sqlite_open_impl(const char *path, void **impl, ct_error *err)
{
    sqlite_store *st = calloc(1, sizeof *st);

    if (st == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    make_private(path);
    pthread_mutex_init(&st->write_lock, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_mutex_init(&st->readers[i].lock, NULL);
    /* Connections are used by one thread at a time (our locks): SQLite's own mutexes would
     * only add cost. */
    if (open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &st->db, err) != 0 ||
        exec_sql(st->db,
                 /* 8 KiB pages for a new database (an existing one keeps its own): the WAL
                  * is written a page per system call, and with half as many pages a batch
                  * of certificates costs a quarter less CPU to store (docs/benchmarks.md) */
                 "PRAGMA page_size=8192;"
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                 /* a batch of a thousand certificates is ~2 MB of pages: keep them in memory
                  * until commit, and checkpoint the WAL every ~40 MB rather than every 4 MB */
                 "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=5000;",
                 err, "configuring") != 0 ||
        migrate(st, err) != 0) {
        sqlite_close(st);
        return -1;
    }
    for (int i = 0; i < READERS; i++) {
        if (open_connection(path, SQLITE_OPEN_READONLY, &st->readers[i].db, err) != 0) {
            sqlite_close(st);
            return -1;
        }
    }
    *impl = st;
    return 0;
}

static int sqlite_schema_version(void *impl)
{
    sqlite_store *st = impl;
    conn c = sq_acquire_read(st);
    int v = user_version(c.db);

    sq_release(c);
    return v;
}

static int sqlite_schema_latest(void *impl)
{
    (void)impl;
    return (int)sq_migration_count;
}

/* integrity_check answers one row "ok", or one row per problem (at most 100 by default). */
static int do_integrity_check(sqlite3 *db, char *problem, size_t size, ct_error *err)
{
    sqlite3_stmt *stmt;
    size_t used = 0;
    int rc;

    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK)
        return sq_db_fail(db, err, "checking the database");
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *row = (const char *)sqlite3_column_text(stmt, 0);
        if (row == NULL || strcmp(row, "ok") == 0)
            continue;
        if (used < size)
            used += (size_t)snprintf(problem + used, size - used, "%s%s", used ? "\n" : "", row);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        /* a file too damaged to read is a finding too, not a failure of the check */
        if (used == 0 && size > 0)
            snprintf(problem, size, "%s", sqlite3_errmsg(db));
    }
    return 0;
}

static int sqlite_integrity_check(void *impl, char *problem, size_t size, ct_error *err)
{
    WITH_READ(do_integrity_check(db, problem, size, err));
}

static int sqlite_begin(void *impl, ct_error *err)
{
    sqlite_store *st = impl;

    if (tx_owner == st)
        return ct_fail(err, 500, "store.nested", "giao dịch lồng nhau", "nested transaction");
    if (atomic_load(&st->read_only))
        return store_fail_read_only(err);
    pthread_mutex_lock(&st->write_lock);
    /* IMMEDIATE: take SQLite's write lock now (another process may hold it: busy_timeout
     * waits), so a transaction never fails half way on a lock. */
    if (exec_sql(st->db, "BEGIN IMMEDIATE", err, "starting a transaction") != 0) {
        pthread_mutex_unlock(&st->write_lock);
        return -1;
    }
    tx_owner = st;
    return 0;
}

static void end_transaction(sqlite_store *st)
{
    tx_owner = NULL;
    pthread_mutex_unlock(&st->write_lock);
}

static int sqlite_commit(void *impl, ct_error *err)
{
    sqlite_store *st = impl;
    int rc;

    if (tx_owner != st)
        return ct_fail(err, 500, "store.no_transaction", "không có giao dịch",
                       "no transaction to commit");
    rc = exec_sql(st->db, "COMMIT", err, "committing");
    if (rc != 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    end_transaction(st);
    return rc;
}

static void sqlite_rollback(void *impl)
{
    sqlite_store *st = impl;

    if (tx_owner != st)
        return;
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    end_transaction(st);
}

/* Statements are prepared per call: sqlite3_prepare_v2 on these short statements costs a few
 * microseconds, small beside a signature, and keeps the connection free of shared cursor state
 * between threads. */
int sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, ct_error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
        return sq_db_fail(db, err, "preparing a statement");
    return 0;
}

void sq_bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
    sqlite3_bind_text(stmt, i, v, -1, SQLITE_STATIC);
}

static const sq_column cert_cols[] = {
    TEXT(cert_record, serial),
    TEXT(cert_record, kind),
    TEXT(cert_record, issuer),
    TEXT(cert_record, status),
    TEXT(cert_record, subject),
    TEXT(cert_record, common_name),
    TEXT(cert_record, email),
    TEXT(cert_record, search_key),
    TEXT(cert_record, sha256),
    INT(cert_record, not_before),
    INT(cert_record, not_after),
    INT(cert_record, created_at),
    INT(cert_record, effective_at),
    INT(cert_record, revoked_at),
    INT(cert_record, revocation_reason),
    BLOB(cert_record, der, der_len),
};
const sq_table cert_table = SQ_TABLE("certificates", cert_cols, 1, cert_record);

static const sq_column audit_cols[] = {
    INT(audit_entry, id),      INT(audit_entry, at),          TEXT(audit_entry, actor),
    TEXT(audit_entry, role),   TEXT(audit_entry, source),     TEXT(audit_entry, action),
    TEXT(audit_entry, object), TEXT_PTR(audit_entry, detail), TEXT(audit_entry, prev_hash),
    TEXT(audit_entry, hash),
};
const sq_table audit_table = SQ_TABLE("audit", audit_cols, 1, audit_entry);

static const sq_column checkpoint_cols[] = {
    INT(audit_checkpoint, seq),        INT(audit_checkpoint, at),
    INT(audit_checkpoint, rows),       INT(audit_checkpoint, head_id),
    TEXT(audit_checkpoint, head_hash), TEXT(audit_checkpoint, body),
    TEXT(audit_checkpoint, signature), TEXT(audit_checkpoint, signer),
};
const sq_table checkpoint_table =
    SQ_TABLE("audit_checkpoints", checkpoint_cols, 1, audit_checkpoint);

static const sq_column crl_cols[] = {
    TEXT(crl_record, issuer),     INT(crl_record, number),        INT(crl_record, this_update),
    INT(crl_record, next_update), BLOB(crl_record, der, der_len),
};
const sq_table crl_table = SQ_TABLE("crls", crl_cols, 2, crl_record);

/* A published certificate enters the public directory's full-text index. */
static int directory_add(sqlite3 *db, const char *serial, const char *search_key, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db,
                   "INSERT INTO directory (rowid, serial, search_key) VALUES ("
                   "coalesce((SELECT rowid FROM directory ORDER BY rowid LIMIT 1), 0) - 1,"
                   " ?, ct_directory_text(?))",
                   &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, serial);
    sq_bind_text(stmt, 2, search_key);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "indexing a published certificate");
    return 0;
}

/* Bulk issuance inserts thousands of certificates a second: the statement is prepared once, on
 * the writer, and kept. */
static int do_cert_insert(sqlite_store *st, sqlite3 *db, const cert_record *r, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (st->cert_insert == NULL) {
        char sql[1024];
        sq_insert_sql(&cert_table, "changed_seq",
                      "(SELECT coalesce(max(changed_seq), 0) + 1 FROM certificates)", sql,
                      sizeof sql);
        if (sq_prepare(db, sql, &st->cert_insert, err) != 0)
            return -1;
    }
    stmt = st->cert_insert;
    sq_bind_record(stmt, 1, &cert_table, r);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc == SQLITE_CONSTRAINT)
        return ct_fail(err, 409, "cert.serial_duplicate", "số hiệu chứng thư %s đã tồn tại",
                       "certificate serial %s already exists", r->serial);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "storing a certificate");
    if (strcmp(r->kind, "subscriber") == 0 && r->effective_at > 0)
        return directory_add(db, r->serial, r->search_key, err);
    return 0;
}

static int sqlite_cert_insert(void *impl, const cert_record *r, ct_error *err)
{
    WITH_WRITE(do_cert_insert(impl, db, r, err));
}

void sq_copy_col(sqlite3_stmt *stmt, int i, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(stmt, i);

    snprintf(out, size, "%s", t ? (const char *)t : "");
}

static int do_cert_get(sqlite3 *db, const char *serial, cert_record *rec, ct_error *err)
{
    const char *b[] = {serial};
    int rc = sq_select_one(db, &cert_table, "WHERE serial = ?", b, 1, NULL, rec, err);

    if (rc == 1)
        return ct_fail(err, 404, "cert.not_found", "không có chứng thư số hiệu %s",
                       "no certificate with serial %s", serial);
    return rc;
}

static int sqlite_cert_get(void *impl, const char *serial, cert_record *rec, ct_error *err)
{
    WITH_READ(do_cert_get(db, serial, rec, err));
}

/* WHERE clause of a filter; the query's words are bound as LIKE patterns. */
static int build_filter(const cert_filter *f, char *sql, size_t size, char words[][128],
                        int *n_words)
{
    size_t len = strlen(sql);
    char copy[512], *save = NULL, *w;

    *n_words = 0;
    len += (size_t)snprintf(sql + len, size - len, " WHERE 1=1");
    if (f && f->status)
        len += (size_t)snprintf(sql + len, size - len, " AND status = :status");
    if (f && f->kind)
        len += (size_t)snprintf(sql + len, size - len, " AND kind = :kind");
    if (f && f->query) {
        snprintf(copy, sizeof copy, "%s", f->query);
        for (w = strtok_r(copy, " ", &save); w && *n_words < 8; w = strtok_r(NULL, " ", &save)) {
            snprintf(words[*n_words], 128, "%%%s%%", w);
            len += (size_t)snprintf(sql + len, size - len, " AND search_key LIKE :w%d", *n_words);
            (*n_words)++;
        }
    }
    return len < size ? 0 : -1;
}

static void bind_filter(sqlite3_stmt *stmt, const cert_filter *f, char words[][128], int n_words)
{
    char name[16];

    if (f && f->status)
        sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":status"), f->status, -1,
                          SQLITE_STATIC);
    if (f && f->kind)
        sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":kind"), f->kind, -1,
                          SQLITE_STATIC);
    for (int i = 0; i < n_words; i++) {
        snprintf(name, sizeof name, ":w%d", i);
        sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, name), words[i], -1,
                          SQLITE_STATIC);
    }
}

static int do_cert_list(sqlite3 *db, const cert_filter *f, cert_visit_fn visit, void *ctx,
                        ct_error *err)
{
    sqlite3_stmt *stmt;
    cert_record rec;
    char sql[2048], cols[1024], words[8][128];
    int n_words;
    size_t len;

    sq_column_list(&cert_table, "", cols, sizeof cols);
    snprintf(sql, sizeof sql, "SELECT %s FROM certificates", cols);
    if (build_filter(f, sql, sizeof sql, words, &n_words) != 0)
        return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
    len = strlen(sql);
    snprintf(sql + len, sizeof sql - len, " ORDER BY created_at, serial LIMIT %lld OFFSET %lld",
             f && f->limit > 0 ? (long long)f->limit : -1LL,
             f && f->offset > 0 ? (long long)f->offset : 0LL);
    if (sq_prepare(db, sql, &stmt, err) != 0)
        return -1;
    bind_filter(stmt, f, words, n_words);
    return sq_visit_rows(db, stmt, &cert_table, false, (sq_row_fn)visit, ctx, &rec,
                         "listing certificates", err);
}

static int sqlite_cert_list(void *impl, const cert_filter *f, cert_visit_fn visit, void *ctx,
                            ct_error *err)
{
    WITH_READ(do_cert_list(db, f, visit, ctx, err));
}

static int do_cert_count(sqlite3 *db, const cert_filter *f, int64_t *count, ct_error *err)
{
    sqlite3_stmt *stmt;
    char sql[2048] = "SELECT count(*) FROM certificates", words[8][128];
    int n_words, rc;

    if (build_filter(f, sql, sizeof sql, words, &n_words) != 0)
        return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
    if (sq_prepare(db, sql, &stmt, err) != 0)
        return -1;
    bind_filter(stmt, f, words, n_words);
    rc = sqlite3_step(stmt);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return sq_db_fail(db, err, "counting certificates");
    return 0;
}

static int sqlite_cert_count(void *impl, const cert_filter *f, int64_t *count, ct_error *err)
{
    WITH_READ(do_cert_count(db, f, count, err));
}

static int do_cert_set_status(sqlite3 *db, const char *serial, const char *from, const char *to,
                              int64_t effective_at, int64_t revoked_at, int reason, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;
    int64_t was_effective = 0;
    char kind[16] = "", search_key[1024] = "", status[16] = "";

    /* the old publication time and the search key, to index a certificate being published */
    if (sq_prepare(
            db, "SELECT effective_at, kind, search_key, status FROM certificates WHERE serial = ?",
            &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, serial);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        was_effective = sqlite3_column_int64(stmt, 0);
        sq_copy_col(stmt, 1, kind, sizeof kind);
        sq_copy_col(stmt, 2, search_key, sizeof search_key);
        sq_copy_col(stmt, 3, status, sizeof status);
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE)
        return ct_fail(err, 404, "cert.not_found", "không có chứng thư số hiệu %s",
                       "no certificate with serial %s", serial);
    if (rc != SQLITE_ROW)
        return sq_db_fail(db, err, "reading a certificate");
    if (strcmp(status, from) != 0)
        return strcmp(status, CERT_STATUS_REVOKED) == 0
                   ? cert_status_change(serial, status, to, err)
                   : ct_fail(err, 409, "cert.status_changed",
                             "trạng thái chứng thư %s vừa đổi thành \"%s\": hãy tải lại",
                             "certificate %s has just become \"%s\": reload and try again", serial,
                             status);
    if (exec_sql(db, "SAVEPOINT cert_status", err, "changing a certificate's status") != 0)
        return -1;
    /* The condition on the status read above makes the write exactly the change decided on;
     * the trigger of migration 10 refuses any change the status table does not allow. */
    if (sq_prepare(db,
                   "UPDATE certificates SET status = ?, effective_at = ?, revoked_at = ?,"
                   " revocation_reason = ?,"
                   " changed_seq = (SELECT coalesce(max(changed_seq), 0) + 1 FROM certificates)"
                   " WHERE serial = ? AND status = ?",
                   &stmt, err) != 0)
        goto fail;
    sq_bind_text(stmt, 1, to);
    sqlite3_bind_int64(stmt, 2, effective_at);
    sqlite3_bind_int64(stmt, 3, revoked_at);
    sqlite3_bind_int(stmt, 4, reason);
    sq_bind_text(stmt, 5, serial);
    sq_bind_text(stmt, 6, from);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_CONSTRAINT) {
        ct_fail(err, 409, "cert.status",
                "không được đổi trạng thái chứng thư %s từ \"%s\" sang \"%s\"",
                "certificate %s may not change from \"%s\" to \"%s\"", serial, from, to);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        sq_db_fail(db, err, "changing a certificate's status");
        goto fail;
    }
    if (sqlite3_changes(db) != 1) {
        ct_fail(err, 409, "cert.status_changed", "trạng thái chứng thư %s vừa thay đổi",
                "the status of certificate %s has just changed", serial);
        goto fail;
    }
    if (strcmp(kind, "subscriber") == 0 && was_effective == 0 && effective_at > 0 &&
        directory_add(db, serial, search_key, err) != 0)
        goto fail;
    return exec_sql(db, "RELEASE cert_status", err, "changing a certificate's status");
fail:
    sqlite3_exec(db, "ROLLBACK TO cert_status; RELEASE cert_status", NULL, NULL, NULL);
    return -1;
}

static int sqlite_cert_set_status(void *impl, const char *serial, const char *from, const char *to,
                                  int64_t effective_at, int64_t revoked_at, int reason,
                                  ct_error *err)
{
    WITH_WRITE(do_cert_set_status(db, serial, from, to, effective_at, revoked_at, reason, err));
}

static int do_audit_last(sqlite3 *db, int64_t *id, char hash[65], ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &stmt, err) != 0)
        return -1;
    rc = sqlite3_step(stmt);
    *id = 0;
    hash[0] = '\0';
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(stmt, 0);
        sq_copy_col(stmt, 1, hash, 65);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "reading the audit trail");
    return 0;
}

static int sqlite_audit_last(void *impl, int64_t *id, char hash[65], ct_error *err)
{
    WITH_READ(do_audit_last(db, id, hash, err));
}

static int do_audit_append(sqlite3 *db, audit_entry *e, ct_error *err)
{
    audit_entry row = *e;

    if (row.detail == NULL)
        row.detail = "{}";
    if (sq_insert_record(db, &audit_table, &row, err) == 0)
        return 0;
    /* an audit row is never a duplicate the caller could act on: the id is the chain's next */
    if (sq_is_duplicate(err))
        sq_db_fail(db, err, "writing the audit trail");
    return -1;
}

static int sqlite_audit_append(void *impl, audit_entry *e, ct_error *err)
{
    WITH_WRITE(do_audit_append(db, e, err));
}

static int do_audit_walk(sqlite3 *db, const char *object_prefix, audit_visit_fn visit, void *ctx,
                         ct_error *err)
{
    audit_entry scratch;
    const char *b[] = {object_prefix};

    return sq_select_records(
        db, &audit_table,
        object_prefix ? "WHERE object >= ?1 AND object < ?1 || x'ff' ORDER BY id" : "ORDER BY id",
        b, object_prefix ? 1 : 0, NULL, (sq_row_fn)visit, ctx, &scratch, err);
}

static int sqlite_audit_walk(void *impl, audit_visit_fn visit, void *ctx, ct_error *err)
{
    WITH_READ(do_audit_walk(db, NULL, visit, ctx, err));
}

static int sqlite_audit_for_object(void *impl, const char *object_prefix, audit_visit_fn visit,
                                   void *ctx, ct_error *err)
{
    WITH_READ(do_audit_walk(db, object_prefix, visit, ctx, err));
}

static int sqlite_checkpoint_append(void *impl, const audit_checkpoint *cp, ct_error *err)
{
    WITH_WRITE(sq_insert_record(db, &checkpoint_table, cp, err));
}

static int sqlite_checkpoint_last(void *impl, audit_checkpoint *out, ct_error *err)
{
    WITH_READ(
        sq_select_one(db, &checkpoint_table, "ORDER BY seq DESC LIMIT 1", NULL, 0, NULL, out, err));
}

static int sqlite_checkpoint_walk(void *impl, checkpoint_visit_fn visit, void *ctx, ct_error *err)
{
    audit_checkpoint scratch;

    WITH_READ(sq_select_records(db, &checkpoint_table, "ORDER BY seq", NULL, 0, NULL,
                                (sq_row_fn)visit, ctx, &scratch, err));
}

static int do_cert_revoked_walk(sqlite3 *db, const char *issuer, int64_t now,
                                revoked_visit_fn visit, void *ctx, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db,
                   "SELECT serial, revoked_at, revocation_reason FROM certificates"
                   " WHERE issuer = ? AND status IN ('hold', 'revoked') AND not_after > ?"
                   " ORDER BY id",
                   &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, issuer);
    sqlite3_bind_int64(stmt, 2, now);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (visit(ctx, (const char *)sqlite3_column_text(stmt, 0), sqlite3_column_int64(stmt, 1),
                  sqlite3_column_int(stmt, 2)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "listing revoked certificates");
    return 0;
}

static int sqlite_cert_revoked_walk(void *impl, const char *issuer, int64_t now,
                                    revoked_visit_fn visit, void *ctx, ct_error *err)
{
    WITH_READ(do_cert_revoked_walk(db, issuer, now, visit, ctx, err));
}

static int do_cert_changes(sqlite3 *db, int64_t since, cert_change_fn visit, void *ctx,
                           int64_t *last, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (visit == NULL) { /* only the newest change number */
        if (sq_prepare(db, "SELECT coalesce(max(changed_seq), 0) FROM certificates", &stmt, err) !=
            0)
            return -1;
        rc = sqlite3_step(stmt);
        *last = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : since;
        sqlite3_finalize(stmt);
        return rc == SQLITE_ROW ? 0 : sq_db_fail(db, err, "reading certificate changes");
    }
    if (sq_prepare(db,
                   "SELECT serial, changed_seq FROM certificates WHERE changed_seq > ?"
                   " ORDER BY changed_seq",
                   &stmt, err) != 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, since);
    *last = since;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *last = sqlite3_column_int64(stmt, 1);
        if (visit && visit(ctx, (const char *)sqlite3_column_text(stmt, 0)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "reading certificate changes");
    return 0;
}

static int sqlite_cert_changes(void *impl, int64_t since, cert_change_fn visit, void *ctx,
                               int64_t *last, ct_error *err)
{
    WITH_READ(do_cert_changes(db, since, visit, ctx, last, err));
}

static int do_crl_put(sqlite3 *db, const crl_record *r, ct_error *err)
{
    if (sq_insert_record(db, &crl_table, r, err) == 0)
        return 0;
    if (sq_is_duplicate(err))
        return ct_fail(err, 409, "crl.number_used", "số CRL %lld của %s đã được dùng",
                       "CRL number %lld of %s is already used", (long long)r->number, r->issuer);
    return -1;
}

static int sqlite_crl_put(void *impl, const crl_record *r, ct_error *err)
{
    WITH_WRITE(do_crl_put(db, r, err));
}

static int do_crl_latest(sqlite3 *db, const char *issuer, crl_record *out, ct_error *err)
{
    const char *b[] = {issuer};
    int rc;

    memset(out, 0, sizeof *out);
    rc = sq_select_one(db, &crl_table, "WHERE issuer = ? ORDER BY number DESC LIMIT 1", b, 1, NULL,
                       out, err);
    if (rc == 1)
        return ct_fail(err, 404, "crl.none", "chưa có CRL nào của %s",
                       "no CRL of %s has been signed", issuer);
    return rc;
}

static int sqlite_crl_latest(void *impl, const char *issuer, crl_record *out, ct_error *err)
{
    WITH_READ(do_crl_latest(db, issuer, out, err));
}

static int do_crl_next_number(sqlite3 *db, const char *issuer, int64_t *number, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "SELECT coalesce(max(number), 0) + 1 FROM crls WHERE issuer = ?", &stmt,
                   err) != 0)
        return -1;
    sq_bind_text(stmt, 1, issuer);
    rc = sqlite3_step(stmt);
    *number = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return sq_db_fail(db, err, "numbering a CRL");
    return 0;
}

static int sqlite_crl_next_number(void *impl, const char *issuer, int64_t *number, ct_error *err)
{
    WITH_READ(do_crl_next_number(db, issuer, number, err));
}

/* The words of a folded query: runs of letters and digits (nothing else reaches FTS5, so no
 * query syntax can be injected). */
#define QUERY_WORDS 32
typedef struct query_words {
    const char *w[QUERY_WORDS];
    size_t len[QUERY_WORDS];
    size_t n;
    size_t pair; /* SOME_PAIRS: the pair (words pair and pair + 1) kept whole */
} query_words;

static int split_words(const char *folded, query_words *q)
{
    q->n = 0;
    for (const char *p = folded; *p;) {
        const char *w;
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            p++;
        w = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            p++;
        if (p == w)
            break;
        if (q->n == QUERY_WORDS)
            return -1;
        q->w[q->n] = w;
        q->len[q->n++] = (size_t)(p - w);
    }
    return 0;
}

/*
 * The FTS5 query of a search, in one of four forms (see directory_text() for the pairs):
 *   PAIRS       "nguyen_thi" "thi_thu" "thu_ha"   the words as they follow each other in a
 *               name or an agency's name;
 *   SOME_PAIRS  "thi_thu" "nguyen" "ha"           one pair as typed, the other words anywhere
 *               ("Nguyễn Thị Thu" of an agency in Hà Nội), the later pairs of a name tried
 *               first, as they are the rarer (family names are few);
 *   WORDS       "ha" "nguyen"                     every word anywhere, in any order;
 *   PREFIX      "ha" "nguy"*                      the same, the last word still being typed.
 * Each is tried in turn until one matches. Whole words and pairs are read straight from the
 * index, and a rare pair makes the intersection short; common words alone make it long. A
 * prefix longer than the 2 and 3 letters FTS5 indexes costs a merge of every word that starts
 * with it, so it comes last.
 */
typedef enum { QUERY_PAIRS, QUERY_SOME_PAIRS, QUERY_WORDS_EXACT, QUERY_PREFIX } query_form;

static int build_query(const query_words *q, query_form form, char *out, size_t size)
{
    size_t len = 0;
    int n;

    out[0] = '\0';
    if (form == QUERY_PAIRS || form == QUERY_SOME_PAIRS) {
        bool covered[QUERY_WORDS] = {false};
        /* last pair first: FTS5 walks its terms in order, and a name's later pairs are the
         * rarer (few family names, many given names) — measured several times faster */
        for (size_t i = q->n - 1; i-- > 0;) {
            if (form == QUERY_SOME_PAIRS && i != q->pair)
                continue;
            covered[i] = covered[i + 1] = true;
            n = snprintf(out + len, size - len, "%s\"%.*s_%.*s\"", len ? " " : "", (int)q->len[i],
                         q->w[i], (int)q->len[i + 1], q->w[i + 1]);
            if (n < 0 || (size_t)n >= size - len)
                return -1;
            len += (size_t)n;
        }
        for (size_t i = 0; form == QUERY_SOME_PAIRS && i < q->n; i++) {
            if (covered[i])
                continue;
            n = snprintf(out + len, size - len, " \"%.*s\"", (int)q->len[i], q->w[i]);
            if (n < 0 || (size_t)n >= size - len)
                return -1;
            len += (size_t)n;
        }
        return 0;
    }
    for (size_t i = 0; i < q->n; i++) {
        n = snprintf(out + len, size - len, "%s\"%.*s\"%s", i ? " " : "", (int)q->len[i], q->w[i],
                     form == QUERY_PREFIX && i + 1 == q->n ? "*" : "");
        if (n < 0 || (size_t)n >= size - len)
            return -1;
        len += (size_t)n;
    }
    return 0;
}

/* Does anything match? (One row at most: cheap, even for common words.) */
static int directory_any(sqlite3 *db, const char *match, bool *any, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "SELECT 1 FROM directory WHERE directory MATCH ? LIMIT 1", &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, match);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_db_fail(db, err, "searching the directory");
    *any = rc == SQLITE_ROW;
    return 0;
}

/* One page of results for an FTS5 query ("" for the whole directory); *seen counts them. */
static int directory_page(sqlite3 *db, const char *match, int64_t limit, int64_t offset,
                          cert_visit_fn visit, void *ctx, bool *has_more, int64_t *seen,
                          ct_error *err)
{
    sqlite3_stmt *stmt;
    bool all = match[0] == '\0';
    char sql[2048], cols[1024];
    int rc;

    *seen = 0;
    *has_more = false;
    /* newest publication first: the directory's rowids descend as certificates are published */
    sq_column_list(&cert_table, "c.", cols, sizeof cols);
    snprintf(sql, sizeof sql,
             "SELECT %s FROM directory d JOIN certificates c ON c.serial = d.serial%s"
             " ORDER BY d.rowid LIMIT ?2 OFFSET ?3",
             cols, all ? "" : " WHERE directory MATCH ?1");
    if (sq_prepare(db, sql, &stmt, err) != 0)
        return -1;
    if (!all)
        sq_bind_text(stmt, 1, match);
    sqlite3_bind_int64(stmt, 2, limit + 1);
    sqlite3_bind_int64(stmt, 3, offset);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        cert_record rec;
        if (*seen == limit) {
            *has_more = true;
            rc = SQLITE_DONE;
            break;
        }
        (*seen)++;
        sq_read_record(stmt, 0, &cert_table, &rec, false);
        if (visit(ctx, &rec) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "searching the directory");
    return 0;
}

/* Try the forms in turn. The first page runs each form itself and moves on when it finds
 * nothing; a later page must use the form its first page used, found by asking whether each
 * form matches anything (cheap for the pairs, which are rare; a walk for common words). */
static int do_directory_search(sqlite3 *db, const char *query, int64_t limit, int64_t offset,
                               cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err)
{
    query_words q;
    char match[2048] = "";
    int64_t seen = 0;
    bool any;

    if (split_words(query ? query : "", &q) != 0)
        return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
    if (q.n == 0)
        return directory_page(db, "", limit, offset, visit, ctx, has_more, &seen, err);
    for (query_form f = q.n > 1 ? QUERY_PAIRS : QUERY_WORDS_EXACT;; f++) {
        if (f == QUERY_SOME_PAIRS) {
            /* one pair at a time, from the last; each check is short, as a pair is rare */
            any = false;
            for (size_t i = q.n - 1; i-- > 0 && !any && q.n > 2;) {
                q.pair = i;
                if (build_query(&q, f, match, sizeof match) != 0)
                    return ct_fail(err, 400, "query.too_long", "truy vấn quá dài",
                                   "query too long");
                if (directory_any(db, match, &any, err) != 0)
                    return -1;
            }
            if (any)
                break;
            continue;
        }
        if (build_query(&q, f, match, sizeof match) != 0)
            return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
        if (f == QUERY_PREFIX)
            break;
        if (f == QUERY_PAIRS || offset > 0) {
            if (directory_any(db, match, &any, err) != 0)
                return -1;
            if (any)
                break;
            continue;
        }
        if (directory_page(db, match, limit, offset, visit, ctx, has_more, &seen, err) != 0)
            return -1;
        if (seen > 0)
            return 0;
    }
    return directory_page(db, match, limit, offset, visit, ctx, has_more, &seen, err);
}

static int sqlite_directory_search(void *impl, const char *query, int64_t limit, int64_t offset,
                                   cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err)
{
    WITH_READ(do_directory_search(db, query, limit, offset, visit, ctx, has_more, err));
}

/* FTS5's own merging: a positive 'merge' works through at most that many pages of segments
 * that share a level (two suffice, with usermerge = 2), so each step is short and the writer is
 * soon free again; 'optimize' merges all into one. FTS5 documents the test for remaining work:
 * a step that changed fewer than two rows found nothing to do. */
static int do_directory_merge(sqlite3 *db, bool full, bool *more, ct_error *err)
{
    int before;

    *more = false;
    if (full)
        return sqlite3_exec(db, "INSERT INTO directory(directory) VALUES('optimize')", NULL, NULL,
                            NULL) == SQLITE_OK
                   ? 0
                   : sq_db_fail(db, err, "merging the directory index");
    if (sqlite3_exec(db, "INSERT INTO directory(directory, rank) VALUES('usermerge', 2)", NULL,
                     NULL, NULL) != SQLITE_OK)
        return sq_db_fail(db, err, "merging the directory index");
    before = sqlite3_total_changes(db);
    if (sqlite3_exec(db, "INSERT INTO directory(directory, rank) VALUES('merge', 256)", NULL, NULL,
                     NULL) != SQLITE_OK)
        return sq_db_fail(db, err, "merging the directory index");
    *more = sqlite3_total_changes(db) - before >= 2;
    return 0;
}

static int sqlite_directory_merge(void *impl, bool full, bool *more, ct_error *err)
{
    WITH_WRITE(do_directory_merge(db, full, more, err));
}

/* One server per database file: it leads. */
static int sqlite_lead_upkeep(void *impl, int64_t now, bool *lead, ct_error *err)
{
    (void)impl;
    (void)now;
    (void)err;
    *lead = true;
    return 0;
}

/* One server per file: its rate limits are its own (app_limit.c). */
/* A file is never a standby; read-only is this process's choice (serve --read-only), kept by
 * SQLite itself too: the writer refuses any change under query_only. */
static int sqlite_standby(void *impl, bool *standby, ct_error *err)
{
    (void)impl;
    (void)err;
    *standby = false;
    return 0;
}

static void sqlite_set_read_only(void *impl, bool on)
{
    sqlite_store *st = impl;

    pthread_mutex_lock(&st->write_lock);
    atomic_store(&st->read_only, on);
    sqlite3_exec(st->db, on ? "PRAGMA query_only = ON" : "PRAGMA query_only = OFF", NULL, NULL,
                 NULL);
    pthread_mutex_unlock(&st->write_lock);
}

static bool sqlite_read_only(void *impl)
{
    return atomic_load(&((sqlite_store *)impl)->read_only);
}

static bool sqlite_limits_shared(void *impl)
{
    (void)impl;
    return false;
}

static int limits_local(ct_error *err)
{
    return ct_fail(err, 501, "store.limits_local",
                   "cơ sở dữ liệu SQLite không giữ bộ đếm giới hạn tần suất",
                   "an SQLite database keeps no rate limit counters");
}

static int sqlite_limit_take(void *impl, const char *key, int max, int64_t now, int64_t window_end,
                             bool *taken, int64_t *until, ct_error *err)
{
    (void)impl, (void)key, (void)max, (void)now, (void)window_end;
    *taken = false;
    *until = 0;
    return limits_local(err);
}

static int sqlite_limit_release(void *impl, const char *key, bool all, int64_t now, ct_error *err)
{
    (void)impl, (void)key, (void)all, (void)now;
    return limits_local(err);
}

static int sqlite_limit_count(void *impl, const char *key, int64_t now, int *count, ct_error *err)
{
    (void)impl, (void)key, (void)now;
    *count = 0;
    return limits_local(err);
}

const store_backend store_sqlite_backend = {
    .name = "sqlite",
    .close = sqlite_close,
    .schema_version = sqlite_schema_version,
    .schema_latest = sqlite_schema_latest,
    .integrity_check = sqlite_integrity_check,
    .backup = sqlite_backup,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .cert_insert = sqlite_cert_insert,
    .cert_get = sqlite_cert_get,
    .cert_list = sqlite_cert_list,
    .cert_count = sqlite_cert_count,
    .cert_set_status = sqlite_cert_set_status,
    .cert_revoked_walk = sqlite_cert_revoked_walk,
    .cert_changes = sqlite_cert_changes,
    .crl_put = sqlite_crl_put,
    .crl_latest = sqlite_crl_latest,
    .crl_next_number = sqlite_crl_next_number,
    .directory_search = sqlite_directory_search,
    .directory_merge = sqlite_directory_merge,
    .agency_insert = sq_agency_insert,
    .agency_get = sq_agency_get,
    .agency_list = sq_agency_list,
    .agency_update = sq_agency_update,
    .dossier_next_seq = sq_dossier_next_seq,
    .dossier_insert = sq_dossier_insert,
    .dossier_get = sq_dossier_get,
    .dossier_update = sq_dossier_update,
    .dossier_list = sq_dossier_list,
    .applicant_insert = sq_applicant_insert,
    .applicant_get = sq_applicant_get,
    .applicant_update = sq_applicant_update,
    .applicant_list = sq_applicant_list,
    .applicant_delete_all = sq_applicant_delete_all,
    .applicant_due_publication = sq_applicant_due_publication,
    .applicant_by_id_number = sq_applicant_by_id_number,
    .applicant_by_cert = sq_applicant_by_cert,
    .applicant_holders = sq_applicant_holders,
    .token_insert = sq_token_insert,
    .token_get = sq_token_get,
    .token_by_cert = sq_token_by_cert,
    .token_update = sq_token_update,
    .token_list = sq_token_list,
    .user_insert = sq_user_insert,
    .user_get = sq_user_get,
    .user_update = sq_user_update,
    .user_list = sq_user_list,
    .user_get_by_os = sq_user_get_by_os,
    .login_failures = sq_login_failures,
    .draft_insert = sq_draft_insert,
    .draft_get = sq_draft_get,
    .draft_update = sq_draft_update,
    .draft_delete = sq_draft_delete,
    .draft_list = sq_draft_list,
    .draft_put_document = sq_draft_put_document,
    .draft_get_document = sq_draft_get_document,
    .session_insert = sq_session_insert,
    .session_get = sq_session_get,
    .session_delete = sq_session_delete,
    .session_delete_user = sq_session_delete_user,
    .audit_for_object = sqlite_audit_for_object,
    .paper_insert = sq_paper_insert,
    .paper_get = sq_paper_get,
    .claim_insert = sq_claim_insert,
    .claim_get = sq_claim_get,
    .claim_delete = sq_claim_delete,
    .approval_insert = sq_approval_insert,
    .approval_get = sq_approval_get,
    .approval_update = sq_approval_update,
    .approval_list = sq_approval_list,
    .audit_last = sqlite_audit_last,
    .audit_append = sqlite_audit_append,
    .audit_walk = sqlite_audit_walk,
    .checkpoint_append = sqlite_checkpoint_append,
    .checkpoint_last = sqlite_checkpoint_last,
    .checkpoint_walk = sqlite_checkpoint_walk,
    .outbox_next_id = sq_outbox_next_id,
    .outbox_insert = sq_outbox_insert,
    .outbox_get = sq_outbox_get,
    .outbox_mark = sq_outbox_mark,
    .outbox_list = sq_outbox_list,
    .cert_expiring = sq_cert_expiring,
    .expiry_notice_insert = sq_expiry_notice_insert,
    .lead_upkeep = sqlite_lead_upkeep,
    .limits_shared = sqlite_limits_shared,
    .standby = sqlite_standby,
    .set_read_only = sqlite_set_read_only,
    .read_only = sqlite_read_only,
    .limit_take = sqlite_limit_take,
    .limit_release = sqlite_limit_release,
    .limit_count = sqlite_limit_count,
};
