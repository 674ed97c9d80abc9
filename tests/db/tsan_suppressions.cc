// ThreadSanitizer suppressions for the //db tests.
//
// HACK: as in tests/executor/tsan_suppressions.cc: libstdc++.so is not built
// with -fsanitize=thread, so TSan cannot see the atomic reference count of
// std::exception_ptr (eh_ptr.cc); a CancelledError or TimeoutError whose
// last reference drops on another thread than the one that read it is
// reported although the count orders them. Only stacks through
// std::__exception_ptr are suppressed.
extern "C" __attribute__((visibility("default"), used)) const char*
__tsan_default_suppressions() {
  return "race:std::__exception_ptr::exception_ptr::_M_release\n";
}
