// MariaDB Connector/C, loaded on first use, as libpq is (drivers/postgres/pq_api.h): linking it
// would make every strata process, SQLite-only ones included, load it and its dependencies at
// start-up. Only the MariaDB driver's own files include this header; after it, the mysql_* names
// below call through the loaded table.
#pragma once

#include <mysql.h>

#include "strata/status.h"

namespace strata::driver::mariadb {

struct MysqlApi {
#define STRATA_MYSQL_FUNCTIONS(X)                                                                        \
  X(mysql_server_init) X(mysql_init) X(mysql_options) X(mysql_real_connect) X(mysql_close) X(mysql_errno) \
  X(mysql_error) X(mysql_sqlstate) X(mysql_real_query) X(mysql_use_result) X(mysql_free_result)        \
  X(mysql_num_fields) X(mysql_fetch_row) X(mysql_fetch_lengths) X(mysql_fetch_fields) X(mysql_field_count) \
  X(mysql_affected_rows) X(mysql_more_results) X(mysql_next_result) X(mysql_thread_id)                   \
  X(mysql_get_server_info) X(mysql_real_escape_string) X(mysql_get_ssl_cipher) X(mysql_reset_connection)  \
  X(mysql_set_character_set)
#define STRATA_MYSQL_MEMBER(name) decltype(&::name) name##_ = nullptr;
  STRATA_MYSQL_FUNCTIONS(STRATA_MYSQL_MEMBER)
#undef STRATA_MYSQL_MEMBER
};

// Loads libmariadb.so.3 and initialises it once (thread-safe: the connector's own initialisation
// is not, so it runs here under the static's guard). kUnavailable, saying which package to install,
// if it is missing.
Result<const MysqlApi*> LoadMysql();

// The loaded table; only valid after LoadMysql() succeeded (every connection is opened through it).
const MysqlApi& Mysql();

}  // namespace strata::driver::mariadb

#ifndef STRATA_MYSQL_API_IMPLEMENTATION
#define mysql_server_init(...) ::strata::driver::mariadb::Mysql().mysql_server_init_(__VA_ARGS__)
#define mysql_init(...) ::strata::driver::mariadb::Mysql().mysql_init_(__VA_ARGS__)
#define mysql_options(...) ::strata::driver::mariadb::Mysql().mysql_options_(__VA_ARGS__)
#define mysql_real_connect(...) ::strata::driver::mariadb::Mysql().mysql_real_connect_(__VA_ARGS__)
#define mysql_close(...) ::strata::driver::mariadb::Mysql().mysql_close_(__VA_ARGS__)
#define mysql_get_ssl_cipher(...) ::strata::driver::mariadb::Mysql().mysql_get_ssl_cipher_(__VA_ARGS__)
#define mysql_reset_connection(...) ::strata::driver::mariadb::Mysql().mysql_reset_connection_(__VA_ARGS__)
#define mysql_set_character_set(...) ::strata::driver::mariadb::Mysql().mysql_set_character_set_(__VA_ARGS__)
#define mysql_errno(...) ::strata::driver::mariadb::Mysql().mysql_errno_(__VA_ARGS__)
#define mysql_error(...) ::strata::driver::mariadb::Mysql().mysql_error_(__VA_ARGS__)
#define mysql_sqlstate(...) ::strata::driver::mariadb::Mysql().mysql_sqlstate_(__VA_ARGS__)
#define mysql_real_query(...) ::strata::driver::mariadb::Mysql().mysql_real_query_(__VA_ARGS__)
#define mysql_use_result(...) ::strata::driver::mariadb::Mysql().mysql_use_result_(__VA_ARGS__)
#define mysql_free_result(...) ::strata::driver::mariadb::Mysql().mysql_free_result_(__VA_ARGS__)
#define mysql_num_fields(...) ::strata::driver::mariadb::Mysql().mysql_num_fields_(__VA_ARGS__)
#define mysql_fetch_row(...) ::strata::driver::mariadb::Mysql().mysql_fetch_row_(__VA_ARGS__)
#define mysql_fetch_lengths(...) ::strata::driver::mariadb::Mysql().mysql_fetch_lengths_(__VA_ARGS__)
#define mysql_fetch_fields(...) ::strata::driver::mariadb::Mysql().mysql_fetch_fields_(__VA_ARGS__)
#define mysql_field_count(...) ::strata::driver::mariadb::Mysql().mysql_field_count_(__VA_ARGS__)
#define mysql_affected_rows(...) ::strata::driver::mariadb::Mysql().mysql_affected_rows_(__VA_ARGS__)
#define mysql_more_results(...) ::strata::driver::mariadb::Mysql().mysql_more_results_(__VA_ARGS__)
#define mysql_next_result(...) ::strata::driver::mariadb::Mysql().mysql_next_result_(__VA_ARGS__)
#define mysql_thread_id(...) ::strata::driver::mariadb::Mysql().mysql_thread_id_(__VA_ARGS__)
#define mysql_get_server_info(...) ::strata::driver::mariadb::Mysql().mysql_get_server_info_(__VA_ARGS__)
#define mysql_real_escape_string(...) ::strata::driver::mariadb::Mysql().mysql_real_escape_string_(__VA_ARGS__)
#endif
