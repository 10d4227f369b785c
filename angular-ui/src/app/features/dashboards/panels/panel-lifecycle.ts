import { DestroyRef, Injector, type Signal, afterNextRender, effect, inject, signal } from '@angular/core';

/**
 * What every panel renderer shares: its size from its container and the moment its data is
 * on screen. Call from a constructor or field initialiser (they inject).
 */

/**
 * The element's content box, tracked with a ResizeObserver (0 × 0 until it is laid out).
 * Renderers observe their host element, which their container sizes.
 */
export function containerSize(el: HTMLElement): { readonly width: Signal<number>; readonly height: Signal<number> } {
  const width = signal(0);
  const height = signal(0);
  const destroyRef = inject(DestroyRef);
  afterNextRender(() => {
    const observer = new ResizeObserver((entries) => {
      const rect = entries[0]?.contentRect;
      if (!rect) return;
      width.set(Math.floor(rect.width));
      height.set(Math.floor(rect.height));
    });
    observer.observe(el);
    destroyRef.onDestroy(() => observer.disconnect());
  });
  return { width: width.asReadonly(), height: height.asReadonly() };
}

/**
 * Emits `performance.now()` once the frame showing each new `data` value has been painted —
 * rAF callbacks run before a frame's layout and paint, so the second one runs after the frame
 * that holds the new content — and only once the panel has a size (`ready`), since a panel
 * without room shows nothing yet. A resize alone does not emit again: the page counts panels
 * painted per data change.
 */
export function emitWhenPainted(data: () => unknown, ready: () => boolean, emit: (at: number) => void): void {
  const injector = inject(Injector);
  let last: unknown = Symbol('none');
  effect(() => {
    const d = data();
    if (!ready() || d === last) return;
    last = d;
    afterNextRender(() => requestAnimationFrame(() => requestAnimationFrame(() => emit(performance.now()))), { injector });
  });
}

let probe: CanvasRenderingContext2D | null | undefined;

/**
 * Any CSS colour (a name, `var(--x)` read on `el`, hsl(), …) as `#rrggbb` or `rgba()`, which
 * the colour arithmetic reads; unresolvable input comes back as it was.
 */
export function resolveCssColor(color: string, el: Element): string {
  let c = color.trim();
  const v = /^var\((--[\w-]+)\)$/.exec(c);
  if (v) c = getComputedStyle(el).getPropertyValue(v[1]!).trim() || c;
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return c;
  // An invalid colour leaves fillStyle as it was: a sentinel tells the two apart.
  probe.fillStyle = '#010203';
  probe.fillStyle = c;
  const out = String(probe.fillStyle);
  return out === '#010203' && c.toLowerCase() !== '#010203' ? c : out;
}

/** The colour text on `el` is actually seen against: the first opaque background up the tree. */
export function surfaceColor(el: Element): string {
  for (let e: Element | null = el; e !== null; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    const alpha = /rgba\([^)]*,\s*([\d.]+)\s*\)/.exec(bg);
    if (bg !== '' && bg !== 'transparent' && (alpha === null || Number(alpha[1]) > 0.5)) return bg;
  }
  return '#ffffff';
}
