// aio::http::Headers: an ordered list of HTTP header fields with
// case-insensitive name look-up (RFC 9110 section 5.1).
//
// Keeps every field in arrival order, repeated names included (Set-Cookie
// comes many times). A plain value type: no thread affinity.
#ifndef AIO_NET_HEADERS_H_
#define AIO_NET_HEADERS_H_

#include <initializer_list>
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
  using Field = std::pair<std::string, std::string>;
  using const_iterator = std::vector<Field>::const_iterator;

  Headers() = default;
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}
  explicit Headers(std::vector<Field> fields) : fields_(std::move(fields)) {}

  // Appends a field (keeps existing ones with the same name).
  void add(std::string name, std::string value);
  // Replaces every field named `name` with one field.
  void set(std::string name, std::string value);
  // Removes every field named `name`; returns how many there were.
  size_t remove(std::string_view name);

  // The value of the first field named `name`.
  std::optional<std::string_view> get(std::string_view name) const;
  // The first value, or `fallback`.
  std::string_view get_or(std::string_view name,
                          std::string_view fallback) const;
  // Every value of fields named `name`, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  const_iterator begin() const { return fields_.begin(); }
  const_iterator end() const { return fields_.end(); }
  void clear() { fields_.clear(); }

 private:
  std::vector<Field> fields_;
};

}  // namespace aio::http

#endif  // AIO_NET_HEADERS_H_
