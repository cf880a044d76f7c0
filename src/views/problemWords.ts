/**
 * What a problem the agent reported means for the person reading the tree: the agent says what it could
 * not read (`/proc/1/ns: permission denied (EACCES)`); this says what is unknown because of it, and why
 * root can be refused. No vscode import.
 */
import type { Problem } from '../../server/protocol';

export interface ProblemWords {
  /** What is unknown because of it, for the row's description. */
  effect: string;
  /** Why it happens and what it does not affect (Markdown), for the tooltip. */
  why: string;
}

const DENIED = /permission denied|EACCES|EPERM/;

export function problemWords(p: Problem): ProblemWords | undefined {
  if (!DENIED.test(p.message)) return undefined;
  const ns = /^\/proc\/(\d+)\/(?:task\/\d+\/)?ns(?:\/(\w+))?$/.exec(p.source);
  if (ns) {
    const [, pid, type] = ns;
    return {
      effect: `which ${type ? `${type} namespace` : 'namespaces'} process ${pid} is in is unknown`,
      why: [
        `The kernel shows a process's namespace links only to a caller that may inspect the process as a debugger would (a ptrace read check, see namespaces(7) and ptrace(2)). Root is refused when the process is protected from it: by a security module, by a sandbox, or because it holds privileges the agent lacks.`,
        pid === '1'
          ? "PID 1 is often such a process: on a VM whose init is the hypervisor's own agent, or when the agent itself runs in a container. Nodescope takes the host's namespaces from the agent's own process, not from PID 1, so only PID 1's own entry is unknown; the rest of the tree is unaffected."
          : `Only process ${pid}'s namespaces are unknown; the rest of the tree is unaffected.`,
      ].join('\n\n'),
    };
  }
  return {
    effect: 'what it holds is unknown',
    why: 'Root was refused: a security module, a sandbox, or a missing capability keeps the agent from reading it. The facts that depend on it are shown as unknown; everything else was read.',
  };
}
