/* curl_multi_bench: the libcurl ceiling. The same job as http_client_bench
 * (fetch <count> pages <base>/p/<i>.html, <concurrency> in flight), written
 * the plain way on libcurl's multi interface: a fixed set of easy handles,
 * reused (a finished handle gets the next URL), curl_multi_perform +
 * curl_multi_poll, bodies appended to a per-handle buffer.
 *
 * Usage: curl_multi_bench <base_url> <count> <concurrency> [defaults]
 * With "defaults", each handle also gets the libcurl options that
 * aio::http::Client sets with its default ClientOptions (Accept-Encoding with
 * decoding, User-Agent, connect/total/low-speed timeouts, redirects, a body
 * limit, http(s) only, HTTP/2 over TLS): the same request on the wire and
 * the same work inside libcurl, for a like-for-like ceiling. Without it, the
 * bare minimum (the "plain libcurl" program).
 * Prints: RESULT seconds=<s> pages=<ok> bytes=<body bytes> errors=<n>
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
  CURL *easy;
  char *buf;
  size_t len, cap;
};

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

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 4 && !(argc == 5 && strcmp(argv[4], "defaults") == 0)) {
    fprintf(stderr, "usage: %s <base_url> <count> <concurrency> [defaults]\n",
            argv[0]);
    return 2;
  }
  const int defaults = argc == 5;
  const char *base = argv[1];
  int count = atoi(argv[2]);
  int conc = atoi(argv[3]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM *multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conc);
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conc);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)conc);
  struct slot *slots = calloc(conc, sizeof *slots);
  int next = 0, ok = 0, errors = 0, running = 0;
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
    if (defaults) { /* as net/internal/client_core.cc with ClientOptions{} */
      CURL *e = s->easy;
      curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
      curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
      curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
      curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
      curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
      curl_easy_setopt(e, CURLOPT_USERAGENT, "aio-http/1.0 (libcurl)");
      curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
      curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
      curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)64 << 20);
    }
    snprintf(url, sizeof url, "%s/p/%d.html", base, next++);
    curl_easy_setopt(s->easy, CURLOPT_URL, url);
    curl_multi_add_handle(multi, s->easy);
  }
  do {
    curl_multi_perform(multi, &running);
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
    if (running) curl_multi_poll(multi, NULL, 0, 1000, NULL);
  } while (running);
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
