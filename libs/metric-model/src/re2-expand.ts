// Replacement templates for matches of `compileAnchoredRE2` patterns (`label_replace`, relabeling).

/**
 * Go's `Regexp.Expand` for a replacement template: `$name` / `${name}` (name = letters, digits,
 * underscores, the longest run — so `$1x` names group "1x"; all digits = group number, no
 * leading zero), `$$` for `$`; an unknown or unmatched group expands to nothing, a malformed `$`
 * stays literal.
 */
export function expandTemplate(template: string, match: RegExpExecArray, groupNames: readonly string[]): string {
  if (!template.includes('$')) return template;
  let out = '';
  let rest = template;
  for (;;) {
    const at = rest.indexOf('$');
    if (at < 0) break;
    out += rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(\{)?([\p{L}\p{Nd}_]+)/u.exec(rest);
    if (!ref || (ref[1] && rest[ref[0].length] !== '}')) {
      out += '$';
      continue;
    }
    const name = ref[2]!;
    rest = rest.slice(ref[0].length + (ref[1] ? 1 : 0));
    let num = -1;
    if (/^[0-9]+$/.test(name) && !(name.length > 1 && name[0] === '0') && name.length <= 9) num = Number(name);
    if (num >= 0) {
      if (num < match.length) out += match[num] ?? '';
      continue;
    }
    const index = groupNames.indexOf(name, 1);
    if (index > 0) out += match[index] ?? '';
  }
  return out + rest;
}
