/**
 * What a confirmed launch sends back with its request, so that what starts is what the person saw: the
 * plan's name, command and layer directories, and the inodes of the namespaces it joins (the agent refuses
 * when any differs by then: the source or the target was restarted). Shared by the CLI and the editor.
 */
import type { LaunchParams, LaunchResult } from '../../server/protocol';

export function pinLaunch(plan: LaunchResult, request: Pick<LaunchParams, 'shareNs'>): Partial<LaunchParams> {
  const shareNs = request.shareNs &&
    plan.sharedNs && {
      ...request.shareNs,
      inodes: Object.fromEntries(plan.sharedNs.namespaces.map((n) => [n.type, n.inode])),
    };
  return { name: plan.name, command: plan.command, lowerdirs: plan.lowerdirs, ...(shareNs ? { shareNs } : {}) };
}
