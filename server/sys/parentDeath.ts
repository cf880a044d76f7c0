/**
 * The agent dies with the process that started it, even when its main thread is stuck in a system call:
 * prctl(PR_SET_PDEATHSIG, SIGKILL) (man 2 prctl) has the kernel kill it when its parent exits. The parent
 * is the client's own process locally, sudo or the SSH session's process on a node; a client killed with
 * SIGKILL then takes its agent along, where closing the channel would need the agent to notice.
 *
 * The signal is tied to the parent *thread* that forked the agent; Node, sudo and sshd fork from their
 * main thread. A parent that died before prctl ran cannot signal any more: the agent then already has a
 * new parent (init or a subreaper), which the check after prctl catches.
 */
import { loadLibc, nativeUnavailableReason, errnoName } from './libc';

const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;

/**
 * Arms the parent-death signal. `parent` is the parent pid the agent saw first (process.ppid at start).
 * Returns 'orphaned' when the parent is already gone (the caller exits), null when armed, or why it
 * could not be armed (native calls unavailable, prctl refused): the watchdog's channel check remains.
 */
export function dieWithParent(parent: number): string | null {
  const native = loadLibc();
  if (!native) return nativeUnavailableReason() ?? 'native calls unavailable';
  const prctl = native.lib.func(
    'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
  ) as (...a: number[]) => number;
  const getppid = native.lib.func('int getppid(void)') as () => number;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) !== 0) return `prctl(PR_SET_PDEATHSIG): ${errnoName(native.koffi.errno())}`;
  return getppid() === parent ? null : 'orphaned';
}
