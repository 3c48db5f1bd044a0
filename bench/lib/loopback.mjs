// The loopback side of the benches: a sink that counts (and times) what arrives, a poster of distinct
// finished builds at a fixed concurrency (timed until the sink has them all) or at a fixed pace (each
// timed to its delivery), and a port that refuses connections.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { cpuMsOf, root } from './child.mjs';

const fixtures = join(root, 'core/fixtures/httpstatuspush');
export const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An HTTP server answering 200 to everything and counting the requests. `track`: it also parses each body
 * and keeps when each `buildid` arrived (ms, `now()`), for latencies.
 */
export async function startSink({ track = false } = {}) {
  let received = 0;
  const arrivals = new Map();
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => track && chunks.push(chunk));
    req.on('end', () => {
      received++;
      if (track) arrivals.set(JSON.parse(Buffer.concat(chunks).toString('utf8')).buildid, now());
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      for (const waiter of waiters.filter((w) => received >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    get received() {
      return received;
    },
    arrivals,
    /** Resolves once `count` requests arrived in total; rejects after `timeoutMs`. */
    waitFor: (count, timeoutMs = 300_000) =>
      received >= count
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`the sink got ${received} of ${count} within ${timeoutMs} ms`)),
              timeoutMs,
            );
            waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
          }),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/** A loopback port nothing listens on: bound, then closed, so connections to it are refused. */
export async function refusingPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `(i) => JSON text` of distinct finished build `i`: the fixtures' finished builds in turn, each with its own buildid and number. */
export function buildBodies() {
  const bodies = readdirSync(fixtures)
    .filter((name) => name.endsWith('.finished.json'))
    .map((name) => readFileSync(join(fixtures, name), 'utf8'));
  return (i) => {
    const build = JSON.parse(bodies[i % bodies.length]);
    return JSON.stringify({ ...build, buildid: 1_000_000 + i, number: 1_000_000 + i });
  };
}

/** `count` distinct finished builds as objects (the `pass` fixture, buildid and number from `offset`), for in-process benches. */
export function distinctBuilds(count, offset) {
  const base = JSON.parse(readFileSync(join(fixtures, 'pass.finished.json'), 'utf8'));
  return Array.from({ length: count }, (_, i) => ({ ...base, buildid: offset + i, number: offset + i }));
}

/** One node:http request; resolves with the status and the body text. */
export function request(url, { method = 'GET', body } = {}, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` jobs, `job(i)` for i = 0…count-1, run by `concurrency` workers. */
export async function pool(count, concurrency, job) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

/**
 * POSTs builds `from`…`from+count-1` (see buildBodies) at `concurrency`; each must get a 200. `url`: one
 * URL, or several that build i goes to in turn (i modulo their count, like a round-robin load balancer).
 */
export async function postBuilds(url, { from = 0, count, concurrency = 16, bodies = buildBodies() }) {
  const urls = [url].flat();
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    await pool(count, concurrency, async (i) => {
      const res = await request(urls[i % urls.length], { method: 'POST', body: bodies(from + i) }, agent);
      if (res.status !== 200) throw new Error(`POST of build ${from + i} got ${res.status}: ${res.text}`);
    });
  } finally {
    agent.destroy();
  }
}

/**
 * POSTs `events` builds to `url` (one URL or several in turn, see postBuilds) after `warmUp` ones; ms until
 * all were answered and until the sink had them all, and the CPU ms per event each of `pids` used meanwhile
 * (in their order): a figure a noisy, shared machine disturbs far less than the wall-clock rate.
 */
export async function timeThrough(url, sink, { bodies, from, pids, events, warmUp, concurrency }) {
  const before = sink.received;
  await postBuilds(url, { from, count: warmUp, concurrency, bodies });
  await sink.waitFor(before + warmUp);
  const expected = sink.received + events;
  const cpuBefore = pids.map(cpuMsOf);
  const started = now();
  await postBuilds(url, { from: from + warmUp, count: events, concurrency, bodies });
  const answered = now() - started;
  await sink.waitFor(expected);
  const delivered = now() - started;
  return { answered, delivered, cpuPerEvent: pids.map((pid, i) => (cpuMsOf(pid) - cpuBefore[i]) / events) };
}

/**
 * One build every `everyMs` to `url` (`events` of them, from build `from`, after `warmUp` sent one at a
 * time), each timed from its POST being sent to its delivery at `sink` (a tracking one) and to its answer:
 * `{ delivered, answered }`, ms each.
 */
export async function pacedLatency(url, sink, { bodies, from, events, everyMs, warmUp }) {
  const agent = new http.Agent({ keepAlive: true });
  try {
    const sent = new Map();
    const answered = [];
    const post = async (i) => {
      const body = bodies(i);
      const at = now();
      sent.set(JSON.parse(body).buildid, at);
      const res = await request(url, { method: 'POST', body }, agent);
      if (res.status !== 200) throw new Error(`POST of build ${i} got ${res.status}: ${res.text}`);
      answered.push(now() - at);
    };
    const before = sink.received;
    for (let i = 0; i < warmUp; i++) await post(from + i);
    await sink.waitFor(before + warmUp);
    sent.clear();
    answered.length = 0;

    const started = now();
    const posts = [];
    for (let i = 0; i < events; i++) {
      posts.push(post(from + warmUp + i));
      await sleep(started + (i + 1) * everyMs - now());
    }
    await Promise.all(posts);
    await sink.waitFor(before + warmUp + events, 60_000);
    return { delivered: [...sent].map(([buildid, at]) => sink.arrivals.get(buildid) - at), answered };
  } finally {
    agent.destroy();
  }
}

/** GET `url` until it answers 200 (or `timeoutMs` passes). */
export async function untilOk(url, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(url).catch((error) => ({ status: 0, text: String(error) }));
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms: ${res.text}`);
    await sleep(2);
  }
}
