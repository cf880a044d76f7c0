/**
 * `docker history` as the layer tests compare against it: Docker's own rows, and the rows a layer report
 * predicts (each layer's command with the history entries that made no layer folded around it).
 */
import { execFileSync } from 'child_process';
import type { ReportLayer } from '../../server/protocol';

export interface HistoryRow {
  createdBy: string;
  size: number;
}

/** `docker history --no-trunc --human=false` rows, newest first. */
export function dockerHistory(image: string): HistoryRow[] {
  return execFileSync('docker', ['history', '--no-trunc', '--human=false', '--format', '{{json .CreatedBy}}\t{{.Size}}', image], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [by, size] = line.split('\t');
      return { createdBy: JSON.parse(by) as string, size: Number(size) };
    });
}

/** The rows a report's image layers stand for, newest first: trailing entries, the layer, the empty ones before it. */
export function historyRows(layers: ReportLayer[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const l of layers.filter((x) => x.origin === 'image')) {
    for (const t of [...(l.trailingHistory ?? [])].reverse()) rows.push({ createdBy: t, size: 0 });
    rows.push({ createdBy: l.createdBy ?? '', size: l.bytes + l.symlinkBytes });
    for (const e of [...l.emptyHistory].reverse()) rows.push({ createdBy: e, size: 0 });
  }
  return rows;
}
