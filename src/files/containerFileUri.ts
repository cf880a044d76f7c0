/**
 * The shape of a container file's URI: `nodescope-files://<node>.<container>/<container name>/<path>`.
 *
 * What a person reads is the path: the file dialog's box, the tab's description, the breadcrumbs and the
 * hover all show `/web/etc/passwd` (package.json's resourceLabelFormatters shows the path alone), the tab
 * itself `passwd`. The first segment is the container's name, for people only; which container it is,
 * and on which node, rides in the authority, hex-encoded because an authority is compared without regard
 * to case and may not carry the `:` and `@` of a node id such as `ssh:root@node1:22`. No vscode import.
 */

export interface ContainerFileRef {
  nodeId: string;
  containerId: string;
  /** Absolute, inside the container; undefined for the URI's root, above the container's own root. */
  file: string | undefined;
}

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const unhex = (s: string): string | undefined => (/^(?:[0-9a-f]{2})+$/.test(s) ? Buffer.from(s, 'hex').toString('utf8') : undefined);

/** One path segment that says which container: its name, with a slash (a pod's `ns/pod`) made harmless. */
export function nameSegment(name: string): string {
  const seg = name.replace(/\//g, '∕').trim();
  return seg === '' || seg === '.' || seg === '..' ? '_' : seg;
}

export function containerFileParts(nodeId: string, containerId: string, containerName: string, file: string): { authority: string; path: string } {
  const inside = file.startsWith('/') ? file : `/${file}`;
  return { authority: `${hex(nodeId)}.${hex(containerId)}`, path: `/${nameSegment(containerName)}${inside}` };
}

/** undefined: not a URI this module made. */
export function parseContainerFile(authority: string, path: string): ContainerFileRef | undefined {
  const [node, container, ...extra] = authority.toLowerCase().split('.');
  const nodeId = unhex(node ?? '');
  const containerId = unhex(container ?? '');
  if (nodeId === undefined || containerId === undefined || extra.length) return undefined;
  const [, , ...rest] = path.split('/');
  const named = path.split('/')[1];
  return { nodeId, containerId, file: named ? `/${rest.join('/')}` : undefined };
}
