// The floor of the dnsperf bench: what a UDP DNS server costs when it does no work at all, so that a ratio to gdnsd
// can be read against the best any server could reach on the same machine. It answers every query with one fixed
// record (A 192.0.2.1; an SOA for qtype SOA, so the bench sees it up), copies the query's OPT record (with its
// client subnet) back, and otherwise does what our UDP path does: recvmmsg(2) of up to 64 datagrams with
// MSG_WAITFORONE, one sendmmsg(2) for their replies. No lookup, no validation beyond finding the question's end.
// Built and started by floor.sh beside it; not a DNS server for any other use.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#define BATCH 64
#define IN_SLOT 1500
#define OUT_SLOT (IN_SLOT + 64)

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void) s; stop = 1; }
static unsigned char in_data[BATCH][IN_SLOT], out_data[BATCH][OUT_SLOT];

/* Writes the reply to query q (n bytes) into r; returns its length, or -1 to drop the query. */
static int reply(const unsigned char *q, int n, unsigned char *r) {
  static const unsigned char a[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
  static const unsigned char soa[] = {0xc0, 0x0c, 0, 6, 0, 1, 0, 0, 0, 60, 0, 22, 0, 0, 0, 0, 0, 1, 0, 0, 0, 60,
                                      0, 0, 0, 60, 0, 0, 0, 60, 0, 0, 0, 60};
  if (n < 17) return -1;
  int p = 12;
  while (p < n && q[p]) {
    if (q[p] & 0xc0) return -1;
    p += q[p] + 1;
  }
  p++;
  if (p + 4 > n) return -1;
  int qtype = q[p] << 8 | q[p + 1], qend = p + 4, o = qend;
  memcpy(r, q, qend);
  r[2] = (q[2] | 0x84) & 0xfd; /* QR, AA; TC cleared; opcode and RD kept */
  r[3] = 0;
  r[4] = 0, r[5] = 1, r[6] = 0, r[7] = 1, r[8] = 0, r[9] = 0;
  const unsigned char *rr = qtype == 6 ? soa : a;
  size_t len = qtype == 6 ? sizeof soa : sizeof a;
  memcpy(r + o, rr, len);
  o += len;
  if ((q[10] || q[11]) && n > qend && n - qend <= OUT_SLOT - o) { /* the OPT record, as the client sent it */
    memcpy(r + o, q + qend, n - qend);
    o += n - qend;
    r[10] = q[10], r[11] = q[11];
  } else {
    r[10] = 0, r[11] = 0;
  }
  return o;
}
int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: floor PORT (serves 127.0.0.1:PORT until SIGTERM)\n");
    return 2;
  }
  int port = atoi(argv[1]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int size = 4 << 20; /* as the bench's servers ask */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  struct sockaddr_in local = {0};
  local.sin_family = AF_INET;
  local.sin_port = htons(port);
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *) &local, sizeof local) != 0) {
    perror("floor: socket/bind");
    return 1;
  }
  struct sigaction sa = {0}; /* no SA_RESTART: SIGTERM ends a waiting recvmmsg */
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  static struct sockaddr_in6 names[BATCH];
  static struct iovec in_iov[BATCH], out_iov[BATCH];
  static struct mmsghdr in[BATCH], out[BATCH];
  for (int i = 0; i < BATCH; i++) {
    in_iov[i].iov_base = in_data[i];
    in_iov[i].iov_len = IN_SLOT;
    in[i].msg_hdr.msg_name = &names[i];
    in[i].msg_hdr.msg_iov = &in_iov[i];
    in[i].msg_hdr.msg_iovlen = 1;
    out_iov[i].iov_base = out_data[i];
    out[i].msg_hdr.msg_iov = &out_iov[i];
    out[i].msg_hdr.msg_iovlen = 1;
  }
  while (!stop) {
    for (int i = 0; i < BATCH; i++) in[i].msg_hdr.msg_namelen = sizeof names[i];
    int k = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL);
    if (k <= 0) continue;
    int m = 0;
    for (int i = 0; i < k; i++) {
      if (in[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
      int n = reply(in_data[i], (int) in[i].msg_len, out_data[m]);
      if (n < 0) continue;
      out_iov[m].iov_len = n;
      out[m].msg_hdr.msg_name = &names[i];
      out[m].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
      m++;
    }
    for (int s = 0; s < m;) {
      int r = sendmmsg(fd, out + s, m - s, 0);
      s += r > 0 ? r : 1;
    }
  }
  close(fd);
  return 0;
}
