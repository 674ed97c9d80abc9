// Internal: a bounded, least-recently-used cache of prepared statements of
// one connection, keyed by SQL text.
//
// Used only by the worker thread that currently runs the connection's job
// (Connector/C handles are used by one thread at a time); not synchronised.
#ifndef AIO_DB_INTERNAL_STATEMENT_CACHE_H_
#define AIO_DB_INTERNAL_STATEMENT_CACHE_H_

#include <mariadb/mysql.h>

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>

namespace aio::db::internal {

class StatementCache {
 public:
  explicit StatementCache(size_t capacity) : capacity_(capacity) {}
  ~StatementCache() { clear(); }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The cached statement for `sql` (now the most recently used), or nullptr.
  MYSQL_STMT* find(const std::string& sql);
  // Adds a prepared statement; closes the least recently used one when full.
  void insert(const std::string& sql, MYSQL_STMT* stmt);
  // Closes and forgets the statement for `sql` (after an error left it in an
  // unknown state).
  void erase(const std::string& sql);
  // Closes every statement (mysql_stmt_close: needs a live handle, or only
  // frees memory once the connection is gone).
  void clear();
  size_t size() const { return map_.size(); }

 private:
  struct Entry {
    std::string sql;
    MYSQL_STMT* stmt;
  };
  size_t capacity_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> map_;
};

}  // namespace aio::db::internal

#endif  // AIO_DB_INTERNAL_STATEMENT_CACHE_H_
