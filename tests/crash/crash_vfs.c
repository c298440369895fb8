/*
 * crash_vfs.c — a SQLite VFS that kills its process at a chosen write, for tests/sh/crash.sh.
 *
 * Loaded with LD_PRELOAD into chungthu, it registers itself as the default VFS, in front of
 * SQLite's own "unix" one, and counts every write and every sync SQLite makes to any file (the
 * database, its WAL, its journal). With CT_CRASH_AT=N the process is killed with SIGKILL just
 * before the Nth: what reached the files before stays, nothing after happens, as when an
 * operator's process is killed or the machine's power cut (minus the OS cache, which SIGKILL
 * keeps). With CT_CRASH_COUNT=FILE the count is written to FILE when the process exits, so a
 * test can first count a run's writes and then crash it at points spread over them.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct crash_file {
    sqlite3_file base;  /* our methods */
    sqlite3_file *real; /* the unix VFS's file, allocated right after this struct */
} crash_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs crash_vfs;
static atomic_long writes;
static long crash_at;

/* Count one write or sync; die before it if it is the chosen one. */
static void count_one(void)
{
    long n = atomic_fetch_add(&writes, 1) + 1;

    if (crash_at > 0 && n == crash_at)
        raise(SIGKILL);
}

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((crash_file *)f)->real;
}

static int crash_close(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;

    f->pMethods = NULL;
    return rc;
}

static int crash_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}

static int crash_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    count_one();
    return real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}

static int crash_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    count_one();
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int crash_sync(sqlite3_file *f, int flags)
{
    count_one();
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int crash_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int crash_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int crash_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int crash_check_reserved(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int crash_file_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int crash_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int crash_device_characteristics(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int crash_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}

static int crash_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void crash_shm_barrier(sqlite3_file *f)
{
    real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int crash_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

/* No memory-mapped reads: every page then comes through xRead, and nothing bypasses us. */
static int crash_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    (void)f;
    (void)off;
    (void)n;
    *out = NULL;
    return SQLITE_OK;
}

static int crash_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    (void)f;
    (void)off;
    (void)p;
    return SQLITE_OK;
}

static const sqlite3_io_methods crash_methods = {
    3,
    crash_close,
    crash_read,
    crash_write,
    crash_truncate,
    crash_sync,
    crash_file_size,
    crash_lock,
    crash_unlock,
    crash_check_reserved,
    crash_file_control,
    crash_sector_size,
    crash_device_characteristics,
    crash_shm_map,
    crash_shm_lock,
    crash_shm_barrier,
    crash_shm_unmap,
    crash_fetch,
    crash_unfetch,
};

static int crash_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                      int *out_flags)
{
    crash_file *cf = (crash_file *)f;
    int rc;

    (void)vfs;
    cf->real = (sqlite3_file *)(cf + 1);
    memset(cf->real, 0, (size_t)real_vfs->szOsFile);
    rc = real_vfs->xOpen(real_vfs, name, cf->real, flags, out_flags);
    /* SQLite calls xClose even when xOpen failed, if pMethods is set: set it only when the
     * real file has methods to forward to. */
    f->pMethods = cf->real->pMethods ? &crash_methods : NULL;
    return rc;
}

static int crash_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    count_one();
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int crash_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int crash_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *crash_dl_open(sqlite3_vfs *vfs, const char *path)
{
    (void)vfs;
    return real_vfs->xDlOpen(real_vfs, path);
}

static void crash_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    real_vfs->xDlError(real_vfs, n, out);
}

static void (*crash_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, h, sym);
}

static void crash_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    real_vfs->xDlClose(real_vfs, h);
}

static int crash_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int crash_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int crash_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int crash_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int crash_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static void write_count(void)
{
    const char *path = getenv("CT_CRASH_COUNT");
    FILE *f = path ? fopen(path, "w") : NULL;

    if (f) {
        fprintf(f, "%ld\n", atomic_load(&writes));
        fclose(f);
    }
}

__attribute__((constructor)) static void crash_vfs_register(void)
{
    const char *at = getenv("CT_CRASH_AT");

    real_vfs = sqlite3_vfs_find("unix");
    if (real_vfs == NULL) {
        fprintf(stderr, "crash_vfs: no unix VFS\n");
        abort();
    }
    crash_at = at ? atol(at) : 0;
    crash_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(crash_file) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = "crash",
        .xOpen = crash_open,
        .xDelete = crash_delete,
        .xAccess = crash_access,
        .xFullPathname = crash_full_pathname,
        .xDlOpen = crash_dl_open,
        .xDlError = crash_dl_error,
        .xDlSym = crash_dl_sym,
        .xDlClose = crash_dl_close,
        .xRandomness = crash_randomness,
        .xSleep = crash_sleep,
        .xCurrentTime = crash_current_time,
        .xGetLastError = crash_last_error,
        .xCurrentTimeInt64 = crash_current_time_int64,
    };
    if (sqlite3_vfs_register(&crash_vfs, 1) != SQLITE_OK) {
        fprintf(stderr, "crash_vfs: cannot register\n");
        abort();
    }
    atexit(write_count);
}
