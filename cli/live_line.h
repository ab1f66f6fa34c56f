// The live line of a long run on a terminal: one line on standard error, redrawn at most four
// times a second by a thread of its own, erased before anything else is printed. Never drawn when
// standard error is not a terminal or with --json.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace strata::cli {

class LiveLine {
 public:
  using Clock = std::chrono::steady_clock;
  // `render` says what to show now ("" for nothing); it is called under the line's lock, so state
  // that it reads and that Locked() changes needs no other lock. `enabled` false (or standard
  // error not a terminal): nothing is ever drawn and no thread is started.
  LiveLine(bool enabled, std::function<std::string(Clock::time_point now)> render);
  ~LiveLine();
  LiveLine(const LiveLine&) = delete;
  LiveLine& operator=(const LiveLine&) = delete;

  // Runs `fn` under the line's lock with the line erased: print through it, change what render reads.
  void Locked(const std::function<void()>& fn);

 private:
  void Run();
  void Erase();

  std::function<std::string(Clock::time_point)> render_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool done_ = false, drawn_ = false;
  std::thread thread_;
};

}  // namespace strata::cli
