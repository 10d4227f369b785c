/**
 * Series visibility from legend clicks, as Grafana's legend: a click isolates the series (or,
 * when it is already the only one shown, shows every series again); ctrl/cmd-click toggles
 * just that series. Keyed by series name (unique within a panel), so a refresh that brings
 * the same series keeps the selection.
 */
export function legendClick(hidden: ReadonlySet<string>, names: readonly string[], name: string, toggle: boolean): Set<string> {
  if (!names.includes(name)) throw new RangeError(`no series named "${name}" in this chart`);
  if (toggle) {
    const next = new Set(hidden);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    return next;
  }
  const onlyThisShown = !hidden.has(name) && names.every((n) => n === name || hidden.has(n));
  if (onlyThisShown) return new Set();
  return new Set(names.filter((n) => n !== name));
}

/** Visibility per series index, from the hidden names. */
export function visibleFlags(names: readonly string[], hidden: ReadonlySet<string>): boolean[] {
  return names.map((n) => !hidden.has(n));
}
