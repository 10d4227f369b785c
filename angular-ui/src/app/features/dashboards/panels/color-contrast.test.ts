import { describe, expect, it } from 'vitest';
import { contrastRatio, parseRgb, readableTextOn, withContrast } from './color-contrast';

describe('readableTextOn', () => {
  it('chooses black on light colours and white on dark ones', () => {
    expect(readableTextOn('#ffffff')).toBe('#000000');
    expect(readableTextOn('#fade2a')).toBe('#000000'); // Grafana yellow
    expect(readableTextOn('#000')).toBe('#ffffff');
    expect(readableTextOn('#1f60c4')).toBe('#ffffff'); // Grafana dark blue
    expect(readableTextOn('rgba(242, 73, 92, 0.9)')).toBe('#000000');
    expect(readableTextOn('rgb(25, 100, 25)')).toBe('#ffffff');
    expect(readableTextOn('rgb(55, 135, 45)')).toBe('#000000'); // 4.7:1 black vs 4.5:1 white
  });
  it('falls back to white for colours it cannot read', () => {
    expect(readableTextOn('color-mix(in srgb, red, blue)')).toBe('#ffffff');
  });
});

describe('withContrast', () => {
  it('keeps a colour that already reads, as #rrggbb', () => {
    expect(withContrast('#1f60c4', '#ffffff', 4.5)).toBe('#1f60c4');
    expect(withContrast('rgb(255, 255, 0)', '#15181d', 4.5)).toBe('#ffff00');
  });
  it('darkens on a light background and lightens on a dark one, just enough', () => {
    const onLight = withContrast('#ffa500', '#ffffff', 3);
    const r1 = contrastRatio(parseRgb(onLight)!, [255, 255, 255]);
    expect(r1).toBeGreaterThanOrEqual(3);
    expect(r1).toBeLessThan(3.1);
    const onDark = withContrast('#1f60c4', '#15181d', 4.5);
    expect(contrastRatio(parseRgb(onDark)!, [0x15, 0x18, 0x1d])).toBeGreaterThanOrEqual(4.5);
    expect(parseRgb(onDark)![2]).toBeGreaterThan(0xc4); // lighter, still blue
  });
  it('returns what it cannot read unchanged', () => {
    expect(withContrast('var(--fg)', '#ffffff', 4.5)).toBe('var(--fg)');
  });
});
