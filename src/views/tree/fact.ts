/** A named value: the rows of a container's Overview and cgroup, a layer's content, the capability sets. */
import type { ItemOf } from './item';

export function fact(id: string, label: string, value: string | number | boolean | null | undefined, about?: string): ItemOf<'fact'> {
  const text = value === null || value === undefined ? 'unknown' : String(value);
  return { id, kind: 'fact', label, description: text, contextValue: 'fact', expandable: false, value: text, about };
}
