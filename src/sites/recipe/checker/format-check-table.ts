import type { CheckRow } from './run-site-check.ts';

const LABEL = { pass: 'pass', fail: 'FAIL', skip: 'skip' } as const;

/** The checker's table: one line per row, then the totals. Plain text, aligned, no colours. */
export function formatCheckTable(title: string, rows: readonly CheckRow[]): string {
  const nameWidth = Math.max(5, ...rows.map((row) => row.name.length));
  const lines = [
    title,
    '',
    `${'CHECK'.padEnd(nameWidth)}  RESULT  ${'TIME'.padStart(7)}  EVIDENCE`,
    ...rows.map(
      (row) =>
        `${row.name.padEnd(nameWidth)}  ${LABEL[row.status].padEnd(6)}  ${`${row.ms} ms`.padStart(7)}  ${row.evidence}`,
    ),
    '',
  ];
  const count = (status: CheckRow['status']) => rows.filter((row) => row.status === status).length;
  lines.push(`${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
  return lines.join('\n');
}
