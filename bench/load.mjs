// The load generator: rounds of one workload against one system, in a process of its own (pinned to the
// other core). autocannon keeps `connections` requests in flight for `duration` seconds; the server's
// CPU time and peak RSS, and PostgreSQL's CPU time, are read from /proc at the exact start and end of
// the load.
//   node load.mjs <spec.json>      one round, prints one JSON line
//   (forked with an IPC channel)   one round per message, answered with the result
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { cpus } from 'node:os';
import { backendCpu, backendCpuDelta, busyCores, cpuSeconds, machineTicks, peakRssMb, resetPeakRss } from './lib/proc.mjs';
import { requestFor, variablesFor } from './lib/workloads.mjs';

async function runRound(spec) {
  const data = JSON.parse(readFileSync(spec.inputsFile, 'utf8'));

  let k = spec.startAt ?? 0;
  let errors = 0;
  let statementsSum = 0;
  let statementsSeen = 0;
  const errorSamples = [];

  const request = {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${spec.token}` },
    setupRequest(req) {
      const vars = variablesFor(spec.workload, k, data, spec.options ?? {});
      k += 1;
      const { path, body } = requestFor(spec.system, spec.workload, vars, spec.writer);
      return { ...req, path, body };
    },
    onResponse(status, body, _context, headers) {
      // GraphQL reports most failures with status 200 and an `errors` member: those count as errors too.
      if (status !== 200 || body.includes('"errors"')) {
        errors += 1;
        if (errorSamples.length < 3) errorSamples.push(`${status} ${body.slice(0, 300)}`);
      }
      const sql = headers?.['x-sql-statements'];
      if (sql !== undefined) {
        statementsSum += Number(sql);
        statementsSeen += 1;
      }
    },
  };

  const statsUrl = spec.statsUrl;
  const readStats = async () => (statsUrl ? (await (await fetch(statsUrl)).json()).statements : null);

  const before = { server: cpuSeconds(spec.serverPid), pg: backendCpu(spec.database), self: process.cpuUsage(), machine: machineTicks(), statements: await readStats(), at: process.hrtime.bigint() };
  resetPeakRss(spec.serverPid);
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    timeout: 30,
    requests: [request],
  });
  const wall = Number(process.hrtime.bigint() - before.at) / 1e9;
  const after = { server: cpuSeconds(spec.serverPid), pg: backendCpu(spec.database), self: process.cpuUsage(before.self), machine: machineTicks(), statements: await readStats() };
  const serverCpu = (after.server - before.server) / wall;
  const pgCpu = backendCpuDelta(before.pg, after.pg) / wall;
  const loadCpu = (after.self.user + after.self.system) / 1e6 / wall;
  const machineCpu = busyCores(before.machine, after.machine, cpus().length);

  const completed = result.requests.total;
  const out = {
    system: spec.label,
    workload: spec.workload,
    round: spec.round,
    run: spec.run,
    requests: completed,
    rps: completed / spec.duration,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
    non2xx: result.non2xx,
    errors: errors + result.errors + result.timeouts,
    errorSamples,
    serverCpu,
    pgCpu,
    loadCpu,
    machineCpu,
    // Everything else the machine ran meanwhile (other programs, PostgreSQL's own background work):
    // large values mean the round shared the machine and its figures are low.
    otherCpu: Math.max(0, machineCpu - serverCpu - pgCpu - loadCpu),
    peakRssMb: peakRssMb(spec.serverPid),
    statementsPerRequest:
      statementsSeen > 0 ? statementsSum / statementsSeen : after.statements !== null && completed > 0 ? (after.statements - before.statements) / completed : null,
    nextIndex: k,
  };
  return out;
}

if (process.send) {
  process.on('message', async (spec) => {
    try {
      process.send({ ok: true, result: await runRound(spec) });
    } catch (error) {
      process.send({ ok: false, error: String(error?.stack ?? error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
} else {
  process.stdout.write(`${JSON.stringify(await runRound(JSON.parse(readFileSync(process.argv[2], 'utf8'))))}\n`);
}
