import { describe, expect, it } from 'vitest';
import { negotiateRemoteWriteVersion } from '#pharos/remote-write';

describe('negotiateRemoteWriteVersion (remote write 2.0 spec, content negotiation)', () => {
  const ok: [string | undefined, string | undefined, '1.0' | '2.0'][] = [
    ['application/x-protobuf', 'snappy', '1.0'],
    ['application/x-protobuf;proto=prometheus.WriteRequest', 'snappy', '1.0'],
    ['application/x-protobuf;proto=io.prometheus.write.v2.Request', 'snappy', '2.0'],
    ['Application/X-Protobuf; proto="io.prometheus.write.v2.Request"', 'Snappy', '2.0'],
    [undefined, undefined, '1.0'], // old 1.0 senders without headers, as Prometheus accepts
    ['application/x-protobuf', '', '1.0'],
  ];
  for (const [type, encoding, version] of ok) {
    it(`${type} + ${encoding} → ${version}`, () => {
      expect(negotiateRemoteWriteVersion(type, encoding)).toEqual({ ok: true, version });
    });
  }

  it('answers 415 for an unknown proto message', () => {
    const r = negotiateRemoteWriteVersion('application/x-protobuf;proto=io.prometheus.write.v3.Request', 'snappy');
    expect(r).toEqual({ ok: false, status: 415, message: expect.stringContaining('proto="io.prometheus.write.v3.Request"') });
  });

  it('answers 415 for another media type or encoding', () => {
    expect(negotiateRemoteWriteVersion('application/json', 'snappy')).toMatchObject({ ok: false, status: 415 });
    const r = negotiateRemoteWriteVersion('application/x-protobuf', 'gzip');
    expect(r).toEqual({ ok: false, status: 415, message: expect.stringMatching(/Content-Encoding "gzip".*snappy/) });
  });
});
