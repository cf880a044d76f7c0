/** Host paths shortened for a row, where the full path goes in the hover. No vscode import. */

/**
 * `/var/lib/docker/overlay2/<64 hex>/diff` → `overlay2/0123456789ab…/diff`; any other 64-digit id in a
 * path (`/var/lib/docker/containers/<id>/hosts`) → its first 12 digits and `…`.
 */
export function compactPath(p: string): string {
  return p
    .replace(/^.*\/(overlay2|overlay|snapshots)\/([0-9a-f]{12})[0-9a-f]{52}/, '$1/$2…')
    .replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
}
