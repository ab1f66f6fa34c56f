// Working in a team: strata.sum, strata rebase, verify --git-base (the I/O around
// source/sum_file.h and source/renumber.h).
#include "strata/team.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "base/clock.h"
#include "base/fs.h"
#include "base/text.h"
#include "source/checkpoint.h"
#include "source/loader.h"
#include "source/renumber.h"
#include "source/sum_file.h"

namespace strata {

namespace {

std::string SumPath(const std::string& dir) { return base::JoinPath(dir, source::kSumFileName); }

// The directory's files, loaded without the sum check (so they can be re-hashed) but otherwise
// checked exactly as every command checks them.
Result<source::DirectoryFiles> ReadValid(const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(source::DirectoryFiles read, source::ReadDirectory(base::RealFileSystem(), dir));
  STRATA_RETURN_IF_ERROR(source::BuildMigrations(read.files).status());
  return read;
}

std::string NameOf(const std::string& file) { return std::filesystem::path(file).filename().string(); }

}  // namespace

bool HasSumFile(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(SumPath(dir), ec);
}

Result<std::string> WriteSumFile(const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(source::DirectoryFiles read, ReadValid(dir));
  const std::string path = SumPath(dir);
  STRATA_RETURN_IF_ERROR(base::RealFileSystem().ReplaceFile(path, source::FormatSum(source::ComputeSum(source::SumInputs(read.files)))));
  return path;
}

Result<std::vector<RenamedFile>> RebaseMigrations(const std::string& dir, const RebaseOptions& options) {
  STRATA_ASSIGN_OR_RETURN(source::DirectoryFiles read, source::ReadDirectory(base::RealFileSystem(), dir));
  source::RenumberRequest request;
  request.dir = dir;
  // A checkpoint shares its version with the migration it ends at by design: never renumbered.
  std::set<std::string> checkpoints;
  for (const source::RawFile& f : read.files) {
    if (source::IsCheckpoint(f.name, f.contents)) checkpoints.insert(f.name);
  }
  for (const source::SumInput& f : source::SumInputs(read.files)) {
    if (!checkpoints.count(f.name)) request.names.push_back(f.name);
  }
  request.sum_text = read.sum;
  for (const std::string& f : options.files) request.named.push_back(NameOf(f));
  request.applied = options.applied;
  request.now = base::ParseUint64(base::UtcNowCompact()).value_or(0);
  STRATA_ASSIGN_OR_RETURN(std::vector<source::Rename> renames, source::PlanRenumber(request));

  // Check the result before touching anything: it must load as every command loads it. Each file
  // is renamed once (a plan 002->003, 003->004 moves two files, it does not chain).
  std::vector<source::RawFile> after = read.files;
  for (source::RawFile& f : after) {
    for (const source::Rename& r : renames) {
      if (f.name == r.from) {
        f.name = r.to;
        break;
      }
    }
    f.path = base::JoinPath(dir, f.name);
  }
  if (auto built = source::BuildMigrations(after); !built.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  "after renumbering, the migrations would still not load (nothing was renamed):\n" +
                      built.status().message());
  }
  std::error_code ec;
  for (const source::Rename& r : renames) {
    bool moving = std::any_of(renames.begin(), renames.end(), [&](const source::Rename& o) { return o.from == r.to; });
    if (!moving && std::filesystem::exists(base::JoinPath(dir, r.to), ec)) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("cannot rename '{}' to '{}': that file exists (nothing was renamed)",
                                base::JoinPath(dir, r.from), base::JoinPath(dir, r.to)));
    }
  }
  // Two phases, through temporary names, so that no rename replaces a file that is itself still
  // to be moved; a failure puts back every file already moved.
  struct Move {
    std::string from, to;
  };
  std::vector<Move> moved;
  auto undo = [&] {
    for (auto m = moved.rbegin(); m != moved.rend(); ++m) {
      std::error_code ignored;
      std::filesystem::rename(m->to, m->from, ignored);
    }
  };
  auto move = [&](const std::string& from, const std::string& to) -> Status {
    std::filesystem::rename(from, to, ec);
    if (ec) {
      undo();
      return Status(ErrorCode::kInvalidArgument, fmt::format("cannot rename '{}' to '{}': {} (every file was put back)",
                                                             from, to, ec.message()));
    }
    moved.push_back({from, to});
    return Status::Ok();
  };
  std::vector<RenamedFile> done;
  for (std::size_t i = 0; i < renames.size(); ++i) {
    STRATA_RETURN_IF_ERROR(move(base::JoinPath(dir, renames[i].from),
                                base::JoinPath(dir, fmt::format(".strata-rebase-{}.tmp", i))));
  }
  for (std::size_t i = 0; i < renames.size(); ++i) {
    RenamedFile f{base::JoinPath(dir, renames[i].from), base::JoinPath(dir, renames[i].to)};
    STRATA_RETURN_IF_ERROR(move(base::JoinPath(dir, fmt::format(".strata-rebase-{}.tmp", i)), f.to));
    done.push_back(std::move(f));
  }
  STRATA_RETURN_IF_ERROR(WriteSumFile(dir).status());
  return done;
}

Result<std::vector<std::string>> CompareWithBase(const std::string& dir, const std::vector<BaseFile>& base,
                                                 const std::string& base_label) {
  STRATA_ASSIGN_OR_RETURN(source::DirectoryFiles read, source::ReadDirectory(base::RealFileSystem(), dir));
  if (read.sum) STRATA_RETURN_IF_ERROR(source::VerifySum(dir, *read.sum, read.files));
  std::vector<source::SumInput> then;
  for (const BaseFile& f : base) {
    auto parsed = source::ParseFileName(f.name);
    if (parsed.ok() && parsed->has_value()) then.push_back({f.name, f.contents});
  }
  return source::CompareWithBase(dir, then, source::SumInputs(read.files), base_label);
}

}  // namespace strata
