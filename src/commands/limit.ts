/**
 * "Set Limit…" on a container: which limit (memory, processes, CPU, each shown with its value and what
 * is in use now), the new value, then a modal with what the agent's dry run says will change and what
 * the person should know (the engine keeps its own record). Only the modal's button writes anything.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import type { ContainerInfo, LimitResult } from '../../server/protocol';
import {
  formatBytes,
  formatCpuQuota,
  formatLimit,
  formatLimitBytes,
  parseLimitBytes,
  parseLimitCount,
  parseLimitCpus,
} from '../../server/units';
import { checkedBy } from './inputCheck';
import { confirmThenApply, registerNodescopeCommand, type CommandContext, type ContainerTarget } from './registerCommand';

interface LimitChoice extends vscode.QuickPickItem {
  key: 'memoryBytes' | 'pidsMax' | 'cpus';
  parse: (text: string) => number | null;
  prompt: string;
  value: string;
}

/** The three limits as the container has them now, from the node's last snapshot. */
function choices(c: ContainerInfo): LimitChoice[] {
  const cg = c.cgroup;
  const mem = cg?.memory;
  const cpu = cg?.cpu;
  const quotaCpus = cpu?.quotaUs != null && cpu.periodUs ? cpu.quotaUs / cpu.periodUs : null;
  return [
    {
      label: 'Memory',
      description: mem ? `${formatLimitBytes(mem.limitBytes)} · uses ${formatBytes(mem.usageBytes)}` : 'unknown',
      key: 'memoryBytes',
      parse: parseLimitBytes,
      prompt: 'A size such as 256m or 1.5g (binary units, as docker --memory), or max for no limit',
      // Exactly the limit that holds: accepting the prefill changes nothing.
      value: mem?.limitBytes == null ? '' : mem.limitBytes % 2 ** 20 === 0 ? `${mem.limitBytes / 2 ** 20}m` : String(mem.limitBytes),
    },
    {
      label: 'Tasks (pids)',
      description: cg?.pids ? `${cg.pids.max ?? 'unlimited'} · ${cg.pids.current ?? '?'} now` : 'unknown',
      key: 'pidsMax',
      parse: parseLimitCount,
      prompt: 'A whole number of tasks (processes and threads, as docker --pids-limit), or max for no limit',
      value: cg?.pids?.max != null ? String(cg.pids.max) : '',
    },
    {
      label: 'CPU',
      description: cpu ? formatCpuQuota(cpu.quotaUs, cpu.periodUs) : 'unknown',
      key: 'cpus',
      parse: parseLimitCpus,
      prompt: 'CPUs of time, such as 0.5 or 2 (as docker --cpus), or max for no limit',
      value: quotaCpus !== null ? String(quotaCpus) : '',
    },
  ];
}

function changeLines(r: LimitResult): string {
  return r.changes
    .map(
      (c) =>
        `${c.resource}: ${formatLimit(c.unit, c.before)} → ${formatLimit(c.unit, c.after)}${c.usage === null ? '' : c.unit === 'bytes' ? ` (uses ${formatBytes(c.usage)})` : ` (${c.usage} now)`}`,
    )
    .join('\n');
}

export function registerLimitCommand(extension: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const context: CommandContext = { extension, nodes };
  registerNodescopeCommand(context, 'nodescope.setLimit', (target) => setLimit(context, target), { target: 'container' });
}

async function setLimit(context: CommandContext, target: ContainerTarget): Promise<void> {
  const name = target.container.name;
  const which = await vscode.window.showQuickPick(choices(target.container), {
    title: `Set a limit of ${name}`,
    placeHolder: 'Which limit',
    ignoreFocusOut: true,
  });
  if (!which) return;
  const text = await vscode.window.showInputBox({
    title: `${which.label} limit of ${name}`,
    ignoreFocusOut: true,
    prompt: which.prompt,
    value: which.value,
    validateInput: checkedBy(which.parse),
  });
  if (text === undefined) return;
  const what = which.label.toLowerCase();
  // The agent checks everything first (its cgroup alone, not below what is in use) and writes nothing.
  await confirmThenApply(context, target, {
    method: 'limit.set',
    request: { container: target.container.id, [which.key]: which.parse(text) },
    failure: `cannot set the ${what} limit of ${name}`,
    question: (plan) => ({
      message: `Set the ${what} limit of ${name}?`,
      detail: `${changeLines(plan)}\n\n${plan.notes.join('.\n')}.`,
      button: 'Set Limit',
    }),
    said: (done) => ({
      log: `limit ${name} on ${target.session.label}: ${changeLines(done).replace(/\n/g, '; ')}`,
      notify: `${name}: ${changeLines(done).replace(/\n/g, '; ')}`,
    }),
  });
}
