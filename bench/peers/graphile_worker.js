// graphile-worker 0.16.6 draining N jobs that make the same call the
// service makes: Twilio's Messages endpoint, form-encoded, HTTP Basic.
//   node graphile_worker.js enqueue   (N jobs, one transaction, untimed)
//   node graphile_worker.js work      (runs until killed)
// Env: DATABASE_URL, MOCK_URL, N, CONCURRENCY.
const { run, makeWorkerUtils } = require("graphile-worker");

const connectionString = process.env.DATABASE_URL;
const url = `${process.env.MOCK_URL}/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json`;
const auth = "Basic " + Buffer.from("AC00000000000000000000000000000001:bench-auth-token").toString("base64");

async function send(payload) {
  const r = await fetch(url, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ To: payload.to, Body: payload.body, From: "+13125550100",
      StatusCallback: "http://127.0.0.1:1/webhooks/twilio/status" }),
  });
  await r.text();
  if (r.status !== 201) throw new Error(`provider answered ${r.status}`);
}

async function main() {
  const mode = process.argv[2];
  if (mode === "enqueue") {
    const utils = await makeWorkerUtils({ connectionString });
    await utils.migrate();
    const n = Number(process.env.N);
    await utils.withPgClient((c) =>
      c.query(
        `SELECT graphile_worker.add_jobs(array_agg(ROW('send', json_build_object('to', '+1388' || lpad(g::text, 7, '0'), 'body', $1::text),
           NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec)) FROM generate_series(1, $2::int) g`,
        [process.env.BODY, n]));
    await utils.release();
    return;
  }
  await run({
    connectionString,
    concurrency: Number(process.env.CONCURRENCY),
    noHandleSignals: false,
    pollInterval: 1000,
    taskList: { send },
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
