// cytoscape-elk ships no types: the one thing a page uses is the extension it registers (`cytoscape.use`).
// Shared by every graph panel (one declaration, so two panels do not declare the module twice).
declare module 'cytoscape-elk' {
  import type { Ext } from 'cytoscape';
  const register: Ext;
  export default register;
}
