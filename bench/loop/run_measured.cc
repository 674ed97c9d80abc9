// run_measured: runs a command and reports its peak RSS.
//
// Usage: run_measured <program> [args...]
// Forks, execs the program (stdout/stderr inherited), waits with wait4() and
// prints "MAXRSS_KB=<ru_maxrss>" on stdout after the child's own output. Exit
// status: the child's (128+signal if it was killed).
//
// Why a launcher: Linux keeps the pre-exec image's high-water mark in
// ru_maxrss (exec_mmap records the old mm's peak), so a child forked from the
// Python driver would report at least the driver's own RSS. This program is
// small, so its fork adds well under a MiB, below any runtime's own baseline.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s program [args...]\n", argv[0]);
    return 2;
  }
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 2;
  }
  if (pid == 0) {
    execv(argv[1], argv + 1);
    std::perror(argv[1]);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) < 0) {
    std::perror("wait4");
    return 2;
  }
  std::printf("MAXRSS_KB=%ld\n", usage.ru_maxrss);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
