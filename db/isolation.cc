#include "db/isolation.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "db/error.h"

namespace aio::db {

std::string_view to_string(Isolation isolation) {
  switch (isolation) {
    case Isolation::kReadUncommitted: return "READ UNCOMMITTED";
    case Isolation::kReadCommitted: return "READ COMMITTED";
    case Isolation::kRepeatableRead: return "REPEATABLE READ";
    case Isolation::kSerializable: return "SERIALIZABLE";
  }
  return "REPEATABLE READ";
}

absl::StatusOr<Isolation> parse_isolation(std::string_view text) {
  std::string t = absl::AsciiStrToUpper(std::string(text));
  for (char& c : t) {
    if (c == '-' || c == '_') c = ' ';
  }
  for (Isolation i : {Isolation::kReadUncommitted, Isolation::kReadCommitted,
                      Isolation::kRepeatableRead, Isolation::kSerializable}) {
    if (t == to_string(i)) return i;
  }
  return make_error(
      ErrorKind::kInvalidArgument,
      absl::StrCat("unknown isolation level '", std::string(text),
                   "' (read-uncommitted, read-committed, repeatable-read or"
                   " serializable)"));
}

}  // namespace aio::db
