// Measures OTLP/gRPC metrics intake throughput on two server stacks, to decide (ADR 0007)
// which one serves `MetricsService/Export`:
//   - raw:         @grpc/grpc-js with identity (de)serialisers; the handler gets the bytes and
//                  runs Pharos' hand-written walker + translation (OtlpDecoder).
//   - raw-nodecode: the same server, handler ignores the bytes (the transport's own floor).
//   - nest:        @nestjs/microservices' gRPC transport (proto-loader from proto/), whose
//                  handler gets a generated object tree; it does no translation at all, so it
//                  is a lower bound of what that stack would cost.
//
//   npm run build && node dist/bench/otlp-grpc/main.js [--duration 5] [--points 8192] [--inflight 4]
//
// Each server runs in a forked child so its CPU is measured alone (process.cpuUsage); the
// client sends one pre-encoded request (the OTel Collector batch processor's default of 8,192
// data points: gauges and counters of 10 attributes) with `--inflight` calls outstanding.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Server, ServerCredentials, credentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { type OtlpJsonMetric, OtlpDecoder, encodeExportRequest } from '#pharos/otlp';

const PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
const ROOT = join(fileURLToPath(import.meta.url), '../../../..');
const identity = (b: Buffer): Buffer => b;

type Kind = 'raw' | 'raw-nodecode' | 'nest';

@Controller()
class NestMetricsService {
  @GrpcMethod('MetricsService', 'Export')
  export(): Record<string, never> {
    return {};
  }
}

@Module({ controllers: [NestMetricsService] })
class NestBenchModule {}

async function serve(kind: Kind, port: number): Promise<() => Promise<void>> {
  if (kind === 'nest') {
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(NestBenchModule, {
      logger: false,
      transport: Transport.GRPC,
      options: {
        url: `127.0.0.1:${port}`,
        package: 'opentelemetry.proto.collector.metrics.v1',
        protoPath: join(ROOT, 'proto/opentelemetry/proto/collector/metrics/v1/metrics_service.proto'),
        loader: { includeDirs: [join(ROOT, 'proto')], longs: String, keepCase: false },
        maxReceiveMessageLength: 64 * 1024 * 1024,
      },
    });
    await app.listen();
    return () => app.close();
  }
  const decoder = new OtlpDecoder();
  const server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  server.addService(
    { Export: { path: PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
        if (kind === 'raw') decoder.decode(call.request, { tenant: 't', format: 'protobuf' });
        cb(null, Buffer.alloc(0));
      },
    },
  );
  await new Promise<void>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  return () => new Promise((resolve) => server.tryShutdown(() => resolve()));
}

function body(points: number): Buffer {
  const now = `${BigInt(Date.now()) * 1_000_000n}`;
  const perMetric = 100;
  const metrics: OtlpJsonMetric[] = [];
  for (let m = 0; m < points / perMetric; m++) {
    const dataPoints = Array.from({ length: perMetric }, (_, i) => ({
      timeUnixNano: now,
      startTimeUnixNano: now,
      asDouble: i * 1.5,
      attributes: Array.from({ length: 10 }, (_, k) => ({ key: `attr.${k}`, value: { stringValue: `value-${k}-${i % (k + 2)}` } })),
    }));
    metrics.push(m % 2 === 0 ? { name: `bench.gauge.${m}`, unit: 'By', gauge: { dataPoints } } : { name: `bench.counter.${m}`, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints } });
  }
  return encodeExportRequest({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeMetrics: [{ scope: { name: 'bench' }, metrics }] }] });
}

async function client(port: number, payload: Buffer, durationMs: number, inflight: number): Promise<{ calls: number; seconds: number }> {
  const c = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  const call = () =>
    new Promise<void>((resolve, reject) => c.makeUnaryRequest(PATH, identity, identity, payload, (err) => (err ? reject(err) : resolve())));
  await call(); // warm up the connection
  const started = performance.now();
  const deadline = started + durationMs;
  let calls = 0;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (performance.now() < deadline) {
        await call();
        calls++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  c.close();
  return { calls, seconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { server: { type: 'string' }, port: { type: 'string' }, duration: { type: 'string', default: '5' }, points: { type: 'string', default: '8192' }, inflight: { type: 'string', default: '4' } },
  });
  if (values.server) {
    const stop = await serve(values.server as Kind, Number(values.port));
    process.send!({ ready: true });
    process.on('message', async (msg: { cpu?: boolean; stop?: boolean }) => {
      if (msg.cpu) process.send!({ cpu: process.cpuUsage() });
      if (msg.stop) {
        await stop();
        process.exit(0);
      }
    });
    return;
  }
  const points = Number(values.points);
  const payload = body(points);
  console.log(`request: ${points} data points, ${payload.length} bytes protobuf; ${values.inflight} calls in flight, ${values.duration} s per stack`);
  console.log('| stack | requests/s | data points/s | server CPU (cores) | server CPU µs/point |');
  console.log('|---|---:|---:|---:|---:|');
  let port = 24317;
  for (const kind of ['raw', 'raw-nodecode', 'nest'] as Kind[]) {
    port++;
    const child = fork(fileURLToPath(import.meta.url), ['--server', kind, '--port', String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await once(child, 'message');
    const cpu = async (): Promise<NodeJS.CpuUsage> => {
      child.send({ cpu: true });
      const [m] = (await once(child, 'message')) as [{ cpu: NodeJS.CpuUsage }];
      return m.cpu;
    };
    const before = await cpu();
    const r = await client(port, payload, Number(values.duration) * 1000, Number(values.inflight));
    const after = await cpu();
    const cores = (after.user + after.system - before.user - before.system) / 1e6 / r.seconds;
    const rps = r.calls / r.seconds;
    const usPerPoint = (cores * 1e6) / (rps * points);
    console.log(`| ${kind} | ${rps.toFixed(1)} | ${Math.round(rps * points).toLocaleString('en')} | ${cores.toFixed(2)} | ${usPerPoint.toFixed(2)} |`);
    child.send({ stop: true });
    await once(child, 'exit');
  }
}

await main();
