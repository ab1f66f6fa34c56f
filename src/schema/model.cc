#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "strata/schema.h"

namespace strata::schema {
namespace {

template <typename T, typename KeyFn>
void SortBy(std::vector<T>& items, KeyFn key) {
  // Every key is unique in a real catalog (object names) or covers every field (constraints), so
  // equal keys mean interchangeable items and std::sort is deterministic enough (std::stable_sort
  // would also trip a libstdc++ deprecation under clang).
  std::sort(items.begin(), items.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
}

// A table's constraints have no natural order in the catalogs; sort by every field so that two
// unnamed ones never tie. Columns and key column lists keep their order: it is meaningful.
void NormalizeTable(Table& t) {
  SortBy(t.uniques, [](const UniqueConstraint& u) { return std::tie(u.name, u.columns); });
  SortBy(t.checks, [](const CheckConstraint& c) { return std::tie(c.name, c.expression); });
  SortBy(t.foreign_keys, [](const ForeignKey& f) {
    return std::tie(f.name, f.columns, f.ref_schema, f.ref_table, f.ref_columns, f.on_delete, f.on_update, f.deferrable,
                    f.initially_deferred);
  });
}

}  // namespace

void Normalize(Schema& schema) {
  std::sort(schema.schemas.begin(), schema.schemas.end());
  SortBy(schema.tables, [](const Table& t) { return std::tie(t.schema, t.name); });
  for (Table& table : schema.tables) NormalizeTable(table);
  SortBy(schema.indexes, [](const Index& i) { return std::tie(i.schema, i.name, i.table); });
  SortBy(schema.views, [](const View& v) { return std::tie(v.schema, v.name); });
  SortBy(schema.extensions, [](const Extension& e) { return std::tie(e.name, e.schema); });
  SortBy(schema.domains, [](const Domain& d) { return std::tie(d.schema, d.name); });
  for (Domain& d : schema.domains) {
    SortBy(d.checks, [](const CheckConstraint& c) { return std::tie(c.name, c.expression); });
  }
  SortBy(schema.virtual_tables, [](const VirtualTable& v) { return std::tie(v.schema, v.name); });
  // PostgreSQL scopes trigger names to their table.
  SortBy(schema.triggers, [](const Trigger& t) { return std::tie(t.schema, t.table, t.name); });
  SortBy(schema.sequences, [](const Sequence& s) { return std::tie(s.schema, s.name); });
  SortBy(schema.enums, [](const EnumType& e) { return std::tie(e.schema, e.name); });
  // Overloads share a name; the argument types tell them apart.
  SortBy(schema.functions, [](const Function& f) { return std::tie(f.schema, f.name, f.arguments); });
}

}  // namespace strata::schema

namespace strata::schema {

namespace {

std::string Unquoted(std::string key) {
  std::erase(key, '"');
  return key;
}

}  // namespace

Schema Structure(const Schema& input) {
  Schema out;
  out.dialect = "sqlite";  // rendered (by Dump and Diff) with SQLite's plain DDL
  std::map<std::string, std::vector<std::string>> primary_keys;
  for (const Table& t : input.tables) {
    if (t.primary_key) primary_keys[t.name] = t.primary_key->columns;
  }
  for (const Table& t : input.tables) {
    Table s;
    s.name = t.name;
    std::set<std::string> in_key;
    if (t.primary_key) {
      s.primary_key = PrimaryKey{"", t.primary_key->columns, false};
      in_key.insert(t.primary_key->columns.begin(), t.primary_key->columns.end());
    }
    for (const Column& c : t.columns) {
      Column col;
      col.name = c.name;
      col.not_null = c.not_null || in_key.count(c.name) > 0;  // PostgreSQL says so of a key column
      s.columns.push_back(std::move(col));
    }
    for (const UniqueConstraint& u : t.uniques) s.uniques.push_back({"", u.columns});
    for (const ForeignKey& f : t.foreign_keys) {
      ForeignKey k;
      k.columns = f.columns;
      k.ref_table = f.ref_table;
      k.ref_columns = f.ref_columns;
      if (k.ref_columns.empty()) {  // SQLite: the referenced table's primary key
        auto pk = primary_keys.find(f.ref_table);
        if (pk != primary_keys.end()) k.ref_columns = pk->second;
      }
      k.on_delete = f.on_delete;
      k.on_update = f.on_update;
      k.deferrable = f.deferrable;
      k.initially_deferred = f.initially_deferred;
      s.foreign_keys.push_back(std::move(k));
    }
    out.tables.push_back(std::move(s));
  }
  for (const Index& i : input.indexes) {
    Index s;
    s.name = i.name;
    s.table = i.table;
    s.unique = i.unique;
    for (const std::string& key : i.keys) s.keys.push_back(Unquoted(key));
    s.include = i.include;
    out.indexes.push_back(std::move(s));
  }
  Normalize(out);
  return out;
}

}  // namespace strata::schema
