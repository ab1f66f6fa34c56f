// strata.toml and the environment: the only place that reads either (toml++ lives here only).
#include <fmt/format.h>
#include <toml++/toml.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "cli.h"
#include "flags.h"

namespace strata::cli {

namespace {
Status ConfigError(const std::string& path, const toml::source_region& where, const std::string& message) {
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("{}:{}:{}: {}", path, where.begin.line, where.begin.column, message));
}
}  // namespace

namespace {
// "user@host" for the run log.
std::string Actor() {
  const char* user = std::getenv("USER");
  if (!user || !*user) user = std::getenv("LOGNAME");
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}@{}", user && *user ? user : "unknown", host[0] ? host : "unknown");
}

// Where `up` keeps the stat cache of a PostgreSQL database's migrations: $XDG_CACHE_HOME/strata,
// else ~/.cache/strata (the XDG default); empty (no cache) when neither is set.
std::string StatCacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') return std::string(xdg) + "/strata";
  if (const char* home = std::getenv("HOME"); home && *home == '/') return std::string(home) + "/.cache/strata";
  return std::string();
}

constexpr const char* kLintModes = "\"off\", \"warn\" or \"error\"";

Status LintMode(const std::string& path, const toml::node& node, Invocation& inv) {
  auto v = node.value<std::string>();
  if (!v || (*v != "off" && *v != "warn" && *v != "error")) {
    return ConfigError(path, node.source(), fmt::format("lint mode must be {}", kLintModes));
  }
  inv.lint_mode = *v;
  return Status::Ok();
}

Status KnownRule(const std::string& path, const toml::node& node, const std::string& id) {
  if (FindLintRule(id) != nullptr) return Status::Ok();
  return ConfigError(path, node.source(), fmt::format("unknown lint rule '{}' (docs/lint.md lists them)", id));
}

// `lint = "error"` (the mode of up and plan), or a [lint] table:
//   up = "warn"                       # off, warn or error
//   disable = ["M005"]                # rules that never report
//   rules = { PG001 = "error" }       # a rule's severity: off, warning or error
Status ApplyLintConfig(const std::string& path, const toml::node& node, Invocation& inv) {
  if (node.is_string()) return LintMode(path, node, inv);
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    return ConfigError(path, node.source(), fmt::format("'lint' must be {} or a [lint] table", kLintModes));
  }
  for (auto&& [key, value] : *table) {
    std::string k(key.str());
    if (k == "up") {
      STRATA_RETURN_IF_ERROR(LintMode(path, value, inv));
    } else if (k == "disable") {
      const toml::array* ids = value.as_array();
      if (ids == nullptr) return ConfigError(path, value.source(), "lint.disable must be an array of rule IDs");
      for (const toml::node& id : *ids) {
        auto s = id.value<std::string>();
        if (!s) return ConfigError(path, id.source(), "lint.disable must be an array of rule IDs");
        STRATA_RETURN_IF_ERROR(KnownRule(path, id, *s));
        inv.lint_severity[*s] = LintSeverity::kOff;
      }
    } else if (k == "rules") {
      const toml::table* rules = value.as_table();
      if (rules == nullptr) return ConfigError(path, value.source(), "lint.rules must be a table: { PG001 = \"error\" }");
      for (auto&& [id, severity] : *rules) {
        std::string rule(id.str());
        STRATA_RETURN_IF_ERROR(KnownRule(path, severity, rule));
        auto s = severity.value<std::string>();
        if (!s || (*s != "off" && *s != "warning" && *s != "error")) {
          return ConfigError(path, severity.source(),
                             fmt::format("lint.rules.{} must be \"off\", \"warning\" or \"error\"", rule));
        }
        inv.lint_severity[rule] = *s == "off" ? LintSeverity::kOff : *s == "error" ? LintSeverity::kError
                                                                                   : LintSeverity::kWarning;
      }
    } else {
      return ConfigError(path, key.source(), fmt::format("unknown key 'lint.{}' (known: up, disable, rules)", k));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ApplyConfig(const std::string& path, bool path_explicit, const ExplicitFlags& given, Invocation& inv) {
  if (inv.options.actor.empty()) inv.options.actor = Actor();
  if (inv.options.stat_cache_dir.empty()) inv.options.stat_cache_dir = StatCacheDir();
  bool url_set = given.url;
  if (!url_set) {
    if (const char* env = std::getenv("DATABASE_URL"); env && *env) {
      inv.url = env;
      url_set = true;
    }
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (path_explicit) return Status(ErrorCode::kInvalidArgument, fmt::format("configuration file '{}' not found", path));
    return Status::Ok();
  }
  toml::table doc;
  try {
    doc = toml::parse_file(std::string_view{path});
  } catch (const toml::parse_error& e) {
    return ConfigError(path, e.source(), std::string(e.description()));
  }
  for (auto&& [key, node] : doc) {
    std::string k(key.str());
    auto type_error = [&](const char* want) {
      return ConfigError(path, node.source(), fmt::format("'{}' must be {}", k, want));
    };
    if (k == "url") {
      auto v = node.value<std::string>();
      if (!v) return type_error("a string");
      if (!url_set) inv.url = *v;
    } else if (k == "dir") {
      auto v = node.value<std::string>();
      if (!v) return type_error("a string");
      if (!given.dir) inv.dir = *v;
    } else if (k == "table") {
      auto v = node.value<std::string>();
      if (!v) return type_error("a string");
      if (!given.table) inv.options.history_table = *v;
    } else if (k == "schema") {
      auto v = node.value<std::string>();
      if (!v) return type_error("a string");
      if (!given.schema) inv.options.schema = *v;
    } else if (k == "lock_timeout" || k == "pg_lock_timeout" || k == "statement_timeout") {
      // TOML also has nan and inf, and a cast of those to milliseconds is undefined; as on the command
      // line, a timeout is 0 to a day.
      auto v = node.value<double>();
      if (!v || !std::isfinite(*v) || *v < 0 || *v > kMaxSeconds) {
        return type_error(fmt::format("a number of seconds from 0 to {}", kMaxSeconds).c_str());
      }
      auto ms = SecondsToMillis(*v);
      if (k == "lock_timeout" && !given.lock_timeout) inv.options.lock_timeout = ms;
      if (k == "pg_lock_timeout" && !given.pg_lock_timeout) inv.options.pg_lock_timeout = ms;
      if (k == "statement_timeout" && !given.statement_timeout) inv.options.statement_timeout = ms;
    } else if (k == "lock") {
      auto v = node.value<std::string>();
      if (!v || (*v != "advisory" && *v != "table")) return type_error("\"advisory\" or \"table\"");
      if (!given.lock) inv.options.lock_mode = *v == "table" ? LockMode::kTable : LockMode::kAdvisory;
    } else if (k == "lock_lease") {
      auto v = node.value<double>();
      if (!v || !std::isfinite(*v) || *v < 1 || *v > kMaxSeconds) {
        return type_error(fmt::format("a number of seconds from 1 to {}", kMaxSeconds).c_str());
      }
      if (!given.lock_lease) inv.options.lock_lease = SecondsToMillis(*v);
    } else if (k == "foreign_keys") {
      auto v = node.value<bool>();
      if (!v) return type_error("true or false");
      inv.options.foreign_keys = *v;
    } else if (k == "lint") {
      STRATA_RETURN_IF_ERROR(ApplyLintConfig(path, node, inv));
    } else if (k == "allow_out_of_order") {
      auto v = node.value<bool>();
      if (!v) return type_error("true or false");
      inv.options.allow_out_of_order = inv.options.allow_out_of_order || *v;
    } else {
      return ConfigError(path, key.source(),
                         fmt::format("unknown key '{}' (known: url, dir, table, schema, lock_timeout, "
                                     "pg_lock_timeout, statement_timeout, foreign_keys, lock, lock_lease, "
                                     "allow_out_of_order, lint)",
                                     k));
    }
  }
  return Status::Ok();
}

Status CheckLockOptions(const Invocation& inv) {
  if (inv.options.lock_lease < std::chrono::seconds(1)) {
    return Status(ErrorCode::kInvalidArgument, "--lock-lease must be at least 1 second");
  }
  if (inv.options.lock_mode != LockMode::kTable || inv.url.empty()) return Status::Ok();
  auto engine = EngineOf(inv.url);
  if (!engine.ok() || *engine != Engine::kSqlite) return Status::Ok();  // a bad URL is reported where it is used
  return Status(ErrorCode::kInvalidArgument,
                "--lock=table (lock = \"table\") is for PostgreSQL, MariaDB and MySQL; SQLite uses its file lock: "
                "drop the setting for this database");
}

}  // namespace strata::cli
