/**
 * How every graph panel draws a node on its cytoscape canvas: a rounded box sized by its data (w, h) with
 * its wrapped label in the middle, in the theme's colours resolved by the panel (a canvas cannot read CSS
 * variables). Panels add their own classes on top.
 */
import type cytoscape from 'cytoscape';

export interface BoxColours {
  font: string;
  foreground: string;
  fill: string;
  border: string;
}

export function boxNodeStyle(c: BoxColours): cytoscape.StylesheetJson[number] {
  return {
    selector: 'node',
    style: {
      shape: 'round-rectangle',
      width: 'data(w)',
      height: 'data(h)',
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 11,
      'font-family': c.font,
      color: c.foreground,
      'background-color': c.fill,
      'border-width': 1,
      'border-color': c.border,
    },
  };
}
