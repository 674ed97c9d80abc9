// Internal: bridging std::string_view and absl::string_view.
//
// HACK: Debian 12's Abseil (20220623) is built with
// ABSL_OPTION_USE_STD_STRING_VIEW 0 (see /usr/include/absl/base/options.h),
// so absl::string_view is a type of its own that neither accepts nor converts
// to std::string_view. //net's API speaks std::string_view; these two
// functions convert where Abseil is called.
#ifndef AIO_NET_INTERNAL_ABSL_COMPAT_H_
#define AIO_NET_INTERNAL_ABSL_COMPAT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace aio::net::internal {

inline absl::string_view av(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view sv(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace aio::net::internal

#endif  // AIO_NET_INTERNAL_ABSL_COMPAT_H_
