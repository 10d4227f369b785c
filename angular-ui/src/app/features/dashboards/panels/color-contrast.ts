/**
 * Colour arithmetic for text drawn in threshold colours. Threshold colours are the author's
 * (Grafana's "orange" or "yellow" are common) and would often fail WCAG contrast as text on a
 * light theme, so panels keep the hue but move it towards black or white until it reads.
 * Colours here are `#rgb`, `#rrggbb` (alpha ignored) or `rgb()/rgba()`: the forms a canvas
 * normalises any CSS colour to (see `resolveCssColor` in panel-lifecycle.ts).
 */

export type Rgb = readonly [number, number, number];

export function parseRgb(color: string): Rgb | null {
  const c = color.trim().toLowerCase();
  let m = /^#([0-9a-f])([0-9a-f])([0-9a-f])([0-9a-f])?$/.exec(c);
  if (m) return [parseInt(m[1]! + m[1]!, 16), parseInt(m[2]! + m[2]!, 16), parseInt(m[3]! + m[3]!, 16)];
  m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/.exec(c);
  if (m) return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return null;
}

/** WCAG relative luminance. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * Black or white text, whichever reads better on `background` (the luminance cut at 0.179 is
 * where both give the same contrast); white for a colour it cannot read, the usual choice on
 * saturated threshold colours.
 */
export function readableTextOn(background: string): '#000000' | '#ffffff' {
  const rgb = parseRgb(background);
  if (rgb === null) return '#ffffff';
  return luminance(rgb) > 0.179 ? '#000000' : '#ffffff';
}

const hex = (c: number) => Math.round(c).toString(16).padStart(2, '0');

/**
 * `color` as `#rrggbb`, mixed towards black (on a light background) or white (on a dark one)
 * just enough to reach `minRatio` against `background`. Unreadable input comes back unchanged.
 */
export function withContrast(color: string, background: string, minRatio: number): string {
  const fg = parseRgb(color);
  const bg = parseRgb(background);
  if (fg === null || bg === null) return color;
  if (contrastRatio(fg, bg) >= minRatio) return `#${fg.map(hex).join('')}`;
  const target = luminance(bg) > 0.179 ? 0 : 255;
  // Contrast grows monotonically along the mix, so bisect for the smallest mix that is enough.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 16; i++) {
    const mid = (lo + hi) / 2;
    if (contrastRatio(mix(fg, target, mid), bg) >= minRatio) hi = mid;
    else lo = mid;
  }
  return `#${mix(fg, target, hi).map(hex).join('')}`;
}

/** The mix rounded to whole channels, as it will be written, so the ratio checked is the one shown. */
function mix(c: Rgb, target: number, t: number): Rgb {
  return [Math.round(c[0] + (target - c[0]) * t), Math.round(c[1] + (target - c[1]) * t), Math.round(c[2] + (target - c[2]) * t)];
}
