// Runs the real crawler binary (//crawler, a data dependency of the test) as
// a child process while the test's event loop serves the fixture site, so
// end-to-end tests see exactly what a user sees: exit code, stdout, stderr,
// the output file, and the server's request log.
#ifndef AIO_TESTS_CRAWLER_CRAWLER_PROCESS_H_
#define AIO_TESTS_CRAWLER_CRAWLER_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "loop/sleep.h"

extern char** environ;

namespace aio::crawler::testing {

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A fresh directory under the test's temporary directory.
inline std::string fresh_dir(const std::string& name) {
  const char* base = getenv("TEST_TMPDIR");
  std::string dir = std::string(base ? base : "/tmp") + "/" + name + "-XXXXXX";
  std::vector<char> buf(dir.begin(), dir.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) abort();
  return buf.data();
}

inline std::string crawler_binary() {
  const char* srcdir = getenv("TEST_SRCDIR");
  const char* ws = getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (ws ? ws : "aio") +
         "/crawler/crawler";
}

struct CrawlerRun {
  int exit_code = -1;  // -1 if killed by a signal
  int term_signal = 0;
  std::string out;  // stdout
  std::string err;  // stderr
  long max_rss_kib = 0;
  bool timed_out = false;
};

class CrawlerProcess {
 public:
  // Starts `crawler args...` with stdout/stderr captured in `dir`.
  CrawlerProcess(const std::vector<std::string>& args, const std::string& dir)
      : out_path_(dir + "/stdout"), err_path_(dir + "/stderr") {
    std::vector<std::string> all = {crawler_binary()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // The child must not inherit the test loop's blocked signals.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t dfl;
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (posix_spawn(&pid_, argv[0], &fa, &attr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
  ~CrawlerProcess() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  CrawlerProcess(const CrawlerProcess&) = delete;
  CrawlerProcess& operator=(const CrawlerProcess&) = delete;

  bool started() const { return pid_ > 0; }
  void signal(int sig) {
    if (pid_ > 0 && !reaped_) kill(pid_, sig);
  }
  std::string stdout_so_far() const { return slurp(out_path_); }

  // Serves the loop (the fixture site) while waiting for the child to exit;
  // kills it after `limit`.
  Coro<CrawlerRun> wait(Duration limit = std::chrono::seconds(120)) {
    CrawlerRun r;
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      int status = 0;
      struct rusage ru {};
      pid_t p = wait4(pid_, &status, WNOHANG, &ru);
      if (p == pid_) {
        reaped_ = true;
        if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
        r.max_rss_kib = ru.ru_maxrss;
        break;
      }
      if (p < 0) break;
      if (std::chrono::steady_clock::now() > deadline) {
        r.timed_out = true;
        kill(pid_, SIGKILL);
      }
      co_await aio::sleep(std::chrono::milliseconds(5));
    }
    r.out = slurp(out_path_);
    r.err = slurp(err_path_);
    co_return r;
  }

 private:
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

}  // namespace aio::crawler::testing

#endif  // AIO_TESTS_CRAWLER_CRAWLER_PROCESS_H_
