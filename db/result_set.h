// aio::db::ResultSet: the rows of a query, fetched whole, with typed,
// NULL-aware access by column index or name.
//
//   absl::StatusOr<aio::db::ResultSet> rs =
//       co_await conn->query("SELECT id, title FROM t WHERE id > ?", 10);
//   for (aio::db::Row row : *rs) {
//     absl::StatusOr<int64_t> id = row.get<int64_t>(0);
//     absl::StatusOr<std::optional<std::string>> title =
//         row.get<std::optional<std::string>>("title");   // NULL -> nullopt
//   }
//
// get<T> reads int64_t / int / any integer (range-checked), uint64_t,
// double, std::string (text or binary), std::string_view (a view into the
// result set), Blob, Date, DateTime, Time, Value, or std::optional of any of
// them. Reading a column as a type it does not hold, reading NULL as a
// non-optional, or an index / name that does not exist is a status
// (kTypeMismatch, or kInvalidArgument for a bad column), never a crash.
// Integers widen between signed and unsigned when the value fits; a FLOAT or
// DOUBLE reads as double; DECIMAL, ENUM, SET and JSON read as strings.
//
// Owns its data; movable; a Row is a cheap view valid while its ResultSet
// lives. Not synchronised: one thread at a time (any thread).
#ifndef AIO_DB_RESULT_SET_H_
#define AIO_DB_RESULT_SET_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "db/value.h"

namespace aio::db {

struct Column {
  std::string name;      // the column's label (alias if given)
  Value::Kind kind;      // what its non-NULL cells hold
  int mysql_type = 0;    // enum_field_types
  bool is_unsigned = false;
  bool nullable = true;
};

class ResultSet;

class Row {
 public:
  Row(const ResultSet* rs, size_t index) : rs_(rs), index_(index) {}

  // The raw cell; kInvalidArgument if `column` is out of range / unknown.
  absl::StatusOr<const Value*> value(size_t column) const;
  absl::StatusOr<const Value*> value(std::string_view column) const;

  template <typename T>
  absl::StatusOr<T> get(size_t column) const {
    absl::StatusOr<const Value*> v = value(column);
    if (!v.ok()) return v.status();
    return convert<T>(**v, column);
  }
  template <typename T>
  absl::StatusOr<T> get(std::string_view column) const {
    absl::StatusOr<size_t> i = column_index(column);
    if (!i.ok()) return i.status();
    return get<T>(*i);
  }
  // True if the cell is NULL (false for a bad column).
  bool is_null(size_t column) const;
  bool is_null(std::string_view column) const;
  size_t index() const { return index_; }

 private:
  template <typename T>
  struct IsOptional : std::false_type {};
  template <typename T>
  struct IsOptional<std::optional<T>> : std::true_type {
    using type = T;
  };

  absl::StatusOr<size_t> column_index(std::string_view name) const;
  absl::Status mismatch(size_t column, std::string_view wanted) const;
  absl::StatusOr<int64_t> as_int(const Value& v, size_t column, int64_t lo,
                                 int64_t hi, std::string_view wanted) const;
  absl::StatusOr<uint64_t> as_uint(const Value& v, size_t column, uint64_t hi,
                                   std::string_view wanted) const;

  template <typename T>
  absl::StatusOr<T> convert(const Value& v, size_t column) const {
    if constexpr (IsOptional<T>::value) {
      if (v.is_null()) return T();
      absl::StatusOr<typename IsOptional<T>::type> inner =
          convert<typename IsOptional<T>::type>(v, column);
      if (!inner.ok()) return inner.status();
      return T(*std::move(inner));
    } else if constexpr (std::is_same_v<T, Value>) {
      return v;
    } else if constexpr (std::is_same_v<T, bool>) {
      absl::StatusOr<int64_t> i = as_int(
          v, column, std::numeric_limits<int64_t>::min(),
          std::numeric_limits<int64_t>::max(), "bool");
      if (!i.ok()) return i.status();
      return *i != 0;
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      absl::StatusOr<int64_t> i =
          as_int(v, column, std::numeric_limits<T>::min(),
                 std::numeric_limits<T>::max(), "a signed integer");
      if (!i.ok()) return i.status();
      return static_cast<T>(*i);
    } else if constexpr (std::is_integral_v<T>) {
      absl::StatusOr<uint64_t> i = as_uint(
          v, column, std::numeric_limits<T>::max(), "an unsigned integer");
      if (!i.ok()) return i.status();
      return static_cast<T>(*i);
    } else if constexpr (std::is_same_v<T, double>) {
      if (const double* d = v.get_if<double>()) return *d;
      return mismatch(column, "a double");
    } else if constexpr (std::is_same_v<T, std::string> ||
                         std::is_same_v<T, std::string_view>) {
      if (const std::string* s = v.get_if<std::string>()) return T(*s);
      if (const Blob* b = v.get_if<Blob>()) return T(b->bytes);
      return mismatch(column, "a string");
    } else if constexpr (std::is_same_v<T, Blob>) {
      if (const Blob* b = v.get_if<Blob>()) return *b;
      if (const std::string* s = v.get_if<std::string>()) return Blob{*s};
      return mismatch(column, "a blob");
    } else if constexpr (std::is_same_v<T, Date>) {
      if (const Date* d = v.get_if<Date>()) return *d;
      return mismatch(column, "a date");
    } else if constexpr (std::is_same_v<T, DateTime>) {
      if (const DateTime* d = v.get_if<DateTime>()) return *d;
      return mismatch(column, "a datetime");
    } else if constexpr (std::is_same_v<T, Time>) {
      if (const Time* t = v.get_if<Time>()) return *t;
      return mismatch(column, "a time");
    } else {
      static_assert(sizeof(T) == 0, "Row::get: unsupported type");
    }
  }

  const ResultSet* rs_;
  size_t index_;
};

class ResultSet {
 public:
  ResultSet() = default;
  ResultSet(std::vector<Column> columns, std::vector<Value> cells);

  size_t size() const { return rows_; }  // rows
  bool empty() const { return rows_ == 0; }
  size_t column_count() const { return columns_.size(); }
  const std::vector<Column>& columns() const { return columns_; }
  // The index of the column labelled `name` (case-insensitive, as MariaDB
  // compares column names); the first one if several have that label.
  std::optional<size_t> find_column(std::string_view name) const;

  // Row `i`; i < size() is a precondition (asserted).
  Row operator[](size_t i) const;
  // Row `i`, or kInvalidArgument if out of range.
  absl::StatusOr<Row> row(size_t i) const;

  class iterator {
   public:
    iterator(const ResultSet* rs, size_t i) : rs_(rs), i_(i) {}
    Row operator*() const { return Row(rs_, i_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    const ResultSet* rs_;
    size_t i_;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, rows_); }

  // Cell (row, column); both in range (asserted).
  const Value& cell(size_t row, size_t column) const;

 private:
  std::vector<Column> columns_;
  std::vector<Value> cells_;  // row-major
  size_t rows_ = 0;
  std::unordered_map<std::string, size_t> by_name_;  // lower-cased labels
};

}  // namespace aio::db

#endif  // AIO_DB_RESULT_SET_H_
