#include "db/internal/statement_cache.h"

namespace aio::db::internal {

MYSQL_STMT* StatementCache::find(const std::string& sql) {
  auto it = map_.find(sql);
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->stmt;
}

void StatementCache::insert(const std::string& sql, MYSQL_STMT* stmt) {
  erase(sql);
  while (map_.size() >= capacity_ && !lru_.empty()) {
    mysql_stmt_close(lru_.back().stmt);
    map_.erase(lru_.back().sql);
    lru_.pop_back();
  }
  lru_.push_front(Entry{sql, stmt});
  map_.emplace(sql, lru_.begin());
}

void StatementCache::erase(const std::string& sql) {
  auto it = map_.find(sql);
  if (it == map_.end()) return;
  mysql_stmt_close(it->second->stmt);
  lru_.erase(it->second);
  map_.erase(it);
}

void StatementCache::clear() {
  for (Entry& e : lru_) mysql_stmt_close(e.stmt);
  lru_.clear();
  map_.clear();
}

}  // namespace aio::db::internal
