import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, type WireReader, internedUtf8, isValidUtf8, sliceUtf8, wrongWireType } from '#pharos/protowire';
import { formatAttributeDouble } from './format.js';

/**
 * OTLP `KeyValue`/`AnyValue` (common.proto) read straight into strings: a label value is
 * what pdata's `Value.AsString` gives (strings as they are, numbers and booleans in Go's
 * spelling, bytes as base64, arrays and maps as JSON with sorted keys).
 */

/** A value decoded from an `AnyValue` that is not a plain scalar (array, map). */
export type RawValue = string | number | bigint | boolean | null | Uint8Array | RawValue[] | RawMap;
export interface RawMap {
  readonly [key: string]: RawValue;
}

/** Thrown inside attribute reading for invalid UTF-8 (caught by the walker, which rejects the item). */
export class AttributeUtf8Error extends Error {
  override readonly name = 'AttributeUtf8Error';
}

/**
 * Reads a `KeyValue` (ending at `end`) and pushes key and value strings onto `out`.
 * Throws {@link AttributeUtf8Error} for invalid UTF-8 in a string.
 */
export function readKeyValue(r: WireReader, buf: Buffer, end: number, out: string[]): void {
  const saved = r.enter(end);
  let keyStart = 0;
  let keyEnd = 0;
  let value = '';
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      keyEnd = r.lengthEnd();
      keyStart = r.pos;
      r.pos = keyEnd;
    } else if (tag === ((2 << 3) | WIRE_LEN)) {
      const valueEnd = r.lengthEnd();
      value = readAnyValueString(r, buf, valueEnd);
      r.pos = valueEnd;
    } else if (tag >>> 3 === 1 || tag >>> 3 === 2) {
      wrongWireType('KeyValue', tag >>> 3, tag & 7, at);
    } else {
      r.skip(tag & 7);
    }
  }
  r.leave(saved);
  if (!isValidUtf8(buf, keyStart, keyEnd)) throw new AttributeUtf8Error('attribute key is not valid UTF-8');
  out.push(internedUtf8(buf, keyStart, keyEnd), value);
}

/**
 * Reads a run of attribute fields, `buf[start, end)` (each a length-delimited `KeyValue`,
 * whatever its field number), onto `out` with `r`, which is left as it was. Returns the first
 * problem (invalid UTF-8) or undefined; later attributes are still read, as the walker does.
 */
export function readAttributeFields(r: WireReader, buf: Buffer, start: number, end: number, out: string[]): string | undefined {
  const pos = r.pos;
  const saved = r.enter(end);
  r.pos = start;
  let problem: string | undefined;
  try {
    while (r.pos < end) {
      r.tag();
      const e = r.lengthEnd();
      try {
        readKeyValue(r, buf, e, out);
      } catch (err) {
        if (!(err instanceof AttributeUtf8Error)) throw err;
        problem ??= err.message;
        // The throw skipped the inner messages' `leave`: restore this run's bound.
        r.end = end;
      }
      r.pos = e;
    }
  } finally {
    r.end = saved;
    r.pos = pos;
  }
  return problem;
}

/** Reads an `AnyValue` (ending at `end`) as its `AsString` text. */
function readAnyValueString(r: WireReader, buf: Buffer, end: number): string {
  const saved = r.enter(end);
  let out = '';
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1: {
        if (wt !== WIRE_LEN) wrongWireType('AnyValue', field, wt, at);
        const e = r.lengthEnd();
        if (!isValidUtf8(buf, r.pos, e)) throw new AttributeUtf8Error('attribute value is not valid UTF-8');
        out = internedUtf8(buf, r.pos, e);
        r.pos = e;
        break;
      }
      case 2:
        if (wt !== WIRE_VARINT) wrongWireType('AnyValue', field, wt, at);
        out = r.varint64(false) !== 0 ? 'true' : 'false';
        break;
      case 3:
        if (wt !== WIRE_VARINT) wrongWireType('AnyValue', field, wt, at);
        out = readInt64String(r);
        break;
      case 4:
        if (wt !== WIRE_FIXED64) wrongWireType('AnyValue', field, wt, at);
        out = formatAttributeDouble(r.double());
        break;
      case 5:
      case 6:
      case 7: {
        if (wt !== WIRE_LEN) wrongWireType('AnyValue', field, wt, at);
        const e = r.lengthEnd();
        if (field === 7) out = buf.toString('base64', r.pos, e);
        else {
          const raw = field === 5 ? readArray(r, buf, e) : readMap(r, buf, e);
          out = goJson(raw);
        }
        r.pos = e;
        break;
      }
      default:
        r.skip(wt);
    }
  }
  r.leave(saved);
  return out;
}

/** An int64 varint in decimal, exact over the whole range (ids can be past 2^53). */
function readInt64String(r: WireReader): string {
  const start = r.pos;
  const v = r.varint64(true);
  if (Number.isSafeInteger(v)) return String(v);
  let u = 0n;
  for (let i = 0, p = start; p < r.pos; i++, p++) u |= BigInt(r.buf[p]! & 0x7f) << BigInt(7 * i);
  return BigInt.asIntN(64, u).toString();
}

function readAnyValueRaw(r: WireReader, buf: Buffer, end: number): RawValue {
  const saved = r.enter(end);
  let out: RawValue = null;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 2 || field === 3) {
      if (wt !== WIRE_VARINT) wrongWireType('AnyValue', field, wt, at);
      if (field === 2) out = r.varint64(false) !== 0;
      else {
        const s = readInt64String(r);
        const n = Number(s);
        out = Number.isSafeInteger(n) ? n : BigInt(s);
      }
    } else if (field === 4) {
      if (wt !== WIRE_FIXED64) wrongWireType('AnyValue', field, wt, at);
      out = r.double();
    } else if (field === 1 || (field >= 5 && field <= 7)) {
      if (wt !== WIRE_LEN) wrongWireType('AnyValue', field, wt, at);
      const e = r.lengthEnd();
      if (field === 1) {
        if (!isValidUtf8(buf, r.pos, e)) throw new AttributeUtf8Error('attribute value is not valid UTF-8');
        out = sliceUtf8(buf, r.pos, e);
      } else if (field === 5) out = readArray(r, buf, e);
      else if (field === 6) out = readMap(r, buf, e);
      else out = buf.subarray(r.pos, e);
      r.pos = e;
    } else {
      r.skip(wt);
    }
  }
  r.leave(saved);
  return out;
}

function readArray(r: WireReader, buf: Buffer, end: number): RawValue[] {
  const saved = r.enter(end);
  const out: RawValue[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const e = r.lengthEnd();
      out.push(readAnyValueRaw(r, buf, e));
      r.pos = e;
    } else if (tag >>> 3 === 1) wrongWireType('ArrayValue', 1, tag & 7, at);
    else r.skip(tag & 7);
  }
  r.leave(saved);
  return out;
}

function readMap(r: WireReader, buf: Buffer, end: number): RawMap {
  const saved = r.enter(end);
  const out: Record<string, RawValue> = {};
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const kvEnd = r.lengthEnd();
      const kvSaved = r.enter(kvEnd);
      let key = '';
      let value: RawValue = null;
      while (r.pos < kvEnd) {
        const kat = r.pos;
        const ktag = r.tag();
        if (ktag === ((1 << 3) | WIRE_LEN)) {
          const e = r.lengthEnd();
          if (!isValidUtf8(buf, r.pos, e)) throw new AttributeUtf8Error('attribute key is not valid UTF-8');
          key = sliceUtf8(buf, r.pos, e);
          r.pos = e;
        } else if (ktag === ((2 << 3) | WIRE_LEN)) {
          const e = r.lengthEnd();
          value = readAnyValueRaw(r, buf, e);
          r.pos = e;
        } else if (ktag >>> 3 === 1 || ktag >>> 3 === 2) wrongWireType('KeyValue', ktag >>> 3, ktag & 7, kat);
        else r.skip(ktag & 7);
      }
      r.leave(kvSaved);
      // pdata's Map keeps the first of duplicate keys.
      if (!(key in out)) out[key] = value;
    } else if (tag >>> 3 === 1) wrongWireType('KeyValueList', 1, tag & 7, at);
    else r.skip(tag & 7);
  }
  r.leave(saved);
  return out;
}

/**
 * JSON as Go's `encoding/json` writes `AsRaw()` values with HTML escaping off: map keys
 * sorted, bytes as base64, U+2028/U+2029 escaped.
 */
export function goJson(v: RawValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? formatAttributeDouble(v) : 'null';
  if (v instanceof Uint8Array) return `"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"`;
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${goJsonString(k)}:${goJson((v as RawMap)[k]!)}`).join(',')}}`;
}

function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
