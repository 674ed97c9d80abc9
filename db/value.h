// aio::db::Value: one SQL value — a statement parameter or a result cell.
//
//   conn->execute("INSERT INTO t VALUES (?, ?, ?)", 42, "text", aio::db::null);
//   conn->execute("... (?)", aio::db::Blob{bytes});     // binary, verbatim
//   conn->execute("... (?)", std::optional<int>());      // NULL
//
// Kinds: NULL, signed and unsigned 64-bit integers, double, string (text,
// sent as utf8mb4), blob (bytes), date, datetime, time. Any C++ integer
// converts to an integer Value (bool to 0/1), floating point to double,
// std::string / string_view / const char* to string, std::optional<T> to T
// or NULL. Strings and blobs own their bytes (NUL bytes included), so a
// Value can travel to a worker thread. Plain value type; any thread.
#ifndef AIO_DB_VALUE_H_
#define AIO_DB_VALUE_H_

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace aio::db {

struct Null {
  bool operator==(const Null&) const = default;
};
inline constexpr Null null{};

// Bytes sent and read as binary (BLOB, VARBINARY), never as text.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

struct Date {
  int year = 0;
  int month = 0;  // 1..12 (0 in MariaDB's zero date)
  int day = 0;
  bool operator==(const Date&) const = default;
};

struct DateTime {
  int year = 0, month = 0, day = 0;
  int hour = 0, minute = 0, second = 0;
  int microsecond = 0;
  bool operator==(const DateTime&) const = default;
};

// A TIME value: a signed duration up to 838:59:59.
struct Time {
  bool negative = false;
  int hours = 0, minutes = 0, seconds = 0;
  int microseconds = 0;
  bool operator==(const Time&) const = default;
};

class Value {
 public:
  enum class Kind {
    kNull,
    kInt,
    kUint,
    kDouble,
    kString,
    kBlob,
    kDate,
    kDateTime,
    kTime
  };
  using Storage = std::variant<Null, int64_t, uint64_t, double, std::string,
                               Blob, Date, DateTime, Time>;

  Value() = default;
  Value(Null) {}
  Value(std::nullptr_t) {}
  Value(std::nullopt_t) {}
  template <std::integral I>
  Value(I v) {  // NOLINT: implicit by design
    if constexpr (std::is_same_v<I, bool>) {
      v_ = static_cast<int64_t>(v ? 1 : 0);
    } else if constexpr (std::is_signed_v<I>) {
      v_ = static_cast<int64_t>(v);
    } else {
      v_ = static_cast<uint64_t>(v);
    }
  }
  template <std::floating_point F>
  Value(F v) : v_(static_cast<double>(v)) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  Value(Blob v) : v_(std::move(v)) {}
  Value(Date v) : v_(v) {}
  Value(DateTime v) : v_(v) {}
  Value(Time v) : v_(v) {}
  template <typename T>
  Value(std::optional<T> v) {
    if (v) *this = Value(std::move(*v));
  }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  const Storage& storage() const { return v_; }
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&v_);
  }
  bool operator==(const Value&) const = default;

 private:
  Storage v_;
};

std::string_view to_string(Value::Kind kind);

}  // namespace aio::db

#endif  // AIO_DB_VALUE_H_
