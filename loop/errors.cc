#include "loop/errors.h"

#include <cxxabi.h>

#include <typeinfo>

namespace aio {

ExceptionGroup::ExceptionGroup(std::string message,
                               std::vector<std::exception_ptr> errors)
    : errors_(std::move(errors)) {
  what_ = message + " (" + std::to_string(errors_.size()) + " sub-exception" +
          (errors_.size() == 1 ? "" : "s") + ")";
  for (const auto& e : errors_) what_ += "\n  " + describe_exception(e);
}

std::string describe_exception(const std::exception_ptr& e) {
  if (!e) return "no exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    int status = 0;
    char* name =
        abi::__cxa_demangle(typeid(ex).name(), nullptr, nullptr, &status);
    std::string type = status == 0 && name ? name : typeid(ex).name();
    std::free(name);
    return type + ": " + ex.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace aio
