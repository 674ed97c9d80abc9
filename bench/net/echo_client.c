/* echo_client: the load generator for the echo benchmark, the same for every
 * server. <conns> threads, each with one blocking TCP connection: send a
 * <size>-byte message, read until <size> bytes came back, repeat, for
 * <seconds>. One request = one message echoed.
 *
 * Usage: echo_client <port> <conns> <size> <seconds>
 * Prints: RESULT requests=<n> seconds=<s>
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int g_port, g_size;
static double g_deadline;
static pthread_barrier_t g_start;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run(void *arg) {
  long *count = arg;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(g_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    perror("connect");
    exit(1);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char *msg = malloc(g_size), *buf = malloc(g_size);
  memset(msg, 'x', g_size);
  pthread_barrier_wait(&g_start);
  while (now() < g_deadline) {
    for (int off = 0; off < g_size;) {
      ssize_t n = send(fd, msg + off, g_size - off, 0);
      if (n <= 0) {
        perror("send");
        exit(1);
      }
      off += n;
    }
    for (int got = 0; got < g_size;) {
      ssize_t n = recv(fd, buf + got, g_size - got, 0);
      if (n <= 0) {
        perror("recv");
        exit(1);
      }
      got += n;
    }
    ++*count;
  }
  close(fd);
  free(msg);
  free(buf);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s <port> <conns> <size> <seconds>\n", argv[0]);
    return 2;
  }
  g_port = atoi(argv[1]);
  int conns = atoi(argv[2]);
  g_size = atoi(argv[3]);
  double seconds = atof(argv[4]);
  pthread_t *th = calloc(conns, sizeof *th);
  long *counts = calloc(conns, sizeof *counts);
  pthread_barrier_init(&g_start, NULL, conns + 1);
  g_deadline = 1e300;
  for (int i = 0; i < conns; ++i) pthread_create(&th[i], NULL, run, &counts[i]);
  double start = now();
  g_deadline = start + seconds;
  pthread_barrier_wait(&g_start);
  long total = 0;
  for (int i = 0; i < conns; ++i) {
    pthread_join(th[i], NULL);
    total += counts[i];
  }
  printf("RESULT requests=%ld seconds=%.6f\n", total, now() - start);
  return 0;
}
