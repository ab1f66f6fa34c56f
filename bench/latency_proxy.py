#!/usr/bin/env python3
"""A TCP proxy that adds a fixed delay to every round trip, so that a benchmark against a local
server sees the latency of a managed one (where tc netem is not available).

    bench/latency_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS

Each chunk of bytes is forwarded DELAY_MS/2 after it arrived, in each direction, in order (a
reader and a writer thread per direction; time.sleep is precise to a few tens of microseconds).
Prints "ready" on stdout once it listens on 127.0.0.1:LISTEN_PORT; runs until killed.
"""
import queue
import socket
import sys
import threading
import time


def direction(src, dst, delay):
    chunks = queue.Queue()

    def read():
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            chunks.put((time.monotonic() + delay, data))
            if not data:
                return

    def write():
        while True:
            due, data = chunks.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            try:
                dst.sendall(data)
            except OSError:
                return

    for f in (read, write):
        threading.Thread(target=f, daemon=True).start()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    listen_port, host, port, delay_ms = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    half = delay_ms / 2000.0
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(64)
    print("ready", flush=True)
    while True:
        client, _ = listener.accept()
        try:
            server = socket.create_connection((host, port))
        except OSError:
            client.close()
            continue
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        direction(client, server, half)
        direction(server, client, half)


if __name__ == "__main__":
    main()
