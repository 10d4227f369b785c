import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '#pharos/metric-model';
import { RemoteWriteDecodeError, RemoteWriteDecoder, encodeWriteRequestV1, type RemoteWriteSeries } from '#pharos/remote-write';

const T = 1_700_000_000_000;
const call = { version: '1.0', tenant: 't', compressed: false, minTimestampMs: -1e15, maxTimestampMs: 1e15 } as const;

/** A series whose TimeSeries message is exactly `bytes` long (≥ 40), with one label of the rest. */
function seriesOfSize(bytes: number, i: number): RemoteWriteSeries {
  const probe = (pad: number): number => encodeWriteRequestV1([{ labels: { __name__: 'm', pad: 'x'.repeat(pad), i: String(i) }, samples: [{ timestamp: T, value: i }] }]).length;
  // Body = tag + length varint + message; grow the pad until the message has the size asked.
  let pad = 1;
  while (probe(pad) - (probe(pad) > 16_386 ? 4 : probe(pad) > 129 ? 3 : 2) < bytes) pad++;
  return { labels: { __name__: 'm', pad: 'x'.repeat(pad), i: String(i) }, samples: [{ timestamp: T, value: i }] };
}

describe('remote write 1.0 fast paths (one- and two-byte lengths)', () => {
  it('decodes series and labels on both sides of each varint length boundary the same, cold and cached', () => {
    const series: RemoteWriteSeries[] = [];
    for (const [k, size] of [100, 126, 127, 128, 129, 200, 16_382, 16_383, 16_384, 16_385, 40_000].entries()) series.push(seriesOfSize(size, k));
    // Labels of 127 and 128 bytes: one- and two-byte Label lengths.
    series.push({ labels: { __name__: 'n', v: 'y'.repeat(127 - 5) }, samples: [{ timestamp: T, value: 1 }] });
    series.push({ labels: { __name__: 'n', v: 'y'.repeat(128 - 5) }, samples: [{ timestamp: T, value: 2 }] });
    const body = encodeWriteRequestV1(series);
    const decoder = new RemoteWriteDecoder({ maxLabelValueLength: 100_000 });
    for (let round = 0; round < 3; round++) {
      const { batch, rejectedSamples } = decoder.decode(body, call);
      expect(rejectedSamples).toBe(0);
      expect(batch.series).toEqual(series.map((s) => labelsFromRecord(s.labels as Record<string, string>)));
      expect(Array.from(batch.values)).toEqual(series.map((s) => s.samples![0]!.value));
    }
  });

  it('refuses a body cut anywhere inside a series with the reader\'s errors', () => {
    const body = encodeWriteRequestV1([seriesOfSize(150, 1), seriesOfSize(60, 2)]);
    for (let cut = 1; cut < body.length; cut++) {
      let error: unknown;
      try {
        new RemoteWriteDecoder().decode(body.subarray(0, cut), call);
      } catch (e) {
        error = e;
      }
      // Cuts at a message boundary leave a valid (shorter) body.
      if (error === undefined) continue;
      expect(error).toBeInstanceOf(RemoteWriteDecodeError);
      expect((error as Error).message).toMatch(/runs past the end of its message|truncated/);
    }
    expect(() => new RemoteWriteDecoder().decode(body.subarray(0, 2), call)).toThrow(RemoteWriteDecodeError);
  });

  describe('the series the label cache expects next', () => {
    // Hand-built protobuf, to place fields where encodeWriteRequestV1 never does.
    const varint = (n: number): number[] => {
      const out: number[] = [];
      for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80);
      out.push(n);
      return out;
    };
    const field = (tag: number, payload: number[]): number[] => [tag, ...varint(payload.length), ...payload];
    const text = (s: string): number[] => [...Buffer.from(s, 'utf8')];
    const label = (name: string, value: string): number[] => field(0x0a, [...field(0x0a, text(name)), ...field(0x12, text(value))]);
    const sample = (value: number): number[] => {
      const v = Buffer.alloc(8);
      v.writeDoubleLE(value);
      return field(0x12, [0x09, ...v, 0x10, ...varint(T / 1000), ...[]]);
    };
    const request = (series: number[][]): Buffer => Buffer.from(series.flatMap((ts) => field(0x0a, ts)));
    const plain = (i: number): number[] => [...label('__name__', 'm'), ...label('i', String(i).padStart(3, '0')), ...sample(i)];
    const fleet = Array.from({ length: 20 }, (_, i) => plain(i));
    const warmDecoder = (): RemoteWriteDecoder => {
      const d = new RemoteWriteDecoder();
      for (let k = 0; k < 3; k++) d.decode(request(fleet), call);
      return d;
    };

    it('is another series when more labels follow its label bytes, after the samples or right after them', () => {
      const changed = fleet.slice();
      changed[10] = [...plain(10), ...label('z', 'after-sample')];
      changed[15] = [...label('__name__', 'm'), ...label('i', '015'), ...label('z', 'contiguous'), ...sample(15)];
      const body = request(changed);
      const fresh = new RemoteWriteDecoder().decode(body, call).batch;
      const warm = warmDecoder().decode(body, call).batch;
      expect(fresh.series[10]).toEqual(labelsFromRecord({ __name__: 'm', i: '010', z: 'after-sample' }));
      expect(fresh.series[15]).toEqual(labelsFromRecord({ __name__: 'm', i: '015', z: 'contiguous' }));
      expect(warm.series).toEqual(fresh.series);
      expect(Array.from(warm.values)).toEqual(Array.from(fresh.values));
      expect(Array.from(warm.timestamps)).toEqual(Array.from(fresh.timestamps));
    });

    it('refuses a wrong wire type after its label bytes as a cold decoder does', () => {
      const changed = fleet.slice();
      // Field 2 (samples) as a varint instead of a message.
      changed[12] = [...label('__name__', 'm'), ...label('i', '012'), 0x10, 0x01];
      const body = request(changed);
      let cold: unknown;
      try {
        new RemoteWriteDecoder().decode(body, call);
      } catch (e) {
        cold = e;
      }
      expect(cold).toBeInstanceOf(RemoteWriteDecodeError);
      expect(() => warmDecoder().decode(body, call)).toThrow((cold as Error).message);
    });
  });
});
