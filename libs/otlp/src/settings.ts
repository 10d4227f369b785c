/**
 * How OTLP metrics become Prometheus series, as Prometheus 3's `otlp:` configuration block
 * names it (`config/config.go`, `OTLPConfig`). Plain data, so it can cross to a worker thread.
 */
export interface OtlpTranslationOptions {
  /** Default `UnderscoreEscapingWithSuffixes`, Prometheus' default. */
  readonly translationStrategy?: TranslationStrategy;
  /** Resource attributes copied onto every series of the resource. */
  readonly promoteResourceAttributes?: readonly string[];
  /** Promote every resource attribute except `ignoreResourceAttributes`. */
  readonly promoteAllResourceAttributes?: boolean;
  readonly ignoreResourceAttributes?: readonly string[];
  /** Keep `service.name`, `service.namespace`, `service.instance.id` on `target_info` too. */
  readonly keepIdentifyingResourceAttributes?: boolean;
  /** Explicit-bucket histograms as native histograms with custom buckets instead of classic series. */
  readonly convertHistogramsToNhcb?: boolean;
  /** Scope name, version, schema URL and attributes as `otel_scope_*` labels. */
  readonly promoteScopeMetadata?: boolean;
  /** Prefix `key` to label names starting with one `_` (legacy names only); default true. */
  readonly labelNameUnderscoreSanitization?: boolean;
  /** Keep runs of `_` in sanitised label names (legacy names only); default true. */
  readonly labelNamePreserveMultipleUnderscores?: boolean;
  /** The query lookback delta: `target_info` gets a sample every half of it. Default 5 m. */
  readonly lookbackDeltaMs?: number;
}

/**
 * Prometheus' OTLP translation strategies (`otlptranslator.TranslationStrategyOption`):
 * whether names are escaped to the legacy character set, and whether unit and type suffixes
 * (`_seconds`, `_total`, `_ratio`) are added.
 */
export type TranslationStrategy =
  | 'UnderscoreEscapingWithSuffixes'
  | 'UnderscoreEscapingWithoutSuffixes'
  | 'NoUTF8EscapingWithSuffixes'
  | 'NoTranslation';

export const TRANSLATION_STRATEGIES: readonly TranslationStrategy[] = [
  'UnderscoreEscapingWithSuffixes',
  'UnderscoreEscapingWithoutSuffixes',
  'NoUTF8EscapingWithSuffixes',
  'NoTranslation',
];

/** Options with defaults applied and lists turned into sets; what the translator reads. */
export interface OtlpTranslationSettings {
  readonly escapeNames: boolean;
  readonly addSuffixes: boolean;
  readonly promoteAll: boolean;
  /** Attributes to promote, or (with `promoteAll`) the ones not to. */
  readonly promotedAttributes: ReadonlySet<string>;
  readonly promotes: boolean;
  readonly keepIdentifyingResourceAttributes: boolean;
  readonly convertHistogramsToNhcb: boolean;
  readonly promoteScopeMetadata: boolean;
  readonly underscoreSanitization: boolean;
  readonly preserveMultipleUnderscores: boolean;
  readonly targetInfoIntervalMs: number;
}

const DEFAULT_LOOKBACK_DELTA_MS = 5 * 60_000;

/** Thrown for an invalid combination of options (a configuration error). */
export class OtlpSettingsError extends Error {
  override readonly name = 'OtlpSettingsError';
}

/** Applies defaults and checks the options the way Prometheus checks its `otlp:` block. */
export function resolveTranslationSettings(options: OtlpTranslationOptions = {}): OtlpTranslationSettings {
  const strategy = options.translationStrategy ?? 'UnderscoreEscapingWithSuffixes';
  if (!TRANSLATION_STRATEGIES.includes(strategy)) {
    throw new OtlpSettingsError(`unknown OTLP translation strategy ${JSON.stringify(strategy)}; expected one of ${TRANSLATION_STRATEGIES.join(', ')}`);
  }
  const promoteAll = options.promoteAllResourceAttributes === true;
  const promoteList = options.promoteResourceAttributes ?? [];
  const ignoreList = options.ignoreResourceAttributes ?? [];
  if (promoteAll && promoteList.length > 0) {
    throw new OtlpSettingsError('promote_all_resource_attributes and promote_resource_attributes cannot be set together');
  }
  if (!promoteAll && ignoreList.length > 0) {
    throw new OtlpSettingsError('ignore_resource_attributes can only be set when promote_all_resource_attributes is true');
  }
  const attributes = attributeSet(promoteAll ? ignoreList : promoteList, promoteAll ? 'ignored' : 'promoted');
  const lookback = options.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS;
  if (!(lookback > 0)) throw new OtlpSettingsError(`lookback delta must be positive, got ${lookback}`);
  return {
    escapeNames: strategy === 'UnderscoreEscapingWithSuffixes' || strategy === 'UnderscoreEscapingWithoutSuffixes',
    addSuffixes: strategy === 'UnderscoreEscapingWithSuffixes' || strategy === 'NoUTF8EscapingWithSuffixes',
    promoteAll,
    promotedAttributes: attributes,
    promotes: promoteAll || attributes.size > 0,
    keepIdentifyingResourceAttributes: options.keepIdentifyingResourceAttributes === true,
    convertHistogramsToNhcb: options.convertHistogramsToNhcb === true,
    promoteScopeMetadata: options.promoteScopeMetadata === true,
    underscoreSanitization: options.labelNameUnderscoreSanitization ?? true,
    preserveMultipleUnderscores: options.labelNamePreserveMultipleUnderscores ?? true,
    targetInfoIntervalMs: lookback / 2,
  };
}

function attributeSet(list: readonly string[], adjective: string): Set<string> {
  const out = new Set<string>();
  for (const raw of list) {
    const name = raw.trim();
    if (name === '') throw new OtlpSettingsError(`empty ${adjective} OTel resource attribute`);
    if (out.has(name)) throw new OtlpSettingsError(`duplicated ${adjective} OTel resource attribute ${JSON.stringify(name)}`);
    out.add(name);
  }
  return out;
}
