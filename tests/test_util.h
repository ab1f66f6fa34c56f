// Helpers for tests that work on real files: temporary directories, writing files, reading a
// SQLite database directly, running a process.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace strata::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }
  // Writes `contents` to path()/name, creating parent directories.
  void Write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// Runs `sql` on the SQLite file at `db` and returns the rows, each row's columns joined by '|',
// NULL as "NULL". Fails the current test on an error.
std::vector<std::string> Query(const std::string& db, const std::string& sql);
// The single value of a one-row, one-column query.
std::string QueryOne(const std::string& db, const std::string& sql);
// Runs statements; fails the current test on an error.
void Exec(const std::string& db, const std::string& sql);

struct ProcessResult {
  int exit_code = -1;    // -1 if killed by a signal
  int signal = 0;
  std::string out, err;
};

// Starts `argv` (argv[0] is a path) without waiting: standard input from `stdin_fd` (/dev/null when
// -1), standard output and error to /dev/null. Returns the child's pid.
int Start(const std::vector<std::string>& argv, int stdin_fd = -1);

// Starts `argv` (argv[0] is a path) without waiting, standard input from /dev/null and standard
// output and error both to the file `log` (created or truncated). Returns the child's pid.
int StartLogged(const std::vector<std::string>& argv, const std::string& log);

// Waits for the child `pid`: its exit code, or minus the signal that killed it.
int WaitExit(int pid);

// The whole file at `path` ("" when it cannot be read).
std::string ReadText(const std::string& path);

// Asks `done` every 50 ms until it says true (then true) or `limit` has passed (then false).
template <typename Pred>
bool PollUntil(Pred done, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Calls `body(0)` to `body(count - 1)` each on a thread of its own, all at once (concurrent runners,
// template builders), and returns when every call has.
template <typename Body>
void AtOnce(int count, Body body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) threads.emplace_back([&body, i] { body(i); });
  for (std::thread& t : threads) t.join();
}

// Everything about a finished run (exit code, signal, stdout, stderr), for failure messages.
std::string Describe(const ProcessResult& r);

// Runs `argv` (argv[0] is a path) with optional extra environment entries ("K=V"), stdin closed.
ProcessResult Run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                  const std::string& cwd = "");

}  // namespace strata::testing
