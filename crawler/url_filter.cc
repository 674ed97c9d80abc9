#include "crawler/url_filter.h"

#include <re2/re2.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace aio::crawler {
namespace {

absl::Status compile(const std::vector<std::string>& patterns,
                     std::string_view flag,
                     std::vector<std::unique_ptr<re2::RE2>>& out) {
  RE2::Options options;
  options.set_log_errors(false);  // errors are returned, not logged
  for (const std::string& p : patterns) {
    auto re = std::make_unique<re2::RE2>(p, options);
    if (!re->ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid --", std::string(flag), " pattern '", p, "': ", re->error()));
    }
    out.push_back(std::move(re));
  }
  return absl::OkStatus();
}

bool any_match(const std::vector<std::unique_ptr<re2::RE2>>& res,
               std::string_view url) {
  re2::StringPiece text(url.data(), url.size());
  for (const auto& re : res) {
    if (re2::RE2::PartialMatch(text, *re)) return true;
  }
  return false;
}

}  // namespace

UrlFilter::UrlFilter() = default;
UrlFilter::UrlFilter(UrlFilter&&) noexcept = default;
UrlFilter& UrlFilter::operator=(UrlFilter&&) noexcept = default;
UrlFilter::~UrlFilter() = default;

absl::StatusOr<UrlFilter> UrlFilter::create(std::vector<std::string> allow,
                                            std::vector<std::string> deny) {
  UrlFilter f;
  if (absl::Status s = compile(allow, "allow", f.allow_); !s.ok()) return s;
  if (absl::Status s = compile(deny, "deny", f.deny_); !s.ok()) return s;
  return f;
}

bool UrlFilter::accepts(std::string_view canonical_url) const {
  if (!allow_.empty() && !any_match(allow_, canonical_url)) return false;
  return !any_match(deny_, canonical_url);
}

}  // namespace aio::crawler
