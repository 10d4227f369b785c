import { CONFIG_FIELDS } from './fields.js';
import { describeKind, type FieldKind } from './schema.js';

/** The configuration reference as a Markdown table (README and `pharos config-reference`). */
export function configReferenceMarkdown(): string {
  const rows = Object.entries(CONFIG_FIELDS).map(([path, spec]) => {
    const overrides = [spec.env ? `\`${spec.env}\`` : '', spec.flag ? `\`--${spec.flag}\`` : ''].filter(Boolean).join(' ');
    return `| \`${path}\` | ${describeKind(spec.kind)} | \`${formatDefault(spec.kind, spec.default)}\` | ${overrides} | ${spec.doc} |`;
  });
  return ['| key | type | default | env / flag | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

function formatDefault(kind: FieldKind, value: unknown): string {
  if (kind.type === 'duration' && typeof value === 'number') return formatDuration(value);
  if (kind.type === 'resolution' && typeof value === 'number') return value === 0 ? '0s' : formatDuration(value);
  if (kind.type === 'bytes' && typeof value === 'number') return formatBytes(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
