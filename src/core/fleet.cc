// Many databases at once: the targets file, a server's tenant schemas, and the scheduler that runs
// one job per target (include/strata/fleet.h).
#include "strata/fleet.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "base/text.h"
#include "base/url.h"
#include "core/driver_handle.h"
#include "drivers/registry.h"

namespace strata {

namespace {

Status TargetError(const std::string& label, std::size_t line, std::size_t column, std::string_view text,
                   std::string message) {
  SourceLocation where;
  where.file = label;
  where.line = static_cast<std::uint32_t>(line);
  where.column = static_cast<std::uint32_t>(column);
  where.source_line = base::RedactSecrets(text);
  return Status(ErrorCode::kInvalidArgument, std::move(message)).WithLocation(std::move(where));
}

// `pattern` as a PostgreSQL string literal whatever standard_conforming_strings says.
std::string EscapedLiteral(std::string_view text) {
  std::string out = "E'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

}  // namespace

Result<std::vector<FleetTarget>> ParseTargets(std::string_view text, const std::string& label) {
  std::vector<FleetTarget> targets;
  std::set<std::string> seen;
  std::size_t line_no = 0;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(at, nl - at);
    at = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view body = line;
    // A comment: the whole line, or from a '#' that follows a blank (a '#' inside a URL, such as a
    // password, has none before it).
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '#' && (i == 0 || body[i - 1] == ' ' || body[i - 1] == '\t')) {
        body = body.substr(0, i);
        break;
      }
    }
    std::string_view url = base::Trim(body);
    if (url.empty()) continue;
    std::size_t column = static_cast<std::size_t>(url.data() - line.data()) + 1;
    for (std::size_t i = 0; i < url.size(); ++i) {
      auto c = static_cast<unsigned char>(url[i]);
      if (c < 0x20 && c != '\t') {
        return TargetError(label, line_no, column + i, line,
                           fmt::format("a target contains the control character 0x{:02x}", c));
      }
    }
    if (url.find_first_of(" \t") != std::string_view::npos) {
      return TargetError(label, line_no, column, line,
                         "one URL per line: this line has more than one word (a comment starts with ' #')");
    }
    auto parsed = base::ParseDatabaseUrl(url);
    if (!parsed.ok()) return TargetError(label, line_no, column, line, parsed.status().message());
    std::string key(url);
    if (!seen.insert(key).second) {
      return TargetError(label, line_no, column, line,
                         fmt::format("{} is listed twice: each database is migrated once per run", parsed->Redacted()));
    }
    FleetTarget t;
    t.url = key;
    t.label = parsed->Redacted();
    t.where = fmt::format("{}:{}", label, line_no);
    targets.push_back(std::move(t));
  }
  if (targets.empty()) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("{}: no target (one database URL per line)", label));
  }
  return targets;
}

Result<std::vector<std::string>> ListSchemas(std::string_view url, std::string_view pattern, const Options& options) {
  STRATA_ASSIGN_OR_RETURN(base::DatabaseUrl parsed, base::ParseDatabaseUrl(url));
  if (parsed.kind != base::DatabaseUrl::Kind::kPostgres) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("--schemas needs a PostgreSQL database; {} is SQLite", parsed.Redacted()));
  }
  if (pattern.empty() || pattern.find('\0') != std::string_view::npos) {
    return Status(ErrorCode::kInvalidArgument, "the schema pattern is empty or contains a NUL byte");
  }
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<driver::Driver> d,
                          driver::OpenDriver(parsed, core::OpenOptionsFor(options, /*read_only=*/true)));
  STRATA_ASSIGN_OR_RETURN(
      auto rows, d->Query(fmt::format("SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname LIKE {} AND nspname "
                                      "NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname COLLATE \"C\"",
                                      EscapedLiteral(pattern)),
                          std::chrono::seconds(30)));
  std::vector<std::string> names;
  for (const auto& row : rows) {
    if (!row.empty() && row[0]) names.push_back(*row[0]);
  }
  return names;
}

FleetReport RunFleet(std::size_t count, const FleetOptions& options, const std::function<Status(std::size_t)>& job,
                     const std::function<void(std::size_t, const Status&)>& finished) {
  auto started_at = std::chrono::steady_clock::now();
  FleetReport report;
  report.outcomes.assign(count, TargetOutcome::kNotStarted);
  report.statuses.assign(count, Status::Ok());
  std::mutex mu;  // guards report and `finished`
  std::atomic<bool> stop{false};

  auto run_one = [&](std::size_t i) {
    Status st;
    try {
      st = job(i);
    } catch (const std::exception& e) {
      st = Status(ErrorCode::kInternal, std::string("the job for a target threw: ") + e.what());
    } catch (...) {
      st = Status(ErrorCode::kInternal, "the job for a target threw");
    }
    std::lock_guard<std::mutex> lock(mu);
    report.outcomes[i] = st.ok() ? TargetOutcome::kSucceeded : TargetOutcome::kFailed;
    if (!st.ok() && !options.continue_on_error) stop = true;
    report.statuses[i] = st;
    if (finished) finished(i, st);
    return st.ok();
  };
  auto may_start = [&] { return !stop && !(options.interrupted && options.interrupted()); };

  // The canaries: alone, in order; any failure stops everything.
  std::size_t canaries = std::min(options.canary, count);
  std::size_t next_index = 0;
  for (; next_index < canaries; ++next_index) {
    if (!may_start()) break;
    if (!run_one(next_index)) {
      stop = true;
      ++next_index;
      break;
    }
  }

  std::atomic<std::size_t> next{next_index};
  auto worker = [&] {
    for (;;) {
      if (!may_start()) break;
      std::size_t i = next++;
      if (i >= count) break;
      run_one(i);
    }
    // (libpg_query frees the memory context it keeps per thread when the thread ends.)
  };
  std::size_t threads = std::min(std::max<std::size_t>(options.parallel, 1), count - std::min(count, next_index));
  if (threads <= 1) {
    if (!stop) {
      for (;;) {
        if (!may_start()) break;
        std::size_t i = next++;
        if (i >= count) break;
        run_one(i);
      }
    }
  } else if (!stop) {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t) {
      try {
        pool.emplace_back(worker);
      } catch (const std::system_error&) {
        break;  // fewer threads than asked: those started take every target
      }
    }
    if (pool.empty()) worker();
    for (std::thread& t : pool) t.join();
  }

  for (TargetOutcome o : report.outcomes) {
    if (o == TargetOutcome::kSucceeded) ++report.succeeded;
    if (o == TargetOutcome::kFailed) ++report.failed;
    if (o == TargetOutcome::kNotStarted) ++report.not_started;
  }
  report.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_at).count();
  return report;
}

}  // namespace strata
