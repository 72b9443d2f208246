/** Rows as a plain-text table with a header, columns padded to their widest cell; no colours. */
export function table<Row>(rows: readonly Row[], columns: ReadonlyArray<{ header: string; cell: (row: Row) => string }>): string {
  const cells = [columns.map((column) => column.header), ...rows.map((row) => columns.map((column) => column.cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
