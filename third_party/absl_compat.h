// Bridging std::string_view and absl::string_view, for every component that
// calls Abseil with std::string_view (//net, //db, //crawler).
//
// HACK: Debian 12's Abseil (20220623) is built with
// ABSL_OPTION_USE_STD_STRING_VIEW 0 (see /usr/include/absl/base/options.h),
// so absl::string_view is a type of its own that neither accepts nor converts
// to std::string_view. The project's APIs speak std::string_view; these two
// functions convert where Abseil is called:
//
//   absl::StrCat("bad host '", aio::to_absl(host), "'")
//   std::string_view rest = aio::to_std(absl::StripAsciiWhitespace(...));
//
// Pure functions, any thread.
#ifndef AIO_THIRD_PARTY_ABSL_COMPAT_H_
#define AIO_THIRD_PARTY_ABSL_COMPAT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace aio {

inline absl::string_view to_absl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view to_std(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace aio

#endif  // AIO_THIRD_PARTY_ABSL_COMPAT_H_
