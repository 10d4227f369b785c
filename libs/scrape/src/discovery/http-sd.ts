import { ScrapeHttpClient } from '../http-fetch.js';
import { parseTargetGroup, type HttpSdConfig, type TargetGroup } from '../scrape-config.js';
import type { DiscoveryErrorSink, DiscoveryProvider } from './provider.js';

/**
 * `http_sd_configs`: polls an endpoint that answers a JSON list of target groups (Prometheus'
 * HTTP SD contract: 200, `application/json`, `X-Prometheus-Refresh-Interval-Seconds` sent),
 * adding `__meta_url`. A failed poll keeps the previous groups and is reported.
 */
export class HttpDiscovery implements DiscoveryProvider {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly client: ScrapeHttpClient;

  constructor(
    private readonly config: HttpSdConfig,
    private readonly userAgent: string,
    private readonly onError: DiscoveryErrorSink,
  ) {
    this.client = new ScrapeHttpClient(config.http);
  }

  start(onUpdate: (groups: readonly TargetGroup[]) => void): void {
    const poll = async (): Promise<void> => {
      try {
        const groups = await this.fetchGroups();
        if (!this.stopped) onUpdate(groups);
      } catch (err) {
        this.onError(`http_sd ${this.config.url}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!this.stopped) this.timer = setTimeout(() => void poll(), this.config.refreshIntervalMs);
    };
    void poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.client.close();
  }

  async fetchGroups(): Promise<TargetGroup[]> {
    const res = await this.client.fetch(this.config.url, {
      headers: {
        accept: 'application/json',
        'user-agent': this.userAgent,
        'x-prometheus-refresh-interval-seconds': String(this.config.refreshIntervalMs / 1000),
      },
      timeoutMs: Math.max(1000, Math.min(this.config.refreshIntervalMs, 30_000)),
      bodySizeLimit: 64 * 1024 ** 2,
    });
    if (res.status !== 200) throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
    const type = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new Error(`unsupported content type ${JSON.stringify(res.contentType ?? '')}`);
    let doc: unknown;
    try {
      doc = JSON.parse(res.body.toString('utf8'));
    } catch (err) {
      throw new Error(`not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(doc)) throw new Error('expected a JSON list of target groups');
    return doc.map((g, i) => {
      const group = parseTargetGroup(g, `${this.config.url}:${i}`, `response[${i}]`);
      return { ...group, labels: { ...group.labels, __meta_url: this.config.url } };
    });
  }
}
