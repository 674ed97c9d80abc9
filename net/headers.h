// aio::http::Headers: an ordered list of HTTP header fields with
// case-insensitive name look-up (RFC 9110 section 5.1).
//
// Keeps every field in arrival order, repeated names included (Set-Cookie
// comes many times). Names and values live in one buffer, so a response's
// headers cost two allocations however many fields there are; look-ups and
// iteration hand out string_views into it, valid until the Headers object
// is modified or destroyed. A plain value type: no thread affinity.
#ifndef AIO_NET_HEADERS_H_
#define AIO_NET_HEADERS_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::http {

// ASCII case-insensitive equality, for header names.
bool iequals(std::string_view a, std::string_view b);

class Headers {
 public:
  // A field as seen through iteration: views into the Headers' buffer.
  using Field = std::pair<std::string_view, std::string_view>;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;

    const_iterator() = default;
    Field operator*() const { return h_->field(i_); }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++i_;
      return old;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.i_ == b.i_;
    }

   private:
    friend class Headers;
    const_iterator(const Headers* h, size_t i) : h_(h), i_(i) {}
    const Headers* h_ = nullptr;
    size_t i_ = 0;
  };

  Headers() = default;
  Headers(std::initializer_list<Field> fields);

  // Appends a field (keeps existing ones with the same name).
  void add(std::string_view name, std::string_view value);
  // Replaces every field named `name` with one field.
  void set(std::string_view name, std::string_view value);
  // Removes every field named `name`; returns how many there were.
  size_t remove(std::string_view name);
  // For parsers: appends " " + `more` to the last field's value (obsolete
  // line folding, RFC 9112 section 5.2), in place: amortized O(|more|).
  // No-op when empty.
  void append_to_last_value(std::string_view more);

  // The value of the first field named `name`.
  std::optional<std::string_view> get(std::string_view name) const;
  // The first value, or `fallback`.
  std::string_view get_or(std::string_view name,
                          std::string_view fallback) const;
  // Every value of fields named `name`, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, entries_.size()); }
  Field operator[](size_t i) const { return field(i); }
  // Empties the list, keeping the memory (a parser reuses it).
  void clear();
  // Room for `fields` fields totalling `bytes` of names and values.
  void reserve(size_t fields, size_t bytes);

 private:
  struct Entry {
    uint32_t name_off;
    uint32_t name_len;
    uint32_t value_off;
    uint32_t value_len;
  };
  std::string_view name(const Entry& e) const {
    return std::string_view(buf_).substr(e.name_off, e.name_len);
  }
  std::string_view value(const Entry& e) const {
    return std::string_view(buf_).substr(e.value_off, e.value_len);
  }
  Field field(size_t i) const {
    return {name(entries_[i]), value(entries_[i])};
  }

  std::string buf_;  // names and values, back to back
  std::vector<Entry> entries_;
};

}  // namespace aio::http

#endif  // AIO_NET_HEADERS_H_
