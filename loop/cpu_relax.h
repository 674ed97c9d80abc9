// aio::cpu_relax(): the pause to put in a loop that busy-waits for a flag
// another core will set (the loop's spin before blocking, the thread pool's
// idle spinner). Tells the CPU this is a spin-wait, which saves power and
// frees the core's shared resources for its sibling hyper-thread.
#ifndef AIO_LOOP_CPU_RELAX_H_
#define AIO_LOOP_CPU_RELAX_H_

namespace aio {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace aio

#endif  // AIO_LOOP_CPU_RELAX_H_
