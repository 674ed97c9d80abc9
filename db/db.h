// //db: MariaDB from coroutines — Connector/C behind the pool's own threads.
// The whole public API of namespace aio::db.
#ifndef AIO_DB_DB_H_
#define AIO_DB_DB_H_

#include "db/connection.h"
#include "db/error.h"
#include "db/exec_result.h"
#include "db/isolation.h"
#include "db/options.h"
#include "db/pool.h"
#include "db/result_set.h"
#include "db/retry.h"
#include "db/script.h"
#include "db/sql.h"
#include "db/transaction.h"
#include "db/value.h"

#endif  // AIO_DB_DB_H_
