// A stand-in collector on 127.0.0.1: reads every POST body, answers 200 with `{}`
// (a valid empty OTLP/JSON response and a tracewire 2xx). Run as a child process
// of the driver, pinned with the load generator so it never takes the server's CPU.
import { appendFileSync } from 'node:fs';
import http from 'node:http';

// BENCH_SINK_DUMP=<file> appends every body to a file, to check what variants export.
const dump = process.env.BENCH_SINK_DUMP;

let requests = 0;
let bytes = 0;

const server = http.createServer((req, res) => {
  const chunks = dump ? [] : undefined;
  req.on('data', (chunk) => {
    bytes += chunk.length;
    chunks?.push(chunk);
  });
  req.on('end', () => {
    if (chunks) appendFileSync(dump, `${Buffer.concat(chunks).toString('utf8')}\n`);
    requests++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
  });
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.send?.({ type: 'ready', port });
});

process.on('message', (message) => {
  if (message?.type === 'stats') process.send({ type: 'stats', requests, bytes });
  if (message?.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
