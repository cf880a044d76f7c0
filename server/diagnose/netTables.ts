/**
 * The kernel's per-namespace network tables as /proc/PID/net/* prints them for the namespace of PID (man 5
 * proc; net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/route.c, net/unix/af_unix.c unix_seq_show). Pure
 * parsers: the reading is in network.ts. Addresses in tcp/udp/route are hex of the kernel's in-memory
 * words, so on little-endian machines each 32-bit word reads byte-reversed.
 */
import type { NetInterface, NetRoute, NetSocket } from '../protocol';

type Counters = Omit<NetInterface, 'name' | 'state' | 'mtu' | 'addresses'>;

/** /proc/net/dev: two header lines, then "  name: 16 counters" (8 receive, 8 transmit). */
export function parseNetDev(text: string): (Counters & { name: string })[] {
  const out: (Counters & { name: string })[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const n = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (n.length < 16 || n.some((v) => !Number.isSafeInteger(v))) continue;
    out.push({
      name: line.slice(0, colon).trim(),
      rxBytes: n[0],
      rxPackets: n[1],
      rxErrors: n[2],
      rxDropped: n[3],
      txBytes: n[8],
      txPackets: n[9],
      txErrors: n[10],
      txDropped: n[11],
    });
  }
  return out;
}

/** A 32-bit word of the kernel's memory as /proc prints it ("0100007F"), as its four bytes in memory order. */
function wordBytes(hex: string, littleEndian: boolean): number[] {
  const v = parseInt(hex, 16);
  const b = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return littleEndian ? b.reverse() : b;
}

/** An IPv4 address printed as one word (tcp, udp, route). */
export function ipv4FromHex(hex: string, littleEndian = true): string {
  return wordBytes(hex, littleEndian).join('.');
}

/** An IPv6 address printed as four words (tcp6, udp6), or as 32 hex digits in order (ipv6_route, if_inet6: `inOrder`). */
export function ipv6FromHex(hex: string, inOrder = false, littleEndian = true): string {
  const bytes = inOrder
    ? Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16))
    : [0, 1, 2, 3].flatMap((w) => wordBytes(hex.slice(w * 8, w * 8 + 8), littleEndian));
  // An IPv4-mapped address (::ffff:a.b.c.d) reads as ss prints it.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2] << 8) | bytes[i * 2 + 1]).toString(16));
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

const TCP_STATES: Record<number, string> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
};

/** address:port from "0100007F:1F90"; IPv6 in brackets, as ss writes it. */
function endpoint(hex: string, v6: boolean, littleEndian: boolean): string {
  const [addr, port] = hex.split(':');
  const p = parseInt(port, 16);
  return v6 ? `[${ipv6FromHex(addr, false, littleEndian)}]:${p}` : `${ipv4FromHex(addr, littleEndian)}:${p}`;
}

/** /proc/net/{tcp,tcp6,udp,udp6}: a header, then "sl: local remote st … uid timeout inode …". Owners are filled in later. */
export function parseInetSockets(text: string, protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6', littleEndian = true): NetSocket[] {
  const v6 = protocol.endsWith('6');
  const udp = protocol.startsWith('udp');
  const out: NetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0])) continue;
    const st = parseInt(f[3], 16);
    const remote = endpoint(f[2], v6, littleEndian);
    // UDP has no states of its own: the kernel prints TCP_CLOSE (7) for an unconnected one, as ss's UNCONN.
    const state = udp ? (st === 1 ? 'ESTABLISHED' : 'UNCONN') : (TCP_STATES[st] ?? `state ${st}`);
    const unconnected = /^(\[::\]|0\.0\.0\.0):0$/.test(remote);
    out.push({
      protocol,
      state,
      local: endpoint(f[1], v6, littleEndian),
      remote: unconnected ? null : remote,
      inode: Number(f[9]),
      owners: [],
    });
  }
  return out;
}

/** /proc/net/unix: "Num RefCount Protocol Flags Type St Inode [Path]"; __SO_ACCEPTCON (1 << 16) in Flags is a listener. */
export function parseUnixSockets(text: string): NetSocket[] {
  const out: NetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^\s*[0-9a-f]+: [0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+) (\d+)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const listening = (parseInt(m[1], 16) & 0x10000) !== 0;
    const st = parseInt(m[2], 16);
    const state = listening ? 'LISTEN' : st === 3 ? 'CONNECTED' : st === 1 ? 'UNCONNECTED' : `state ${st}`;
    out.push({ protocol: 'unix', state, local: m[4] || null, remote: null, inode: Number(m[3]), owners: [] });
  }
  return out;
}

/** The prefix length of an IPv4 netmask printed as a word; null when the mask is not contiguous. */
function maskBits(hex: string, littleEndian: boolean): number | null {
  const bits = wordBytes(hex, littleEndian)
    .map((b) => b.toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') < 0 ? 32 : bits.indexOf('0')) : null;
}

/** /proc/net/route (IPv4, main table): "Iface Destination Gateway Flags RefCnt Use Metric Mask …". */
export function parseRoutes4(text: string, littleEndian = true): NetRoute[] {
  const out: NetRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^[0-9A-F]{8}$/i.test(f[1])) continue;
    const bits = maskBits(f[7], littleEndian);
    const dest = ipv4FromHex(f[1], littleEndian);
    const gw = ipv4FromHex(f[2], littleEndian);
    out.push({
      family: 4,
      destination: bits === 0 ? 'default' : `${dest}/${bits ?? '?'}`,
      gateway: gw === '0.0.0.0' ? null : gw,
      device: f[0],
    });
  }
  return out;
}

/** /proc/net/ipv6_route: "dest destlen src srclen nexthop metric refcnt use flags iface", in order. Local and multicast table entries are left out, as `ip -6 route` does. */
export function parseRoutes6(text: string): NetRoute[] {
  const out: NetRoute[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^[0-9a-f]{32}$/.test(f[0])) continue;
    const flags = parseInt(f[8], 16);
    // RTF_LOCAL (0x80000000) and RTF_REJECT (0x0200) entries are not routes a person reads in `ip -6 route`.
    if (flags & 0x80000000 || flags & 0x200 || f[0].startsWith('ff')) continue;
    const len = parseInt(f[1], 16);
    const gw = ipv6FromHex(f[4], true);
    out.push({
      family: 6,
      destination: len === 0 ? 'default' : `${ipv6FromHex(f[0], true)}/${len}`,
      gateway: gw === '::' ? null : gw,
      device: f[9],
    });
  }
  return out;
}

/** `ip -j addr show` as iproute2 prints it: state, MTU and addresses per interface. Pure; null when it is not that. */
export function parseIpAddrJson(text: string): Map<string, { state: string | null; mtu: number | null; addresses: string[] }> | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(doc)) return null;
  const out = new Map<string, { state: string | null; mtu: number | null; addresses: string[] }>();
  for (const l of doc as Record<string, unknown>[]) {
    if (!l || typeof l.ifname !== 'string') continue;
    const addrs = Array.isArray(l.addr_info) ? (l.addr_info as Record<string, unknown>[]) : [];
    out.set(l.ifname, {
      state: typeof l.operstate === 'string' ? l.operstate : null,
      mtu: typeof l.mtu === 'number' ? l.mtu : null,
      addresses: addrs.filter((a) => typeof a?.local === 'string').map((a) => `${String(a.local)}/${Number(a.prefixlen)}`),
    });
  }
  return out;
}
