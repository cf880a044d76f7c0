/** A container's capabilities: the effective set marked against Docker's default, then the other sets. */
import type { ContainerInfo } from '../../../server/protocol';
import { plural } from '../../../server/units';
import { capabilityDiff } from '../../model/format/container';
import { fact } from './fact';
import type { ItemOf, TreeItemShape } from './item';

export function capabilityItems(base: string, c: ContainerInfo): TreeItemShape[] {
  const caps = c.capabilities;
  if (!caps) return [fact(`${base}/unknown`, 'capabilities', null)];
  const diff = capabilityDiff(c);
  const items: TreeItemShape[] = caps.effective.map((cap): ItemOf<'capability'> => {
    const added = diff.added.includes(String(cap));
    return {
      id: `${base}/eff/${cap}`,
      kind: 'capability',
      label: String(cap),
      description: added ? 'added (not in Docker default)' : undefined,
      icon: added ? 'diff-added' : 'pass',
      contextValue: 'capability',
      expandable: false,
      capability: String(cap),
      held: true,
    };
  });
  for (const d of diff.dropped) {
    items.push({
      id: `${base}/dropped/${d}`,
      kind: 'capability',
      label: d,
      description: 'dropped (in Docker default)',
      icon: 'diff-removed',
      contextValue: 'capability',
      expandable: false,
      capability: d,
      held: false,
    });
  }
  items.push(
    fact(`${base}/bounding`, 'bounding set', plural(caps.bounding.length, 'capability', 'capabilities'), caps.bounding.join(', ')),
    fact(`${base}/permitted`, 'permitted set', plural(caps.permitted.length, 'capability', 'capabilities')),
    fact(`${base}/inheritable`, 'inheritable set', caps.inheritable.length ? caps.inheritable.join(', ') : 'empty'),
    fact(`${base}/ambient`, 'ambient set', caps.ambient.length ? caps.ambient.join(', ') : 'empty'),
  );
  return items;
}
