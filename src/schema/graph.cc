#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "schema/render.h"
#include "strata/schema.h"

namespace strata::schema {
namespace {

struct KeyColumn {
  const Column* column;
  bool primary;
  bool foreign;
  bool referenced;  // another table's foreign key points at it (a unique key, if not the primary)
};

// Display name of a table -> its columns that foreign keys reference by name.
using Referenced = std::map<std::string, std::set<std::string>>;

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The columns worth drawing, in table order: those of the primary key, of any foreign key, and
// those other tables' foreign keys point at (so that an edge to a unique column shows its end).
std::vector<KeyColumn> KeyColumns(const Table& table, const std::set<std::string>& referenced) {
  std::vector<KeyColumn> out;
  for (const Column& c : table.columns) {
    bool primary = table.primary_key && Contains(table.primary_key->columns, c.name);
    bool foreign = std::any_of(table.foreign_keys.begin(), table.foreign_keys.end(),
                               [&](const ForeignKey& f) { return Contains(f.columns, c.name); });
    bool target = !primary && referenced.contains(c.name);
    if (primary || foreign || target) out.push_back({&c, primary, foreign, target});
  }
  return out;
}

std::string KeyMarks(const KeyColumn& k) {
  std::vector<std::string> marks;
  if (k.primary) marks.emplace_back("PK");
  if (k.foreign) marks.emplace_back("FK");
  if (k.referenced) marks.emplace_back("UK");
  return fmt::format("{}", fmt::join(marks, ", "));
}

// A foreign key whose columns are all part of the child's primary key identifies the child
// (drawn solid in Mermaid); any other is non-identifying (dotted).
bool IsIdentifying(const Table& table, const ForeignKey& key) {
  return table.primary_key && std::all_of(key.columns.begin(), key.columns.end(), [&](const std::string& c) {
           return Contains(table.primary_key->columns, c);
         });
}

// A nullable foreign key may point at nothing: the parent end is "zero or one".
bool IsOptional(const Table& table, const ForeignKey& key) {
  return std::any_of(table.columns.begin(), table.columns.end(),
                     [&](const Column& c) { return !c.not_null && Contains(key.columns, c.name); });
}

// Tables of PostgreSQL's default schema go by their bare name, the others by schema.table.
std::string DisplayName(internal::Dialect dialect, const std::string& schema, const std::string& name) {
  bool qualify = dialect == internal::Dialect::kPostgres && !schema.empty() && schema != "public";
  return qualify ? schema + "." + name : name;
}

Referenced ReferencedColumns(const Schema& schema) {
  internal::Dialect d = internal::DialectOf(schema);
  Referenced out;
  for (const Table& t : schema.tables) {
    for (const ForeignKey& f : t.foreign_keys) {
      for (const std::string& c : f.ref_columns) out[DisplayName(d, f.ref_schema, f.ref_table)].insert(c);
    }
  }
  return out;
}

const std::set<std::string>& ReferencedIn(const Referenced& referenced, const std::string& name) {
  static const std::set<std::string> kNone;
  auto it = referenced.find(name);
  return it == referenced.end() ? kNone : it->second;
}

bool IsAsciiWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool IsMermaidName(std::string_view s) {
  return !s.empty() && !std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin(), s.end(), IsAsciiWordChar);
}

// Mermaid's lexer takes these as keywords (case-insensitively) wherever they stand as a word.
bool IsMermaidKeyword(std::string_view s) {
  static const std::set<std::string, std::less<>> kKeywords = {
      "erdiagram", "u",     "one",       "only",  "many",     "zero",     "to", "optionally", "class",
      "classdef",  "style", "direction", "title", "acctitle", "accdescr", "pk", "fk",         "uk"};
  return kKeywords.contains(base::Lower(s));
}

// Mermaid reads a word as a name only when it starts with a letter or '_' and is no keyword.
std::string Prefixed(std::string word, std::string_view prefix) {
  bool starts_well = !word.empty() && (std::isalpha(static_cast<unsigned char>(word[0])) || word[0] == '_');
  return starts_well && !IsMermaidKeyword(word) ? word : std::string(prefix) + word;
}

// Mermaid's words are ASCII: each run of other characters (but `keep`) becomes one '_', none at
// the ends, so that `1st "odd" name` reads as 1st_odd_name.
std::string Squeeze(std::string_view s, std::string_view keep = "") {
  std::string out;
  bool gap = false;
  for (char c : s) {
    if (!IsAsciiWordChar(c) && keep.find(c) == std::string_view::npos) {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += '_';
    gap = false;
    out += c;
  }
  return out;
}

std::string MermaidWord(std::string_view s, std::string_view prefix) { return Prefixed(Squeeze(s), prefix); }

// Mermaid's quoted strings end at the first '"' and have no escapes.
std::string MermaidText(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '"', '\'');
  return out;
}

// An attribute type is one word: "character varying(40)" reads as character_varying; array
// brackets stay.
std::string MermaidType(std::string_view type) {
  std::string flat;
  int depth = 0;
  for (char c : type) {
    if (c == '(') ++depth;
    if (depth == 0) flat += c;
    if (c == ')' && depth > 0) --depth;
  }
  std::string word = Squeeze(flat, "[]");
  return word.empty() ? "any" : Prefixed(std::move(word), "t_");
}

// The id each table goes by in the diagram: its name when Mermaid takes it bare, else a derived
// identifier (unique among the tables) that an alias labels with the real name.
class MermaidIds {
 public:
  explicit MermaidIds(const std::vector<std::string>& names) {
    std::set<std::string> taken;
    for (const std::string& name : names) {
      if (IsMermaidName(name) && !IsMermaidKeyword(name)) {
        taken.insert(name);
        ids_[name] = name;
      }
    }
    for (const std::string& name : names) {
      if (ids_.contains(name)) continue;
      std::string base = MermaidWord(name, "t_"), id = base;
      for (int n = 2; taken.contains(id); ++n) id = fmt::format("{}_{}", base, n);
      taken.insert(id);
      ids_[name] = id;
    }
  }
  // Tables outside the model (a reference to an undescribed schema) get the derived form.
  std::string Id(const std::string& name) const {
    auto it = ids_.find(name);
    return it != ids_.end() ? it->second : MermaidWord(name, "t_");
  }
  bool IsAlias(const std::string& name) const { return Id(name) != name; }

 private:
  std::map<std::string, std::string> ids_;
};

std::string JoinColumns(const std::vector<std::string>& columns) { return fmt::format("{}", fmt::join(columns, ", ")); }

void MermaidEntity(const Table& table, const std::string& name, const MermaidIds& ids, const Referenced& referenced,
                   std::string& out) {
  std::string head = ids.IsAlias(name) ? fmt::format("{}[\"{}\"]", ids.Id(name), MermaidText(name)) : name;
  std::vector<KeyColumn> keys = KeyColumns(table, ReferencedIn(referenced, name));
  if (keys.empty()) {
    out += "  " + head + "\n";
    return;
  }
  out += "  " + head + " {\n";
  for (const KeyColumn& k : keys) {
    std::string attribute = MermaidWord(k.column->name, "c_");
    out += fmt::format("    {} {} {}", MermaidType(k.column->type), attribute, KeyMarks(k));
    // A column whose name Mermaid cannot show keeps it as the attribute's comment.
    if (attribute != k.column->name) out += " \"" + MermaidText(k.column->name) + "\"";
    out += "\n";
  }
  out += "  }\n";
}

std::string Mermaid(const Schema& schema) {
  internal::Dialect d = internal::DialectOf(schema);
  std::vector<std::string> names;
  for (const Table& t : schema.tables) names.push_back(DisplayName(d, t.schema, t.name));
  MermaidIds ids(names);
  Referenced referenced = ReferencedColumns(schema);
  std::string out = "erDiagram\n";
  for (std::size_t i = 0; i < schema.tables.size(); ++i) {
    MermaidEntity(schema.tables[i], names[i], ids, referenced, out);
  }
  for (std::size_t i = 0; i < schema.tables.size(); ++i) {
    const Table& t = schema.tables[i];
    for (const ForeignKey& f : t.foreign_keys) {
      out += fmt::format("  {} }}o{}{} {} : \"{}\"\n", ids.Id(names[i]), IsIdentifying(t, f) ? "--" : "..",
                         IsOptional(t, f) ? "o|" : "||", ids.Id(DisplayName(d, f.ref_schema, f.ref_table)),
                         MermaidText(JoinColumns(f.columns)));
    }
  }
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A DOT quoted string: `"` and `\` escaped (labels would read `\n` and friends as escapes).
std::string DotString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string DotNode(const Table& table, const std::string& name, const Referenced& referenced) {
  std::string rows = fmt::format("<tr><td colspan=\"3\"><b>{}</b></td></tr>", HtmlEscape(name));
  for (const KeyColumn& k : KeyColumns(table, ReferencedIn(referenced, name))) {
    rows += fmt::format("<tr><td align=\"left\">{}</td><td align=\"left\">{}</td><td>{}</td></tr>",
                        HtmlEscape(k.column->name), HtmlEscape(k.column->type), KeyMarks(k));
  }
  return fmt::format("  {} [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">{}</table>>];\n",
                     DotString(name), rows);
}

std::string Dot(const Schema& schema) {
  internal::Dialect d = internal::DialectOf(schema);
  std::string out = "digraph schema {\n  rankdir=LR;\n  node [shape=plaintext];\n";
  Referenced referenced = ReferencedColumns(schema);
  for (const Table& t : schema.tables) out += DotNode(t, DisplayName(d, t.schema, t.name), referenced);
  for (const Table& t : schema.tables) {
    for (const ForeignKey& f : t.foreign_keys) {
      // Dashed like Mermaid's "zero or one" end: the reference may be NULL.
      out += fmt::format("  {} -> {} [label={}{}];\n", DotString(DisplayName(d, t.schema, t.name)),
                         DotString(DisplayName(d, f.ref_schema, f.ref_table)), DotString(JoinColumns(f.columns)),
                         IsOptional(t, f) ? ", style=dashed" : "");
    }
  }
  return out + "}\n";
}

}  // namespace

std::string Graph(const Schema& input, GraphFormat format) {
  Schema schema = input;
  Normalize(schema);
  return format == GraphFormat::kMermaid ? Mermaid(schema) : Dot(schema);
}

}  // namespace strata::schema
