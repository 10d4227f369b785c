import http from 'node:http';
import http2 from 'node:http2';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Server, ServerCredentials, status as GrpcStatus, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtoWriter } from '#pharos/protowire';
import { createTransport, OTLP_GRPC_EXPORT_PATH } from './transports.js';

const identity = (b: Buffer): Buffer => b;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function partialSuccess(rejected: number): Buffer {
  const w = new ProtoWriter(32);
  const at = w.beginLd(1);
  w.varintField(1, rejected);
  w.endLd(at);
  return w.finish();
}

/** A grpc-js server answering Export with `answer(body, callback)`. */
async function grpcServer(answer: (body: Buffer, cb: sendUnaryData<Buffer>) => void): Promise<string> {
  const server = new Server();
  server.addService(
    { Export: { path: OTLP_GRPC_EXPORT_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    { Export: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => answer(call.request, cb) },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  cleanups.push(() => new Promise((resolve) => server.tryShutdown(() => resolve())));
  return `grpc://127.0.0.1:${port}`;
}

describe('OTLP/gRPC transport', () => {
  it('sends the body as a gzip-compressed gRPC message and reads a partial success', async () => {
    // A bare HTTP/2 server, to see the message frame itself: grpc-js' own server would hide
    // whether (and how) the message was compressed.
    const seen: { encoding?: unknown; path?: unknown; flag?: number; payload?: Buffer } = {};
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      seen.encoding = headers['grpc-encoding'];
      seen.path = headers[':path'];
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const frame = Buffer.concat(chunks);
        seen.flag = frame[0];
        seen.payload = frame.subarray(5, 5 + frame.readUInt32BE(1));
        const response = partialSuccess(12);
        const out = Buffer.alloc(5 + response.length);
        out.writeUInt32BE(response.length, 1);
        response.copy(out, 5);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(out);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const a = server.address();
    const t = createTransport('otlp-grpc', `grpc://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, 2);
    cleanups.push(async () => t.close());
    const body = Buffer.from('x'.repeat(10_000));
    expect(await t.send(body)).toEqual({ kind: 'accepted', rejected: 12 });
    expect(seen.path).toBe(OTLP_GRPC_EXPORT_PATH);
    expect(seen.encoding).toBe('gzip');
    expect(seen.flag).toBe(1);
    expect(seen.payload!.length).toBeLessThan(1_000);
    expect(gunzipSync(seen.payload!).equals(body)).toBe(true);
  });

  it('retries UNAVAILABLE and refuses INVALID_ARGUMENT', async () => {
    let code = GrpcStatus.UNAVAILABLE;
    const url = await grpcServer((_b, cb) => cb({ code, details: `status ${code}` }));
    const t = createTransport('otlp-grpc', url, 1);
    cleanups.push(async () => t.close());
    expect(await t.send(Buffer.from('a'))).toEqual({ kind: 'retry' });
    code = GrpcStatus.INVALID_ARGUMENT;
    expect(await t.send(Buffer.from('a'))).toEqual({ kind: 'refused', status: 'gRPC INVALID_ARGUMENT', text: 'status 3' });
  });
});

describe('HTTP transports', () => {
  async function httpServer(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const a = server.address();
    return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/v1/metrics`;
  }

  it('OTLP/HTTP posts protobuf with gzip encoding as given and reads a partial success', async () => {
    const seen: { type?: string; encoding?: string; body?: Buffer } = {};
    const url = await httpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.type = req.headers['content-type'];
        seen.encoding = req.headers['content-encoding'];
        seen.body = Buffer.concat(chunks);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(partialSuccess(3));
      });
    });
    const t = createTransport('otlp-http', url, 2);
    cleanups.push(async () => t.close());
    expect(await t.send(gzipSync('payload'))).toEqual({ kind: 'accepted', rejected: 3 });
    expect(seen.type).toBe('application/x-protobuf');
    expect(seen.encoding).toBe('gzip');
    expect(gunzipSync(seen.body!).toString()).toBe('payload');
  });

  it('retries 429 with Retry-After and 503, refuses other 4xx', async () => {
    let status = 429;
    const url = await httpServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status, status === 429 ? { 'retry-after': '2' } : {}).end('nope'));
    });
    const t = createTransport('remote-write', url, 1);
    cleanups.push(async () => t.close());
    expect(await t.send(Buffer.from('a'))).toEqual({ kind: 'retry', afterMs: 2000 });
    status = 503;
    expect(await t.send(Buffer.from('a'))).toEqual({ kind: 'retry' });
    status = 400;
    expect(await t.send(Buffer.from('a'))).toEqual({ kind: 'refused', status: 'HTTP 400', text: 'nope' });
  });
});
