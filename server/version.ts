/** Replaced at build time by webpack's DefinePlugin with package.json's version; `dev` under tsx. */
declare const __NODESCOPE_VERSION__: string | undefined;
export const AGENT_VERSION: string = typeof __NODESCOPE_VERSION__ === 'string' ? __NODESCOPE_VERSION__ : 'dev';
