/**
 * Whether two JSON values are equal, compared in place: comparing their JSON texts built a string as
 * large as the process list at every pass, twice (a RangeError once a node's command lines were huge).
 * Objects compare by their own enumerable keys, whatever their order; undefined members count as absent,
 * as in JSON.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], bs[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  if (keys.length !== Object.keys(bo).filter((k) => bo[k] !== undefined).length) return false;
  for (const k of keys) if (!Object.prototype.hasOwnProperty.call(bo, k) || !sameData(ao[k], bo[k])) return false;
  return true;
}
