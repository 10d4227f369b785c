/**
 * Twenty distinguishable hues that keep 3:1 contrast on both the light and the dark
 * background; the same list everywhere a series is drawn, so a series keeps its colour
 * between Explore and a dashboard.
 */
export const SERIES_PALETTE: readonly string[] = [
  '#1f77b4', '#e6550d', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#3182bd', '#fd8d3c', '#31a354', '#ff6b6b', '#756bb1', '#a0522d', '#c51b8a', '#636363', '#8c8c00', '#0e9aa7',
];

/** The colour of the series at `index` (the palette repeats past twenty). */
export function seriesColor(index: number): string {
  return SERIES_PALETTE[index % SERIES_PALETTE.length]!;
}
