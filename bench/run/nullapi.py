#!/usr/bin/env python3
"""A Docker Engine API that does nothing and answers at once, for the floor rows of bench/run.

`docker run --rm IMG true` and `docker exec CTR true` against this server cost only the docker CLI
itself: its start-up, its HTTP requests over the unix socket, its exit. No daemon can answer faster
than "at once", so this is the part of every measured `docker run` that no engine can remove; the
report subtracts nothing, it prints this floor next to the engines so a ratio goal can be checked
against what is reachable at all.

Just enough of the API for those two commands: ping, container create/attach/wait/start/inspect,
exec create/start/inspect. Attach and exec start answer with the 101 upgrade and close the stream
(attach: once the container was "started"), as a daemon does for a process that printed nothing
and exited 0. Anything else gets a 404 naming the request, so a CLI that asks for more shows up.
"""
import argparse
import json
import os
import socket
import sys
import threading
import uuid

API_VERSION = "1.41"
_started = {}          # container id -> threading.Event, set by start, awaited by attach
_lock = threading.Lock()


def _event(cid):
    with _lock:
        return _started.setdefault(cid, threading.Event())


def _reply(conn, status, reason, body=b"", ctype="application/json", extra=()):
    head = [f"HTTP/1.1 {status} {reason}", f"Api-Version: {API_VERSION}", "Ostype: linux",
            "Docker-Experimental: false", "Server: nullapi"]
    if status == 101:
        head += ["Content-Type: application/vnd.docker.raw-stream", "Connection: Upgrade", "Upgrade: tcp"]
    else:
        head += [f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
    head += list(extra)
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)


def _json(conn, status, obj):
    _reply(conn, status, {200: "OK", 201: "Created"}.get(status, "OK"), json.dumps(obj).encode())


def _read_request(rf):
    line = rf.readline()
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers = {}
    while True:
        h = rf.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0") or 0)
    body = rf.read(n) if n else b""
    path = target.split("?", 1)[0]
    parts = [p for p in path.split("/") if p]
    if parts and parts[0].startswith("v1."):
        parts = parts[1:]
    return method, parts, headers, body


def _serve(conn):
    rf = conn.makefile("rb")
    try:
        while True:
            req = _read_request(rf)
            if req is None:
                return
            method, p, headers, _body = req
            if p == ["_ping"]:
                _reply(conn, 200, "OK", b"" if method == "HEAD" else b"OK", "text/plain")
            elif method == "POST" and p == ["containers", "create"]:
                _json(conn, 201, {"Id": uuid.uuid4().hex * 2, "Warnings": []})
            elif method == "POST" and len(p) == 3 and p[0] == "containers" and p[2] == "attach":
                _reply(conn, 101, "UPGRADED")
                _event(p[1]).wait(30)
                return                                  # end of stream: the process exited
            elif method == "POST" and len(p) == 3 and p[0] == "containers" and p[2] == "wait":
                _json(conn, 200, {"StatusCode": 0, "Error": None})
            elif method == "POST" and len(p) == 3 and p[0] == "containers" and p[2] == "start":
                _event(p[1]).set()
                _reply(conn, 204, "No Content")
            elif method == "GET" and len(p) == 3 and p[0] == "containers" and p[2] == "json":
                _json(conn, 200, {"Id": p[1], "Name": "/" + p[1], "State": {"Status": "running", "Running": True,
                                  "Pid": 1}, "Config": {"Tty": False, "AttachStdin": False}})
            elif method == "POST" and len(p) == 3 and p[0] == "containers" and p[2] == "exec":
                _json(conn, 201, {"Id": uuid.uuid4().hex * 2})
            elif method == "POST" and len(p) == 3 and p[0] == "exec" and p[2] == "start":
                _reply(conn, 101, "UPGRADED")
                return                                  # the exec printed nothing and ended
            elif method == "GET" and len(p) == 3 and p[0] == "exec" and p[2] == "json":
                _json(conn, 200, {"ID": p[1], "Running": False, "ExitCode": 0, "Pid": 0,
                                  "ProcessConfig": {"tty": False, "entrypoint": "true", "arguments": []},
                                  "OpenStdin": False, "OpenStdout": True, "OpenStderr": True})
            else:
                msg = json.dumps({"message": f"nullapi: no {method} /{'/'.join(p)}"}).encode()
                print(f"nullapi: unhandled {method} /{'/'.join(p)}", file=sys.stderr, flush=True)
                _reply(conn, 404, "Not Found", msg)
    except (ConnectionError, OSError):
        return
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    args = ap.parse_args()
    try:
        os.unlink(args.socket)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args.socket)
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=_serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
