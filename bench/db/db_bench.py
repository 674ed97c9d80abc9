"""The aiomysql side of bench/db (compare.py runs it), the same workloads as
db_bench.cc:

    /usr/bin/python3 db_bench.py executemany|per_row|select1 SOCKET DB N

executemany: cursor.executemany in batches of 1,000 rows (the tutorial's
  bulk insert; aiomysql rewrites each batch into one multi-row INSERT).
per_row:     16 tasks, one connection each, one INSERT per statement.
select1:     16 tasks, one connection each, SELECT 1 round trips.
The rows are built before the clock starts. Prints one RESULT line.
"""

import asyncio
import os
import sys
import time

import aiomysql

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import pybench  # noqa: E402

TASKS = 16
INSERT = "INSERT INTO titles (url, title) VALUES (%s, %s)"


async def main(workload, socket, db, n):
    pool = await aiomysql.create_pool(unix_socket=socket, user="root", db=db,
                                      minsize=TASKS, maxsize=TASKS, autocommit=True,
                                      charset="utf8mb4")
    if workload != "select1":
        async with pool.acquire() as conn, conn.cursor() as cur:
            await cur.execute(
                "CREATE TABLE IF NOT EXISTS titles (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                "url VARCHAR(255) NOT NULL, title VARCHAR(255) NOT NULL) ENGINE=InnoDB")
            await cur.execute("TRUNCATE TABLE titles")
    rows = [(f"https://example.org/articles/{i}.html", f"Title of article number {i}")
            for i in range(n)] if workload != "select1" else []
    check = 0
    start = time.perf_counter()
    if workload == "executemany":
        async with pool.acquire() as conn, conn.cursor() as cur:
            for b in range(0, n, 1000):
                await cur.executemany(INSERT, rows[b:b + 1000])
    elif workload == "per_row":
        nxt = iter(range(n))

        async def inserter():
            async with pool.acquire() as conn, conn.cursor() as cur:
                for i in nxt:
                    await cur.execute(INSERT, rows[i])
        await asyncio.gather(*(inserter() for _ in range(TASKS)))
    else:
        left = [n]
        total = [0]

        async def selecter():
            async with pool.acquire() as conn, conn.cursor() as cur:
                while left[0] > 0:
                    left[0] -= 1
                    await cur.execute("SELECT 1")
                    total[0] += (await cur.fetchone())[0]
        await asyncio.gather(*(selecter() for _ in range(TASKS)))
        check = total[0]
    seconds = time.perf_counter() - start
    if workload != "select1":
        async with pool.acquire() as conn, conn.cursor() as cur:
            await cur.execute("SELECT COUNT(*) FROM titles")
            check = (await cur.fetchone())[0]
    pool.close()
    await pool.wait_closed()
    pybench.print_result(workload, n, seconds, check)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("executemany", "per_row", "select1"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
