#include "source/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/sha256.h"
#include "base/text.h"
#include "source/sections.h"
#include "source/sum_file.h"

namespace strata::source {

void UpdateNormalized(base::Sha256& h, std::string_view sql) {
  std::size_t from = 0;
  for (std::size_t cr = sql.find('\r'); cr != std::string_view::npos; cr = sql.find('\r', cr + 1)) {
    if (cr + 1 < sql.size() && sql[cr + 1] == '\n') {
      h.Update(sql.substr(from, cr - from));
      from = cr + 1;
    }
  }
  h.Update(sql.substr(from));
}

std::string Checksum(std::string_view sql) {
  thread_local base::Sha256 h;  // one context per thread
  UpdateNormalized(h, sql);
  return "sha256:" + h.HexDigest();
}

namespace {

struct Parsed {
  FileName name;
  std::string path;
  std::shared_ptr<const std::string> text;
  FileSections sections;
};

Script MakeScript(const Parsed& p, const SectionRange& r) {
  Script s;
  s.path = p.path;
  s.text = p.text;
  s.begin = r.begin;
  s.end = r.end;
  s.no_transaction = r.no_transaction;
  s.no_split = r.no_split;
  s.allow_data_loss = r.allow_data_loss;
  return s;
}

}  // namespace

Result<std::vector<Migration>> BuildMigrations(std::vector<RawFile> files, std::vector<Checkpoint>* checkpoints) {
  std::vector<std::string> errors;
  std::vector<Parsed> parsed;
  for (RawFile& f : files) {
    auto name = ParseFileName(f.name);
    if (!name.ok()) {
      errors.push_back(fmt::format("{}: {}", f.path, name.status().message()));
      continue;
    }
    if (!name->has_value()) continue;
    if (!f.problem.empty()) {
      errors.push_back(f.problem);
      continue;
    }
    Parsed p;
    p.name = std::move(**name);
    p.path = f.path;
    p.text = std::make_shared<const std::string>(base::StripBom(f.contents));
    auto sections = SplitSections(*p.text, p.name.role == FileRole::kSectioned);
    if (!sections.ok()) {
      SourceLocation loc = base::MakeLocation(p.path, *p.text, sections.status().sql_offset().value_or(0));
      errors.push_back(base::FormatLocated(loc, sections.status().message()));
      continue;
    }
    p.sections = *sections;
    parsed.push_back(std::move(p));
  }

  std::map<std::uint64_t, Migration> by_version;
  std::map<std::uint64_t, std::string> up_path, down_path;
  auto duplicate = [&](std::uint64_t v, const std::string& a, const std::string& b) {
    errors.push_back(fmt::format("duplicate migration version {}: {} and {}", v, a, b));
  };
  std::map<std::uint64_t, Checkpoint> checkpoint_by_version;
  // Up parts first, so that a down file can find its partner whatever the listing order.
  for (const Parsed& p : parsed) {
    if (p.name.role == FileRole::kDown) continue;
    std::uint64_t v = p.name.version;
    if (p.sections.up->checkpoint) {
      if (auto it = checkpoint_by_version.find(v); it != checkpoint_by_version.end()) {
        errors.push_back(fmt::format("two checkpoints of version {}: {} and {}", v, it->second.migration.up.path,
                                     p.path));
        continue;
      }
      auto fail = [&](std::size_t offset, const std::string& message) {
        errors.push_back(base::FormatLocated(base::MakeLocation(p.path, *p.text, offset), message));
      };
      if (p.sections.down) {
        fail(p.sections.down->begin, "a checkpoint has no down part: roll back with the files it stands for");
        continue;
      }
      auto covers = ReadCovers(*p.text, p.sections.up->begin, p.sections.up->end);
      if (!covers.ok()) {
        fail(covers.status().sql_offset().value_or(0), covers.status().message());
        continue;
      }
      if (covers->back().version != v) {
        fail(p.sections.up->begin, fmt::format("a checkpoint's last covered version must be its own version {}, "
                                               "not {}",
                                               v, covers->back().version));
        continue;
      }
      Checkpoint c;
      c.migration.version = v;
      c.migration.version_text = p.name.version_text;
      c.migration.name = p.name.name;
      c.migration.convention = p.name.convention;
      c.migration.up = MakeScript(p, *p.sections.up);
      // Written by strata and proved to load: PostgreSQL gets it in one round trip.
      c.migration.up.no_split = true;
      c.migration.checksum = Checksum(c.migration.up.sql());
      c.covers = std::move(*covers);
      checkpoint_by_version[v] = std::move(c);
      continue;
    }
    if (auto it = up_path.find(v); it != up_path.end()) {
      duplicate(v, it->second, p.path);
      continue;
    }
    up_path[v] = p.path;
    Migration m;
    m.version = v;
    m.version_text = p.name.version_text;
    m.name = p.name.name;
    m.convention = p.name.convention;
    m.up = MakeScript(p, *p.sections.up);
    m.checksum = Checksum(m.up.sql());
    if (p.sections.down) {
      m.down = MakeScript(p, *p.sections.down);
      down_path[v] = p.path;
    }
    by_version[v] = std::move(m);
  }
  for (const Parsed& p : parsed) {
    if (p.name.role != FileRole::kDown) continue;
    std::uint64_t v = p.name.version;
    auto it = by_version.find(v);
    if (it == by_version.end()) {
      if (!up_path.count(v)) {
        errors.push_back(fmt::format("{}: down migration without an up migration for version {}", p.path, v));
      }
      continue;
    }
    if (auto d = down_path.find(v); d != down_path.end()) {
      duplicate(v, d->second, p.path);
      continue;
    }
    down_path[v] = p.path;
    it->second.down = MakeScript(p, *p.sections.up);
  }
  // A checkpoint written before a covered file was edited or renamed no longer gives what the files
  // give: a fresh database would differ from one migrated file by file.
  for (auto& [v, c] : checkpoint_by_version) {
    for (const Covered& covered : c.covers) {
      auto it = by_version.find(covered.version);
      if (it == by_version.end()) continue;
      const Migration& m = it->second;
      if (c.stale.empty() && (m.name != covered.name || m.checksum != covered.checksum)) {
        c.stale = fmt::format("{} is stale: it stands for version {} ({}), but {} {}; run `strata checkpoint --to "
                              "{}` to write it again",
                              c.migration.up.path, covered.version, covered.name, m.up.path,
                              m.name != covered.name ? "has another name" : "was edited since", c.migration.version);
      }
    }
  }
  if (!errors.empty()) {
    std::string joined;
    for (const std::string& e : errors) joined += (joined.empty() ? "" : "\n") + e;
    return Status(ErrorCode::kInvalidArgument, std::move(joined));
  }
  std::vector<Migration> out;
  out.reserve(by_version.size());
  for (auto& [_, m] : by_version) out.push_back(std::move(m));
  if (checkpoints) {
    checkpoints->clear();
    for (auto& [_, c] : checkpoint_by_version) checkpoints->push_back(std::move(c));
  }
  return out;
}

Result<DirectoryFiles> ReadDirectory(base::FileSystem& fs, const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<base::DirEntry> entries, fs.ListDirectory(dir));
  DirectoryFiles out;
  std::vector<RawFile>& files = out.files;
  files.reserve(entries.size());
  for (base::DirEntry& e : entries) {
    if (e.type == base::DirEntry::Type::kDirectory) continue;  // not recursive
    if (e.name == kSumFileName) {
      STRATA_ASSIGN_OR_RETURN(out.sum, fs.ReadFile(base::JoinPath(dir, e.name)));
      continue;
    }
    auto parsed = ParseFileName(e.name);
    if (parsed.ok() && !parsed->has_value()) continue;  // not a candidate: do not even read it
    RawFile f;
    f.path = base::JoinPath(dir, e.name);
    if (parsed.ok() && e.type == base::DirEntry::Type::kOther) {
      // Skipping it would hide a migration the user meant to run (a dangling link, say).
      f.problem = fmt::format("{}: {}", f.path, e.problem);
    } else if (parsed.ok()) {
      auto contents = fs.ReadFile(f.path);
      if (contents.ok()) {
        f.contents = std::move(*contents);
      } else if (contents.status().code() == ErrorCode::kInvalidArgument ||
                 contents.status().code() == ErrorCode::kNotFound) {
        f.problem = contents.status().message();
      } else {
        return contents.status();
      }
    }
    f.name = std::move(e.name);
    files.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<Migration>> LoadDirectory(base::FileSystem& fs, const std::string& dir,
                                             std::vector<Checkpoint>* checkpoints) {
  STRATA_ASSIGN_OR_RETURN(DirectoryFiles read, ReadDirectory(fs, dir));
  if (read.sum) STRATA_RETURN_IF_ERROR(VerifySum(dir, *read.sum, read.files));
  return BuildMigrations(std::move(read.files), checkpoints);
}

}  // namespace strata::source
