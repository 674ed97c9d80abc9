/* curl_socket_bench: the same job as curl_multi_bench, on libcurl's
 * multi-socket API driven by a bare epoll loop (the ephiperfifo pattern):
 * what the event-loop integration itself costs, without any framework.
 * Easy handles are reused as in curl_multi_bench.
 *
 * Usage: curl_socket_bench <base_url> <count> <concurrency>
 * Prints: RESULT seconds=<s> pages=<ok> bytes=<body bytes> errors=<n>
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

struct slot {
  CURL *easy;
  char *buf;
  size_t len, cap;
};

static int g_epfd;
static long g_timeout_ms = -1;

static size_t on_data(char *p, size_t size, size_t n, void *userp) {
  struct slot *s = userp;
  size_t k = size * n;
  if (s->len + k > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 4096;
    while (cap < s->len + k) cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b) return 0;
    s->buf = b;
    s->cap = cap;
  }
  memcpy(s->buf + s->len, p, k);
  s->len += k;
  return k;
}

/* socketp (via curl_multi_assign) remembers whether the fd is in epoll. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp,
                     void *socketp) {
  CURLM *multi = userp;
  (void)e;
  if (what == CURL_POLL_REMOVE) {
    if (socketp) epoll_ctl(g_epfd, EPOLL_CTL_DEL, fd, NULL);
    curl_multi_assign(multi, fd, NULL);
    return 0;
  }
  struct epoll_event ev = {0};
  ev.data.fd = fd;
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
              (what & CURL_POLL_OUT ? EPOLLOUT : 0);
  epoll_ctl(g_epfd, socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
  curl_multi_assign(multi, fd, (void *)1);
  return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
  (void)multi;
  (void)userp;
  g_timeout_ms = timeout_ms;
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <base_url> <count> <concurrency>\n", argv[0]);
    return 2;
  }
  const char *base = argv[1];
  int count = atoi(argv[2]);
  int conc = atoi(argv[3]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_epfd = epoll_create1(EPOLL_CLOEXEC);
  CURLM *multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, multi);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conc);
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conc);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)conc);
  struct slot *slots = calloc(conc, sizeof *slots);
  int next = 0, ok = 0, errors = 0, running = 1;
  size_t bytes = 0;
  char url[1024];
  double start = now();
  for (int i = 0; i < conc && next < count; ++i) {
    struct slot *s = &slots[i];
    s->easy = curl_easy_init();
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
    curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
    snprintf(url, sizeof url, "%s/p/%d.html", base, next++);
    curl_easy_setopt(s->easy, CURLOPT_URL, url);
    curl_multi_add_handle(multi, s->easy);
  }
  struct epoll_event events[64];
  while (running) {
    int n = epoll_wait(g_epfd, events, 64,
                       g_timeout_ms < 0 ? 1000 : (int)g_timeout_ms);
    if (n == 0) {
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    for (int i = 0; i < n; ++i) {
      int ev =
          (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
          (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
          (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(multi, events[i].data.fd, ev, &running);
    }
    if (g_timeout_ms == 0)
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left))) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL *e = m->easy_handle;
      CURLcode rc = m->data.result;
      struct slot *s;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&s);
      long code = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
      if (rc == CURLE_OK && code == 200) {
        ++ok;
        bytes += s->len;
      } else if (++errors <= 5) {
        fprintf(stderr, "error: %s (HTTP %ld)\n", curl_easy_strerror(rc), code);
      }
      s->len = 0;
      curl_multi_remove_handle(multi, e);
      if (next < count) {
        snprintf(url, sizeof url, "%s/p/%d.html", base, next++);
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_multi_add_handle(multi, e);
        running = 1;
      }
    }
  }
  double secs = now() - start;
  printf("RESULT seconds=%.6f pages=%d bytes=%zu errors=%d\n", secs, ok, bytes,
         errors);
  for (int i = 0; i < conc; ++i) {
    if (slots[i].easy) curl_easy_cleanup(slots[i].easy);
    free(slots[i].buf);
  }
  free(slots);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return errors == 0 ? 0 : 1;
}
