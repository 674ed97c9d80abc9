// aio::crawler::Record: one match of the --select selector on one page, as
// every Output and the frontier see it. A plain value type.
#ifndef AIO_CRAWLER_RECORD_H_
#define AIO_CRAWLER_RECORD_H_

#include <chrono>
#include <string>

namespace aio::crawler {

struct Record {
  std::string url;    // the page's final URL (after redirects), canonical
  std::string title;  // the element's text (crawler/text.h rules), UTF-8
  int position = 0;   // 0-based index of the match on its page
  std::chrono::system_clock::time_point fetched_at;  // when the page arrived
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_RECORD_H_
