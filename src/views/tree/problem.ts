/** What the agent could not read: the node's Problems group and a layer walk's unreadable directories. */
import type { Problem } from '../../../server/protocol';
import { problemWords } from '../problemWords';
import type { ItemOf } from './item';

export const PROBLEMS_ABOUT =
  'What the agent could not read in the last full snapshot (Refresh takes a new one). The facts they concern are shown as unknown.';

export function problemItems(id: string, problems: readonly Problem[]): ItemOf<'problem'>[] {
  return problems.map((p, i) => ({
    id: `${id}/${i}:${p.source}`,
    kind: 'problem' as const,
    label: p.source,
    // What the agent could not read, then what that leaves unknown and (in the hover) why.
    description: [p.message, problemWords(p)?.effect].filter(Boolean).join(': '),
    icon: 'warning',
    contextValue: 'problem',
    expandable: false,
    problem: p,
  }));
}

export function problemTooltip(p: Problem): string {
  return [`\`${p.source}\`: ${p.message}`, problemWords(p)?.why].filter(Boolean).join('\n\n');
}
