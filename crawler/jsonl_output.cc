#include "crawler/jsonl_output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace aio::crawler {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
      }
      ++i;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (size_t n = utf8_sequence(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    }
  }
  out.push_back('"');
}

absl::StatusOr<std::unique_ptr<JsonlOutput>> JsonlOutput::open(
    std::string path, size_t flush_bytes) {
  if (path.empty()) {
    return absl::InvalidArgumentError("--out: empty path (use - for stdout)");
  }
  if (path == "-") {
    return std::unique_ptr<JsonlOutput>(
        new JsonlOutput(std::move(path), STDOUT_FILENO, false, flush_bytes));
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open --out=", path, ": ", strerror(errno)));
  }
  return std::unique_ptr<JsonlOutput>(
      new JsonlOutput(std::move(path), fd, true, flush_bytes));
}

JsonlOutput::~JsonlOutput() {
  (void)write_buffer();
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

std::string JsonlOutput::describe() const {
  return path_ == "-" ? "stdout" : absl::StrCat("file ", path_);
}

absl::Status JsonlOutput::write_buffer() {
  if (!error_.ok()) return error_;
  if (fd_ < 0) {
    buffer_.clear();
    return absl::OkStatus();
  }
  size_t off = 0;
  while (off < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        // A non-blocking stdout (inherited): wait for room, then go on.
        fd_set wfds;
        FD_ZERO(&wfds);
        FD_SET(fd_, &wfds);
        (void)select(fd_ + 1, nullptr, &wfds, nullptr, nullptr);
        continue;
      }
      error_ = absl::UnavailableError(
          absl::StrCat("writing ", describe(), ": ", strerror(errno)));
      buffer_.clear();
      return error_;
    }
    off += static_cast<size_t>(n);
  }
  buffer_.clear();
  return absl::OkStatus();
}

Coro<absl::Status> JsonlOutput::write(std::vector<Record> records) {
  if (!error_.ok()) co_return error_;
  if (fd_ < 0) co_return absl::FailedPreconditionError("output closed");
  for (const Record& r : records) {
    buffer_ += "{\"url\":";
    append_json_string(buffer_, r.url);
    buffer_ += ",\"title\":";
    append_json_string(buffer_, r.title);
    buffer_ += "}\n";
  }
  if (buffer_.size() >= flush_bytes_) co_return write_buffer();
  co_return absl::OkStatus();
}

Coro<absl::Status> JsonlOutput::flush() { co_return write_buffer(); }

Coro<absl::Status> JsonlOutput::close() {
  absl::Status s = write_buffer();
  if (owns_fd_ && fd_ >= 0) {
    if (::close(fd_) != 0 && s.ok()) {
      s = absl::UnavailableError(
          absl::StrCat("closing ", describe(), ": ", strerror(errno)));
    }
  }
  fd_ = -1;
  co_return s;
}

}  // namespace aio::crawler
