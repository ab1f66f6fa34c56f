// Statement boundaries in MariaDB/MySQL SQL files, found by a lexer that follows the server's
// quoting rules and the `mariadb` command-line client's handling of delimiters, so that a file that
// `mariadb < file` runs is split the same way. The server itself cannot split a script without
// running it (CLIENT_MULTI_STATEMENTS would run it all in one go), hence a lexer of our own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/statement.h"
#include "strata/status.h"

namespace strata::sql {

// How the server reads quotes: the parts of its sql_mode that change where a string ends.
struct MysqlQuoting {
  // Without NO_BACKSLASH_ESCAPES: a backslash in a string escapes the next byte.
  bool backslash_escapes = true;
  // ANSI_QUOTES (also part of ANSI): "..." is a name, like `...`, not a string.
  bool ansi_quotes = false;
};

// The quoting that a session with this @@sql_mode (a comma-separated list, any case) uses.
MysqlQuoting QuotingForSqlMode(std::string_view sql_mode);

// Splits `text` into the statements to send to the server, one at a time.
//
// Lexical rules (by default the server's default sql_mode, which the mariadb client always
// assumes; `quoting` gives the session's): '...' and "..." are strings, in which a backslash
// escapes the next byte and a doubled quote stands for itself; `...` is a name (`` inside, no
// escapes; so is "..." under ANSI_QUOTES); comments run from '#'
// or from "--" followed by a blank or control byte (or the end) to the end of the line ("--x" is
// not a comment), and from "/*" to the first "*/" (no nesting). "/*!..." and "/*M!..." are
// executable comments: their content is SQL, so, as in the client, a delimiter inside one ends the
// statement there (mysqldump wraps trigger bodies in them and changes the delimiter for that
// reason).
//
// The delimiter is ';' until a `DELIMITER xx` line changes it (a client command, never sent to
// the server): the word DELIMITER (any case) first on its line and where a statement would start,
// a space or tab, and the new delimiter up to the next blank, with nothing but blanks after it on
// the line. The delimiter may not contain a quote or a backslash, nor start a comment.
//
// Spans start at a statement's first token (leading whitespace and comments are not part of it)
// and end before its delimiter, trailing whitespace trimmed; a delimiter with nothing before it and
// a comment-only remainder give no span; a last statement without a delimiter runs to the end.
//
// kInvalidArgument with Status::sql_offset at the start of the culprit for: an unterminated
// string, name, comment or executable comment; a malformed DELIMITER line; a statement that starts
// with DELIMITER anywhere but first on its line. Pure and thread-safe; NUL bytes are ordinary
// bytes here (RejectNul is the caller's).
Result<std::vector<StatementSpan>> SplitMysql(std::string_view text, MysqlQuoting quoting = {});

// `text` with MariaDB's lexical forms that SQLite's lexer (sql/sqlite_lexer.h) reads otherwise made
// SQLite-shaped, byte for byte the same length so that offsets still hold: comments ('#', "-- ",
// "/*...*/") become blanks; an executable comment ("/*!50100 ...*/", "/*M!...*/") keeps its content
// and loses its markers; a string ('...', and "..." unless ANSI_QUOTES) becomes '...' with blanks
// inside (backslash escapes included). `names` are read alike by both. The token readers of
// MariaDB text (the destructive-statement analysis, lint's MariaDB rules) lex the result, within
// the spans SplitMysql found. Never fails; pure and thread-safe.
std::string MysqlAsSqliteText(std::string_view text, MysqlQuoting quoting = {});

// Whether one statement (a span SplitMysql found) only sets up its session, so that a migration
// resuming in a new session must run it again before its next statement: `SET` of session or user
// variables (`SET foreign_key_checks = 0`, `SET SESSION sql_mode = ...`, `SET @n = ...`),
// `SET NAMES`/`CHARACTER SET`, `SET ROLE`, `SET SESSION TRANSACTION`, and `USE`. Not what the server
// keeps by itself or what does more than set: `SET GLOBAL`/`PERSIST` and any `@@global.`/`@@persist.`
// variable, `SET PASSWORD`, `SET DEFAULT ROLE`, `SET STATEMENT ... FOR` (it runs a statement), nor
// `SET TRANSACTION` without SESSION (it is for the next transaction only). Pure; never fails.
bool IsMysqlSessionSetting(std::string_view statement, MysqlQuoting quoting = {});

// Whether one statement (a span SplitMysql found) can run inside a transaction without ending it:
// the data statements `SELECT` (also in parentheses or after `WITH`), `INSERT`, `UPDATE`, `DELETE`,
// `REPLACE`, `VALUES` and `DO`, and `SET` of variables (`SET foreign_key_checks = 0`, `SET @n = 1`,
// `SET NAMES ...`). An executable comment counts as its content (`/*!40101 SET NAMES utf8mb4 */`).
// Everything else is taken to commit implicitly, as MariaDB's DDL, `LOCK TABLES` and account
// statements do, and so is what might: `CALL`, `EXECUTE`, a `SET` that names autocommit, `SET
// PASSWORD`, `SET DEFAULT ROLE`, `SET STATEMENT ... FOR` and any `SET ... TRANSACTION` (refused
// inside one). The engine runs a migration in one transaction only when each of its statements
// passes; lint's MY001 reads it the same way. Pure; never fails.
bool MysqlRunsInTransaction(std::string_view statement, MysqlQuoting quoting = {});

// Whether one statement is `USE db`, which moves its session to another default database. Pure.
bool IsMysqlUse(std::string_view statement, MysqlQuoting quoting = {});

// Whether one statement is a block of code run as it stands (`BEGIN NOT ATOMIC ... END`), which
// begins no transaction. Pure.
bool IsMysqlBlock(std::string_view statement, MysqlQuoting quoting = {});

// Whether a statement gives a user variable a value from the data: a setting from a call or a
// subquery (`SET @n = (SELECT MAX(id) FROM t)`, `SET @id = NEXTVAL(s)`), or a query that stores what
// it reads (`SELECT MAX(id) INTO @n FROM t`, `SELECT @n := MAX(id) FROM t`). Run again later, it
// could give another value, or change something again, so a migration that ran it does not resume.
bool SetsUserVariableFromData(std::string_view statement, MysqlQuoting quoting = {});

// What one statement leaves in its session that a resume, in a new session, does not make again:
// "a temporary table" (`CREATE [OR REPLACE] TEMPORARY TABLE`), "a prepared statement" (`PREPARE`);
// empty for anything else. Making them again could give them other contents (a temporary table
// filled from the data), so strata only says they are gone when a later statement fails. Pure.
std::string_view MysqlSessionObject(std::string_view statement, MysqlQuoting quoting = {});

}  // namespace strata::sql
