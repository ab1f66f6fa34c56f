// Working in a team: strata hash, strata rebase, strata verify --git-base (docs/migrations.md,
// "Working in a team").
#include <fmt/format.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "../cli.h"
#include "../interrupt.h"
#include "../json_output.h"
#include "strata/team.h"

namespace strata::cli {

namespace {

// Everything git writes on both pipes, read as it comes (a child that fills one pipe while we wait
// on the other would block for ever); both descriptors are closed.
void DrainBoth(int out_fd, int err_fd, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* into[2] = {&out, &err};
  char buf[65536];
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      into[i]->append(buf, static_cast<std::size_t>(n));
    }
  }
  for (pollfd& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
}

// Runs `git -C dir ARGS...` from PATH and returns its standard output. kInvalidArgument with git's
// own message when it fails (an unknown revision, not a repository), or when git cannot be run.
Result<std::string> RunGit(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out[2], err[2];
  if (pipe(out) != 0) return Status(ErrorCode::kInternal, "pipe failed");
  if (pipe(err) != 0) {
    close(out[0]), close(out[1]);
    return Status(ErrorCode::kInternal, "pipe failed");
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    close(out[0]), close(out[1]), close(err[0]), close(err[1]);
    return Status(ErrorCode::kInternal, fmt::format("fork failed: {}", std::strerror(error)));
  }
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]), close(out[1]), close(err[0]), close(err[1]);
    execvp("git", argv.data());
    std::fprintf(stderr, "cannot run git: %s", std::strerror(errno));
    _exit(127);
  }
  close(out[1]), close(err[1]);
  std::string stdout_text, stderr_text;
  DrainBoth(out[0], err[0], stdout_text, stderr_text);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    while (!stderr_text.empty() && (stderr_text.back() == '\n' || stderr_text.back() == '\r')) stderr_text.pop_back();
    return Status(ErrorCode::kInvalidArgument, fmt::format("git {} failed in '{}': {}", args[3], dir, stderr_text));
  }
  return stdout_text;
}

// The migration directory's files at git revision `ref` (none when the directory did not exist).
Result<std::vector<BaseFile>> FilesAt(const std::string& dir, const std::string& ref) {
  STRATA_RETURN_IF_ERROR(RunGit(dir, {"rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"})
                             .status());
  // Without a path, ls-tree lists the tree of the current directory (-C dir): "<mode> <type> <id>\t<name>".
  STRATA_ASSIGN_OR_RETURN(std::string listing, RunGit(dir, {"ls-tree", "-z", "--end-of-options", ref}));
  std::vector<BaseFile> files;
  for (std::size_t at = 0; at < listing.size();) {
    std::size_t end = listing.find('\0', at);
    if (end == std::string::npos) end = listing.size();
    std::string_view entry(listing.data() + at, end - at);
    at = end + 1;
    std::size_t tab = entry.find('\t');
    if (tab == std::string_view::npos) continue;
    std::string_view meta = entry.substr(0, tab);
    if (meta.find(" blob ") == std::string_view::npos) continue;
    std::string id(meta.substr(meta.rfind(' ') + 1));
    std::string name(entry.substr(tab + 1));
    if (!name.ends_with(".sql") && !name.ends_with(".SQL") && !name.ends_with(".Sql")) {
      continue;  // not a migration candidate: no need to read it
    }
    STRATA_ASSIGN_OR_RETURN(std::string contents, RunGit(dir, {"cat-file", "blob", id}));
    files.push_back({std::move(name), std::move(contents)});
  }
  return files;
}

}  // namespace

int RunHash(const Invocation& inv) {
  auto path = WriteSumFile(inv.dir);
  if (!path.ok()) return ReportError(inv, path.status());
  if (inv.json) {
    fmt::print("{}\n", JsonStrings("wrote", {*path}));
  } else {
    fmt::print("wrote {}\n", *path);
  }
  return kExitOk;
}

int RunCheckpoint(const Invocation& inv) {
  InterruptGuard guard;
  auto scratch = Scratch(inv, std::string());
  if (!scratch.ok()) return ReportError(inv, scratch.status());
  CheckpointOptions options;
  options.to = inv.to;
  options.scratch = *scratch;
  auto written = WriteCheckpoint(inv.dir, options);
  if (!written.ok()) return ReportUnlessInterrupted(inv, written.status());
  const CheckpointResult& r = *written;
  if (inv.json) {
    fmt::print("{}\n", JsonCheckpoint(r));
    return kExitOk;
  }
  fmt::print("{} {}: versions up to {} ({} migration{}), {} table{}, {} row{}\n", r.replaced ? "rewrote" : "wrote",
             r.path, r.version, r.migrations, r.migrations == 1 ? "" : "s", r.tables, r.tables == 1 ? "" : "s",
             r.rows, r.rows == 1 ? "" : "s");
  if (r.sum_written) fmt::print("updated {}/strata.sum\n", inv.dir);
  fmt::print("A fresh database now applies it instead of those migrations; keep their files while any database "
             "is still below version {}\n",
             r.version);
  return kExitOk;
}

int RunRebase(const Invocation& inv) {
  RebaseOptions options;
  options.files = inv.inputs;
  if (!inv.url.empty()) {
    // Only the history is wanted: with no files, every recorded migration shows as missing.
    auto migrator = Migrator::Open(inv.url, Source::Embedded({}, inv.dir), inv.options);
    if (!migrator.ok()) return ReportError(inv, migrator.status());
    auto report = (*migrator)->GetStatus();
    if (!report.ok()) return ReportError(inv, report.status());
    for (const MigrationStatus& m : report->migrations) options.applied.emplace_back(m.version, m.name);
  }
  auto renamed = RebaseMigrations(inv.dir, options);
  if (!renamed.ok()) return ReportError(inv, renamed.status());
  std::vector<std::string> lines;
  for (const RenamedFile& r : *renamed) lines.push_back(fmt::format("{} -> {}", r.from, r.to));
  if (inv.json) {
    fmt::print("{}\n", JsonStrings("renamed", lines));
    return kExitOk;
  }
  if (lines.empty()) fmt::print("nothing to renumber\n");
  for (const std::string& l : lines) fmt::print("renamed {}\n", l);
  fmt::print("wrote {}\n", (std::filesystem::path(inv.dir) / "strata.sum").string());
  return kExitOk;
}

int RunVerifyGitBase(const Invocation& inv) {
  auto base = FilesAt(inv.dir, inv.git_base);
  if (!base.ok()) return ReportError(inv, base.status());
  auto problems = CompareWithBase(inv.dir, *base, inv.git_base);
  if (!problems.ok()) return ReportError(inv, problems.status());
  if (inv.json) {
    fmt::print("{}\n", JsonStrings("problems", *problems));
  } else if (problems->empty()) {
    fmt::print("ok: every migration added since {} follows its newest, and none of its migrations changed\n",
               inv.git_base);
  } else {
    fmt::print("{} problem{} since {}:\n", problems->size(), problems->size() == 1 ? "" : "s", inv.git_base);
    for (const std::string& p : *problems) fmt::print("  {}\n", p);
  }
  return problems->empty() ? kExitOk : kExitIntegrity;
}

}  // namespace strata::cli
