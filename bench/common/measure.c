/* measure: runs a command and reports its CPU time and peak RSS. The one
 * launcher of the benchmark drivers (driver.run_measured in driver.py).
 *
 * Usage: measure <program> [args...]
 * Forks, execs the program (stdout/stderr inherited), waits with wait4() and
 * prints "MEASURE cpu_s=<user+sys> maxrss_kb=<ru_maxrss>" after the child's
 * own output. Exit status: the child's (128+signal if killed).
 *
 * A small launcher rather than the Python driver forking directly: Linux
 * carries the pre-exec image's high-water mark into ru_maxrss, so a child
 * forked from the driver would report at least the driver's RSS.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s program [args...]\n", argv[0]);
    return 2;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 2;
  }
  if (pid == 0) {
    execv(argv[1], argv + 1);
    perror(argv[1]);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("wait4");
    return 2;
  }
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("MEASURE cpu_s=%.3f maxrss_kb=%ld\n", cpu, ru.ru_maxrss);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
