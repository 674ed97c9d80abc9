// aio::crawler::JsonlOutput: records as JSON Lines, one object per record:
//   {"url":"https://example.com/a","title":"A title"}
// to a file (created or truncated) or to stdout ("-").
//
// Whole lines only: records are encoded into a buffer that is written with
// write(2) in whole lines, when it passes `flush_bytes` and on every flush(),
// so a reader (or a crawl killed at any instant) never sees half a line.
// Strings are valid UTF-8 already (crawler/charset.h); the encoder escapes
// '"', '\\' and control characters and, defensively, replaces any invalid
// UTF-8 byte with U+FFFD so every line is valid JSON.
//
// Writes are blocking syscalls on the loop thread (a local file or pipe);
// the coroutines never suspend. One loop's thread.
#ifndef AIO_CRAWLER_JSONL_OUTPUT_H_
#define AIO_CRAWLER_JSONL_OUTPUT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crawler/output.h"

namespace aio::crawler {

class JsonlOutput final : public Output {
 public:
  // `path` "-" is stdout. IO errors (no such directory, permission) are
  // returned here, before any page is fetched.
  static absl::StatusOr<std::unique_ptr<JsonlOutput>> open(
      std::string path, size_t flush_bytes = 64 * 1024);
  ~JsonlOutput() override;

  Coro<absl::Status> write(std::vector<Record> records) override;
  Coro<absl::Status> flush() override;
  Coro<absl::Status> close() override;
  std::string describe() const override;

 private:
  JsonlOutput(std::string path, int fd, bool owns_fd, size_t flush_bytes)
      : path_(std::move(path)), fd_(fd), owns_fd_(owns_fd),
        flush_bytes_(flush_bytes) {}
  absl::Status write_buffer();

  std::string path_;
  int fd_;
  bool owns_fd_;
  size_t flush_bytes_;
  std::string buffer_;
  absl::Status error_;  // sticky: the first write failure
};

// Appends `s` as a JSON string literal (quotes included) to `out`.
void append_json_string(std::string& out, std::string_view s);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_JSONL_OUTPUT_H_
