// PostgreSQL text parsed by libpg_query (PostgreSQL 15 grammar) into its JSON parse tree, with each
// top-level statement's span. For the readers that walk the tree (destructive_pg.cc, the linter);
// it includes nlohmann-json, so keep it out of headers.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::sql::pg {

using Json = nlohmann::json;

// Every look-up is checked: a parse tree of an unexpected shape gives nullptr / "" / no elements,
// never an exception.
const Json* Field(const Json* j, const char* key);
std::string Str(const Json* j);
const std::vector<Json>& Elements(const Json* j);
// A boolean field; false when missing (libpg_query leaves out false values).
bool Flag(const Json* j, const char* key);
// An integer field; `fallback` when missing or not a number (libpg_query leaves out zeros).
long long Int(const Json* j, const char* key, long long fallback = 0);
// The strings of a List of String nodes (qualified names): [{"String":{"sval":"a"}}, ...].
std::vector<std::string> Strings(const Json* list);

struct Statement {
  const Json* node = nullptr;  // {"CreateStmt": {...}}
  std::size_t begin = 0;       // first byte of its first token
  std::size_t end = 0;         // one past its last byte, before any ';' and trailing whitespace
};

struct Tree {
  Json json;
  std::vector<Statement> statements;  // point into `json`: do not copy a Tree, move it
};

// kInvalidArgument with Status::sql_offset at the parser's error position when the text does not
// parse, or at the bad byte when a name is not valid UTF-8; also for a NUL byte (RejectNul).
Result<Tree> Parse(std::string_view sql);

}  // namespace strata::sql::pg
