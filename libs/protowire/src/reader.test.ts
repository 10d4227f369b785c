import { describe, expect, it } from 'vitest';
import { ProtoWriter, ProtowireError, WireReader } from '#pharos/protowire';

describe('WireReader', () => {
  it('reads fixed64 nanoseconds as whole milliseconds exactly, past 2^53', () => {
    const w = new ProtoWriter();
    const cases = [0n, 999_999n, 1_000_000n, 1_700_000_000_123_999_999n, 18_446_744_073_709_551_615n];
    for (const c of cases) w.fixed64(c);
    const r = new WireReader();
    r.reset(w.finish());
    for (const c of cases) expect(r.fixed64NanosToMillis()).toBe(Number(c / 1_000_000n));
  });

  it('reads sfixed64 two’s complement and fixed64 counts', () => {
    const w = new ProtoWriter();
    w.fixed64(-5n);
    w.fixed64(123456789n);
    const r = new WireReader();
    r.reset(w.finish());
    expect(r.sfixed64()).toBe(-5);
    expect(r.fixed64()).toBe(123456789);
  });

  it('throws ProtowireError with the offset for truncated input', () => {
    const r = new WireReader();
    r.reset(Buffer.from([1, 2, 3]));
    expect(() => r.fixed64()).toThrow(ProtowireError);
    r.reset(Buffer.from([0x80]));
    try {
      r.uint32();
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProtowireError);
      expect((err as ProtowireError).problem).toBe('truncated varint');
    }
  });
});
