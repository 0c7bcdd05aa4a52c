// The calibration app: plain node:http, GET answers a small JSON body after
// `work` microseconds of synchronous busy work. The driver (calibrate.mjs)
// talks to it over IPC like server.mjs: `mark`, `stats`, `stop`.
import http from 'node:http';

const work = Number(process.argv[2] ?? 0);
const body = JSON.stringify({ id: '42', name: 'user-42', plan: 'pro' });

const server = http.createServer((_req, res) => {
  if (work > 0) {
    const until = performance.now() + work / 1000;
    while (performance.now() < until);
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 30_000;

let mark = process.cpuUsage();
process.on('message', (message) => {
  if (message?.type === 'mark') {
    mark = process.cpuUsage();
    process.send({ type: 'mark' });
  } else if (message?.type === 'stats') {
    const cpu = process.cpuUsage(mark);
    process.send({ type: 'stats', cpuUs: cpu.user + cpu.system });
  } else if (message?.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
