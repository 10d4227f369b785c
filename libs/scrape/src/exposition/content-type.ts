import { OpenMetricsParser } from './openmetrics.js';
import type { ExpositionParser } from './parser.js';
import { PromTextParser } from './prom-text.js';

/** Scrape protocols Pharos can parse, named as in Prometheus' `scrape_protocols`. */
export type ScrapeProtocol = 'OpenMetricsText1.0.0' | 'OpenMetricsText0.0.1' | 'PrometheusText1.0.0' | 'PrometheusText0.0.4';

export const SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'];

const MEDIA_TYPES: Readonly<Record<ScrapeProtocol, string>> = {
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};

/**
 * The `Accept` header Prometheus sends for a list of protocols, by falling weights (scrape.go
 * `acceptHeader`): `application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.7,…,*\/*;q=0.3`.
 * Prometheus counts the weights from the number of protocols it knows (6, protobuf and
 * OpenMetrics 2.0 included), so the same is done here.
 */
export function acceptHeader(protocols: readonly ScrapeProtocol[]): string {
  const known = 6;
  let weight = known + 1;
  const parts: string[] = [];
  for (const p of protocols) {
    let v = MEDIA_TYPES[p];
    if (p === 'PrometheusText1.0.0' || p === 'OpenMetricsText1.0.0') v += ';escaping=allow-utf-8';
    parts.push(`${v};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(',');
}

/** Media type of a Content-Type header (lower-cased, parameters dropped), or undefined when unparsable. */
function mediaType(contentType: string): string | undefined {
  const t = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : undefined;
}

/**
 * Chooses the parser for a response as Prometheus does (textparse.New): OpenMetrics for
 * `application/openmetrics-text`, the text format for `text/plain`; a blank, unparsable or
 * unknown type fails the scrape unless the job names a `fallback_scrape_protocol`.
 */
export function parserFor(contentType: string | undefined, body: string, fallback: ScrapeProtocol | undefined): ExpositionParser {
  const ct = contentType ?? '';
  let media = ct === '' ? undefined : mediaType(ct);
  const om2 = media === 'application/openmetrics-text' && /;\s*version\s*=\s*"?2\./i.test(ct);
  if (om2 && !fallback) {
    throw new UnsupportedContentTypeError(`received OpenMetrics 2.0 Content-Type ${JSON.stringify(ct)}, which Pharos does not parse, and no fallback_scrape_protocol specified for target`);
  }
  if (om2 || (media !== 'application/openmetrics-text' && media !== 'text/plain')) {
    if (!fallback) {
      if (ct === '') throw new UnsupportedContentTypeError('non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target');
      if (media === undefined) throw new UnsupportedContentTypeError(`cannot parse Content-Type ${JSON.stringify(ct)} and no fallback_scrape_protocol for target`);
      throw new UnsupportedContentTypeError(`received unsupported Content-Type ${JSON.stringify(ct)} and no fallback_scrape_protocol specified for target`);
    }
    media = fallback.startsWith('OpenMetrics') ? 'application/openmetrics-text' : 'text/plain';
  }
  return media === 'application/openmetrics-text' ? new OpenMetricsParser(body) : new PromTextParser(body);
}

export class UnsupportedContentTypeError extends Error {
  override readonly name = 'UnsupportedContentTypeError';
}
