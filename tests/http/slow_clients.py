#!/usr/bin/env python3
"""slow_clients.py — slow HTTP clients against `chungthu serve`, for tests/sh/http_hardening.sh.

hold: open many connections from some loopback addresses (127.0.0.0/8 is all loopback), each
sending the start of a request head and then one header line every --interval seconds, never
finishing it; meanwhile another client asks for /healthz, /certs and OCSP, each on a fresh
connection, and every answer's time is measured. Prints one JSON object.

dribble: one connection trickling a request head, one trickling a body, one kept alive idle
after an answer; reports after how many seconds the server closed each (null: not within
--limit). Prints one JSON object.

Python 3 standard library only. The descriptor limit is raised to the hard limit; if even that
is too low for the connections asked for, fewer are opened per address and "per_address" in the
output says how many.
"""
import argparse
import http.client
import json
import resource
import socket
import sys
import threading
import time


def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted and (hard == resource.RLIM_INFINITY or hard > soft):
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def is_open(s):
    """Still open from the server's side (no EOF, no reset)?"""
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def probe(port, source, xff, ocsp_der):
    """One round: /healthz, /certs, POST /ocsp; each (name, status, milliseconds)."""
    results = []
    asks = [("healthz", "GET", "/healthz", None, {}),
            ("certs", "GET", "/certs?q=nguyen", None, {}),
            ("ocsp", "POST", "/ocsp", ocsp_der, {"Content-Type": "application/ocsp-request"})]
    for name, method, path, body, headers in asks:
        if xff:
            headers = dict(headers, **{"X-Forwarded-For": xff})
        start = time.monotonic()
        status = 0
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0,
                                           source_address=(source, 0))
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            r.read()
            status = r.status
            c.close()
        except OSError:
            status = 0
        results.append((name, status, (time.monotonic() - start) * 1000))
    return results


def hold(args):
    sources = args.sources.split(",")
    limit = raise_fd_limit(len(sources) * args.per_address + 256)
    per_address = min(args.per_address, max(1, (limit - 256) // len(sources)))
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if args.slow_xff:
        head += b"X-Forwarded-For: " + args.slow_xff.encode() + b"\r\n"
    socks = []
    for source in sources:
        for _ in range(per_address):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(2.0)
            try:
                s.bind((source, 0))
                s.connect(("127.0.0.1", args.port))
                s.sendall(head)
                s.setblocking(False)
                socks.append(s)
            except OSError:
                s.close()
    opened = len(socks)
    ocsp_der = open(args.ocsp, "rb").read()
    rounds, failures, worst, line = 0, [], 0.0, 0
    deadline = time.monotonic() + args.hold
    while time.monotonic() < deadline:
        line += 1
        for s in socks:  # one more header line each: every byte used to restart the idle timeout
            try:
                s.send(b"X-Slow-%d: 1\r\n" % line)
            except OSError:
                pass
        for name, status, ms in probe(args.port, args.probe_from, args.probe_xff, ocsp_der):
            worst = max(worst, ms)
            if status != 200 or ms >= 1000:
                failures.append({"ask": name, "status": status, "ms": round(ms)})
        rounds += 1
        time.sleep(args.interval)
    held = sum(1 for s in socks if is_open(s))
    for s in socks:
        s.close()
    print(json.dumps({"fd_limit": limit, "per_address": per_address, "opened": opened,
                      "held": held, "rounds": rounds, "failures": failures,
                      "worst_ms": round(worst)}))


def watch(port, name, first, trickle, limit, out):
    """Send first, then one byte of trickle every 0.25 s; when does the server close?"""
    s = socket.create_connection(("127.0.0.1", port), timeout=2.0)
    start = time.monotonic()
    closed = None
    try:
        s.sendall(first)
        if trickle is None:  # a whole request: read its answer, then stay idle
            s.recv(65536)
        s.setblocking(False)
        while time.monotonic() - start < limit:
            if not is_open(s):
                closed = time.monotonic() - start
                break
            if trickle is not None:
                try:
                    s.send(trickle)
                except OSError:
                    closed = time.monotonic() - start
                    break
            time.sleep(0.25)
    finally:
        s.close()
    out[name] = None if closed is None else round(closed, 2)


def dribble(args):
    out = {}
    body_head = (b"POST /ocsp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/ocsp-request\r\nContent-Length: 5000\r\n\r\n")
    jobs = [("head", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X"),
            ("body", body_head, b"\x30"),
            ("idle", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", None)]
    threads = [threading.Thread(target=watch, args=(args.port, n, f, t, args.limit, out))
               for n, f, t in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(out, sort_keys=True))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    h = sub.add_parser("hold")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--sources", required=True, help="addresses the slow clients come from")
    h.add_argument("--per-address", type=int, default=1000)
    h.add_argument("--slow-xff", default="", help="X-Forwarded-For the slow clients send")
    h.add_argument("--probe-from", required=True)
    h.add_argument("--probe-xff", default="")
    h.add_argument("--ocsp", required=True, help="a DER OCSP request")
    h.add_argument("--hold", type=float, default=4.0, help="seconds")
    h.add_argument("--interval", type=float, default=1.0)
    d = sub.add_parser("dribble")
    d.add_argument("--port", type=int, required=True)
    d.add_argument("--limit", type=float, default=6.0, help="seconds to wait for the close")
    args = p.parse_args()
    hold(args) if args.mode == "hold" else dribble(args)


if __name__ == "__main__":
    sys.exit(main())
