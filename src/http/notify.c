/*
 * notify.c — the sd_notify protocol, written out: one datagram of "KEY=VALUE" lines to the
 * AF_UNIX socket systemd names in $NOTIFY_SOCKET (a path, or an abstract name after "@"), so
 * that a Type=notify unit knows when the server listens, reloads and stops, and that it still
 * keeps time (the watchdog). No libsystemd: the protocol is these few lines, and outside systemd
 * (no $NOTIFY_SOCKET) every call does nothing.
 */
#include "http/http.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void notify_systemd(const char *state)
{
    const char *name = getenv("NOTIFY_SOCKET");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len;
    int fd;

    if (name == NULL || (name[0] != '/' && name[0] != '@') ||
        (len = strlen(name)) >= sizeof addr.sun_path)
        return;
    memcpy(addr.sun_path, name, len);
    if (name[0] == '@')
        addr.sun_path[0] = '\0';
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    /* systemd gains nothing from an answer, nor the server from a failure: one try. */
    (void)sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr,
                 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
    close(fd);
}

unsigned notify_watchdog_interval(void)
{
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    unsigned long long us;
    char *end;

    if (usec == NULL || getenv("NOTIFY_SOCKET") == NULL)
        return 0;
    /* WATCHDOG_PID, when set, names the process meant; a child started by it is not. */
    if (pid && strtoll(pid, NULL, 10) != (long long)getpid())
        return 0;
    us = strtoull(usec, &end, 10);
    if (*end != '\0' || us == 0)
        return 0;
    return us / 2000000 > 0 ? (unsigned)(us / 2000000) : 1;
}
