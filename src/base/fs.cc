#include "base/fs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace strata::base {

namespace {

class RealFs : public FileSystem {
 public:
  Result<std::vector<std::string>> ListFiles(const std::string& dir) override {
    std::error_code ec;
    auto status = std::filesystem::status(dir, ec);
    if (ec || !std::filesystem::exists(status)) {
      return Status(ErrorCode::kNotFound, fmt::format("migrations directory '{}' does not exist", dir));
    }
    if (!std::filesystem::is_directory(status)) {
      return Status(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a directory", dir));
    }
    std::vector<std::string> names;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) names.push_back(it->path().filename().string());
    }
    if (ec) {
      return Status(ErrorCode::kUnavailable, fmt::format("cannot list '{}': {}", dir, ec.message()));
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<std::string> ReadFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      return Status(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                    fmt::format("cannot read '{}': {}", path, std::strerror(err)));
    }
    std::string out;
    char buf[16384];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return Status(ErrorCode::kUnavailable, fmt::format("cannot read '{}': {}", path, std::strerror(err)));
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Status CreateFile(const std::string& path, std::string_view contents) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      int err = errno;
      return Status(err == EEXIST ? ErrorCode::kFailedPrecondition : ErrorCode::kUnavailable,
                    fmt::format("cannot create '{}': {}", path, std::strerror(err)));
    }
    std::size_t done = 0;
    while (done < contents.size()) {
      ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return Status(ErrorCode::kUnavailable, fmt::format("cannot write '{}': {}", path, std::strerror(err)));
      }
      done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
      return Status(ErrorCode::kUnavailable, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    }
    return Status::Ok();
  }
};

}  // namespace

FileSystem& RealFileSystem() {
  static RealFs fs;
  return fs;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

Result<std::vector<std::string>> MemFileSystem::ListFiles(const std::string& dir) {
  std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::vector<std::string> names;
  bool any = false;
  for (const auto& [path, _] : files_) {
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    any = true;
    std::string rest = path.substr(prefix.size());
    if (rest.find('/') == std::string::npos) names.push_back(rest);
  }
  if (!any) return Status(ErrorCode::kNotFound, fmt::format("migrations directory '{}' does not exist", dir));
  return names;
}

Result<std::string> MemFileSystem::ReadFile(const std::string& path) {
  if (fail_after_ >= 0 && reads_++ >= fail_after_) {
    return Status(ErrorCode::kUnavailable, fmt::format("cannot read '{}': injected failure", path));
  }
  auto it = files_.find(path);
  if (it == files_.end()) return Status(ErrorCode::kNotFound, fmt::format("cannot read '{}': no such file", path));
  return it->second;
}

Status MemFileSystem::CreateFile(const std::string& path, std::string_view contents) {
  if (files_.count(path)) return Status(ErrorCode::kFailedPrecondition, fmt::format("cannot create '{}': file exists", path));
  files_[path] = std::string(contents);
  return Status::Ok();
}

}  // namespace strata::base
