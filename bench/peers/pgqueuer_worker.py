"""pgqueuer 1.6 draining N jobs that make the same call the service makes:
Twilio's Messages endpoint, form-encoded, HTTP Basic.
  python pgqueuer_worker.py enqueue   (installs the schema, N jobs, untimed)
  python pgqueuer_worker.py work      (runs until killed)
Env: DATABASE_URL, MOCK_URL, N, CONCURRENCY, BODY."""

import asyncio
import json
import os
import sys

import asyncpg
import httpx
from pgqueuer import AsyncpgDriver, PgQueuer, Queries

URL = os.environ["MOCK_URL"] + "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json"
AUTH = ("AC00000000000000000000000000000001", "bench-auth-token")


async def enqueue() -> None:
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    queries = Queries(AsyncpgDriver(conn))
    if await conn.fetchval("SELECT to_regclass('pgqueuer') IS NULL"):
        await queries.install()
    n = int(os.environ["N"])
    body = os.environ["BODY"]
    payloads = [json.dumps({"to": "+1377%07d" % i, "body": body}).encode() for i in range(1, n + 1)]
    await queries.enqueue(["send"] * n, payloads, [0] * n)
    await conn.close()


async def work() -> None:
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    pgq = PgQueuer.from_asyncpg_connection(conn)
    concurrency = int(os.environ["CONCURRENCY"])
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = httpx.AsyncClient(auth=AUTH, limits=limits, timeout=10)

    @pgq.entrypoint("send", concurrency_limit=concurrency)
    async def send(job) -> None:
        p = json.loads(job.payload)
        r = await client.post(URL, data={"To": p["to"], "Body": p["body"], "From": "+13125550100",
                                         "StatusCallback": "http://127.0.0.1:1/webhooks/twilio/status"})
        if r.status_code != 201:
            raise RuntimeError(f"provider answered {r.status_code}")

    # pgqueuer wants max_concurrent_tasks ≥ 2 × batch_size; the entrypoint limit
    # keeps at most `concurrency` sends in flight, as for the others.
    await pgq.run(batch_size=max(1, concurrency // 2), max_concurrent_tasks=concurrency)


if __name__ == "__main__":
    asyncio.run(enqueue() if sys.argv[1] == "enqueue" else work())
