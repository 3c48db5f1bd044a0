/** Plain text tables for a person at a terminal: columns aligned, two spaces between them. */

/** Rows with their columns aligned; the last column is not padded (no trailing spaces when a line is copied). */
export function alignedColumns(rows: ReadonlyArray<readonly string[]>): string {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return rows.map(line).join('\n');
}

/** A header row, then the rows. */
export function alignedTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return alignedColumns([header, ...rows]);
}

/** `label  value` lines, the facts without a value left out (`deliveries show`, `events show`). */
export function factColumns(facts: ReadonlyArray<readonly [string, string | undefined]>): string {
  return alignedColumns(facts.filter((fact): fact is readonly [string, string] => fact[1] !== undefined));
}
