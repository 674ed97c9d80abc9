#include "db/result_set.h"

#include <cassert>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "db/error.h"

namespace aio::db {

std::string_view to_string(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull: return "NULL";
    case Value::Kind::kInt: return "a signed integer";
    case Value::Kind::kUint: return "an unsigned integer";
    case Value::Kind::kDouble: return "a double";
    case Value::Kind::kString: return "a string";
    case Value::Kind::kBlob: return "a blob";
    case Value::Kind::kDate: return "a date";
    case Value::Kind::kDateTime: return "a datetime";
    case Value::Kind::kTime: return "a time";
  }
  return "?";
}

ResultSet::ResultSet(std::vector<Column> columns, std::vector<Value> cells)
    : columns_(std::move(columns)), cells_(std::move(cells)) {
  rows_ = columns_.empty() ? 0 : cells_.size() / columns_.size();
  for (size_t i = 0; i < columns_.size(); ++i) {
    by_name_.emplace(absl::AsciiStrToLower(columns_[i].name), i);
  }
}

std::optional<size_t> ResultSet::find_column(std::string_view name) const {
  auto it = by_name_.find(absl::AsciiStrToLower(std::string(name)));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

Row ResultSet::operator[](size_t i) const {
  assert(i < rows_);
  return Row(this, i);
}

absl::StatusOr<Row> ResultSet::row(size_t i) const {
  if (i >= rows_) {
    return make_error(ErrorKind::kInvalidArgument,
                      absl::StrCat("row ", i, " does not exist (", rows_,
                                   " rows)"));
  }
  return Row(this, i);
}

const Value& ResultSet::cell(size_t row, size_t column) const {
  assert(row < rows_ && column < columns_.size());
  return cells_[row * columns_.size() + column];
}

absl::StatusOr<const Value*> Row::value(size_t column) const {
  if (column >= rs_->column_count()) {
    return make_error(ErrorKind::kInvalidArgument,
                      absl::StrCat("column ", column, " does not exist (",
                                   rs_->column_count(), " columns)"));
  }
  return &rs_->cell(index_, column);
}

absl::StatusOr<const Value*> Row::value(std::string_view column) const {
  absl::StatusOr<size_t> i = column_index(column);
  if (!i.ok()) return i.status();
  return value(*i);
}

bool Row::is_null(size_t column) const {
  auto v = value(column);
  return v.ok() && (*v)->is_null();
}

bool Row::is_null(std::string_view column) const {
  auto v = value(column);
  return v.ok() && (*v)->is_null();
}

absl::StatusOr<size_t> Row::column_index(std::string_view name) const {
  std::optional<size_t> i = rs_->find_column(name);
  if (!i) {
    return make_error(ErrorKind::kInvalidArgument,
                      absl::StrCat("no column named '", std::string(name), "'"));
  }
  return *i;
}

absl::Status Row::mismatch(size_t column, std::string_view wanted) const {
  const Value& v = rs_->cell(index_, column);
  const std::string& name = rs_->columns()[column].name;
  if (v.is_null()) {
    return make_error(ErrorKind::kTypeMismatch,
                      absl::StrCat("column '", name, "' of row ", index_,
                                   " is NULL; read it as std::optional"));
  }
  return make_error(ErrorKind::kTypeMismatch,
                    absl::StrCat("column '", name, "' holds ",
                                 std::string(to_string(v.kind())), ", not ",
                                 std::string(wanted)));
}

absl::StatusOr<int64_t> Row::as_int(const Value& v, size_t column, int64_t lo,
                                    int64_t hi, std::string_view wanted) const {
  if (const int64_t* i = v.get_if<int64_t>()) {
    if (*i < lo || *i > hi) {
      return make_error(ErrorKind::kTypeMismatch,
                        absl::StrCat("column '", rs_->columns()[column].name,
                                     "' holds ", *i, ", out of range"));
    }
    return *i;
  }
  if (const uint64_t* u = v.get_if<uint64_t>()) {
    if (*u > static_cast<uint64_t>(hi)) {
      return make_error(ErrorKind::kTypeMismatch,
                        absl::StrCat("column '", rs_->columns()[column].name,
                                     "' holds ", *u, ", out of range"));
    }
    return static_cast<int64_t>(*u);
  }
  return mismatch(column, wanted);
}

absl::StatusOr<uint64_t> Row::as_uint(const Value& v, size_t column,
                                      uint64_t hi,
                                      std::string_view wanted) const {
  if (const uint64_t* u = v.get_if<uint64_t>()) {
    if (*u > hi) {
      return make_error(ErrorKind::kTypeMismatch,
                        absl::StrCat("column '", rs_->columns()[column].name,
                                     "' holds ", *u, ", out of range"));
    }
    return *u;
  }
  if (const int64_t* i = v.get_if<int64_t>()) {
    if (*i < 0 || static_cast<uint64_t>(*i) > hi) {
      return make_error(ErrorKind::kTypeMismatch,
                        absl::StrCat("column '", rs_->columns()[column].name,
                                     "' holds ", *i, ", out of range"));
    }
    return static_cast<uint64_t>(*i);
  }
  return mismatch(column, wanted);
}

}  // namespace aio::db
