/**
 * Markdown for text panels, rendered here rather than with a library so the output is a small,
 * known set of elements: headings, paragraphs, emphasis, strike-through, code spans and fenced
 * blocks, lists (nested by indentation), block quotes, rules and links. Everything the author
 * wrote is HTML-escaped — raw HTML shows as text — and links keep only http(s), mailto and
 * relative targets, so the result is safe before Angular's `[innerHTML]` sanitizer (which the
 * panel still applies) sees it.
 */

export interface MarkdownOptions {
  /**
   * Added to every heading level (capped at h6), so a `#` in a panel does not outrank the page's
   * and panel's own headings.
   */
  readonly headingOffset?: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)\s*$/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const BULLET = /^( {0,3})([-*+])\s+(.*)$/;
const ORDERED = /^( {0,3})(\d{1,9})[.)]\s+(.*)$/;
const BLANK = /^\s*$/;

export function renderMarkdown(source: string, options: MarkdownOptions = {}): string {
  const offset = options.headingOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > 5) throw new RangeError(`headingOffset must be a whole number from 0 to 5, got ${offset}`);
  // NUL marks held pieces of inline markup; it has no business in text anyway.
  return blocks(source.replace(/\u0000/g, '').replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n'), offset);
}

function blocks(lines: readonly string[], offset: number): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (BLANK.test(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const close = new RegExp(`^ {0,3}${fence[1]![0] === '`' ? '`' : '~'}{${fence[1]!.length},}\\s*$`);
      const body: string[] = [];
      i++;
      while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!);
      i++; // the closing fence (an unclosed block runs to the end, as CommonMark says)
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : '';
      out.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + offset);
      out.push(`<h${level}>${inline(heading[2] ?? '')}</h${level}>`);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !BLANK.test(lines[i]!)) {
        const q = QUOTE.exec(lines[i]!);
        body.push(q ? q[1]! : lines[i]!); // lazy continuation lines belong to the quote
        i++;
      }
      out.push(`<blockquote>${blocks(body, offset)}</blockquote>`);
      continue;
    }
    const item = BULLET.exec(line) ?? ORDERED.exec(line);
    if (item) {
      i = list(lines, i, offset, out);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !BLANK.test(lines[i]!) && !startsBlock(lines[i]!)) para.push(lines[i++]!);
    out.push(`<p>${paragraph(para)}</p>`);
  }
  return out.join('\n');
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || BULLET.test(line) || ORDERED.test(line);
}

/** A list starting at `start`; items own the lines indented past their marker. Returns the next line index. */
function list(lines: readonly string[], start: number, offset: number, out: string[]): number {
  const first = (BULLET.exec(lines[start]!) ?? ORDERED.exec(lines[start]!))!;
  const ordered = ORDERED.test(lines[start]!);
  const marker = ordered ? ORDERED : BULLET;
  const items: string[] = [];
  let i = start;
  let loose = false;
  while (i < lines.length) {
    const m = marker.exec(lines[i]!);
    if (!m) break;
    // Continuation lines must reach the column where the item's text starts.
    const indent = m[0].length - m[3]!.length;
    const body = [m[3]!];
    i++;
    while (i < lines.length) {
      const l = lines[i]!;
      if (BLANK.test(l)) {
        // A blank line inside an item (followed by an indented line) makes the list loose.
        if (i + 1 < lines.length && leadingSpaces(lines[i + 1]!) >= indent) {
          body.push('');
          loose = true;
          i++;
          continue;
        }
        break;
      }
      if (leadingSpaces(l) >= indent) body.push(l.slice(indent));
      else if (marker.test(l) || startsBlock(l)) break;
      else body.push(l); // lazy continuation of the item's paragraph
      i++;
    }
    items.push(body.join('\n'));
    // A blank line between items also makes the list loose; the list goes on after it.
    if (i + 1 < lines.length && BLANK.test(lines[i] ?? 'x') && marker.test(lines[i + 1]!)) {
      loose = true;
      i++;
    }
  }
  const html = items.map((body) => {
    const rendered = blocks(body.split('\n'), offset);
    // A tight list's items show their text without paragraph margins.
    return `<li>${loose ? rendered : rendered.replace(/^<p>([\s\S]*?)<\/p>/, '$1')}</li>`;
  });
  const startNumber = ordered ? Number(first[2]) : 1;
  const open = ordered ? (startNumber === 1 ? '<ol>' : `<ol start="${startNumber}">`) : '<ul>';
  out.push(`${open}\n${html.join('\n')}\n${ordered ? '</ol>' : '</ul>'}`);
  return i;
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length;
}

/** Paragraph lines; two trailing spaces or a backslash end a line with a hard break. */
function paragraph(lines: readonly string[]): string {
  return lines
    .map((l, i) => {
      const last = i === lines.length - 1;
      const hard = !last && (/ {2,}$/.test(l) || /\\$/.test(l));
      const text = inline(l.trim().replace(/\\$/, last ? '\\' : ''));
      return hard ? `${text}<br>` : text;
    })
    .join('\n');
}

const ESCAPABLE = /\\([\\`*_{}[\]()#+\-.!~|>])/g;

/**
 * Inline markup. Code spans, links and escaped characters are cut out first and put back last,
 * so nothing inside them is read as emphasis; everything else is escaped before markup is added.
 */
function inline(text: string): string {
  const held: string[] = [];
  let s = markup(text, held);
  // Held pieces may hold others (a link label with code), so restore until none is left.
  while (s.includes('\u0000')) s = s.replace(/\u0000(\d+)\u0000/g, (_, n: string) => held[Number(n)]!);
  return s;
}

/** Inline markup with code, links and escapes left as placeholders into `held`. */
function markup(text: string, held: string[]): string {
  const hold = (html: string) => `\u0000${held.push(html) - 1}\u0000`;
  let s = text;
  s = s.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_, _ticks: string, code: string) => hold(`<code>${escapeHtml(code.replace(/^ ([\s\S]*) $/, '$1'))}</code>`));
  s = s.replace(ESCAPABLE, (_, c: string) => hold(escapeHtml(c)));
  s = s.replace(/<((?:https?:\/\/|mailto:)[^\s<>]+)>/gi, (_, url: string) => hold(link(url, escapeHtml(url), '')));
  s = s.replace(/!?\[([^\]]*)\]\(\s*([^\s)]*)(?:\s+"([^"]*)")?\s*\)/g, (_, label: string, url: string, title: string | undefined) => hold(link(url, markup(label, held), title ?? '')));
  s = escapeHtml(s);
  s = s.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__(?!\w)/g, (_, a: string | undefined, b: string | undefined) => `<strong>${a ?? b}</strong>`);
  s = s.replace(/\*(?=\S)([\s\S]*?\S)\*|(?<!\w)_(?=\S)([\s\S]*?\S)_(?!\w)/g, (_, a: string | undefined, b: string | undefined) => `<em>${a ?? b}</em>`);
  s = s.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '<del>$1</del>');
  return s;
}

/** `href` kept only for schemes that cannot run script; other links show their label alone. */
function link(url: string, labelHtml: string, title: string): string {
  if (!isSafeUrl(url)) return labelHtml;
  const external = /^(?:https?:)?\/\//i.test(url);
  const titleAttr = title === '' ? '' : ` title="${escapeHtml(title)}"`;
  const rel = external ? ' target="_blank" rel="noopener noreferrer"' : '';
  return `<a href="${escapeHtml(url)}"${titleAttr}${rel}>${labelHtml}</a>`;
}

export function isSafeUrl(url: string): boolean {
  const u = url.trim();
  if (u === '') return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u);
  return scheme === null ? true : ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase());
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
