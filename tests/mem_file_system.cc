#include "mem_file_system.h"

#include <fmt/format.h>

namespace strata::base {

Result<std::vector<DirEntry>> MemFileSystem::ListDirectory(const std::string& dir) {
  std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::map<std::string, DirEntry> entries;
  bool any = false;
  auto add = [&](const std::string& path, DirEntry::Type type, const std::string& problem) {
    if (path.compare(0, prefix.size(), prefix) != 0) return;
    any = true;
    std::string rest = path.substr(prefix.size());
    std::size_t slash = rest.find('/');
    if (slash != std::string::npos) {
      std::string sub = rest.substr(0, slash);
      entries.emplace(sub, DirEntry{sub, DirEntry::Type::kDirectory, "", std::nullopt});
      return;
    }
    entries[rest] = DirEntry{rest, type, problem, std::nullopt};
    if (auto st = stats_.find(path); st != stats_.end() && type == DirEntry::Type::kFile) entries[rest].stat = st->second;
  };
  for (const auto& [path, _] : files_) add(path, DirEntry::Type::kFile, "");
  for (const auto& [path, problem] : others_) add(path, DirEntry::Type::kOther, problem);
  if (!any) return Status(ErrorCode::kNotFound, fmt::format("migrations directory '{}' does not exist", dir));
  std::vector<DirEntry> out;
  for (auto& [_, e] : entries) out.push_back(std::move(e));
  return out;
}

Result<std::string> MemFileSystem::ReadFile(const std::string& path) {
  ++all_reads_;
  if (fail_after_ >= 0 && reads_++ >= fail_after_) {
    return Status(ErrorCode::kUnavailable, fmt::format("cannot read '{}': injected failure", path));
  }
  if (auto e = read_errors_.find(path); e != read_errors_.end()) return e->second;
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

namespace strata::base {

Result<FileStat> MemFileSystem::Stat(const std::string& path) {
  if (!files_.count(path)) return Status(ErrorCode::kNotFound, fmt::format("cannot examine '{}': no such file", path));
  auto it = stats_.find(path);
  if (it == stats_.end()) return Status(ErrorCode::kFailedPrecondition, fmt::format("no stat for '{}'", path));
  return it->second;
}

Status MemFileSystem::ReplaceFile(const std::string& path, std::string_view contents) {
  files_[path] = std::string(contents);
  return Status::Ok();
}

}  // namespace strata::base
