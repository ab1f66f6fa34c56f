// The hand-written list of expected objects (`verify --schema`): parsing and checking.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "base/text.h"
#include "strata/schema.h"

namespace strata::schema {

namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> Parts(std::string_view name) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t dot = name.find('.');; dot = name.find('.', start)) {
    out.emplace_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

bool ValidParts(const std::vector<std::string>& parts) {
  return std::none_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); });
}

const char* const kKinds[] = {"table", "column", "index", "view", "trigger", "schema", "sequence", "enum", "function"};

bool SameSchema(const std::string& want, const std::string& have) { return want.empty() || want == have; }

template <typename T>
bool HasNamed(const std::vector<T>& objects, const Expected& e) {
  return std::any_of(objects.begin(), objects.end(),
                     [&](const T& o) { return o.name == e.name && SameSchema(e.schema, o.schema); });
}

const Table* FindTable(const Schema& s, const std::string& schema, const std::string& name) {
  for (const Table& t : s.tables) {
    if (t.name == name && SameSchema(schema, t.schema)) return &t;
  }
  return nullptr;
}

std::string Describe(const Expected& e) {
  std::string table = e.table.empty() ? "" : (e.schema.empty() ? e.table : e.schema + "." + e.table) + ".";
  std::string name = e.table.empty() && !e.schema.empty() ? e.schema + "." + e.name : e.name;
  if (e.kind == "foreign key") {
    return fmt::format("foreign key {}{} -> {}{}", table, name, e.target_schema.empty() ? "" : e.target_schema + ".",
                       e.target);
  }
  return fmt::format("{} {}{}", e.kind, table, name);
}

}  // namespace

bool LooksLikeDdl(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (text.substr(i, 2) == "--") return true;
  std::string head;
  for (; i < text.size() && head.size() < 6; ++i) head += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  return head == "CREATE";
}

Result<std::vector<Expected>> ParseExpected(std::string_view text, std::string_view label) {
  std::vector<Expected> out;
  std::uint32_t line_no = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    ++line_no;
    pos = end + 1;
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string_view> w = Words(line);
    if (w.empty()) continue;
    auto fail = [&](std::string_view word, const std::string& message) {
      std::size_t offset = static_cast<std::size_t>(word.data() - text.data());
      return Status(ErrorCode::kInvalidArgument, message).WithLocation(base::MakeLocation(label, text, offset));
    };
    Expected e;
    e.line = line_no;
    std::string kind(w[0]);
    std::size_t next = 1;
    if (kind == "foreign") {
      if (w.size() < 2 || w[1] != "key") return fail(w[0], "expected `foreign key TABLE.COLUMN -> TABLE`");
      kind = "foreign key";
      next = 2;
    } else if (kind == "type") {
      kind = "enum";
    } else if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds)) {
      return fail(w[0], fmt::format("unknown kind `{}`: use table, column, index, view, trigger, foreign key, "
                                    "schema, sequence, enum or function",
                                    kind));
    }
    e.kind = kind;
    std::size_t expected_words = kind == "foreign key" ? next + 3 : next + 1;
    if (w.size() != expected_words) {
      return fail(w[0], kind == "foreign key" ? "expected `foreign key TABLE.COLUMN -> TABLE`"
                                              : fmt::format("expected `{} NAME`", kind));
    }
    std::vector<std::string> parts = Parts(w[next]);
    bool on_table = kind == "column" || kind == "foreign key";
    std::size_t max_parts = on_table ? 3 : (kind == "schema" ? 1 : 2);
    if (!ValidParts(parts) || parts.size() > max_parts || (on_table && parts.size() < 2)) {
      return fail(w[next], on_table ? "expected TABLE.COLUMN or SCHEMA.TABLE.COLUMN" : "malformed name");
    }
    e.name = parts.back();
    if (on_table) {
      e.table = parts[parts.size() - 2];
      if (parts.size() == 3) e.schema = parts[0];
    } else if (parts.size() == 2) {
      e.schema = parts[0];
    }
    if (kind == "foreign key") {
      if (w[next + 1] != "->") return fail(w[next + 1], "expected `->` between the column and the referenced table");
      std::vector<std::string> target = Parts(w[next + 2]);
      if (!ValidParts(target) || target.size() > 2) return fail(w[next + 2], "malformed table name");
      e.target = target.back();
      if (target.size() == 2) e.target_schema = target[0];
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::string> CheckExpected(const std::vector<Expected>& expected, const Schema& actual) {
  std::vector<std::string> missing;
  for (const Expected& e : expected) {
    bool found = false;
    if (e.kind == "table") {
      found = FindTable(actual, e.schema, e.name) != nullptr;
    } else if (e.kind == "column" || e.kind == "foreign key") {
      const Table* t = FindTable(actual, e.schema, e.table);
      if (t && e.kind == "column") {
        found = std::any_of(t->columns.begin(), t->columns.end(), [&](const Column& c) { return c.name == e.name; });
      } else if (t) {
        found = std::any_of(t->foreign_keys.begin(), t->foreign_keys.end(), [&](const ForeignKey& f) {
          const std::string& ref_schema = f.ref_schema.empty() ? t->schema : f.ref_schema;
          return f.ref_table == e.target && SameSchema(e.target_schema, ref_schema) &&
                 std::find(f.columns.begin(), f.columns.end(), e.name) != f.columns.end();
        });
      }
    } else if (e.kind == "index") {
      found = HasNamed(actual.indexes, e);
    } else if (e.kind == "view") {
      found = HasNamed(actual.views, e);
    } else if (e.kind == "trigger") {
      found = HasNamed(actual.triggers, e);
    } else if (e.kind == "sequence") {
      found = HasNamed(actual.sequences, e);
    } else if (e.kind == "enum") {
      found = HasNamed(actual.enums, e);
    } else if (e.kind == "function") {
      found = HasNamed(actual.functions, e);
    } else if (e.kind == "schema") {
      found = e.name == "public" || std::find(actual.schemas.begin(), actual.schemas.end(), e.name) != actual.schemas.end();
    }
    if (!found) missing.push_back("missing: " + Describe(e));
  }
  return missing;
}

}  // namespace strata::schema
