'use strict';

// One Express 4 server for the HTTP benchmark: `node server.js cors|corsguard`.
const http = require('node:http');
const express = require('express4');

process.removeAllListeners('warning');
const lib = process.argv[2] === 'cors' ? require('cors') : require('..');

const app = express();
app.disable('etag');
app.use('/open', lib());
app.use('/list', lib({ origin: ['https://admin.example.com', 'https://app.example.com'], credentials: true, maxAge: 600 }));
app.use((req, res) => res.send('ok'));

const server = http.createServer(app);
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
// The bench asks for this process's CPU time (user + system, µs) around
// each load, so that the server's own cost per request can be read apart
// from the client's, which shares the machine.
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpu: user + system });
  }
});
