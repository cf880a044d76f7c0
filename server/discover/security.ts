/**
 * A process's LSM label (AppArmor profile or SELinux context) from /proc/PID/attr/current.
 *
 * The file is the kernel's, but the process is the node's: read it like any hostile file, through an fd
 * checked to be a regular file, at most LSM_LABEL_MAX_BYTES (the kernel returns at most a page). A kernel
 * without a major LSM answers EINVAL: no label, which is not a problem to report.
 */
import { readRegularFile } from '../sys/openChecked';

/** The kernel's proc_pid_attr_read hands back at most a page; a longer answer is not a label. */
export const LSM_LABEL_MAX_BYTES = 4096;

/** The label as the LSM prints it ("docker-default (enforce)", "system_u:system_r:container_t:s0:c1,c2"), or null. */
export function readLsmLabel(pid: number): string | null {
  const read = readRegularFile(`/proc/${pid}/attr/current`, LSM_LABEL_MAX_BYTES);
  if ('why' in read) return null;
  // The text ends with a newline (AppArmor) or a NUL (SELinux); "unconfined" is a label too.
  return read.data.toString('utf8').replace(/\0/g, '').trim() || null;
}
