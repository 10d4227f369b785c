import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { RELATIVE_RANGES, formatDuration, formatInstant, isRelativeRange, parseDuration, parseInstant, type TimeRange, type TimeZone } from '../time/time-range';

export interface RangeSelection {
  readonly range: TimeRange;
  readonly zone: TimeZone;
  readonly stepMs: number | null;
}

/**
 * Time range (relative or absolute, local time or UTC) and step (automatic or fixed). Invalid
 * entries are reported beside the field and not emitted, so the page never runs a query over
 * a range the user did not mean.
 */
@Component({
  selector: 'ph-time-range-picker',
  template: `
    <div class="row" role="group" aria-label="Time range and resolution">
      <label>Range
        <select data-testid="range-select" [value]="rangeKey()" (change)="onRangeKind(valueOf($event))">
          @for (r of relative; track r) { <option [value]="r">Last {{ r }}</option> }
          @if (otherRelative(); as other) { <option [value]="other">Last {{ other }}</option> }
          <option value="absolute">Absolute…</option>
        </select>
      </label>
      @if (value().range.kind === 'absolute') {
        <label>From <input data-testid="range-from" class="instant" [value]="fromText()" (change)="onAbsolute('from', valueOf($event))" /></label>
        <label>To <input data-testid="range-to" class="instant" [value]="toText()" (change)="onAbsolute('to', valueOf($event))" /></label>
      }
      <label>Zone
        <select data-testid="zone-select" [value]="value().zone" (change)="onZone(valueOf($event))">
          <option value="local">Local</option>
          <option value="utc">UTC</option>
        </select>
      </label>
      @if (showStep()) {
        <label>Step
          <input data-testid="step-input" class="step" [value]="stepText()" [placeholder]="'auto (' + autoStepText() + ')'" (change)="onStep(valueOf($event))" />
        </label>
      }
    </div>
    @if (problem(); as p) { <p class="problem" role="alert" data-testid="range-problem">{{ p }}</p> }
  `,
  styles: `
    .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
    label { display: inline-flex; gap: 6px; align-items: center; color: var(--fg-muted); font-size: 13px; }
    .instant { width: 11.5em; font-family: var(--font-mono); }
    .step { width: 8em; font-family: var(--font-mono); }
    .problem { color: var(--danger); margin: 6px 0 0; font-size: 13px; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TimeRangePicker {
  readonly value = input.required<RangeSelection>();
  /** The step the page derives from the graph width when none is set; shown as a hint. */
  readonly autoStepMs = input<number | null>(null);
  /** Dashboards choose steps per panel, so they hide the step field. */
  readonly showStep = input(true);
  readonly selectionChange = output<RangeSelection>();

  protected readonly relative = RELATIVE_RANGES;
  protected readonly problem = signal<string | null>(null);
  /** A relative range that is not a preset (from a dashboard model), offered as it is. */
  protected readonly otherRelative = computed(() => {
    const r = this.value().range;
    return r.kind === 'relative' && !isRelativeRange(r.last) ? r.last : null;
  });
  protected readonly rangeKey = computed(() => {
    const r = this.value().range;
    return r.kind === 'relative' ? r.last : 'absolute';
  });
  protected readonly fromText = computed(() => this.instantText('from'));
  protected readonly toText = computed(() => this.instantText('to'));
  protected readonly stepText = computed(() => {
    const s = this.value().stepMs;
    return s === null ? '' : formatDuration(s);
  });
  protected readonly autoStepText = computed(() => {
    const s = this.autoStepMs();
    return s === null ? 'from width' : formatDuration(s);
  });

  /** The value of the input or select an event came from. */
  protected valueOf(event: Event): string {
    return (event.target as HTMLInputElement | HTMLSelectElement).value;
  }

  private instantText(side: 'from' | 'to'): string {
    const { range, zone } = this.value();
    if (range.kind !== 'absolute') return '';
    return formatInstant(side === 'from' ? range.fromMs : range.toMs, zone);
  }

  protected onRangeKind(key: string): void {
    const cur = this.value();
    if (isRelativeRange(key) || key === this.otherRelative()) return this.emit({ ...cur, range: { kind: 'relative', last: key } });
    // Switching to absolute starts from the window currently shown, which the user then edits.
    const now = Date.now();
    const last = cur.range.kind === 'relative' ? parseDuration(cur.range.last) : cur.range.toMs - cur.range.fromMs;
    this.emit({ ...cur, range: { kind: 'absolute', fromMs: now - last, toMs: now } });
  }

  protected onAbsolute(side: 'from' | 'to', text: string): void {
    const cur = this.value();
    if (cur.range.kind !== 'absolute') return;
    let ms: number;
    try {
      ms = parseInstant(text, cur.zone);
    } catch (err) {
      return this.problem.set(`${side}: ${(err as Error).message}`);
    }
    const fromMs = side === 'from' ? ms : cur.range.fromMs;
    const toMs = side === 'to' ? ms : cur.range.toMs;
    if (fromMs >= toMs) return this.problem.set('the range must start before it ends');
    this.emit({ ...cur, range: { kind: 'absolute', fromMs, toMs } });
  }

  protected onZone(zone: string): void {
    this.emit({ ...this.value(), zone: zone === 'utc' ? 'utc' : 'local' });
  }

  protected onStep(text: string): void {
    const t = text.trim();
    if (t === '') return this.emit({ ...this.value(), stepMs: null });
    try {
      this.emit({ ...this.value(), stepMs: parseDuration(t) });
    } catch (err) {
      this.problem.set(`step: ${(err as Error).message}`);
    }
  }

  private emit(sel: RangeSelection): void {
    this.problem.set(null);
    this.selectionChange.emit(sel);
  }
}
