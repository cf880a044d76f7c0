/**
 * Limits the container's own manager keeps. Written to the cgroup behind an engine's back, a limit lasts
 * only until the engine sets its own record again (a restart, an update, the kubelet's next sync), and
 * `docker inspect` goes on showing the old one. So:
 *  - a Docker container's limits change through the Docker Engine API (`POST /containers/{id}/update`, as
 *    `docker update` does): the engine writes the cgroup through runc, records it, and a restart keeps it;
 *  - a Kubernetes pod's container is refused: the kubelet owns its limits, and the answer says how to resize it;
 *  - any other container is written to its cgroup files as before (limit.ts), its notes saying who may undo it.
 * The checks (a limit below use, more CPUs than the node has, a cgroup that is not the container's own)
 * are limit.ts's, run as a dry run first; what holds afterwards is read back from the kernel, not taken
 * from the engine's word.
 */
import { ErrorCodes, type ContainerInfo, type LimitParams, type LimitResult } from '../protocol';
import { refuse } from '../failure';
import { formatLimit } from '../units';
import type { CgroupLine } from '../discover/procfs';
import { setLimits, type LimitOptions } from './limit';
import { dockerRequest, engineMessage, type EngineAnswer } from './dockerApi';
import { DOCKER_ANSWER_MS } from '../diagnose/dockerState';

/** How the engine is asked (tests hand in a recorder). */
export type EngineCall = (method: 'GET' | 'POST', apiPath: string, body?: unknown) => Promise<EngineAnswer>;

/** The longest a limit request takes before it settles by itself: two engine requests (inspect, update) and the cgroup reads. */
export const LIMIT_MOST_MS = 2 * DOCKER_ANSWER_MS + 5_000;

const DIRECT_NOTE = 'written to the cgroup directly: it lasts while the cgroup does';
const KEPT_NOTE =
  'changed through the Docker Engine API (POST /containers/{id}/update, as docker update does): docker inspect shows it and a restart keeps it';

export async function setLimitsKept(
  c: ContainerInfo,
  lines: CgroupLine[],
  params: LimitParams,
  opts: LimitOptions = {},
  engine: EngineCall = dockerRequest,
): Promise<LimitResult> {
  if (c.pod) {
    throw refuse(
      ErrorCodes.NotPermitted,
      `${c.name} is a container of pod ${c.pod.namespace}/${c.pod.name}: the kubelet owns its limits and sets them again from the pod spec; change resources.limits there (kubectl edit pod, or kubectl patch pod ${c.pod.name} -n ${c.pod.namespace} --subresource resize where in-place resize is enabled)`,
    );
  }
  if (c.runtime !== 'docker') return setLimits(c, lines, params, opts);

  // Every check limit.ts makes, and the limits as they are now, with nothing written.
  const plan = setLimits(c, lines, { ...params, dryRun: true }, { root: opts.root });
  if (params.memoryBytes === null || params.cpus === null) {
    throw refuse(
      ErrorCodes.Unsupported,
      `Docker's API cannot lift a ${params.memoryBytes === null ? 'memory' : 'CPU'} limit from a running container (0 leaves it as it is): give a value, or recreate ${c.name} without it`,
    );
  }
  const notes = [KEPT_NOTE, ...plan.notes.filter((n) => n !== DIRECT_NOTE && !n.startsWith('Docker still records'))];
  if (params.dryRun) return { ...plan, notes };

  const body: Record<string, number> = {};
  if (params.pidsMax !== undefined) body.PidsLimit = params.pidsMax ?? -1;
  if (params.cpus !== undefined) body.NanoCpus = Math.round(params.cpus * 1e9);
  if (params.memoryBytes !== undefined) {
    body.Memory = params.memoryBytes;
    // Docker's default swap allowance is as much again as the memory (MemorySwap = 2 × Memory): kept so,
    // else the engine refuses a memory limit above the old memory+swap.
    const inspect = await engine('GET', `/containers/${encodeURIComponent(c.id)}/json`);
    const host = (inspect.doc as { HostConfig?: { Memory?: unknown; MemorySwap?: unknown } } | null)?.HostConfig;
    if (typeof host?.Memory === 'number' && host.Memory > 0 && host.MemorySwap === 2 * host.Memory) {
      body.MemorySwap = 2 * params.memoryBytes;
      // limit.ts's note says the allowance as it stands before: no longer true once the engine changes it.
      notes.splice(0, notes.length, ...notes.filter((n) => !/^(memory\+swap|swap) stays limited/.test(n)));
      notes.push(
        `its swap allowance stays Docker's default, as much again as the memory (memory+swap ${formatLimit('bytes', body.MemorySwap)})`,
      );
    }
  }
  const answer = await engine('POST', `/containers/${encodeURIComponent(c.id)}/update`, body);
  // What holds now, from the kernel: the same checks' reading, after the engine's write.
  let now: LimitResult | null = null;
  try {
    now = setLimits(c, lines, { ...params, dryRun: true }, { root: opts.root });
  } catch (err) {
    notes.push(`what holds now could not be read back (${(err as Error).message}): not known`);
  }
  const changes = plan.changes.map((ch, i) => ({ ...ch, after: now ? now.changes[i].before : null, readBack: now !== null }));
  const audit = (outcome: string): void =>
    opts.audit?.({
      changes: changes.map((ch, i) => ({ file: ch.file, before: ch.before, requested: plan.changes[i].after, after: ch.after })),
      outcome,
    });
  if (answer.status !== 200) {
    const moved = changes.filter((ch) => ch.readBack && ch.after !== ch.before).map((ch) => ch.resource);
    const message = `the Docker engine refused the update of ${c.name}: ${engineMessage(answer)}; ${moved.length ? `the ${moved.join(' and ')} limit changed all the same (read back)` : 'nothing was changed'}`;
    audit(message);
    throw refuse(ErrorCodes.NotPermitted, message);
  }
  audit('applied through the Docker Engine API');
  return { ...plan, applied: true, changes, notes };
}
