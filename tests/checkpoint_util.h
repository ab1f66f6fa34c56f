// A generated migration set for the checkpoint tests, in each engine's SQL: rows inserted,
// updated and deleted over many versions (so counters run ahead of the rows), a trigger that logs
// every insert, a foreign-key cycle, generated and identity columns, blobs and reals, on SQLite a
// WITHOUT ROWID table and a table whose hidden rowids have gaps, and on MariaDB a trigger written
// between DELIMITER lines, a BIT column, a latin1 column and text with backslashes and emoji.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "strata/migrator.h"
#include "strata/team.h"

namespace strata::testing {

enum GeneratedDialect { kSqliteDialect, kPostgresDialect, kMariadbDialect };

inline std::string GeneratedName(int v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "v%04d_gen_%d.sql", v, v);
  return buf;
}

inline std::string GeneratedMigration(int v, GeneratedDialect d) {
  const bool pg = d == kPostgresDialect;
  const bool my = d == kMariadbDialect;
  const std::string n = std::to_string(v);
  if (v == 1 && my) {
    return "CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, kind VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL,\n"
           "  payload BLOB,\n"
           "  score DOUBLE, doubled DOUBLE AS (score * 2) STORED, flags BIT(3) DEFAULT b'101',\n"
           "  label VARCHAR(40) CHARACTER SET latin1 DEFAULT 'caf\xc3\xa9');\n"
           "CREATE TABLE audit (n INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(200) NOT NULL);\n"
           "DELIMITER ;;\n"
           "CREATE TRIGGER events_audit AFTER INSERT ON events FOR EACH ROW BEGIN\n"
           "  INSERT INTO audit (what) VALUES (NEW.kind);\nEND;;\n"
           "DELIMITER ;\n"
           "CREATE TABLE nodes (id INT PRIMARY KEY, parent INT REFERENCES nodes (id), name TEXT);\n"
           "CREATE TABLE kv (k VARCHAR(100) PRIMARY KEY, v TEXT);\n"
           "CREATE TABLE notes (body TEXT);\n"
           "CREATE VIEW event_kinds AS SELECT kind, count(*) AS n FROM events GROUP BY kind;\n";
  }
  if (v == 1) {
    if (pg) {
      return "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL,\n"
             "  payload bytea, score double precision, doubled double precision GENERATED ALWAYS AS (score * 2) "
             "STORED);\n"
             "CREATE TABLE audit (n serial PRIMARY KEY, what text NOT NULL);\n"
             "CREATE FUNCTION log_event() RETURNS trigger LANGUAGE plpgsql AS $$\n"
             "BEGIN INSERT INTO audit (what) VALUES (NEW.kind); RETURN NEW; END $$;\n"
             "CREATE TRIGGER events_audit AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION log_event();\n"
             "CREATE TABLE nodes (id integer PRIMARY KEY, parent integer REFERENCES nodes (id), name text);\n"
             "CREATE TABLE kv (k text PRIMARY KEY, v text);\n"
             "CREATE TABLE notes (body text);\n"
             "CREATE VIEW event_kinds AS SELECT kind, count(*) AS n FROM events GROUP BY kind;\n";
    }
    return "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload BLOB,\n"
           "  score REAL, doubled REAL GENERATED ALWAYS AS (score * 2) VIRTUAL);\n"
           "CREATE TABLE audit (n INTEGER PRIMARY KEY, what TEXT NOT NULL);\n"
           "CREATE TRIGGER events_audit AFTER INSERT ON events BEGIN INSERT INTO audit (what) VALUES (NEW.kind); END;\n"
           "CREATE TABLE nodes (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES nodes (id), name TEXT);\n"
           "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;\n"
           "CREATE TABLE notes (body TEXT);\n"
           "CREATE VIEW event_kinds AS SELECT kind, count(*) AS n FROM events GROUP BY kind;\n";
  }
  switch (v % 10) {
    case 0:
      return "CREATE TABLE t" + n + " (id integer PRIMARY KEY, event_id integer REFERENCES events (id) ON DELETE "
             "CASCADE, note text);\nCREATE INDEX t" + n + "_event ON t" + n + " (event_id);\n";
    case 1:
      if (my) {
        return "INSERT INTO events (kind, payload, score, flags) VALUES ('k" + n + " back\\\\slash \xf0\x9f\x98\x80', "
               "CONCAT(X'00ff', CAST(" + n + " AS BINARY)), 0.1 * " + n + ", b'011'), ('again" + n + "', NULL, NULL, "
               "NULL);\n";
      }
      return "INSERT INTO events (kind, payload, score) VALUES ('k" + n + "', " +
             (pg ? "'\\x00ff'::bytea || int4send(" + n + ")" : "X'00ff' || CAST(" + n + " AS BLOB)") + ", 0.1 * " + n + "), ('again" + n + "', NULL, NULL);\n";
    case 2:
      return "INSERT INTO kv (k, v) VALUES ('key" + n + "', 'it''s " + n + "');\n";
    case 3:
      return "INSERT INTO notes (body) VALUES ('n" + n + "'), ('m" + n + "');\nDELETE FROM notes WHERE body = 'm" +
             n + "';\n";
    case 4:
      if (my) return "DELETE FROM events ORDER BY id DESC LIMIT 1;\n";  // a subquery may not read the table
      return "DELETE FROM events WHERE id = (SELECT max(id) FROM events);\n";
    case 5:
      return "INSERT INTO nodes (id, parent, name) VALUES (" + n + ", NULL, 'node " + n + "');\n";
    case 6:
      // A cycle: the previous node now points at this one, which comes later in the table.
      return "INSERT INTO nodes (id, parent, name) VALUES (" + n + ", " + std::to_string(v - 1) +
             ", 'child');\nUPDATE nodes SET parent = " + n + " WHERE id = " + std::to_string(v - 1) + ";\n";
    case 7:
      return v % 50 == 7 ? "ALTER TABLE kv ADD COLUMN c" + n + " text DEFAULT 'd" + n + "';\n"
                         : "UPDATE kv SET v = " + std::string(my ? "CONCAT(v, '+')" : "v || '+'") + " WHERE k = 'key" +
                               std::to_string(v - 5) + "';\n";
    case 8:
      if (v < 10) break;
      return "INSERT INTO t" + std::to_string(v - 8) + " (id, event_id, note) SELECT id, id, kind FROM events "
             "WHERE id % 7 = 0 AND id NOT IN (SELECT id FROM t" + std::to_string(v - 8) + ");\n";
    default:
      break;
  }
  return "-- nothing but a comment in version " + n + "\nSELECT 1;\n";
}

// Versions 1..count as GeneratedName files in `dir`.
inline void WriteGeneratedSet(const std::string& dir, int count, GeneratedDialect d) {
  std::filesystem::create_directories(dir);
  for (int v = 1; v <= count; ++v) {
    std::ofstream out(dir + "/" + GeneratedName(v), std::ios::binary);
    out << GeneratedMigration(v, d);
  }
}

// The files (not sub-directories) of `from`, copied into `to`.
inline void CopyDir(const std::string& from, const std::string& to) {
  std::filesystem::create_directories(to);
  for (const auto& e : std::filesystem::directory_iterator(from)) {
    if (e.is_regular_file()) std::filesystem::copy_file(e.path(), std::filesystem::path(to) / e.path().filename());
  }
}

// Every migration of `dir` applied to the database at `url`.
inline Result<RunReport> UpAt(const std::string& url, const std::string& dir) {
  auto m = Migrator::Open(url, Source::Directory(dir));
  if (!m.ok()) return m.status();
  return (*m)->Up({});
}

// strata checkpoint of `dir` up to `to`, replayed on scratch databases of the server `scratch_url`.
inline Result<CheckpointResult> WriteOnServer(const std::string& dir, const std::string& scratch_url,
                                              std::optional<std::uint64_t> to = {}) {
  CheckpointOptions options;
  options.to = to;
  options.scratch.url = scratch_url;
  return WriteCheckpoint(dir, options);
}

// The schema of the database at `url` (strata's tables left out); fails the current test and
// returns an empty schema when it cannot be read.
inline schema::Schema InspectedSchema(const std::string& url, const std::string& dir) {
  auto m = Migrator::Open(url, Source::Directory(dir));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return {};
  auto schema = (*m)->InspectSchema(false);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return schema.ok() ? std::move(*schema) : schema::Schema{};
}

}  // namespace strata::testing
