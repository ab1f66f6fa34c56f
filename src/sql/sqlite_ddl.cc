#include "sql/sqlite_ddl.h"

#include <fmt/format.h>

#include <utility>

#include "base/text.h"

namespace strata::sql::sqlite_ddl {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Status ErrorAt(std::size_t offset, std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message)).WithSqlOffset(offset);
}

// A cursor over the tokens of one statement. Every accessor checks its index against the end, so a
// parse that goes wrong ends in an error, never in a read out of bounds. A final ';' is ignored.
class Parser {
 public:
  Parser(std::string_view sql, std::vector<Token> tokens) : sql_(sql), tokens_(std::move(tokens)) {
    end_ = tokens_.size();
    if (IsPunctAt(end_ - 1, ';')) --end_;
  }

  std::size_t pos() const { return pos_; }
  std::size_t end() const { return end_; }
  void set_pos(std::size_t pos) { pos_ = pos < end_ ? pos : end_; }
  bool AtEnd() const { return pos_ >= end_; }
  void Advance() { set_pos(pos_ + 1); }

  std::string_view Text(std::size_t i) const {
    return i < end_ ? sql_.substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin) : std::string_view();
  }
  bool IsWordAt(std::size_t i, std::string_view word) const {
    return i < end_ && tokens_[i].kind == TokenKind::kWord && EqualsIgnoreCase(Text(i), word);
  }
  bool IsPunctAt(std::size_t i, char c) const {
    return i < end_ && tokens_[i].kind == TokenKind::kPunct && sql_[tokens_[i].begin] == c;
  }
  // A token that can stand for a name: a bare word, a quoted name, or a string used as a name.
  bool IsNameAt(std::size_t i) const {
    return i < end_ && (tokens_[i].kind == TokenKind::kWord || tokens_[i].kind == TokenKind::kQuotedName ||
                        tokens_[i].kind == TokenKind::kString);
  }
  bool IsWord(std::string_view word) const { return IsWordAt(pos_, word); }
  bool IsPunct(char c) const { return IsPunctAt(pos_, c); }

  bool Accept(std::string_view word) {
    if (!IsWord(word)) return false;
    Advance();
    return true;
  }
  bool AcceptPunct(char c) {
    if (!IsPunct(c)) return false;
    Advance();
    return true;
  }
  Status Expect(std::string_view word) { return Accept(word) ? Status::Ok() : Error(fmt::format("expected {}", word)); }

  Status Error(std::string_view what) const {
    if (AtEnd()) return ErrorAt(sql_.size(), fmt::format("{}, found the end of the text", what));
    std::string_view found = Text(pos_);
    if (found.size() > 40) found = found.substr(0, 40);
    return ErrorAt(tokens_[pos_].begin, fmt::format("{}, found '{}'", what, found));
  }

  Result<std::string> Name(std::string_view what) {
    if (!IsNameAt(pos_)) return Error(fmt::format("expected {}", what));
    std::string name = Dequote(Text(pos_));
    Advance();
    return name;
  }
  // [schema.]name; the schema is dropped.
  Result<std::string> QualifiedName(std::string_view what) {
    STRATA_ASSIGN_OR_RETURN(std::string name, Name(what));
    if (AcceptPunct('.')) return Name(what);
    return name;
  }
  Status SkipIfNotExists() {
    if (!IsWord("IF") || !IsWordAt(pos_ + 1, "NOT")) return Status::Ok();
    pos_ += 2;
    return Expect("EXISTS");
  }

  // The index of the ')' that closes the '(' at the cursor (the cursor must be on a '(').
  std::size_t Close() const { return tokens_[pos_].match; }
  void SkipGroup() { set_pos(Close() + 1); }

  // The original text of tokens [from, to), to > from.
  std::string_view Span(std::size_t from, std::size_t to) const {
    return sql_.substr(tokens_[from].begin, tokens_[to - 1].end - tokens_[from].begin);
  }
  // The first ',' at the nesting level of `from`, or `close` (the ')' of that level).
  std::size_t ItemEnd(std::size_t from, std::size_t close) const {
    std::size_t i = from;
    while (i < close && !IsPunctAt(i, ',')) i = IsPunctAt(i, '(') ? tokens_[i].match + 1 : i + 1;
    return i < close ? i : close;
  }

  // "( expr )" at the cursor: the expression, whitespace-normalized; the cursor ends after ')'.
  Result<std::string> ParenExpression(std::string_view what) {
    if (!IsPunct('(')) return Error(fmt::format("expected '(' after {}", what));
    std::size_t close = Close();
    if (close == pos_ + 1) {
      Advance();
      return Error(fmt::format("expected an expression in {}", what));
    }
    std::string text = CanonicalSql(Span(pos_ + 1, close));
    set_pos(close + 1);
    return text;
  }

  // "(name [COLLATE c] [ASC|DESC] [AUTOINCREMENT], ...)" at the cursor: the names.
  Result<std::vector<std::string>> NameList(std::string_view what) {
    if (!IsPunct('(')) return Error("expected '('");
    const std::size_t close = Close();
    Advance();
    std::vector<std::string> names;
    while (true) {
      STRATA_ASSIGN_OR_RETURN(std::string name, Name(what));
      names.push_back(std::move(name));
      while (pos_ < close && !IsPunct(',')) {
        if (Accept("COLLATE")) {
          STRATA_ASSIGN_OR_RETURN(std::string collation, Name("a collation name"));
        } else if (!Accept("ASC") && !Accept("DESC") && !Accept("AUTOINCREMENT")) {
          return Error("expected ',' or ')'");
        }
      }
      if (pos_ >= close) break;
      Advance();  // ','
    }
    set_pos(close + 1);
    return names;
  }

  // [ON CONFLICT ROLLBACK|ABORT|FAIL|IGNORE|REPLACE]
  Status SkipConflictClause() {
    if (!IsWord("ON") || !IsWordAt(pos_ + 1, "CONFLICT")) return Status::Ok();
    pos_ += 2;
    for (std::string_view action : {"ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"}) {
      if (Accept(action)) return Status::Ok();
    }
    return Error("expected ROLLBACK, ABORT, FAIL, IGNORE or REPLACE");
  }

 private:
  std::string_view sql_;
  std::vector<Token> tokens_;
  std::size_t end_ = 0;
  std::size_t pos_ = 0;
};

// [NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE], with the cursor after any NOT. Like SQLite,
// only DEFERRABLE INITIALLY DEFERRED defers the check; `fk` may be null (nothing to apply it to).
Status ParseDefer(Parser& p, bool negated, ForeignKeyDef* fk) {
  STRATA_RETURN_IF_ERROR(p.Expect("DEFERRABLE"));
  bool deferred = false;
  if (p.Accept("INITIALLY")) {
    if (p.Accept("DEFERRED")) {
      deferred = true;
    } else if (!p.Accept("IMMEDIATE")) {
      return p.Error("expected DEFERRED or IMMEDIATE");
    }
  }
  if (fk != nullptr) {
    fk->deferrable = !negated;
    fk->initially_deferred = !negated && deferred;
  }
  return Status::Ok();
}

// After REFERENCES: table [(columns)] {ON DELETE|UPDATE|INSERT action | MATCH name}. The actions
// themselves come from PRAGMA foreign_key_list.
Status ParseReferences(Parser& p, ForeignKeyDef& fk) {
  STRATA_ASSIGN_OR_RETURN(fk.ref_table, p.Name("the referenced table's name"));
  if (p.IsPunct('(')) {
    STRATA_ASSIGN_OR_RETURN(fk.ref_columns, p.NameList("a referenced column's name"));
  }
  while (true) {
    if (p.Accept("ON")) {
      if (!p.Accept("DELETE") && !p.Accept("UPDATE") && !p.Accept("INSERT")) {
        return p.Error("expected DELETE or UPDATE");
      }
      if (p.Accept("SET")) {
        if (!p.Accept("NULL") && !p.Accept("DEFAULT")) return p.Error("expected NULL or DEFAULT");
      } else if (p.Accept("NO")) {
        STRATA_RETURN_IF_ERROR(p.Expect("ACTION"));
      } else if (!p.Accept("CASCADE") && !p.Accept("RESTRICT")) {
        return p.Error("expected SET NULL, SET DEFAULT, CASCADE, RESTRICT or NO ACTION");
      }
    } else if (p.Accept("MATCH")) {
      STRATA_ASSIGN_OR_RETURN(std::string match, p.Name("a MATCH type"));
    } else {
      return Status::Ok();
    }
  }
}

bool AtColumnConstraint(const Parser& p) {
  for (std::string_view word : {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
                                "REFERENCES", "AS", "DEFERRABLE"}) {
    if (p.IsWord(word)) return true;
  }
  // GENERATED and ALWAYS are also valid type words ("x GENERATED ALWAYS AED" has a three-word type);
  // SQLite strips a type's trailing "GENERATED ALWAYS" when AS follows.
  return p.IsWord("GENERATED") && p.IsWordAt(p.pos() + 1, "ALWAYS") && p.IsWordAt(p.pos() + 2, "AS");
}

bool AtTableConstraint(const Parser& p) {
  for (std::string_view word : {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"}) {
    if (p.IsWord(word)) return true;
  }
  return false;
}

// DEFAULT's operand: ( expr ), or an optionally signed literal or name.
Status SkipDefault(Parser& p) {
  if (p.IsPunct('(')) {
    p.SkipGroup();
    return Status::Ok();
  }
  if (!p.AcceptPunct('+')) (void)p.AcceptPunct('-');
  if (p.AtEnd() || p.IsPunct(',') || p.IsPunct(')') || p.IsPunct('(') || p.IsPunct('.') || p.IsPunct(';')) {
    return p.Error("expected a default value");
  }
  p.Advance();
  return Status::Ok();
}

// One column constraint (the cursor is on its first word); `pending` holds a CONSTRAINT name.
Status ParseColumnConstraint(Parser& p, ColumnDef& col, std::string& pending, TableDef& t) {
  if (p.Accept("CONSTRAINT")) {
    STRATA_ASSIGN_OR_RETURN(pending, p.Name("a constraint name"));
    return Status::Ok();
  }
  std::string name = std::exchange(pending, std::string());
  if (p.Accept("PRIMARY")) {
    STRATA_RETURN_IF_ERROR(p.Expect("KEY"));
    if (!p.Accept("ASC")) (void)p.Accept("DESC");
    STRATA_RETURN_IF_ERROR(p.SkipConflictClause());
    (void)p.Accept("AUTOINCREMENT");
    t.primary_key_name = name;
  } else if (p.Accept("NOT")) {
    if (p.IsWord("DEFERRABLE")) return ParseDefer(p, true, t.foreign_keys.empty() ? nullptr : &t.foreign_keys.back());
    STRATA_RETURN_IF_ERROR(p.Expect("NULL"));
    return p.SkipConflictClause();
  } else if (p.Accept("NULL")) {
    return p.SkipConflictClause();
  } else if (p.Accept("UNIQUE")) {
    t.uniques.push_back({name, {col.name}});
    return p.SkipConflictClause();
  } else if (p.Accept("CHECK")) {
    STRATA_ASSIGN_OR_RETURN(std::string expression, p.ParenExpression("CHECK"));
    t.checks.push_back({name, std::move(expression)});
  } else if (p.Accept("DEFAULT")) {
    return SkipDefault(p);
  } else if (p.Accept("COLLATE")) {
    STRATA_ASSIGN_OR_RETURN(std::string collation, p.Name("a collation name"));
  } else if (p.Accept("REFERENCES")) {
    ForeignKeyDef fk;
    fk.name = name;
    fk.columns = {col.name};
    STRATA_RETURN_IF_ERROR(ParseReferences(p, fk));
    t.foreign_keys.push_back(std::move(fk));
  } else if (p.IsWord("DEFERRABLE")) {
    // A separate column constraint in SQLite's grammar: it applies to the table's latest foreign key.
    return ParseDefer(p, false, t.foreign_keys.empty() ? nullptr : &t.foreign_keys.back());
  } else if (p.IsWord("GENERATED") || p.IsWord("AS")) {
    if (p.Accept("GENERATED")) {
      STRATA_RETURN_IF_ERROR(p.Expect("ALWAYS"));
    }
    STRATA_RETURN_IF_ERROR(p.Expect("AS"));
    STRATA_ASSIGN_OR_RETURN(col.generated, p.ParenExpression("AS"));
    col.generated_stored = p.Accept("STORED");
    if (!col.generated_stored) (void)p.Accept("VIRTUAL");
  } else {
    return p.Error(fmt::format("unexpected token in the definition of column \"{}\"", col.name));
  }
  return Status::Ok();
}

Status ParseColumn(Parser& p, TableDef& t) {
  ColumnDef col;
  STRATA_ASSIGN_OR_RETURN(col.name, p.Name("a column name"));
  // The type (PRAGMA table_xinfo reports it): names, maybe "(n[, m])", up to the first constraint.
  while (!p.IsPunct(',') && !p.IsPunct(')') && !AtColumnConstraint(p)) {
    if (p.IsPunct('(')) {
      p.SkipGroup();
    } else if (p.IsNameAt(p.pos())) {
      p.Advance();
    } else {
      return p.Error(fmt::format("unexpected token in the type of column \"{}\"", col.name));
    }
  }
  std::string pending;
  while (!p.IsPunct(',') && !p.IsPunct(')')) {
    STRATA_RETURN_IF_ERROR(ParseColumnConstraint(p, col, pending, t));
  }
  t.columns.push_back(std::move(col));
  return Status::Ok();
}

Status ParseTableConstraint(Parser& p, TableDef& t) {
  std::string name;
  while (p.Accept("CONSTRAINT")) {
    STRATA_ASSIGN_OR_RETURN(name, p.Name("a constraint name"));
  }
  if (p.Accept("PRIMARY")) {
    STRATA_RETURN_IF_ERROR(p.Expect("KEY"));
    STRATA_ASSIGN_OR_RETURN(std::vector<std::string> columns, p.NameList("a column name"));
    t.primary_key_name = name;
    return p.SkipConflictClause();
  }
  if (p.Accept("UNIQUE")) {
    STRATA_ASSIGN_OR_RETURN(std::vector<std::string> columns, p.NameList("a column name"));
    t.uniques.push_back({name, std::move(columns)});
    return p.SkipConflictClause();
  }
  if (p.Accept("CHECK")) {
    STRATA_ASSIGN_OR_RETURN(std::string expression, p.ParenExpression("CHECK"));
    t.checks.push_back({name, std::move(expression)});
    return p.SkipConflictClause();
  }
  if (p.Accept("FOREIGN")) {
    ForeignKeyDef fk;
    fk.name = name;
    STRATA_RETURN_IF_ERROR(p.Expect("KEY"));
    STRATA_ASSIGN_OR_RETURN(fk.columns, p.NameList("a column name"));
    STRATA_RETURN_IF_ERROR(p.Expect("REFERENCES"));
    STRATA_RETURN_IF_ERROR(ParseReferences(p, fk));
    if (p.IsWord("DEFERRABLE") || (p.IsWord("NOT") && p.IsWordAt(p.pos() + 1, "DEFERRABLE"))) {
      STRATA_RETURN_IF_ERROR(ParseDefer(p, p.Accept("NOT"), &fk));
    }
    t.foreign_keys.push_back(std::move(fk));
    return Status::Ok();
  }
  // SQLite accepts a CONSTRAINT name that names nothing.
  if (!name.empty() && (p.IsPunct(',') || p.IsPunct(')'))) return Status::Ok();
  return p.Error("expected PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY");
}

// WITHOUT ROWID and STRICT, comma-separated, after the closing parenthesis.
Status ParseTableOptions(Parser& p, TableDef& t) {
  while (!p.AtEnd()) {
    if (p.Accept("WITHOUT")) {
      STRATA_RETURN_IF_ERROR(p.Expect("ROWID"));
      t.without_rowid = true;
    } else if (p.Accept("STRICT")) {
      t.strict = true;
    } else {
      return p.Error("expected WITHOUT ROWID or STRICT");
    }
    if (!p.AcceptPunct(',')) break;
  }
  return p.AtEnd() ? Status::Ok() : p.Error("expected ',' or the end of the statement");
}

}  // namespace

Result<TableDef> ParseCreateTable(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  Parser p(sql, std::move(tokens));
  TableDef t;
  STRATA_RETURN_IF_ERROR(p.Expect("CREATE"));
  if (!p.Accept("TEMP")) (void)p.Accept("TEMPORARY");
  STRATA_RETURN_IF_ERROR(p.Expect("TABLE"));
  STRATA_RETURN_IF_ERROR(p.SkipIfNotExists());
  STRATA_ASSIGN_OR_RETURN(t.name, p.QualifiedName("a table name"));
  if (!p.IsPunct('(')) return p.Error("expected '(' after the table name");
  const std::size_t close = p.Close();
  p.Advance();
  bool in_constraints = false;
  if (AtTableConstraint(p)) return p.Error("expected a column definition");
  while (true) {
    if (!in_constraints && AtTableConstraint(p)) in_constraints = true;
    STRATA_RETURN_IF_ERROR(in_constraints ? ParseTableConstraint(p, t) : ParseColumn(p, t));
    if (p.pos() >= close) break;
    // Table constraints need no comma between them; columns do.
    if (!p.AcceptPunct(',') && !in_constraints) return p.Error("expected ',' or ')'");
  }
  p.set_pos(close + 1);
  STRATA_RETURN_IF_ERROR(ParseTableOptions(p, t));
  return t;
}

Result<IndexDef> ParseCreateIndex(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  Parser p(sql, std::move(tokens));
  IndexDef index;
  STRATA_RETURN_IF_ERROR(p.Expect("CREATE"));
  index.unique = p.Accept("UNIQUE");
  STRATA_RETURN_IF_ERROR(p.Expect("INDEX"));
  STRATA_RETURN_IF_ERROR(p.SkipIfNotExists());
  STRATA_ASSIGN_OR_RETURN(index.name, p.QualifiedName("an index name"));
  STRATA_RETURN_IF_ERROR(p.Expect("ON"));
  STRATA_ASSIGN_OR_RETURN(index.table, p.Name("a table name"));
  if (!p.IsPunct('(')) return p.Error("expected '(' after the table name");
  const std::size_t close = p.Close();
  p.Advance();
  while (true) {
    const std::size_t begin = p.pos();
    const std::size_t end = p.ItemEnd(begin, close);
    if (end == begin) return p.Error("expected an index key");
    IndexKeyDef key;
    std::size_t last = end;
    // A trailing ASC/DESC, then COLLATE name; a lone "desc" is a column of that name.
    if (last - begin >= 2 && (p.IsWordAt(last - 1, "ASC") || p.IsWordAt(last - 1, "DESC"))) {
      key.desc = p.IsWordAt(last - 1, "DESC");
      --last;
    }
    if (last - begin >= 3 && p.IsWordAt(last - 2, "COLLATE") && p.IsNameAt(last - 1)) {
      key.collation = std::string(p.Text(last - 1));
      last -= 2;
    }
    key.expression = CanonicalSql(p.Span(begin, last));
    if (last - begin == 1 && p.IsNameAt(begin)) {
      key.is_name = true;
      key.name = Dequote(p.Text(begin));
    }
    index.keys.push_back(std::move(key));
    p.set_pos(end);
    if (end >= close) break;
    p.Advance();  // ','
  }
  p.set_pos(close + 1);
  if (p.Accept("WHERE")) {
    if (p.AtEnd()) return p.Error("expected an expression after WHERE");
    index.where = CanonicalSql(p.Span(p.pos(), p.end()));
    p.set_pos(p.end());
  }
  if (!p.AtEnd()) return p.Error("expected WHERE or the end of the statement");
  return index;
}

Result<std::string> ParseViewDefinition(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  Parser p(sql, std::move(tokens));
  STRATA_RETURN_IF_ERROR(p.Expect("CREATE"));
  if (!p.Accept("TEMP")) (void)p.Accept("TEMPORARY");
  STRATA_RETURN_IF_ERROR(p.Expect("VIEW"));
  STRATA_RETURN_IF_ERROR(p.SkipIfNotExists());
  STRATA_ASSIGN_OR_RETURN(std::string name, p.QualifiedName("a view name"));
  if (p.IsPunct('(')) p.SkipGroup();
  STRATA_RETURN_IF_ERROR(p.Expect("AS"));
  if (p.AtEnd()) return p.Error("expected a SELECT after AS");
  return CanonicalSql(p.Span(p.pos(), p.end()));
}

}  // namespace strata::sql::sqlite_ddl
