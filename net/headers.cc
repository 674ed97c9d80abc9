#include "net/headers.h"

#include <stdexcept>

#include "absl/strings/ascii.h"

namespace aio::http {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(a[i])) !=
        absl::ascii_tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Headers::Headers(std::initializer_list<Field> fields) {
  for (const auto& [n, v] : fields) add(n, v);
}

void Headers::add(std::string_view name, std::string_view value) {
  if (buf_.size() + name.size() + value.size() > UINT32_MAX) {
    throw std::length_error("aio::http::Headers: more than 4 GiB of fields");
  }
  Entry e;
  e.name_off = static_cast<uint32_t>(buf_.size());
  e.name_len = static_cast<uint32_t>(name.size());
  buf_.append(name);
  e.value_off = static_cast<uint32_t>(buf_.size());
  e.value_len = static_cast<uint32_t>(value.size());
  buf_.append(value);
  entries_.push_back(e);
}

void Headers::set(std::string_view name, std::string_view value) {
  // `name` and `value` may view our own buffer, which remove() rewrites.
  std::string n(name), v(value);
  remove(n);
  add(n, v);
}

size_t Headers::remove(std::string_view name) {
  std::string key(name);  // may view our own buffer
  std::vector<Entry> kept;
  std::string buf;
  size_t removed = 0;
  for (const Entry& e : entries_) {
    if (iequals(this->name(e), key)) {
      ++removed;
      continue;
    }
    Entry n;
    n.name_off = static_cast<uint32_t>(buf.size());
    n.name_len = e.name_len;
    buf.append(this->name(e));
    n.value_off = static_cast<uint32_t>(buf.size());
    n.value_len = e.value_len;
    buf.append(value(e));
    kept.push_back(n);
  }
  if (removed > 0) {
    buf_ = std::move(buf);
    entries_ = std::move(kept);
  }
  return removed;
}

void Headers::append_to_last_value(std::string_view more) {
  if (entries_.empty()) return;
  if (buf_.size() + 1 + more.size() > UINT32_MAX) {
    throw std::length_error("aio::http::Headers: more than 4 GiB of fields");
  }
  std::string own;  // `more` may view our own buffer, which may move
  if (!more.empty() && more.data() >= buf_.data() &&
      more.data() < buf_.data() + buf_.size()) {
    own = std::string(more);
    more = own;
  }
  Entry& e = entries_.back();
  if (e.value_off + e.value_len == buf_.size()) {
    // The last value ends the buffer (add() puts it there): grow it in
    // place, so that N continuation lines cost O(total size), not O(N^2).
    buf_ += ' ';
    buf_.append(more);
    e.value_len += static_cast<uint32_t>(1 + more.size());
    return;
  }
  // Otherwise (not reached today: remove() rebuilds the buffer in order)
  // move the value to the end once; later folds then grow it in place.
  std::string joined(value(e));
  joined += ' ';
  joined += more;
  e.value_off = static_cast<uint32_t>(buf_.size());
  e.value_len = static_cast<uint32_t>(joined.size());
  buf_.append(joined);
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const Entry& e : entries_) {
    if (iequals(this->name(e), name)) return value(e);
  }
  return std::nullopt;
}

std::string_view Headers::get_or(std::string_view name,
                                 std::string_view fallback) const {
  auto v = get(name);
  return v ? *v : fallback;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Entry& e : entries_) {
    if (iequals(this->name(e), name)) out.push_back(value(e));
  }
  return out;
}

void Headers::clear() {
  buf_.clear();
  entries_.clear();
}

void Headers::reserve(size_t fields, size_t bytes) {
  entries_.reserve(fields);
  buf_.reserve(bytes);
}

}  // namespace aio::http
