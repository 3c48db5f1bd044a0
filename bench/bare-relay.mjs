// `node bench/bare-relay.mjs SINK_URL`: the bare relay the service is compared with (bench/service-throughput.mjs).
// A node:http server that forwards each POSTed body to SINK_URL with node-fetch (keep-alive, 16 sockets)
// and answers once the sink has: no validation, no queue, no ledger. Prints its URL on stderr.
import http from 'node:http';
import fetch from 'node-fetch';

const sink = process.argv[2];
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    fetch(sink, {
      method: 'POST',
      body: Buffer.concat(chunks),
      headers: { 'content-type': 'application/json' },
      agent,
    })
      .then((reply) => reply.arrayBuffer().then(() => reply.status))
      .then(
        (status) => res.writeHead(status === 200 ? 200 : 502).end(),
        () => res.writeHead(502).end(),
      );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.error(`relay listening http://127.0.0.1:${server.address().port}/`));
process.on('SIGTERM', () => process.exit(0));
