// ThreadSanitizer suppressions for the executor tests.
//
// HACK: libstdc++.so is not built with -fsanitize=thread, so TSAN cannot see
// the atomic reference counting of std::exception_ptr (eh_ptr.cc's
// _M_addref/_M_release). When an exception thrown on a worker is rethrown
// and read on the loop thread, and the last exception_ptr reference is then
// dropped on the worker, TSAN reports the exception's destruction as racing
// with the read, although the refcount orders them. A known false positive:
// https://github.com/arangodb/arangodb/pull/21084,
// https://stackoverflow.com/q/37587096. The suppression matches only reports
// with std::__exception_ptr in a stack, so other races still fail the tests.
extern "C" __attribute__((visibility("default"), used)) const char*
__tsan_default_suppressions() {
  return "race:std::__exception_ptr::exception_ptr::_M_release\n";
}
