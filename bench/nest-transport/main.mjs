// Measures what @nestjs/microservices' TCP transport costs per message for metric batches,
// against a raw length-prefixed `net` socket, to decide (ADR 0004) which one carries batches
// between collector and processor.
//
//   npx node bench/nest-transport/main.mjs [--duration 5] [--runs 3] [--only nest-emit,raw-stream]
//
// Every transport run forks a server child (this file with `--server <kind>`), so client and
// server CPU are measured separately with process.cpuUsage(). A run sends for `--duration`
// seconds, then waits until the server has received every message sent; messages/s counts
// received messages over [first send, last receipt] (process.hrtime is CLOCK_MONOTONIC, shared
// by both processes). Medians of `--runs` runs are reported.
//
// Payloads look like the collector's columnar batches: little-endian int64 millisecond
// timestamps (15 s apart) followed by float64 values (a random walk), 32 KiB (~2,000 samples)
// and 1 KiB (~64 samples, a small live remote_write request).
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxyFactory,
  EventPattern,
  KafkaParser,
  MessagePattern,
  Transport,
} from '@nestjs/microservices';
import { KafkaRequestSerializer } from '@nestjs/microservices/serializers/kafka-request.serializer.js';
import { lastValueFrom } from 'rxjs';

const SELF = fileURLToPath(import.meta.url);
const HOST = '127.0.0.1';
const SIZES = [32 * 1024, 1024];
const SEND_WINDOW = 8; // requests in flight for request/response modes

// ---------------------------------------------------------------------------------------------
// Payloads

function batchPayload(bytes) {
  const buf = Buffer.alloc(bytes);
  const n = bytes / 16;
  let t = BigInt(Date.UTC(2025, 0, 1));
  let v = 1000;
  for (let i = 0; i < n; i++) {
    buf.writeBigInt64LE(t, i * 8);
    t += 15000n;
    v += Math.random() - 0.5;
    buf.writeDoubleLE(v, n * 8 + i * 8);
  }
  return buf;
}

function decodePacketData(mode, data) {
  // What a Nest handler must do to get the bytes back from what JSON.parse produced.
  if (mode.endsWith('b64')) return Buffer.from(data, 'base64');
  return Buffer.from(data.data); // {"type":"Buffer","data":[...numbers]}
}

// ---------------------------------------------------------------------------------------------
// Server side (child process)

async function runServer(kind) {
  const stats = { received: 0, bytes: 0, lastNs: 0n, badSize: 0, expectedSize: 0 };
  const countMessage = (len) => {
    stats.received++;
    stats.bytes += len;
    if (stats.expectedSize && len !== stats.expectedSize) stats.badSize++;
    stats.lastNs = process.hrtime.bigint();
  };
  let port;
  let close;

  if (kind === 'nest') {
    class SamplesController {
      onSamples(data) {
        countMessage(decodePacketData('buf', data).length);
      }
      onSamplesB64(data) {
        countMessage(decodePacketData('b64', data).length);
      }
      onRequest(data) {
        const len = decodePacketData('buf', data).length;
        countMessage(len);
        return len;
      }
    }
    const proto = SamplesController.prototype;
    const decorate = (dec, key) => dec(proto, key, Object.getOwnPropertyDescriptor(proto, key));
    decorate(EventPattern('samples'), 'onSamples');
    decorate(EventPattern('samples.b64'), 'onSamplesB64');
    decorate(MessagePattern('samples.req'), 'onRequest');
    Controller()(SamplesController);
    class BenchModule {}
    Module({ controllers: [SamplesController] })(BenchModule);

    const app = await NestFactory.createMicroservice(BenchModule, {
      transport: Transport.TCP,
      options: { host: HOST, port: 0 },
      logger: ['error'],
    });
    await app.listen();
    port = app.unwrap().address().port;
    close = () => app.close();
  } else {
    // Raw: 4-byte big-endian length + payload; in `ack` mode the server answers every frame with
    // a 4-byte frame holding the payload length (ordered on the socket, so no ids are needed).
    const server = net.createServer((sock) => {
      sock.setNoDelay(true);
      let pending = [];
      let pendingLen = 0;
      let need = -1;
      const take = (n) => {
        // Returns the first n pending bytes as one contiguous Buffer (copies only if split).
        const first = pending[0];
        if (first.length >= n) {
          const out = first.subarray(0, n);
          if (first.length === n) pending.shift();
          else pending[0] = first.subarray(n);
          pendingLen -= n;
          return out;
        }
        const out = Buffer.allocUnsafe(n);
        let off = 0;
        while (off < n) {
          const c = pending[0];
          const k = Math.min(c.length, n - off);
          c.copy(out, off, 0, k);
          off += k;
          if (k === c.length) pending.shift();
          else pending[0] = c.subarray(k);
        }
        pendingLen -= n;
        return out;
      };
      sock.on('data', (chunk) => {
        pending.push(chunk);
        pendingLen += chunk.length;
        let acks = 0;
        let ackBuf;
        for (;;) {
          if (need < 0) {
            if (pendingLen < 4) break;
            need = take(4).readUInt32BE(0);
          }
          if (pendingLen < need) break;
          const msg = take(need);
          need = -1;
          countMessage(msg.length);
          if (ackMode) {
            ackBuf ??= [];
            const a = Buffer.allocUnsafe(4);
            a.writeUInt32BE(msg.length, 0);
            ackBuf.push(a);
            acks++;
          }
        }
        if (acks) sock.write(acks === 1 ? ackBuf[0] : Buffer.concat(ackBuf));
      });
      sock.on('error', () => {});
    });
    let ackMode = false;
    server.listen(0, HOST);
    await once(server, 'listening');
    port = server.address().port;
    close = () => server.close();
    process.on('message', (m) => {
      if (m.type === 'ack-mode') ackMode = m.value;
    });
  }

  let cpu0;
  process.on('message', async (m) => {
    if (m.type === 'start') {
      stats.received = 0;
      stats.bytes = 0;
      stats.badSize = 0;
      stats.expectedSize = m.size;
      cpu0 = process.cpuUsage();
      process.send({ type: 'started' });
    } else if (m.type === 'stop') {
      const deadline = Date.now() + 30_000;
      while (stats.received < m.expected && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
      }
      const cpu = process.cpuUsage(cpu0);
      process.send({
        type: 'stats',
        received: stats.received,
        bytes: stats.bytes,
        badSize: stats.badSize,
        lastNs: stats.lastNs.toString(),
        cpuUs: cpu.user + cpu.system,
      });
    } else if (m.type === 'exit') {
      await close();
      process.exit(0);
    }
  });
  process.send({ type: 'ready', port });
}

// ---------------------------------------------------------------------------------------------
// Client side (parent process)

function nextMessage(child, type) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type === type) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
}

async function nestClient(port) {
  const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: HOST, port } });
  await client.connect();
  client.unwrap().setNoDelay(true);
  return client;
}

// Each sender returns the number of messages sent before `endNs`.
const SENDERS = {
  // Fire-and-forget emit of a Buffer; waits for 'drain' when the socket buffer is full (without
  // that, emit buffers without bound and JsonSocket destroys the socket at 128 MB).
  async 'nest-emit'(port, payload, endNs) {
    const client = await nestClient(port);
    const sock = client.unwrap();
    let sent = 0;
    while (process.hrtime.bigint() < endNs) {
      await lastValueFrom(client.emit('samples', payload), { defaultValue: undefined });
      sent++;
      if (sock.writableNeedDrain) await once(sock, 'drain');
    }
    await waitFlushed(sock);
    return { sent, close: () => client.close() };
  },
  // The same, with the Buffer base64-encoded by the caller (the cheapest binary encoding a JSON
  // transport allows); the handler decodes it.
  async 'nest-emit-b64'(port, payload, endNs) {
    const client = await nestClient(port);
    const sock = client.unwrap();
    let sent = 0;
    while (process.hrtime.bigint() < endNs) {
      await lastValueFrom(client.emit('samples.b64', payload.toString('base64')), {
        defaultValue: undefined,
      });
      sent++;
      if (sock.writableNeedDrain) await once(sock, 'drain');
    }
    await waitFlushed(sock);
    return { sent, close: () => client.close() };
  },
  // Request/response: `send`, SEND_WINDOW requests in flight, each answered with the length.
  async 'nest-send'(port, payload, endNs) {
    const client = await nestClient(port);
    let sent = 0;
    const worker = async () => {
      while (process.hrtime.bigint() < endNs) {
        const len = await lastValueFrom(client.send('samples.req', payload));
        if (len !== payload.length) throw new Error(`bad response ${len}`);
        sent++;
      }
    };
    await Promise.all(Array.from({ length: SEND_WINDOW }, worker));
    return { sent, close: () => client.close() };
  },
  // Raw net socket, length-prefixed frames, fire-and-forget with 'drain' backpressure.
  async 'raw-stream'(port, payload, endNs) {
    const sock = await rawClient(port);
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32BE(payload.length, 0);
    let sent = 0;
    while (process.hrtime.bigint() < endNs) {
      sock.cork();
      sock.write(hdr);
      const ok = sock.write(payload);
      sock.uncork();
      sent++;
      if (!ok || sock.writableNeedDrain) await once(sock, 'drain');
      else if ((sent & 63) === 0) await new Promise(setImmediate); // let I/O run
    }
    await waitFlushed(sock);
    return { sent, close: () => sock.end() };
  },
  // Raw net socket, each frame acknowledged by the server, SEND_WINDOW frames in flight.
  async 'raw-ack'(port, payload, endNs) {
    const sock = await rawClient(port);
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32BE(payload.length, 0);
    let sent = 0;
    let inFlight = 0;
    let wake = null;
    let acc = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      acc = acc.length ? Buffer.concat([acc, chunk]) : chunk;
      const n = acc.length >> 2;
      for (let i = 0; i < n; i++) {
        if (acc.readUInt32BE(i * 4) !== payload.length) throw new Error('bad ack');
      }
      acc = acc.subarray(n * 4);
      inFlight -= n;
      sent += n;
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    });
    while (process.hrtime.bigint() < endNs) {
      while (inFlight < SEND_WINDOW) {
        sock.cork();
        sock.write(hdr);
        sock.write(payload);
        sock.uncork();
        inFlight++;
      }
      await new Promise((r) => (wake = r));
    }
    while (inFlight > 0) await new Promise((r) => (wake = r));
    return { sent, close: () => sock.end() };
  },
};

async function rawClient(port) {
  const sock = net.connect(port, HOST);
  sock.setNoDelay(true);
  await once(sock, 'connect');
  return sock;
}

async function waitFlushed(sock) {
  while (sock.writableLength > 0) await once(sock, 'drain');
}

const SERVER_KIND = { 'nest-emit': 'nest', 'nest-emit-b64': 'nest', 'nest-send': 'nest', 'raw-stream': 'raw', 'raw-ack': 'raw' };

async function runOnce(mode, size, durationS) {
  const payload = batchPayload(size);
  const child = fork(SELF, ['--server', SERVER_KIND[mode]], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port } = await nextMessage(child, 'ready');
    if (mode === 'raw-ack') child.send({ type: 'ack-mode', value: true });
    child.send({ type: 'start', size });
    await nextMessage(child, 'started');
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const { sent, close } = await SENDERS[mode](port, payload, t0 + BigInt(Math.round(durationS * 1e9)));
    child.send({ type: 'stop', expected: sent });
    const st = await nextMessage(child, 'stats');
    const cpu = process.cpuUsage(cpu0);
    await close();
    if (st.received !== sent) throw new Error(`${mode}: sent ${sent}, server received ${st.received}`);
    if (st.badSize) throw new Error(`${mode}: ${st.badSize} messages decoded to the wrong size`);
    const elapsedS = Number(BigInt(st.lastNs) - t0) / 1e9;
    return {
      msgsPerS: st.received / elapsedS,
      mbPerS: st.bytes / elapsedS / 1e6,
      clientUsPerMsg: (cpu.user + cpu.system) / st.received,
      serverUsPerMsg: st.cpuUs / st.received,
    };
  } finally {
    child.send({ type: 'exit' });
    await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 2000))]);
    if (child.exitCode === null) child.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// Serialiser micro-measurements (in-process)

function opsPerS(fn, seconds) {
  let n = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const t0 = process.hrtime.bigint();
  let t;
  do {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
    t = process.hrtime.bigint();
  } while (t < end);
  return n / (Number(t - t0) / 1e9);
}

function serializerReport(runs, seconds) {
  const rows = [];
  for (const size of SIZES) {
    const buf = batchPayload(size);
    const u8 = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    // Exactly what JsonSocket.formatMessageData sends for client.emit('samples', buf).
    const frame = (data) => {
      const s = JSON.stringify({ pattern: 'samples', data });
      return s.length + '#' + s;
    };
    const wireBuf = frame(buf);
    const wireU8 = frame(u8);
    const wireB64 = frame(buf.toString('base64'));
    const med = (fn) => median(Array.from({ length: runs }, () => opsPerS(fn, seconds)));
    const jsonBody = wireBuf.slice(wireBuf.indexOf('#') + 1);
    rows.push({
      size,
      wireBufBytes: Buffer.byteLength(wireBuf),
      wireU8Bytes: Buffer.byteLength(wireU8),
      wireB64Bytes: Buffer.byteLength(wireB64),
      stringifyPerS: med(() => frame(buf)),
      parsePlusFromPerS: med(() => Buffer.from(JSON.parse(jsonBody).data.data)),
      b64PerS: med(() => frame(buf.toString('base64'))),
      rawCopyPerS: med(() => Buffer.concat([Buffer.alloc(4), buf])),
    });
  }
  return rows;
}

function kafkaSerializerReport() {
  const buf = batchPayload(1024);
  const u8 = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  const ser = new KafkaRequestSerializer();
  const outBuf = ser.serialize({ value: buf }).value;
  const outU8 = ser.serialize({ value: u8 }).value;
  const parser = new KafkaParser();
  // KafkaParser.decode keeps a Buffer only if its first byte is 0 (a schema-registry payload);
  // any other binary value is UTF-8 decoded to a string (and JSON.parse'd if it starts with { or [).
  const nonZero = Buffer.from(buf);
  nonZero[0] = 0x01;
  const parsedZero = parser.decode(buf);
  const parsedNonZero = parser.decode(nonZero);
  const keep = new KafkaParser({ keepBinary: true }).parse({ value: nonZero, headers: {} }).value;
  const describe = (p, orig) =>
    Buffer.isBuffer(p) ? `Buffer (same: ${p === orig})` : `${typeof p}, round-trips: ${Buffer.from(p).equals(orig)}`;
  return {
    bufferPassedThrough: outBuf === buf,
    uint8ArrayBecomes: typeof outU8 === 'string' ? `string of ${Buffer.byteLength(outU8)} chars ("${outU8.slice(0, 16)}...")` : typeof outU8,
    defaultParserFirstByte0: describe(parsedZero, buf),
    defaultParserFirstByteNon0: describe(parsedNonZero, nonZero),
    keepBinaryReturnsSame: keep === nonZero,
  };
}

// ---------------------------------------------------------------------------------------------

function nestVersion() {
  const index = fileURLToPath(import.meta.resolve('@nestjs/microservices'));
  return JSON.parse(readFileSync(join(dirname(index), 'package.json'), 'utf8')).version;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fmt(x, d = 0) {
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

async function main(argv) {
  const arg = (name, def) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : def;
  };
  const duration = Number(arg('duration', '5'));
  const runs = Number(arg('runs', '3'));
  const only = arg('only', Object.keys(SENDERS).join(',')).split(',');

  console.log(`# nest-transport bench  ${new Date().toISOString()}`);
  console.log(`node ${process.version}, @nestjs/microservices ${nestVersion()}, nproc ${os.availableParallelism()}, ${os.cpus()[0]?.model ?? ''}`);
  console.log(`duration ${duration}s x ${runs} runs, medians; request/response window ${SEND_WINDOW}\n`);

  console.log('## Wire encoding of one emit (JsonSocket: "<len>#" + JSON.stringify(packet))');
  console.log('| payload | Buffer on wire | x | Uint8Array on wire | x | base64 string on wire | x | stringify+frame /s | JSON.parse+Buffer.from /s | base64+stringify /s | raw frame copy /s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of serializerReport(runs, Math.min(1, duration))) {
    const x = (b) => (b / r.size).toFixed(2);
    console.log(
      `| ${r.size / 1024} KiB | ${fmt(r.wireBufBytes)} B | ${x(r.wireBufBytes)} | ${fmt(r.wireU8Bytes)} B | ${x(r.wireU8Bytes)} | ${fmt(r.wireB64Bytes)} B | ${x(r.wireB64Bytes)} | ${fmt(r.stringifyPerS)} | ${fmt(r.parsePlusFromPerS)} | ${fmt(r.b64PerS)} | ${fmt(r.rawCopyPerS)} |`,
    );
  }
  console.log('\n## Kafka transport serializer (not run: needs a broker)');
  console.log(JSON.stringify(kafkaSerializerReport(), null, 2));

  console.log('\n## Loopback transports (server in a child process)');
  console.log('| transport | payload | msgs/s | MB/s | client CPU µs/msg | server CPU µs/msg |');
  console.log('|---|---|---|---|---|---|');
  for (const size of SIZES) {
    for (const mode of Object.keys(SENDERS).filter((m) => only.includes(m))) {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await runOnce(mode, size, duration));
      const m = (k) => median(results.map((r) => r[k]));
      console.log(
        `| ${mode} | ${size / 1024} KiB | ${fmt(m('msgsPerS'))} | ${fmt(m('mbPerS'), 1)} | ${fmt(m('clientUsPerMsg'), 1)} | ${fmt(m('serverUsPerMsg'), 1)} |`,
      );
      if (process.env.BENCH_VERBOSE) console.log(results);
    }
  }
}

if (process.argv[2] === '--server') {
  await runServer(process.argv[3]);
} else {
  await main(process.argv.slice(2));
}
