/**
 * Shared pieces of the Grafana importer: lenient readers for Grafana's JSON (whose fields
 * changed type across schema versions: numbers as strings, `false` for "off", …), the warning
 * collector, and data source resolution (which panels and targets are Prometheus).
 */

export type Json = Record<string, unknown>;

/** Something of the Grafana dashboard that was not converted, or only approximately. */
export interface ImportWarning {
  /** JSON path in the input, as `$.panels[3].targets[0].datasource`. */
  readonly path: string;
  readonly message: string;
}

/** The input is not a Grafana dashboard this importer can read at all. */
export class GrafanaImportError extends Error {
  override readonly name = 'GrafanaImportError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function objAt(o: Json, key: string): Json | undefined {
  const v = o[key];
  return isObj(v) ? v : undefined;
}

export function arrAt(o: Json, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

export function strAt(o: Json, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** A finite number, also from a numeric string ("80", as older exports write min/max). */
export function numAt(o: Json, key: string): number | undefined {
  const v = o[key];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function boolAt(o: Json, key: string): boolean | undefined {
  const v = o[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** Collects warnings; one per path and message. */
export class Warnings {
  readonly list: ImportWarning[] = [];
  private readonly seen = new Set<string>();

  add(path: string, message: string): void {
    const key = `${path}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ path, message });
  }
}

/** What a data source reference points at. `unknown`: a name this file cannot type; assumed Prometheus. */
export type DatasourceKind = { readonly kind: 'prometheus' } | { readonly kind: 'mixed' } | { readonly kind: 'other'; readonly type: string } | { readonly kind: 'unknown' };

const PROMETHEUS = { kind: 'prometheus' } as const;
const MIXED = { kind: 'mixed' } as const;

/**
 * Resolves Grafana data source references: `__inputs` placeholders (`${DS_PROMETHEUS}`),
 * data source variables (`$datasource`), `{type, uid}` objects of newer schemas, and the
 * special Mixed / Grafana / Dashboard sources. A bare name cannot be typed from the file and
 * is taken for Prometheus (a dashboard whose default source is Prometheus leaves it out).
 */
export class DatasourceResolver {
  constructor(
    /** `__inputs` name → plugin id. */
    private readonly inputs: ReadonlyMap<string, string>,
    /** Data source variable name → plugin id its query names. */
    private readonly variables: ReadonlyMap<string, string>,
  ) {}

  resolve(ref: unknown): DatasourceKind {
    if (ref === undefined || ref === null) return { kind: 'unknown' };
    if (typeof ref === 'string') return this.byName(ref);
    if (!isObj(ref)) return { kind: 'unknown' };
    const type = strAt(ref, 'type');
    const uid = strAt(ref, 'uid') ?? '';
    if (type === 'prometheus') return PROMETHEUS;
    if (type === 'datasource') return uid === '-- Mixed --' ? MIXED : { kind: 'other', type: uid === '-- Dashboard --' ? 'dashboard' : 'grafana' };
    if (type !== undefined && type !== '' && !type.startsWith('$')) return { kind: 'other', type };
    return uid === '' ? { kind: 'unknown' } : this.byName(uid);
  }

  private byName(name: string): DatasourceKind {
    if (name === '' || name === 'default') return { kind: 'unknown' };
    if (name === '-- Mixed --') return MIXED;
    if (name === '-- Grafana --' || name === 'grafana') return { kind: 'other', type: 'grafana' };
    if (name === '-- Dashboard --') return { kind: 'other', type: 'dashboard' };
    const ref = /^\$\{?(\w+)\}?$/.exec(name)?.[1];
    if (ref !== undefined) {
      const plugin = this.inputs.get(ref) ?? this.variables.get(ref);
      if (plugin === undefined) return { kind: 'unknown' };
      return plugin === 'prometheus' ? PROMETHEUS : { kind: 'other', type: plugin };
    }
    return { kind: 'unknown' };
  }
}

/** What converting a panel needs besides the panel. */
export interface PanelContext {
  readonly datasources: DatasourceResolver;
  readonly warnings: Warnings;
}

/** Grafana's named palette colours (the classic visualization palette) as CSS colours. */
const GRAFANA_COLORS: Readonly<Record<string, string>> = {
  'super-light-red': '#FFA6B0',
  'light-red': '#FF7383',
  red: '#F2495C',
  'semi-dark-red': '#E02F44',
  'dark-red': '#C4162A',
  'super-light-orange': '#FFCB7D',
  'light-orange': '#FFB357',
  orange: '#FF9830',
  'semi-dark-orange': '#FF780A',
  'dark-orange': '#FA6400',
  'super-light-yellow': '#FFF899',
  'light-yellow': '#FFEE52',
  yellow: '#FADE2A',
  'semi-dark-yellow': '#F2CC0C',
  'dark-yellow': '#E0B400',
  'super-light-green': '#C8F2C2',
  'light-green': '#96D98D',
  green: '#73BF69',
  'semi-dark-green': '#56A64B',
  'dark-green': '#37872D',
  'super-light-blue': '#C0D8FF',
  'light-blue': '#8AB8FF',
  blue: '#5794F2',
  'semi-dark-blue': '#3274D9',
  'dark-blue': '#1F60C4',
  'super-light-purple': '#DEB6F2',
  'light-purple': '#CA95E5',
  purple: '#B877D9',
  'semi-dark-purple': '#A352CC',
  'dark-purple': '#8F3BB8',
  text: 'currentColor',
  transparent: 'transparent',
};

/** A Grafana colour (palette name, hex or rgb[a]) as CSS; other CSS names pass through. */
export function cssColor(color: string): string {
  return GRAFANA_COLORS[color] ?? color;
}
