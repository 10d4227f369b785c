import type { Stream } from '#pharos/stream';
import type { SelfMetrics } from '#pharos/telemetry';

/**
 * Watches how far a consumer group lags behind a topic and turns it into the collector's
 * backpressure signal. Lag comes in records; bytes are estimated from the average record
 * size this process produced, which is what the configured limit is about (disk and replay).
 */
export class StreamLagMonitor {
  private lagRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private averageRecordBytes = 64 * 1024;

  constructor(
    private readonly stream: Stream,
    private readonly topic: string,
    private readonly group: string,
    private readonly maxLagBytes: number,
    private readonly metrics: SelfMetrics,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(intervalMs = 1000): void {
    const tick = async (): Promise<void> => {
      try {
        const lag = await this.stream.lag(this.group, this.topic);
        let total = 0;
        for (const p of lag) {
          total += p.lagRecords;
          this.metrics.streamLagRecords.set({ topic: this.topic, group: this.group, partition: String(p.partition) }, p.lagRecords);
        }
        this.lagRecords = total;
      } catch (err) {
        this.onError(err);
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Feeds the size of a produced record into the bytes-per-record estimate. */
  recordProduced(bytes: number): void {
    this.averageRecordBytes += (bytes - this.averageRecordBytes) * 0.01;
  }

  get lagBytesEstimate(): number {
    return this.lagRecords * this.averageRecordBytes;
  }

  isBackpressured(): boolean {
    return this.lagBytesEstimate > this.maxLagBytes;
  }
}
