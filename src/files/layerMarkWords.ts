/** What a layer view's marks say to a person, as a file decoration (layerDecorations.ts). No vscode import. */
import type { LayerFileMarks } from '../../server/protocol';
import type { LayerViewRef } from './containerFileUri';

/** The decoration of an entry's marks in a view, or undefined when there is nothing to say. Pure. */
export function decorationOf(marks: LayerFileMarks, view: LayerViewRef): { badge: string; tooltip: string; color?: string } | undefined {
  const said: string[] = [];
  let badge: string | undefined;
  let color: string | undefined;
  if (marks.whiteout) {
    said.push(`whiteout: layer ${marks.layer} deletes this name from the layers below`);
    badge = 'W';
    color = 'gitDecoration.deletedResourceForeground';
  }
  if (marks.opaque) {
    said.push(`opaque directory: layer ${marks.layer} hides what the layers below hold here`);
    badge ??= 'O';
    color ??= 'gitDecoration.renamedResourceForeground';
  }
  if (marks.copiedUp) {
    said.push('copied up: the writable layer holds its own copy of what the layers below have');
    badge ??= 'C';
    color ??= 'gitDecoration.modifiedResourceForeground';
  }
  if (view.merged) said.push(`from layer ${marks.layer}`);
  // A badge holds at most two characters (VS Code refuses longer ones): layers past 99 say it in the tooltip only.
  if (view.merged && badge === undefined && marks.layer < 100) badge = String(marks.layer);
  if (!said.length) return undefined;
  return { badge: badge ?? '', tooltip: said.join(' · '), ...(color ? { color } : {}) };
}
