/**
 * Capability masks from /proc/PID/status, decoded to the names in linux/capability.h.
 */
import type { CapabilitySets } from '../protocol';

/** Bit N = capability N (include/uapi/linux/capability.h), 0..40. */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Docker's default set (moby oci/caps/defaults.go), for "differs from Docker's default" in the UI. */
export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** A 64-bit hex mask → names in bit order; bits without a known name stay numbers (a newer kernel). */
export function decodeCapabilities(mask: string): (string | number)[] {
  if (!/^[0-9a-fA-F]{1,16}$/.test(mask)) throw new Error(`not a capability mask: ${JSON.stringify(mask)}`);
  // Two 32-bit halves as plain numbers: BigInt shifts for 64 bits x 5 sets x every container added up.
  const padded = mask.padStart(16, '0');
  const halves = [parseInt(padded.slice(8), 16), parseInt(padded.slice(0, 8), 16)];
  const out: (string | number)[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((halves[bit >> 5] >>> (bit & 31)) & 1) out.push(CAPABILITY_NAMES[bit] ?? bit);
  }
  return out;
}

export function capabilitySets(status: { capInh: string; capPrm: string; capEff: string; capBnd: string; capAmb: string }): CapabilitySets {
  return {
    effective: decodeCapabilities(status.capEff),
    permitted: decodeCapabilities(status.capPrm),
    inheritable: decodeCapabilities(status.capInh),
    bounding: decodeCapabilities(status.capBnd),
    ambient: decodeCapabilities(status.capAmb),
    masks: {
      effective: status.capEff,
      permitted: status.capPrm,
      inheritable: status.capInh,
      bounding: status.capBnd,
      ambient: status.capAmb,
    },
  };
}
