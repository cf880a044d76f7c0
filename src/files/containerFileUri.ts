/**
 * The shape of a container file's URI: `nodescope-files://<node>.<container>/<container name>/<path>`;
 * of a layer's: `nodescope-files://<node>.<container>.layer<N>/<container name> (layer N)/<path>` for the
 * files layer N holds itself (its whiteouts among them), `…<container>.upto<N>/<container name> (up to
 * layer N)/<path>` for the merged view of layer N and every layer below it (the agent's layerFiles.*
 * methods; N as LayerRef.index, 0 = top-most). The container may be a Docker image's id too.
 *
 * What a person reads is the path: the file dialog's box, the tab's description, the breadcrumbs and the
 * hover all show `/web/etc/passwd` (package.json's resourceLabelFormatters shows the path alone), the tab
 * itself `passwd`. The first segment is the container's name, for people only; which container it is,
 * and on which node, rides in the authority, hex-encoded because an authority is compared without regard
 * to case and may not carry the `:` and `@` of a node id such as `ssh:root@node1:22`. The view rides there
 * too, so that the first path segment stays for people (its suffix only repeats the view for the tab's
 * description and the diff editor's title). No vscode import.
 */

/** Which layer files a URI names; absent on a URI of the container's own view. */
export interface LayerViewRef {
  layer: number;
  /** true: the merged view up to the layer; false: the layer alone. */
  merged: boolean;
}

export interface ContainerFileRef {
  nodeId: string;
  containerId: string;
  /** Absolute, inside the container; undefined for the URI's root, above the container's own root. */
  file: string | undefined;
  view?: LayerViewRef;
}

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const unhex = (s: string): string | undefined => (/^(?:[0-9a-f]{2})+$/.test(s) ? Buffer.from(s, 'hex').toString('utf8') : undefined);

/** One path segment that says which container: its name, with a slash (a pod's `ns/pod`) made harmless. */
export function nameSegment(name: string): string {
  const seg = name.replace(/\//g, '∕').trim();
  return seg === '' || seg === '.' || seg === '..' ? '_' : seg;
}

/** How a view is named to people: "layer 3", "up to layer 3". */
export function viewLabel(view: LayerViewRef): string {
  return view.merged ? `up to layer ${view.layer}` : `layer ${view.layer}`;
}

/** The first path segment: the container's name, and the view when there is one. */
export function rootSegment(containerName: string, view?: LayerViewRef): string {
  return view ? `${nameSegment(containerName)} (${viewLabel(view)})` : nameSegment(containerName);
}

export function containerFileParts(
  nodeId: string,
  containerId: string,
  containerName: string,
  file: string,
  view?: LayerViewRef,
): { authority: string; path: string } {
  const inside = file.startsWith('/') ? file : `/${file}`;
  const viewPart = view ? `.${view.merged ? 'upto' : 'layer'}${view.layer}` : '';
  return { authority: `${hex(nodeId)}.${hex(containerId)}${viewPart}`, path: `/${rootSegment(containerName, view)}${inside}` };
}

/** undefined: not a URI this module made. */
export function parseContainerFile(authority: string, path: string): ContainerFileRef | undefined {
  const [node, container, viewPart, ...extra] = authority.toLowerCase().split('.');
  const nodeId = unhex(node ?? '');
  const containerId = unhex(container ?? '');
  if (nodeId === undefined || containerId === undefined || extra.length) return undefined;
  let view: LayerViewRef | undefined;
  if (viewPart !== undefined) {
    // A layer index as the agent numbers them: digits, no leading zero, within what a stack can hold.
    const m = /^(layer|upto)(0|[1-9][0-9]{0,3})$/.exec(viewPart);
    if (!m) return undefined;
    view = { layer: Number(m[2]), merged: m[1] === 'upto' };
  }
  const [, , ...rest] = path.split('/');
  const named = path.split('/')[1];
  return { nodeId, containerId, file: named ? `/${rest.join('/')}` : undefined, ...(view ? { view } : {}) };
}

/** The same file in another view of the same container (`view` undefined: the container's own); undefined: not a URI of this module. */
export function switchView(
  authority: string,
  path: string,
  view: LayerViewRef | undefined,
): { authority: string; path: string } | undefined {
  const ref = parseContainerFile(authority, path);
  if (!ref) return undefined;
  const segment = path.split('/')[1] ?? '';
  // The name segment is for people only: kept as the URI has it, its view suffix replaced.
  const name = ref.view && segment.endsWith(`(${viewLabel(ref.view)})`) ? segment.slice(0, -(viewLabel(ref.view).length + 3)) : segment;
  return containerFileParts(ref.nodeId, ref.containerId, name, ref.file ?? '/', view);
}
