// Runs the real crawler binary (//crawler, a data dependency of the test) as
// a child process while the test's event loop serves the fixture site, so
// end-to-end tests see exactly what a user sees: exit code, stdout, stderr,
// the output file, and the server's request log. Fault tests also set its
// environment (AIO_CRAWLER_CRASH), give it a terminal as stdin, and
// signal or SIGKILL it mid-crawl. The child never outlives the test: the
// destructor kills and reaps it, and PR_SET_PDEATHSIG kills it if the test
// process dies first (e.g. killed by Bazel's timeout). Create and destroy
// on the test's loop thread (the death signal follows the thread that
// forked).
#ifndef AIO_TESTS_CRAWLER_CRAWLER_PROCESS_H_
#define AIO_TESTS_CRAWLER_CRAWLER_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
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
  // How to start the child beyond its arguments.
  struct SpawnOptions {
    // Set in the child's environment (over the test's own), e.g.
    // {"AIO_CRAWLER_CRASH", "claim:3"}.
    std::vector<std::pair<std::string, std::string>> env{};
    // The child's standard input (a pty's slave for TTY tests).
    std::string stdin_path = "/dev/null";
  };

  // Starts `crawler args...` with stdout/stderr captured in `dir`. The child
  // gets SIGKILL if the thread that started it dies (PR_SET_PDEATHSIG), so a
  // test killed by its timeout leaves no crawler behind.
  CrawlerProcess(const std::vector<std::string>& args, const std::string& dir)
      : CrawlerProcess(args, dir, SpawnOptions{}) {}
  CrawlerProcess(const std::vector<std::string>& args, const std::string& dir,
                 const SpawnOptions& spawn)
      : out_path_(dir + "/stdout"), err_path_(dir + "/stderr") {
    // Everything the child needs is built before fork(): between fork and
    // exec a multi-threaded parent's child may only make async-signal-safe
    // calls.
    std::vector<std::string> all = {crawler_binary()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view kv(*e);
      bool overridden = false;
      for (const auto& [k, v] : spawn.env) {
        if (kv.size() > k.size() && kv.substr(0, k.size()) == k &&
            kv[k.size()] == '=') {
          overridden = true;
        }
      }
      if (!overridden) env_strings.emplace_back(kv);
    }
    for (const auto& [k, v] : spawn.env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the parent died already
      // The child must not inherit the test loop's blocked or handled
      // signals.
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigaction(SIGINT, &dfl, nullptr);
      sigaction(SIGTERM, &dfl, nullptr);
      sigaction(SIGPIPE, &dfl, nullptr);
      int in = open(spawn.stdin_path.c_str(), O_RDWR);
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0 || err < 0) _exit(127);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
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
  std::string stderr_so_far() const { return slurp(err_path_); }
  pid_t pid() const { return pid_; }
  // True once the child has exited or was killed (it is not reaped: wait()
  // still reports how it ended).
  bool exited() const {
    if (pid_ <= 0 || reaped_) return true;
    siginfo_t info{};
    return waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid_;
  }

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
