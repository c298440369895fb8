/*
 * app_backup.c — `backup` and `restore`: a consistent copy of an instance while it serves, and
 * an instance made again from one.
 *
 * A backup is a directory (0700, files 0600):
 *   manifest.json            what is in it: each file's size and SHA-256, the schema version,
 *                            the audit head, when and by which chungthu
 *   chungthu.db              the database, one snapshot through SQLite's online backup
 *   database.pgdump          instead, on PostgreSQL: `pg_dump -Fc` of one snapshot
 *                            (store_pg_backup.c), restored with pg_restore into an empty
 *                            database (`restore --database-url`)
 *   chungthu.ini, ca/NAME.crt, holidays/, mail/ (the instance's own e-mail templates, when
 *                            it has any), audit-checkpoints.jsonl
 *   secrets.sealed           only with --with-secrets: ca/NAME.key, secrets/, the token store,
 *                            waiting PIN envelopes and demo passwords, in one archive sealed
 *                            under a passphrase (pki/seal.h); never in clear
 *
 * The order is what keeps the copy consistent: the checkpoint file is copied before the
 * database (a checkpoint is written to the file after its row is committed, so the copied file
 * never names a row the copied database lacks), and the token store after it (a token the copy
 * of the database calls blank may already hold a key; issuing wipes it again). A restore checks
 * every hash and opens the sealed archive before it writes anything, and removes what it wrote
 * when a later check fails.
 */
#include "app/app_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pki/digest.h"
#include "pki/seal.h"

#ifndef CT_VERSION
#define CT_VERSION "unknown"
#endif

#define PATH_MAX_LEN 4096
#define SECRETS_FILE "secrets.sealed"
#define SECRETS_MAGIC "chungthu-secrets 1\n"
#define CHECKPOINTS_FILE "audit-checkpoints.jsonl"
#define PG_DUMP_FILE "database.pgdump"
#define MIN_PASSPHRASE 12
#define MAX_SECRETS (256u << 20) /* keys, PIN files and token objects: far less in practice */

static int oom(ct_error *err)
{
    return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
}

static void hex(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static int io_fail(ct_error *err, const char *path)
{
    return ct_fail(err, 500, "backup.io", "lỗi đọc/ghi %s: %s", "cannot read or write %s: %s", path,
                   strerror(errno));
}

/* Write a new file (0600, never over one), durably. */
static int write_new(const char *path, const unsigned char *data, size_t len, ct_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    size_t done = 0;

    if (fd < 0)
        return io_fail(err, path);
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            io_fail(err, path);
            close(fd);
            unlink(path);
            return -1;
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        io_fail(err, path);
        unlink(path);
        return -1;
    }
    return 0;
}

/* Hash src (size and lower-case hex SHA-256) and, when dst is not NULL, copy it there as a new
 * 0600 file. */
static int hash_copy(const char *src, const char *dst, int64_t *size, char sha[65], ct_error *err)
{
    unsigned char chunk[65536], md[32];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
    int64_t total = 0;
    ssize_t n;

    if (ctx == NULL)
        return oom(err);
    if (in < 0) {
        io_fail(err, src);
        goto done;
    }
    if (dst && (out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        io_fail(err, dst);
        goto done;
    }
    EVP_DigestInit_ex(ctx, pki_md_sha256(), NULL);
    while ((n = read(in, chunk, sizeof chunk)) > 0) {
        EVP_DigestUpdate(ctx, chunk, (size_t)n);
        total += n;
        for (ssize_t off = 0; out >= 0 && off < n;) {
            ssize_t w = write(out, chunk + off, (size_t)(n - off));
            if (w <= 0) {
                io_fail(err, dst);
                goto done;
            }
            off += w;
        }
    }
    if (n < 0) {
        io_fail(err, src);
        goto done;
    }
    if (out >= 0 && fsync(out) != 0) {
        io_fail(err, dst);
        goto done;
    }
    EVP_DigestFinal_ex(ctx, md, NULL);
    hex(md, 32, sha);
    *size = total;
    rc = 0;
done:
    EVP_MD_CTX_free(ctx);
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0 && rc == 0)
        rc = io_fail(err, dst);
    if (rc != 0 && out >= 0)
        unlink(dst);
    return rc;
}

static int read_all(const char *path, size_t max, unsigned char **data, size_t *len, ct_error *err)
{
    FILE *f = fopen(path, "rb");
    ct_buf b;
    unsigned char chunk[65536];
    size_t n;

    if (f == NULL)
        return io_fail(err, path);
    buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= max)
        buf_append(&b, chunk, n);
    fclose(f);
    if (!buf_ok(&b) || b.len > max) {
        buf_free(&b);
        return ct_fail(err, 413, "backup.too_large", "tệp %s quá lớn", "file %s is too large",
                       path);
    }
    *data = buf_take(&b, len);
    return 0;
}

/* Every directory of rel (relative to root) made, 0700. */
static int make_parents(const char *root, const char *rel, ct_error *err)
{
    char path[PATH_MAX_LEN];

    for (const char *p = strchr(rel, '/'); p; p = strchr(p + 1, '/')) {
        snprintf(path, sizeof path, "%s/%.*s", root, (int)(p - rel), rel);
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return io_fail(err, path);
    }
    return 0;
}

static bool is_dir_empty(const char *path, bool *exists)
{
    DIR *d = opendir(path);
    struct dirent *e;
    bool empty = true;

    *exists = d != NULL || errno != ENOENT;
    if (d == NULL)
        return errno == ENOENT;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(d);
    return empty;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Remove what was written into root: root itself when it was made here, else its contents. */
static void undo_dir(const char *root, bool made)
{
    DIR *d;
    struct dirent *e;
    char path[PATH_MAX_LEN];

    if (made) {
        nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        return;
    }
    d = opendir(root);
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", root, e->d_name);
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    if (d)
        closedir(d);
}

/* A directory that must not exist or be empty: made (or tightened) to 0700. */
static int claim_dir(const char *path, const char *code, bool *made, ct_error *err)
{
    bool exists;

    if (!is_dir_empty(path, &exists))
        return ct_fail(err, 409, code, "%s đã có nội dung: cần một thư mục mới hoặc trống",
                       "%s is not empty: give a new or empty directory", path);
    *made = !exists;
    if (!exists && mkdir(path, 0700) != 0)
        return io_fail(err, path);
    if (exists && chmod(path, 0700) != 0)
        return io_fail(err, path);
    return 0;
}

/* ---- the sealed archive of secrets: "chungthu-secrets 1\n", then per file a line
 * "SIZE PATH\n" and SIZE bytes ---- */

static int archive_add(ct_buf *b, const char *rel, const char *path, json_t *names, ct_error *err)
{
    unsigned char *data;
    size_t len;

    if (read_all(path, MAX_SECRETS, &data, &len, err) != 0)
        return -1;
    buf_printf(b, "%zu %s\n", len, rel);
    buf_append(b, data, len);
    OPENSSL_cleanse(data, len);
    free(data);
    json_array_append_new(names, json_string(rel));
    if (!buf_ok(b) || b->len > MAX_SECRETS)
        return ct_fail(err, 413, "backup.too_large", "bí mật quá lớn", "the secrets are too large");
    return 0;
}

/* Every regular file under dir (recursively), as prefix/relative-path; skip: one name left out
 * (NULL: none). */
static int archive_tree(ct_buf *b, const char *dir, const char *prefix, const char *skip,
                        json_t *names, ct_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    char path[PATH_MAX_LEN], rel[PATH_MAX_LEN];
    int rc = 0;

    if (d == NULL)
        return errno == ENOENT ? 0 : io_fail(err, dir);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || (skip && strcmp(e->d_name, skip) == 0))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(rel, sizeof rel, "%s/%s", prefix, e->d_name);
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = archive_tree(b, path, rel, NULL, names, err);
        else if (S_ISREG(st.st_mode))
            rc = archive_add(b, rel, path, names, err);
    }
    closedir(d);
    return rc;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The secrets of the instance, archived: ca/NAME.key, secrets/, the token store (its softhsm2.conf
 * names the old home: the restore writes a new one), envelopes/, demo-accounts.txt. */
static int archive_secrets(app *a, ct_buf *b, json_t *names, ct_error *err)
{
    char dir[PATH_MAX_LEN], path[PATH_MAX_LEN];
    DIR *d;
    struct dirent *e;
    int rc = 0;

    buf_append_str(b, SECRETS_MAGIC);
    snprintf(dir, sizeof dir, "%s/ca", app_cfg(a)->home);
    d = opendir(dir);
    if (d == NULL)
        return io_fail(err, dir);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char rel[300];
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".key"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(rel, sizeof rel, "ca/%s", e->d_name);
        rc = archive_add(b, rel, path, names, err);
    }
    closedir(d);
    snprintf(dir, sizeof dir, "%s/secrets", app_cfg(a)->home);
    if (rc == 0)
        rc = archive_tree(b, dir, "secrets", NULL, names, err);
    config_path(app_cfg(a), app_cfg(a)->token_dir, dir, sizeof dir);
    if (rc == 0)
        rc = archive_tree(b, dir, "tokens", "softhsm2.conf", names, err);
    snprintf(dir, sizeof dir, "%s/envelopes", app_cfg(a)->home);
    if (rc == 0)
        rc = archive_tree(b, dir, "envelopes", NULL, names, err);
    snprintf(path, sizeof path, "%s/demo-accounts.txt", app_cfg(a)->home);
    if (rc == 0 && access(path, F_OK) == 0)
        rc = archive_add(b, "demo-accounts.txt", path, names, err);
    return rc;
}

/* ---- backup ---- */

typedef struct backup_run {
    app *a;
    const char *dir;
    json_t *files; /* the manifest's list */
} backup_run;

static int add_file(backup_run *r, const char *rel, const char *what, int64_t size, const char *sha)
{
    json_t *f = json_pack("{s:s, s:s, s:I, s:s}", "path", rel, "what", what, "size",
                          (json_int_t)size, "sha256", sha);
    return f && json_array_append_new(r->files, f) == 0 ? 0 : -1;
}

/* Copy an instance file into the backup as rel. */
static int copy_in(backup_run *r, const char *src, const char *rel, const char *what, ct_error *err)
{
    char dst[PATH_MAX_LEN], sha[65];
    int64_t size;

    snprintf(dst, sizeof dst, "%s/%s", r->dir, rel);
    if (make_parents(r->dir, rel, err) != 0 || hash_copy(src, dst, &size, sha, err) != 0)
        return -1;
    return add_file(r, rel, what, size, sha) == 0 ? 0 : oom(err);
}

/* Every regular file of dir whose name ends with suffix ("" for all), as prefix/NAME. */
static int copy_dir(backup_run *r, const char *dir, const char *prefix, const char *suffix,
                    const char *what, ct_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char src[PATH_MAX_LEN], rel[PATH_MAX_LEN];
    struct stat st;
    int rc = 0;

    if (d == NULL)
        return errno == ENOENT ? 0 : io_fail(err, dir);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, suffix))
            continue;
        snprintf(src, sizeof src, "%s/%s", dir, e->d_name);
        if (stat(src, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        snprintf(rel, sizeof rel, "%s/%s", prefix, e->d_name);
        rc = copy_in(r, src, rel, what, err);
    }
    closedir(d);
    return rc;
}

static void iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int backup_files(backup_run *r, const app_backup_options *opt, json_t *manifest,
                        ct_error *err)
{
    app *a = r->a;
    char path[PATH_MAX_LEN], sha[65];
    store_backup_info info;
    int64_t size;
    bool pg;

    /* the checkpoint file first, then the database: see the head of the file */
    config_path(app_cfg(a), app_cfg(a)->checkpoint_file, path, sizeof path);
    if (access(path, F_OK) == 0 &&
        copy_in(r, path, CHECKPOINTS_FILE, "audit_checkpoints", err) != 0)
        return -1;
    pg = strcmp(store_backend_name(a->db), "postgresql") == 0;
    snprintf(path, sizeof path, "%s/%s", r->dir, pg ? PG_DUMP_FILE : "chungthu.db");
    if (store_backup(a->db, path, &info, err) != 0 || hash_copy(path, NULL, &size, sha, err) != 0 ||
        add_file(r, pg ? PG_DUMP_FILE : "chungthu.db", pg ? "database_pg_dump" : "database", size,
                 sha) != 0)
        return -1;
    json_object_set_new(manifest, "backend", json_string(store_backend_name(a->db)));
    json_object_set_new(manifest, "schema_version", json_integer(info.schema_version));
    json_object_set_new(manifest, "audit_head",
                        json_pack("{s:I, s:s}", "id", (json_int_t)info.audit_head_id, "hash",
                                  info.audit_head_hash));
    snprintf(path, sizeof path, "%s/chungthu.ini", app_cfg(a)->home);
    if (copy_in(r, path, "chungthu.ini", "config", err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/ca", app_cfg(a)->home);
    if (copy_dir(r, path, "ca", ".crt", "ca_certificate", err) != 0)
        return -1;
    config_path(app_cfg(a), app_cfg(a)->holidays_dir, path, sizeof path);
    if (copy_dir(r, path, "holidays", "", "holidays", err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/mail", app_cfg(a)->home);
    if (copy_dir(r, path, "mail", "", "mail_template", err) != 0)
        return -1;
    if (opt->with_secrets) {
        ct_buf b;
        json_t *names = json_array();
        unsigned char *sealed = NULL;
        size_t sealed_len = 0;
        int rc;

        buf_init(&b);
        rc = names ? archive_secrets(a, &b, names, err) : oom(err);
        if (rc == 0 && !buf_ok(&b))
            rc = oom(err);
        if (rc == 0)
            rc = pki_seal(opt->passphrase, b.data, b.len, &sealed, &sealed_len, err);
        if (b.data)
            OPENSSL_cleanse(b.data, b.len);
        buf_free(&b);
        snprintf(path, sizeof path, "%s/%s", r->dir, SECRETS_FILE);
        if (rc == 0)
            rc = write_new(path, sealed, sealed_len, err);
        free(sealed);
        if (rc == 0)
            rc = hash_copy(path, NULL, &size, sha, err);
        if (rc == 0 && add_file(r, SECRETS_FILE, "secrets", size, sha) != 0)
            rc = oom(err);
        if (rc == 0)
            json_object_set_new(manifest, "secrets",
                                json_pack("{s:s, s:o}", "sealing",
                                          "scrypt(N=2^15,r=8,p=1) + AES-256-GCM", "files", names));
        else
            json_decref(names);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int app_backup(app *a, const app_actor *actor, const char *dir, const app_backup_options *opt,
               json_t **manifest_out, ct_error *err)
{
    backup_run r = {a, dir, json_array()};
    json_t *manifest = NULL;
    char created[32], path[PATH_MAX_LEN], sha[65], where[PATH_MAX_LEN];
    char *text = NULL;
    int64_t now = app_now(), size;
    bool made = false;
    int rc = -1;

    if (role_require(actor->role, ROLE_CA_ADMIN | ROLE_SYSTEM, "backup", err) != 0)
        goto out;
    if (dir == NULL || *dir == '\0') {
        ct_fail(err, 400, "backup.dir_missing", "thiếu thư mục sao lưu",
                "the backup directory is missing");
        goto out;
    }
    if (opt->with_secrets && (opt->passphrase == NULL || *opt->passphrase == '\0')) {
        ct_fail(err, 400, "backup.passphrase_missing",
                "sao lưu kèm bí mật cần một mật khẩu để mã hóa",
                "a backup with secrets needs a passphrase to encrypt them");
        goto out;
    }
    if (opt->with_secrets && strlen(opt->passphrase) < MIN_PASSPHRASE) {
        ct_fail(err, 400, "backup.passphrase_weak", "mật khẩu cần ít nhất %d ký tự",
                "the passphrase needs at least %d characters", MIN_PASSPHRASE);
        goto out;
    }
    if (r.files == NULL || claim_dir(dir, "backup.dir_not_empty", &made, err) != 0)
        goto out;
    /* named in the manifest and the audit trail as it is, not as typed */
    if (realpath(dir, where) == NULL) {
        io_fail(err, dir);
        goto undo;
    }
    iso_time(now, created);
    manifest = json_pack("{s:s, s:i, s:s, s:s, s:I, s:s, s:b}", "format", "chungthu-backup",
                         "format_version", 1, "chungthu_version", CT_VERSION, "created_at", created,
                         "created_at_unix", (json_int_t)now, "home", app_cfg(a)->home,
                         "with_secrets", opt->with_secrets);
    if (manifest == NULL) {
        oom(err);
        goto undo;
    }
    if (backup_files(&r, opt, manifest, err) != 0)
        goto undo;
    json_object_set(manifest, "files", r.files);
    text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (text == NULL || write_new(path, (const unsigned char *)text, strlen(text), err) != 0 ||
        hash_copy(path, NULL, &size, sha, err) != 0) {
        if (text == NULL)
            oom(err);
        goto undo;
    }
    /* audited in the instance backed up; the copy ends one row before it */
    if (store_begin(a->db, err) != 0)
        goto undo;
    if (audit_append(a, actor, "instance.backup", where,
                     json_pack("{s:s, s:b, s:O, s:I}", "manifest_sha256", sha, "with_secrets",
                               opt->with_secrets, "audit_head",
                               json_object_get(manifest, "audit_head"), "files",
                               (json_int_t)json_array_size(r.files)),
                     err) != 0 ||
        store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        goto undo;
    }
    json_object_set_new(manifest, "manifest_sha256", json_string(sha));
    *manifest_out = manifest;
    manifest = NULL;
    rc = 0;
    goto out;
undo:
    undo_dir(dir, made);
out:
    free(text);
    json_decref(manifest);
    json_decref(r.files);
    return rc;
}

/* ---- restore ---- */

/* A path as a backup may name it: relative, no "..", no empty or hidden part, under one of the
 * places a backup has. */
static bool safe_rel(const char *rel)
{
    static const char *const places[] = {"chungthu.db", "chungthu.ini", CHECKPOINTS_FILE,
                                         SECRETS_FILE,  PG_DUMP_FILE,   "demo-accounts.txt",
                                         "ca/",         "holidays/",    "secrets/",
                                         "tokens/",     "envelopes/",   "mail/"};
    bool known = false;

    if (*rel == '\0' || *rel == '/' || strlen(rel) >= 1024)
        return false;
    for (const char *p = rel; *p; p++)
        if ((unsigned char)*p < 0x20 || (*p == '/' && (p[1] == '/' || p[1] == '\0')))
            return false;
    for (const char *p = rel; p; p = strchr(p, '/')) {
        if (*p == '/')
            p++;
        if (*p == '.')
            return false;
    }
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        size_t n = strlen(places[i]);
        if (places[i][n - 1] == '/' ? strncmp(rel, places[i], n) == 0 : strcmp(rel, places[i]) == 0)
            known = true;
    }
    return known;
}

static int corrupt(ct_error *err, const char *rel, const char *why_vi, const char *why_en)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

    snprintf(vi, sizeof vi, "bản sao lưu hỏng: tệp %s %s", rel, why_vi);
    snprintf(en, sizeof en, "the backup is corrupted: file %s %s", rel, why_en);
    return ct_fail_text(err, 400, "restore.file_corrupt", vi, en);
}

/* One secret file of the archive. */
typedef struct secret_entry {
    char rel[1024];
    const unsigned char *data;
    size_t len;
} secret_entry;

static int parse_archive(const unsigned char *data, size_t len, secret_entry **out, size_t *count,
                         ct_error *err)
{
    size_t pos = strlen(SECRETS_MAGIC), n = 0, cap = 0;
    secret_entry *list = NULL;

    if (len < pos || memcmp(data, SECRETS_MAGIC, pos) != 0)
        goto bad;
    while (pos < len) {
        const unsigned char *nl = memchr(data + pos, '\n', len - pos);
        char line[1100], *space, *end;
        unsigned long long size;
        size_t line_len;

        if (nl == NULL || (line_len = (size_t)(nl - (data + pos))) >= sizeof line)
            goto bad;
        memcpy(line, data + pos, line_len);
        line[line_len] = '\0';
        space = strchr(line, ' ');
        if (space == NULL)
            goto bad;
        *space = '\0';
        errno = 0;
        size = strtoull(line, &end, 10);
        if (errno || *end || end == line || !safe_rel(space + 1) ||
            size > len - (pos + line_len + 1))
            goto bad;
        if (!vec_grow((void **)&list, &cap, n + 1, sizeof *list)) {
            free(list);
            return oom(err);
        }
        snprintf(list[n].rel, sizeof list[n].rel, "%s", space + 1);
        pos += line_len + 1;
        list[n].data = data + pos;
        list[n].len = (size_t)size;
        pos += (size_t)size;
        n++;
    }
    *out = list;
    *count = n;
    return 0;
bad:
    free(list);
    return ct_fail(err, 400, "restore.secrets_malformed",
                   "kho bí mật giải mã được nhưng không đúng định dạng",
                   "the secrets decrypted but are not in the expected format");
}

typedef struct restore_run {
    const char *dir, *home;
    const char *database_url; /* a PostgreSQL backup's new database */
    bool pg;                  /* the backup holds PG_DUMP_FILE, not chungthu.db */
    json_t *manifest, *files;
    app_config cfg;         /* the backup's chungthu.ini, read over the defaults for the new home */
    unsigned char *secrets; /* the opened archive, cleansed at the end */
    size_t secrets_len;
    secret_entry *entries;
    size_t n_entries;
    json_t *restored; /* where each file went */
} restore_run;

/* Where a file of the backup goes in the new home. */
static void target_of(const restore_run *r, const char *rel, char *out, size_t size)
{
    char base[PATH_MAX_LEN];

    if (strcmp(rel, "chungthu.db") == 0) {
        config_path(&r->cfg, r->cfg.db_path, out, size);
    } else if (strcmp(rel, CHECKPOINTS_FILE) == 0) {
        config_path(&r->cfg, r->cfg.checkpoint_file, out, size);
    } else if (strncmp(rel, "holidays/", 9) == 0) {
        config_path(&r->cfg, r->cfg.holidays_dir, base, sizeof base);
        snprintf(out, size, "%s/%s", base, rel + 9);
    } else if (strncmp(rel, "tokens/", 7) == 0) {
        config_path(&r->cfg, r->cfg.token_dir, base, sizeof base);
        snprintf(out, size, "%s/%s", base, rel + 7);
    } else {
        snprintf(out, size, "%s/%s", r->home, rel);
    }
}

/* Whether j is the string s. */
static bool str_is(const json_t *j, const char *s)
{
    return json_is_string(j) && strcmp(json_string_value(j), s) == 0;
}

static bool listed(const restore_run *r, const char *rel)
{
    size_t i;
    json_t *f;

    json_array_foreach(r->files, i, f) if (strcmp(json_string_value(json_object_get(f, "path")),
                                                  rel) == 0) return true;
    return false;
}

/* Check the manifest and every file's size and hash; nothing is written. */
static int check_backup(restore_run *r, ct_error *err)
{
    char path[PATH_MAX_LEN], sha[65];
    unsigned char *text = NULL;
    size_t len;
    json_error_t jerr;
    size_t i;
    json_t *f;

    snprintf(path, sizeof path, "%s/manifest.json", r->dir);
    if (access(path, F_OK) != 0)
        return ct_fail(err, 404, "restore.manifest_missing", "%s không có manifest.json",
                       "%s has no manifest.json", r->dir);
    if (read_all(path, 16u << 20, &text, &len, err) != 0)
        return -1;
    r->manifest = json_loadb((const char *)text, len, 0, &jerr);
    free(text);
    r->files = json_object_get(r->manifest, "files");
    if (!json_is_object(r->manifest) ||
        !str_is(json_object_get(r->manifest, "format"), "chungthu-backup") ||
        json_integer_value(json_object_get(r->manifest, "format_version")) != 1 ||
        !json_is_array(r->files))
        return ct_fail(err, 400, "restore.manifest_invalid",
                       "manifest.json không phải bản kê sao lưu của chungthu",
                       "manifest.json is not a chungthu backup manifest");
    json_array_foreach(r->files, i, f)
    {
        const char *rel = json_string_value(json_object_get(f, "path"));
        const char *want = json_string_value(json_object_get(f, "sha256"));
        int64_t size, want_size = json_integer_value(json_object_get(f, "size"));

        if (rel == NULL || want == NULL || !safe_rel(rel) || strncmp(rel, "secrets/", 8) == 0 ||
            strncmp(rel, "tokens/", 7) == 0)
            return ct_fail(err, 400, "restore.manifest_invalid",
                           "manifest.json kê một tệp không hợp lệ (mục %zu)",
                           "manifest.json lists an invalid file (entry %zu)", i + 1);
        snprintf(path, sizeof path, "%s/%s", r->dir, rel);
        if (access(path, F_OK) != 0)
            return corrupt(err, rel, "bị thiếu", "is missing");
        if (hash_copy(path, NULL, &size, sha, err) != 0)
            return -1;
        if (size != want_size || strcmp(sha, want) != 0)
            return corrupt(err, rel, "không khớp kích thước hoặc SHA-256 trong manifest.json",
                           "does not match its size or SHA-256 in manifest.json");
    }
    r->pg = listed(r, PG_DUMP_FILE);
    for (const char *must[] = {r->pg ? PG_DUMP_FILE : "chungthu.db", "chungthu.ini", NULL},
                    **m = must;
         *m; m++) {
        if (!listed(r, *m))
            return corrupt(err, *m, "không có trong manifest.json", "is not in manifest.json");
    }
    if (r->pg && (r->database_url == NULL || !store_is_url(r->database_url)))
        return ct_fail(err, 400, "restore.database_url",
                       "bản sao lưu là của PostgreSQL: cần --database-url postgresql://… (một cơ "
                       "sở dữ liệu trống)",
                       "the backup is of a PostgreSQL database: --database-url postgresql://… "
                       "is needed (an empty database)");
    if (!r->pg && r->database_url)
        return ct_fail(err, 400, "restore.database_url",
                       "bản sao lưu là của SQLite: --database-url không dùng cho nó",
                       "the backup is of an SQLite database: --database-url is not for it");
    return 0;
}

/* The backup's configuration, read as the new home's: its paths must stay inside the home. */
static int read_config(restore_run *r, ct_error *err)
{
    const char *paths[] = {r->cfg.db_path, r->cfg.holidays_dir, r->cfg.token_dir,
                           r->cfg.checkpoint_file};

    if (config_load(&r->cfg, r->dir, err) != 0)
        return -1;
    snprintf(r->cfg.home, sizeof r->cfg.home, "%s", r->home);
    if (r->pg) {
        if (strlen(r->database_url) >= sizeof r->cfg.db_url || strpbrk(r->database_url, "\r\n"))
            return ct_fail(err, 400, "restore.database_url", "URL không hợp lệ",
                           "the URL is not valid");
        snprintf(r->cfg.db_backend, sizeof r->cfg.db_backend, "postgresql");
        snprintf(r->cfg.db_url, sizeof r->cfg.db_url, "%s", r->database_url);
    }
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (paths[i][0] == '/' || strstr(paths[i], ".."))
            return ct_fail(err, 409, "restore.path_outside_home",
                           "chungthu.ini đặt %s ngoài thư mục gốc: sửa nó trong bản sao lưu "
                           "(và cập nhật manifest) hoặc khôi phục bằng tay",
                           "chungthu.ini puts %s outside the home: restore by hand, or make "
                           "the path relative",
                           paths[i]);
    return 0;
}

static int open_secrets(restore_run *r, app_passphrase_fn ask, void *ctx, ct_error *err)
{
    char path[PATH_MAX_LEN], pass[1024];
    unsigned char *sealed;
    size_t len;
    int rc;

    if (!listed(r, SECRETS_FILE))
        return 0;
    if (ask == NULL || ask(ctx, pass, sizeof pass) != 0 || pass[0] == '\0')
        return ct_fail(err, 400, "restore.passphrase_missing",
                       "bản sao lưu có bí mật đã mã hóa: cần mật khẩu",
                       "the backup holds encrypted secrets: a passphrase is needed");
    snprintf(path, sizeof path, "%s/%s", r->dir, SECRETS_FILE);
    rc = read_all(path, MAX_SECRETS + 64, &sealed, &len, err);
    if (rc == 0) {
        rc = pki_unseal(pass, sealed, len, &r->secrets, &r->secrets_len, err);
        free(sealed);
        if (rc != 0 && strcmp(err->code, "seal.wrong_passphrase") == 0)
            ct_fail(err, 400, "restore.passphrase_wrong",
                    "sai mật khẩu của bản sao lưu: không khôi phục gì",
                    "wrong passphrase for the backup: nothing restored");
    }
    OPENSSL_cleanse(pass, sizeof pass);
    if (rc == 0)
        rc = parse_archive(r->secrets, r->secrets_len, &r->entries, &r->n_entries, err);
    return rc;
}

static int put_file(restore_run *r, const char *rel, const char *target, ct_error *err)
{
    char rel_target[PATH_MAX_LEN];

    /* every target is inside the home (read_config saw to it) */
    snprintf(rel_target, sizeof rel_target, "%s", target + strlen(r->home) + 1);
    if (make_parents(r->home, rel_target, err) != 0)
        return -1;
    json_array_append_new(r->restored, json_pack("{s:s, s:s}", "from", rel, "to", target));
    return 0;
}

static int write_files(restore_run *r, ct_error *err)
{
    char src[PATH_MAX_LEN], dst[PATH_MAX_LEN], sha[65];
    size_t i;
    json_t *f;
    int64_t size;

    /* first, as it may still refuse (a database that is not empty) */
    snprintf(src, sizeof src, "%s/%s", r->dir, PG_DUMP_FILE);
    if (r->pg && store_restore_postgresql(r->database_url, src, err) != 0)
        return -1;
    json_array_foreach(r->files, i, f)
    {
        const char *rel = json_string_value(json_object_get(f, "path"));
        if (strcmp(rel, SECRETS_FILE) == 0 || strcmp(rel, PG_DUMP_FILE) == 0)
            continue;
        snprintf(src, sizeof src, "%s/%s", r->dir, rel);
        target_of(r, rel, dst, sizeof dst);
        if (put_file(r, rel, dst, err) != 0 || hash_copy(src, dst, &size, sha, err) != 0)
            return -1;
        /* the file may have changed since it was checked */
        if (strcmp(sha, json_string_value(json_object_get(f, "sha256"))) != 0)
            return corrupt(err, rel, "đã đổi trong lúc khôi phục", "changed during the restore");
        /* the restored instance's database is the new one */
        if (r->pg && strcmp(rel, "chungthu.ini") == 0 &&
            app_config_set_database(dst, r->database_url, err) != 0)
            return -1;
    }
    for (i = 0; i < r->n_entries; i++) {
        target_of(r, r->entries[i].rel, dst, sizeof dst);
        if (put_file(r, r->entries[i].rel, dst, err) != 0 ||
            write_new(dst, r->entries[i].data, r->entries[i].len, err) != 0)
            return -1;
    }
    /* SoftHSM2's configuration names its token directory: the new home's */
    config_path(&r->cfg, r->cfg.token_dir, src, sizeof src);
    snprintf(dst, sizeof dst, "%s/softhsm2.conf", src);
    if (strstr(r->cfg.token_module, "softhsm") && access(src, F_OK) == 0) {
        char conf[PATH_MAX_LEN + 128];
        int n = snprintf(conf, sizeof conf,
                         "directories.tokendir = %s/store\nobjectstore.backend = file\n"
                         "log.level = ERROR\nslots.removable = false\n",
                         src);
        if (write_new(dst, (const unsigned char *)conf, (size_t)n, err) != 0)
            return -1;
    }
    for (const char *d[] = {"ca", "secrets", "envelopes", "holidays", "mail", NULL}, **p = d; *p;
         p++) {
        snprintf(dst, sizeof dst, "%s/%s", r->home, *p);
        if (mkdir(dst, 0700) != 0 && errno != EEXIST)
            return io_fail(err, dst);
    }
    return 0;
}

/* The restored instance checked: the database's structure, its schema and audit head as the
 * manifest says, and (when the keys came back) the audit chain against its checkpoints. */
static int check_restored(restore_run *r, const app_actor *actor, json_t *report, ct_error *err)
{
    json_t *head = json_object_get(r->manifest, "audit_head");
    char problem[1024], hash[65] = "", cp_path[PATH_MAX_LEN];
    int64_t head_id = 0;
    app *a = NULL;
    app_audit_report audit;
    unsigned char *cp = NULL;
    size_t cp_len;
    store *s = NULL;
    int rc;

    rc = app_store_open(&r->cfg, &s, err);
    if (rc == 0)
        rc = store_integrity_check(s, problem, sizeof problem, err);
    if (rc == 0 && problem[0])
        rc = ct_fail(err, 500, "restore.integrity_failed",
                     "cơ sở dữ liệu khôi phục không toàn vẹn: %s",
                     "the restored database fails its integrity check: %s", problem);
    if (rc == 0 && store_schema_version(s) !=
                       (int)json_integer_value(json_object_get(r->manifest, "schema_version")))
        rc =
            ct_fail(err, 500, "restore.schema_mismatch", "phiên bản lược đồ khác với manifest.json",
                    "the schema version differs from manifest.json");
    if (rc == 0)
        rc = store_audit_last(s, &head_id, hash, err);
    if (rc == 0 && (head_id != json_integer_value(json_object_get(head, "id")) ||
                    !str_is(json_object_get(head, "hash"), hash)))
        rc = ct_fail(err, 500, "restore.audit_head_mismatch",
                     "đầu chuỗi nhật ký khác với manifest.json",
                     "the audit trail's head differs from manifest.json");
    store_close(s);
    if (rc != 0)
        return -1;
    json_object_set_new(report, "integrity", json_string("ok"));
    if (r->n_entries == 0) {
        json_object_set_new(report, "audit_verify",
                            json_string("not run: the keys are not in this backup"));
        return 0;
    }
    if (app_open(r->home, &a, err) != 0)
        return -1;
    config_path(&r->cfg, r->cfg.checkpoint_file, cp_path, sizeof cp_path);
    if (access(cp_path, F_OK) == 0 && read_all(cp_path, 64u << 20, &cp, &cp_len, err) != 0) {
        app_close(a);
        return -1;
    }
    if (cp) {
        unsigned char *t = realloc(cp, cp_len + 1);
        if (t == NULL) {
            free(cp);
            app_close(a);
            return oom(err);
        }
        cp = t;
        cp[cp_len] = '\0';
    }
    rc = app_audit_verify_with(a, actor, (const char *)cp, &audit, err);
    free(cp);
    if (rc == 0 && audit.first_bad_id != 0)
        rc = ct_fail(err, 500, "restore.audit_failed",
                     "chuỗi nhật ký khôi phục không kiểm chứng được: %s",
                     "the restored audit chain does not verify: %s", audit.problem);
    if (rc == 0 && store_begin(a->db, err) == 0) {
        rc = audit_append(
            a, actor, "instance.restore", r->home,
            json_pack("{s:s, s:s, s:O, s:I}", "from", r->dir, "backup_created_at",
                      json_is_string(json_object_get(r->manifest, "created_at"))
                          ? json_string_value(json_object_get(r->manifest, "created_at"))
                          : "",
                      "audit_head", head, "secrets", (json_int_t)r->n_entries),
            err);
        if (rc == 0)
            rc = store_commit(a->db, err);
        if (rc != 0)
            store_rollback(a->db);
    } else if (rc == 0) {
        rc = -1;
    }
    if (rc == 0)
        json_object_set_new(report, "audit_verify",
                            json_pack("{s:s, s:I, s:b}", "result", "ok", "head_id",
                                      (json_int_t)audit.head_id, "checkpoint_file",
                                      audit.external_checked));
    app_close(a);
    return rc;
}

int app_restore(const char *dir, const char *home, const char *database_url, const app_actor *actor,
                app_passphrase_fn ask, void *ctx, json_t **report_out, ct_error *err)
{
    restore_run r = {.dir = dir, .home = home, .database_url = database_url};
    json_t *report = NULL;
    bool made = false, claimed = false;
    int rc = -1;

    if (role_require(actor->role, ROLE_CA_ADMIN, "restore", err) != 0)
        return -1;
    if (dir == NULL || *dir == '\0' || home == NULL || *home == '\0')
        return ct_fail(err, 400, "restore.home_missing",
                       "cần thư mục sao lưu và --home cho phiên bản khôi phục",
                       "give the backup directory and --home for the restored instance");
    {
        bool exists;
        if (!is_dir_empty(home, &exists))
            return ct_fail(err, 409, "restore.home_not_empty",
                           "%s đã có nội dung: chỉ khôi phục vào thư mục mới hoặc trống",
                           "%s is not empty: restore only into a new or empty directory", home);
    }
    config_defaults(&r.cfg, home);
    r.restored = json_array();
    if (r.restored == NULL) {
        oom(err);
        goto out;
    }
    /* everything that can refuse, before anything is written */
    if (check_backup(&r, err) != 0 || read_config(&r, err) != 0 ||
        open_secrets(&r, ask, ctx, err) != 0)
        goto out;
    if (claim_dir(home, "restore.home_not_empty", &made, err) != 0)
        goto out;
    claimed = true;
    report = json_pack("{s:s, s:s, s:O, s:O, s:O}", "from", dir, "home", home, "created_at",
                       json_object_get(r.manifest, "created_at"), "chungthu_version",
                       json_object_get(r.manifest, "chungthu_version"), "audit_head",
                       json_object_get(r.manifest, "audit_head"));
    if (report == NULL) {
        oom(err);
        goto out;
    }
    if (write_files(&r, err) != 0 || check_restored(&r, actor, report, err) != 0)
        goto out;
    json_object_set(report, "files", r.restored);
    json_object_set_new(report, "secrets", json_integer((json_int_t)r.n_entries));
    *report_out = report;
    report = NULL;
    rc = 0;
out:
    if (rc != 0 && claimed)
        undo_dir(home, made);
    if (r.secrets) {
        OPENSSL_cleanse(r.secrets, r.secrets_len);
        free(r.secrets);
    }
    free(r.entries);
    json_decref(report);
    json_decref(r.restored);
    json_decref(r.manifest);
    return rc;
}
