import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { getSeries, waitForSeries } from './support/remote-write-client.js';

async function query(url: string, q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const body = (await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`)).json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return body.data.result;
}

describe('InfluxDB line protocol through the built pharos binary', () => {
  let pharos: PharosProcess;
  beforeAll(async () => {
    const dir = tempDir('influx');
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(configFile, 'limits:\n  tenants:\n    tiny:\n      max_request_size: 64\n');
    pharos = await startPharos({ dataDir: join(dir, 'data'), args: ['--config', configFile] });
  });
  afterAll(async () => {
    expect(await pharos?.stop()).toBe(0);
    removeDir(join(pharos.dataDir, '..'));
  });

  it('takes a gzipped v2 write with precision and reads it back under Telegraf\'s names', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const body = `weather,city=Paris,station=st\\ 1 temperature=21.5,humidity=60i,raining=true,note="cloudy" ${nowS}\nweather,city=Oslo temperature=-3.25 ${nowS}\n`;
    const res = await fetch(`${pharos.url}/api/v2/write?org=acme&bucket=sensors&precision=s`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip' },
      body: gzipSync(body),
    });
    expect(res.status).toBe(204);
    const temps = await waitForSeries(pharos.url, 'weather_temperature', (s) => s.length === 2, { timeoutMs: 5000 });
    expect(temps.find((s) => s.city === 'Paris')).toEqual({ __name__: 'weather_temperature', city: 'Paris', station: 'st 1', db: 'sensors' });
    expect((await getSeries(pharos.url, 'weather_humidity')).length).toBe(1);
    expect(await getSeries(pharos.url, 'weather_note')).toEqual([]);
    const raining = await query(pharos.url, 'weather_raining');
    expect(raining[0]!.value[1]).toBe('1');
    const oslo = await query(pharos.url, 'weather_temperature{city="Oslo"}');
    expect(oslo[0]!.value).toEqual([expect.any(Number), '-3.25']);
  });

  it('takes a v1 /write with db and precision', async () => {
    const res = await fetch(`${pharos.url}/write?db=legacy&precision=ms`, { method: 'POST', body: `cpu,host=h1 usage_idle=99.5 ${Date.now()}\n` });
    expect(res.status).toBe(204);
    const found = await waitForSeries(pharos.url, 'cpu_usage_idle', (s) => s.length === 1, { timeoutMs: 5000 });
    expect(found[0]).toEqual({ __name__: 'cpu_usage_idle', host: 'h1', db: 'legacy' });
  });

  it('writes the good lines of a partly bad request and answers 400 naming the bad ones', async () => {
    const res = await fetch(`${pharos.url}/api/v2/write?bucket=b`, {
      method: 'POST',
      body: `partial good=1\npartial bad=\npartial,t=x\npartial good2=2i\n`,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const err = (await res.json()) as { code: string; message: string; line: number };
    expect(err.code).toBe('invalid');
    expect(err.line).toBe(2);
    expect(err.message).toMatch(/^partial write: 2 samples written from 2 of 4 lines/);
    expect(err.message).toMatch(/line 2: unable to parse 'partial bad=': missing field value/);
    expect(err.message).toMatch(/line 3: unable to parse 'partial,t=x': missing fields/);
    const found = await waitForSeries(pharos.url, '{__name__=~"partial_.*"}', (s) => s.length === 2, { timeoutMs: 5000 });
    expect(found.map((s) => s.__name__).sort()).toEqual(['partial_good', 'partial_good2']);
    const metrics = await (await fetch(`${pharos.url}/metrics`)).text();
    expect(metrics).toMatch(/pharos_ingest_rejected_samples_total\{tenant="default",protocol="influx_line_protocol",reason="malformed"\} 2/);
  });

  it('answers errors in InfluxDB\'s shape and status codes', async () => {
    const noBucket = await fetch(`${pharos.url}/api/v2/write`, { method: 'POST', body: 'm v=1\n' });
    expect(noBucket.status).toBe(400);
    expect(await noBucket.json()).toEqual({ code: 'invalid', message: 'bucket is required (query parameter bucket)' });
    const badPrecision = await fetch(`${pharos.url}/api/v2/write?bucket=b&precision=h`, { method: 'POST', body: 'm v=1\n' });
    expect(badPrecision.status).toBe(400);
    expect(((await badPrecision.json()) as { message: string }).message).toMatch(/invalid precision/);
    const badGzip = await fetch(`${pharos.url}/api/v2/write?bucket=b`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: 'not gzip' });
    expect(badGzip.status).toBe(400);
    const brotli = await fetch(`${pharos.url}/api/v2/write?bucket=b`, { method: 'POST', headers: { 'content-encoding': 'br' }, body: 'x' });
    expect(brotli.status).toBe(415);
    expect(((await brotli.json()) as { code: string }).code).toBe('unsupported media type');
    const tooLarge = await fetch(`${pharos.url}/api/v2/write?bucket=b`, { method: 'POST', headers: { 'x-scope-orgid': 'tiny' }, body: 'm v=1\n'.repeat(20) });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { code: string }).code).toBe('request too large');
    const allBad = await fetch(`${pharos.url}/api/v2/write?bucket=b`, { method: 'POST', body: 'nope\n' });
    expect(allBad.status).toBe(400);
    expect(((await allBad.json()) as { message: string }).message).toMatch(/^line 1: unable to parse 'nope': missing fields/);
  });
});
