import { parseBytes, parseDurationMs } from './units.js';

/**
 * The configuration schema, declared once: it drives validation, defaults, environment
 * and flag overrides, and the reference table in the README (`pharos config-reference`).
 */
export type FieldKind =
  | { readonly type: 'int'; readonly min?: number; readonly max?: number }
  | { readonly type: 'bool' }
  | { readonly type: 'string'; readonly pattern?: RegExp; readonly patternDoc?: string }
  | { readonly type: 'duration' }
  /** A duration, `raw` (0) or `auto`: Thanos' `max_source_resolution`. */
  | { readonly type: 'resolution' }
  | { readonly type: 'bytes' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'list'; readonly of: 'string' };

export interface FieldSpec {
  readonly kind: FieldKind;
  readonly default: unknown;
  readonly doc: string;
  /** Environment variable that overrides the file. */
  readonly env?: string;
  /** Command-line flag (without `--`) that overrides file and environment. */
  readonly flag?: string;
}

export type ValueParseResult = { ok: true; value: unknown } | { ok: false; expected: string };

/** Parses one raw value (from YAML, or a string from env/flags) against a field kind. */
export function parseValue(kind: FieldKind, raw: unknown): ValueParseResult {
  const fromString = typeof raw === 'string';
  switch (kind.type) {
    case 'int': {
      const n = fromString && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      const range = `an integer${kind.min !== undefined ? ` >= ${kind.min}` : ''}${kind.max !== undefined ? ` <= ${kind.max}` : ''}`;
      if (typeof n !== 'number' || !Number.isInteger(n)) return { ok: false, expected: range };
      if ((kind.min !== undefined && n < kind.min) || (kind.max !== undefined && n > kind.max)) {
        return { ok: false, expected: range };
      }
      return { ok: true, value: n };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (fromString && /^(true|false|1|0)$/i.test(raw)) return { ok: true, value: /^(true|1)$/i.test(raw) };
      return { ok: false, expected: 'true or false' };
    }
    case 'string': {
      if (typeof raw !== 'string') return { ok: false, expected: 'a string' };
      if (kind.pattern && !kind.pattern.test(raw)) return { ok: false, expected: kind.patternDoc ?? `a string matching ${kind.pattern}` };
      return { ok: true, value: raw };
    }
    case 'duration': {
      if (typeof raw === 'number' && raw >= 0) return { ok: true, value: raw * 1000 };
      const ms = typeof raw === 'string' ? parseDurationMs(raw) : undefined;
      return ms === undefined ? { ok: false, expected: 'a duration such as 500ms, 30s, 15d or 1h30m' } : { ok: true, value: ms };
    }
    case 'resolution': {
      if (raw === 'auto') return { ok: true, value: 'auto' };
      if (raw === 'raw') return { ok: true, value: 0 };
      const parsed = parseValue({ type: 'duration' }, raw);
      return parsed.ok ? parsed : { ok: false, expected: 'a duration such as 5m or 1h, raw (0s) or auto' };
    }
    case 'bytes': {
      if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return { ok: true, value: raw };
      const bytes = typeof raw === 'string' ? parseBytes(raw) : undefined;
      return bytes === undefined ? { ok: false, expected: 'a size such as 4096, 64MiB or 1GB' } : { ok: true, value: bytes };
    }
    case 'enum': {
      if (typeof raw === 'string' && kind.values.includes(raw)) return { ok: true, value: raw };
      return { ok: false, expected: `one of ${kind.values.map((v) => JSON.stringify(v)).join(', ')}` };
    }
    case 'list': {
      const list = fromString ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) return { ok: false, expected: 'a list of strings' };
      return { ok: true, value: list };
    }
  }
}

/** Human text of a kind, for the configuration reference. */
export function describeKind(kind: FieldKind): string {
  switch (kind.type) {
    case 'enum':
      return kind.values.join(' \\| ');
    case 'list':
      return 'list of strings';
    case 'resolution':
      return 'duration \\| auto';
    default:
      return kind.type;
  }
}
