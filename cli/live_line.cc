#include "live_line.h"

#include <unistd.h>

#include <cstdio>

namespace strata::cli {

LiveLine::LiveLine(bool enabled, std::function<std::string(Clock::time_point)> render) : render_(std::move(render)) {
  if (enabled && ::isatty(2)) thread_ = std::thread([this] { Run(); });
}

LiveLine::~LiveLine() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    Erase();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LiveLine::Locked(const std::function<void()>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Erase();
  fn();
}

void LiveLine::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!done_) {
    wake_.wait_for(lock, std::chrono::milliseconds(250));
    if (done_) break;
    std::string text = render_(Clock::now());
    if (text.empty()) {
      Erase();
      continue;
    }
    if (text.size() > 150) text = text.substr(0, 147) + "...";
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
}

void LiveLine::Erase() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace strata::cli
