/**
 * A small RFC 4180 CSV reader (quoted fields may hold commas, quotes doubled as `""`, and line
 * breaks), enough for the Loghub ground-truth files. Rows are returned as string arrays.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  let quoted = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      // Copy the run up to the next quote in one slice rather than char by char.
      const next = text.indexOf('"', i);
      if (next < 0) throw new Error('csv: unterminated quoted field');
      field += text.slice(i, next);
      i = next;
      continue;
    }
    if (c === 34 && field.length === 0) {
      quoted = true;
      i++;
    } else if (c === 44 /* , */) {
      row.push(field);
      field = '';
      i++;
    } else if (c === 10 || c === 13) {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (quoted) throw new Error('csv: unterminated quoted field');
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Parses a CSV with a header row into column arrays keyed by header name. */
export function parseCsvColumns(text: string, what = 'csv'): Map<string, string[]> {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) throw new Error(`${what}: empty file`);
  const columns = new Map<string, string[]>(header.map((h) => [h, [] as string[]]));
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length === 1 && row[0] === '') continue; // a blank line
    if (row.length !== header.length) {
      throw new Error(`${what}: row ${r + 1} has ${row.length} fields, the header has ${header.length}`);
    }
    for (let c = 0; c < header.length; c++) columns.get(header[c]!)!.push(row[c]!);
  }
  return columns;
}
