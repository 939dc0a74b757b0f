import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Cell, Table } from './scenarios/types.js';

/** A GitHub-flavoured markdown table; numbers are right-aligned. */
export function renderTable(table: Table): string {
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((row) => typeof row[i] === 'number'));
  const align = numeric.map((n) => (n ? '---:' : '---'));
  const lines = [
    `### ${table.title}`,
    '',
    `| ${table.columns.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(formatCell).join(' | ')} |`),
  ];
  if (table.note) lines.push('', table.note);
  return `${lines.join('\n')}\n`;
}

function formatCell(cell: Cell): string {
  if (typeof cell === 'string') return cell.replace(/\|/g, '\\|');
  if (Number.isInteger(cell)) return cell.toLocaleString('en-US');
  return cell.toLocaleString('en-US', { maximumFractionDigits: Math.abs(cell) < 10 ? 2 : 1 });
}

/** The machine the figures come from, as README.md quotes it. */
export function machine(): Record<string, string | number> {
  return {
    node: process.version,
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Writes the raw figures to bench/results/ (gitignored): one timestamped file and latest.json. */
export function writeResults(results: unknown, directory = join(__dirname, 'results')): string {
  mkdirSync(directory, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const file = join(directory, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(directory, 'latest.json'), json);
  return file;
}
