#!/usr/bin/env python3
"""Clients for soak.sh (Python standard library only; loopback targets only).

  soak_clients.py mix OUT N SEED
      writes a dnsperf -B input: N queries for www.example.com A, each with its own EDNS Client Subnet
      (half IPv4 /24, half IPv6 /56, all distinct)
  soak_clients.py run HOST PORT SECONDS OUT_JSON
      for SECONDS: a normal client on 127.0.0.1 (one UDP and one TCP query a second, each must be answered), 40
      slowloris connections (one byte a second, reconnecting when closed, from 127.0.1.x) and 40 connections that
      pipeline queries for a big TXT record and never read (reconnecting when closed, from 127.0.2.x); writes the
      counts to OUT_JSON
"""
import json
import random
import socket
import struct
import sys
import threading
import time


def loopback(host):
    if not (host.startswith("127.") or host == "::1"):
        sys.exit("refusing a target outside the loopback range: " + host)


def query(qid, name, qtype=1, ecs=None):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"
    opt = b""
    if ecs is not None:
        family, prefix, addr = ecs
        data = struct.pack("!HBB", family, prefix, 0) + addr
        option = struct.pack("!HH", 8, len(data)) + data
        opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, len(option)) + option
    header = struct.pack("!HHHHHH", qid & 0xFFFF, 0x0100, 1, 0, 0, 1 if opt else 0)
    return header + labels + struct.pack("!HH", qtype, 1) + opt


def mix(out, n, seed):
    rnd = random.Random(seed)
    seen = set()
    with open(out, "wb") as f:
        i = 0
        while i < n:
            if i % 2 == 0:
                addr = rnd.getrandbits(24).to_bytes(3, "big")
                key = (1, addr)
                ecs = (1, 24, addr)
            else:
                addr = rnd.getrandbits(56).to_bytes(7, "big")
                key = (2, addr)
                ecs = (2, 56, addr)
            if key in seen:
                continue
            seen.add(key)
            w = query(i, "www.example.com", 1, ecs)
            f.write(struct.pack("!H", len(w)) + w)
            i += 1


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {}

    def add(self, key, n=1):
        with self.lock:
            self.c[key] = self.c.get(key, 0) + n


def rcode_ok(reply, qid):
    return len(reply) >= 12 and struct.unpack("!H", reply[:2])[0] == qid and reply[3] & 0x0F == 0 \
        and struct.unpack("!H", reply[6:8])[0] > 0


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise ConnectionError("closed")
        b += chunk
    return b


def normal_client(host, port, end, counts):
    qid = 1
    while time.time() < end:
        t0 = time.time()
        qid += 1
        q = query(qid, "static.example.com")
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.settimeout(2)
                u.sendto(q, (host, port))
                ok = rcode_ok(u.recv(4096), qid)
        except OSError:
            ok = False
        counts.add("udp_ok" if ok else "udp_failed")
        try:
            with socket.create_connection((host, port), timeout=3) as t:
                t.settimeout(3)
                t.sendall(struct.pack("!H", len(q)) + q)
                n = struct.unpack("!H", recv_exact(t, 2))[0]
                ok = rcode_ok(recv_exact(t, n), qid)
        except OSError:
            ok = False
        counts.add("tcp_ok" if ok else "tcp_failed")
        time.sleep(max(0.0, 1.0 - (time.time() - t0)))


def slowloris(host, port, end, counts, n=40):
    q = query(7, "static.example.com")
    frame = struct.pack("!H", len(q)) + q
    socks = [None] * n
    sent = [0] * n
    while time.time() < end:
        for i in range(n):
            try:
                if socks[i] is None:
                    # attackers come from other loopback addresses than the normal client (127.0.0.1)
                    socks[i] = socket.create_connection((host, port), timeout=3,
                                                        source_address=("127.0.1.%d" % (1 + i), 0))
                    sent[i] = 0
                    counts.add("slowloris_connections")
                socks[i].sendall(frame[sent[i]:sent[i] + 1])
                sent[i] = (sent[i] + 1) % len(frame)
            except OSError:
                counts.add("slowloris_cut_off")
                if socks[i] is not None:
                    socks[i].close()
                socks[i] = None
        time.sleep(1)
    for s in socks:
        if s is not None:
            s.close()


def non_readers(host, port, end, counts, n=40):
    q = query(9, "big.example.com", 16)
    frames = (struct.pack("!H", len(q)) + q) * 200
    socks = [None] * n
    while time.time() < end:
        for i in range(n):
            if socks[i] is not None:
                try:
                    socks[i].send(b"", socket.MSG_DONTWAIT)
                    # still open: peek for the server's close (EOF or reset)
                    data = socks[i].recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
                    if data == b"":
                        raise ConnectionError("closed")
                except BlockingIOError:
                    continue
                except OSError:
                    counts.add("non_reader_cut_off")
                    socks[i].close()
                    socks[i] = None
                else:
                    continue
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.settimeout(3)
                s.bind(("127.0.2.%d" % (1 + i), 0))
                s.connect((host, port))
                s.setblocking(False)
                try:
                    s.send(frames)
                except BlockingIOError:
                    pass
                socks[i] = s
                counts.add("non_reader_connections")
            except OSError:
                counts.add("non_reader_refused")
        time.sleep(1)
    for s in socks:
        if s is not None:
            s.close()


def run(host, port, seconds, out):
    loopback(host)
    end = time.time() + seconds
    counts = Counts()
    threads = [threading.Thread(target=f, args=(host, port, end, counts)) for f in (normal_client, slowloris,
                                                                                     non_readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w") as f:
        json.dump(counts.c, f, indent=1, sort_keys=True)
    print(json.dumps(counts.c, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1] == "mix":
        mix(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)
