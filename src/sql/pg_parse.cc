#include "sql/pg_parse.h"

#include <algorithm>

#include "sql/pg_query_api.h"
#include "sql/pg_split.h"
#include "sql/statement.h"

namespace strata::sql::pg {

const Json* Field(const Json* j, const char* key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  auto it = j->find(key);
  return it == j->end() ? nullptr : &*it;
}

std::string Str(const Json* j) {
  const std::string* s = j == nullptr ? nullptr : j->get_ptr<const std::string*>();
  return s == nullptr ? std::string() : *s;
}

const std::vector<Json>& Elements(const Json* j) {
  static const std::vector<Json> kNone;
  const Json::array_t* a = j == nullptr ? nullptr : j->get_ptr<const Json::array_t*>();
  return a == nullptr ? kNone : *a;
}

bool Flag(const Json* j, const char* key) {
  const Json* f = Field(j, key);
  return f != nullptr && f->is_boolean() && f->get<bool>();
}

long long Int(const Json* j, const char* key, long long fallback) {
  const Json* f = Field(j, key);
  return f != nullptr && f->is_number_integer() ? f->get<long long>() : fallback;
}

std::vector<std::string> Strings(const Json* list) {
  std::vector<std::string> out;
  for (const Json& item : Elements(list)) out.push_back(Str(Field(Field(&item, "String"), "sval")));
  return out;
}

namespace {

// Offset of the first byte that is not valid UTF-8 (as nlohmann-json judges it), or text.size().
std::size_t FirstInvalidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80                 ? 1
                    : c >= 0xC2 && c <= 0xDF ? 2
                    : c >= 0xE0 && c <= 0xEF ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4
                                             : 0;
    if (n == 0 || i + n > text.size()) return i;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    unsigned char c1 = n > 1 ? static_cast<unsigned char>(text[i + 1]) : 0;
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
      return i;  // overlong, surrogate or beyond U+10FFFF
    }
    i += n;
  }
  return text.size();
}

// Owns a pg_query_parse result.
class ParseResult {
 public:
  ParseResult(const PgQueryApi& api, const char* sql) : api_(api), r_(api.parse(sql)) {}
  ~ParseResult() { api_.free_parse_result(r_); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
  const PgQueryParseResult* operator->() const { return &r_; }

 private:
  const PgQueryApi& api_;
  PgQueryParseResult r_;
};

}  // namespace

Result<Tree> Parse(std::string_view sql) {
  // libpg_query needs a NUL-terminated string and would stop at an inner NUL, hiding what follows.
  STRATA_RETURN_IF_ERROR(RejectNul(sql));
  STRATA_ASSIGN_OR_RETURN(const PgQueryApi* api, LoadPgQuery());
  const std::string input(sql);
  const std::string_view text(input);
  const ParseResult result(*api, input.c_str());
  if (result->error != nullptr) {
    int pos = result->error->cursorpos;
    return Status(ErrorCode::kInvalidArgument,
                  std::string(result->error->message ? result->error->message : "syntax error") +
                      " (strata reads PostgreSQL migrations with the PostgreSQL 15 grammar)")
        .WithSqlOffset(pos > 0 ? CharPositionToOffset(text, pos) : 0);
  }
  Tree tree;
  tree.json = Json::parse(result->parse_tree ? result->parse_tree : "", nullptr, /*allow_exceptions=*/false);
  if (tree.json.is_discarded()) {
    // libpg_query copies names' bytes into its JSON unchecked; the server would refuse them.
    std::size_t bad = FirstInvalidUtf8(text);
    if (bad < text.size()) {
      return Status(ErrorCode::kInvalidArgument, "invalid byte sequence for encoding \"UTF8\"").WithSqlOffset(bad);
    }
    return Status(ErrorCode::kInternal, "libpg_query returned a parse tree that is not valid JSON");
  }
  for (const Json& stmt : Elements(Field(&tree.json, "stmts"))) {
    const Json* location = Field(&stmt, "stmt_location");
    const Json* length = Field(&stmt, "stmt_len");
    std::size_t begin = location != nullptr && location->is_number_unsigned() ? location->get<std::size_t>() : 0;
    std::size_t len = length != nullptr && length->is_number_unsigned() ? length->get<std::size_t>() : 0;
    begin = std::min(begin, text.size());
    std::size_t end = len == 0 || len > text.size() - begin ? text.size() : begin + len;  // 0: to the end
    begin = SkipPgSpaceAndComments(text, begin, end);
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' ||
                           text[end - 1] == '\r' || text[end - 1] == ';')) {
      --end;
    }
    const Json* node = Field(&stmt, "stmt");
    if (node != nullptr) tree.statements.push_back({node, begin, end});
  }
  return tree;
}

}  // namespace strata::sql::pg
