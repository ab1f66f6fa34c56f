#include <algorithm>
#include <compare>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "schema/render.h"
#include "strata/schema.h"

namespace strata::schema {
namespace {

using base::QuoteIdentifier;
using internal::Dialect;
using internal::QualifiedName;

// The order of changes: kinds in dump order, then by name; a table's parts right after it.
enum class Kind { kSchema, kExtension, kEnum, kDomain, kSequence, kFunction, kTable, kVirtualTable, kIndex, kView, kTrigger };
enum class Part { kWhole, kColumn, kPrimaryKey, kUnique, kCheck, kForeignKey };

struct Key {
  Kind kind;
  std::string group;  // the table's name for a table and its parts, else the object's own name
  Part part;
  std::string object;  // what Change::object shows, e.g. `column "users"."email"`
  auto operator<=>(const Key&) const = default;
};

struct Entry {
  std::string ddl;
  // Compared instead of ddl where they differ: a table is "changed" by its options (and column
  // order, see ColumnOrderDiffers), not by its columns, which are objects of their own.
  std::string identity;
  const Table* table = nullptr;
};

using Catalog = std::map<Key, Entry>;

// Entries describing the same object are first-come: duplicates only arise from unnamed
// constraints that are identical anyway.
void Add(Catalog& catalog, Kind kind, const std::string& group, Part part, std::string object, std::string ddl) {
  std::string identity = ddl;
  catalog.try_emplace(Key{kind, group, part, std::move(object)}, Entry{std::move(ddl), std::move(identity)});
}

// Unnamed constraints are known by what they constrain.
std::string PartObject(std::string_view what, const std::string& table, const std::string& name,
                       const std::string& unnamed_key) {
  std::string out = std::string(what) + " " + table;
  return name.empty() ? out + " (" + unnamed_key + ")" : out + "." + QuoteIdentifier(name);
}

void AddTable(Catalog& catalog, Dialect dialect, const Table& t) {
  std::string name = QualifiedName(dialect, t.schema, t.name);
  catalog.try_emplace(
      Key{Kind::kTable, name, Part::kWhole, "table " + name},
      Entry{internal::TableDdl(dialect, t, internal::ForeignKeys::kInline), internal::TableOptionsDdl(t), &t});
  for (const Column& c : t.columns) {
    Add(catalog, Kind::kTable, name, Part::kColumn, "column " + name + "." + QuoteIdentifier(c.name),
        internal::ColumnDdl(dialect, t, c));
  }
  if (t.primary_key) {
    Add(catalog, Kind::kTable, name, Part::kPrimaryKey, "primary key " + name, internal::PrimaryKeyDdl(*t.primary_key));
  }
  for (const UniqueConstraint& u : t.uniques) {
    Add(catalog, Kind::kTable, name, Part::kUnique, PartObject("unique", name, u.name, internal::QuoteList(u.columns)),
        internal::UniqueDdl(u));
  }
  for (const CheckConstraint& c : t.checks) {
    Add(catalog, Kind::kTable, name, Part::kCheck, PartObject("check", name, c.name, c.expression),
        internal::CheckDdl(c));
  }
  for (const ForeignKey& f : t.foreign_keys) {
    Add(catalog, Kind::kTable, name, Part::kForeignKey,
        PartObject("foreign key", name, f.name, internal::QuoteList(f.columns)), internal::ForeignKeyDdl(dialect, f));
  }
}

void AddTopLevel(Catalog& catalog, Kind kind, std::string_view what, const std::string& name, std::string ddl) {
  Add(catalog, kind, name, Part::kWhole, std::string(what) + " " + name, std::move(ddl));
}

Catalog BuildCatalog(const Schema& s) {
  Dialect d = internal::DialectOf(s);
  Catalog catalog;
  for (const std::string& name : s.schemas) {
    AddTopLevel(catalog, Kind::kSchema, "schema", QuoteIdentifier(name), internal::SchemaDdl(name));
  }
  for (const Extension& e : s.extensions) {
    AddTopLevel(catalog, Kind::kExtension, "extension", QuoteIdentifier(e.name), internal::ExtensionDdl(e));
  }
  for (const EnumType& e : s.enums) {
    AddTopLevel(catalog, Kind::kEnum, "enum", QualifiedName(d, e.schema, e.name), internal::EnumDdl(e));
  }
  for (const Domain& m : s.domains) {
    AddTopLevel(catalog, Kind::kDomain, "domain", QualifiedName(d, m.schema, m.name), internal::DomainDdl(m));
  }
  for (const Sequence& q : s.sequences) {
    // OWNED BY is a separate statement in the dump, but it is part of what the sequence is.
    std::string ddl = internal::SequenceDdl(q);
    if (std::string owner = internal::SequenceOwnerDdl(q); !owner.empty()) ddl += ";\n" + owner;
    AddTopLevel(catalog, Kind::kSequence, "sequence", QualifiedName(d, q.schema, q.name), ddl);
  }
  for (const Function& f : s.functions) {
    // Overloads share a name: the identity arguments tell them apart.
    AddTopLevel(catalog, Kind::kFunction, "function", QualifiedName(d, f.schema, f.name) + "(" + f.arguments + ")",
                internal::FunctionDdl(f));
  }
  for (const Table& t : s.tables) AddTable(catalog, d, t);
  for (const VirtualTable& v : s.virtual_tables) {
    AddTopLevel(catalog, Kind::kVirtualTable, "virtual table", QualifiedName(d, v.schema, v.name),
                internal::VirtualTableDdl(v));
  }
  for (const Index& i : s.indexes) {
    AddTopLevel(catalog, Kind::kIndex, "index", QualifiedName(d, i.schema, i.name), internal::IndexDdl(d, i));
  }
  for (const View& v : s.views) {
    AddTopLevel(catalog, Kind::kView, "view", QualifiedName(d, v.schema, v.name), internal::ViewDdl(d, v));
  }
  for (const Trigger& t : s.triggers) {
    // PostgreSQL scopes trigger names to their table.
    AddTopLevel(catalog, Kind::kTrigger, "trigger", QualifiedName(d, t.schema, t.table) + "." + QuoteIdentifier(t.name),
                internal::TriggerDdl(t));
  }
  return catalog;
}

// Column order is part of a table (SELECT *, INSERT without a column list), but adding or
// dropping a column is its own change: compare the order of the columns both sides have.
bool ColumnOrderDiffers(const Table& a, const Table& b) {
  auto shared_in_order = [](const Table& t, const Table& other) {
    std::vector<std::string> names;
    for (const Column& c : t.columns) {
      bool shared =
          std::any_of(other.columns.begin(), other.columns.end(), [&](const Column& o) { return o.name == c.name; });
      if (shared) names.push_back(c.name);
    }
    return names;
  };
  return shared_in_order(a, b) != shared_in_order(b, a);
}

bool Differs(const Entry& a, const Entry& b) {
  if (a.identity != b.identity) return true;
  return a.table != nullptr && b.table != nullptr && ColumnOrderDiffers(*a.table, *b.table);
}

// A table's parts are reported only when the table is on both sides: an added or removed table
// is one change, shown with its whole DDL.
bool OwnerOnBothSides(const Key& key, const Catalog& other) {
  if (key.kind != Kind::kTable || key.part == Part::kWhole) return true;
  return other.contains(Key{Kind::kTable, key.group, Part::kWhole, "table " + key.group});
}

void AppendIndented(std::string& out, std::string_view text, std::string_view indent) {
  for (std::size_t start = 0;;) {
    std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (start > 0 && !line.empty()) out += indent;
    out += line;
    if (end == std::string_view::npos) break;
    out += '\n';
    start = end + 1;
  }
  out += '\n';
}

}  // namespace

std::vector<Change> Diff(const Schema& a_in, const Schema& b_in) {
  Schema a = a_in, b = b_in;
  Normalize(a);
  Normalize(b);
  Catalog before = BuildCatalog(a), after = BuildCatalog(b);
  std::vector<Change> out;
  auto ia = before.begin(), ib = after.begin();
  while (ia != before.end() || ib != after.end()) {
    if (ib == after.end() || (ia != before.end() && ia->first < ib->first)) {
      if (OwnerOnBothSides(ia->first, after)) {
        out.push_back({Change::Kind::kRemoved, ia->first.object, ia->second.ddl, ""});
      }
      ++ia;
    } else if (ia == before.end() || ib->first < ia->first) {
      if (OwnerOnBothSides(ib->first, before)) {
        out.push_back({Change::Kind::kAdded, ib->first.object, "", ib->second.ddl});
      }
      ++ib;
    } else {
      if (Differs(ia->second, ib->second)) {
        out.push_back({Change::Kind::kChanged, ia->first.object, ia->second.ddl, ib->second.ddl});
      }
      ++ia, ++ib;
    }
  }
  return out;
}

std::string FormatDiff(const std::vector<Change>& changes) {
  std::string out;
  for (const Change& c : changes) {
    switch (c.kind) {
      case Change::Kind::kAdded:
        out += "+ " + c.object + ": ";
        AppendIndented(out, c.after, "    ");
        break;
      case Change::Kind::kRemoved:
        out += "- " + c.object + ": ";
        AppendIndented(out, c.before, "    ");
        break;
      case Change::Kind::kChanged:
        out += "~ " + c.object + ":\n    - ";
        AppendIndented(out, c.before, "      ");
        out += "    + ";
        AppendIndented(out, c.after, "      ");
        break;
    }
  }
  return out;
}

std::vector<Change> Missing(const Schema& expected, const Schema& actual) {
  std::vector<Change> changes = Diff(expected, actual);
  std::erase_if(changes, [](const Change& c) { return c.kind == Change::Kind::kAdded; });
  return changes;
}

}  // namespace strata::schema
