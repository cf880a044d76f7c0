// One config, four bundles (README.md, "What is where"):
//   dist/extension.js  the VS Code extension host side
//   dist/cli.js        the `nodescope` command line (same connection code as the extension)
//   dist/agent.js      the node-side agent, uploaded to nodes; targets Node 18+
//   dist/webview/*.js  browser code for the panels
// koffi stays external: scripts/bundle-agent.js ships it (with its native part) beside the agent,
// never inlined into a bundle.
'use strict';
const fs = require('fs');
const path = require('path');
const webpack = require('webpack');
const { version } = require('./package.json');

// The agent, CLI and extension all carry the package version: the handshake and the deploy cache use it.
const versionPlugin = () => new webpack.DefinePlugin({ __NODESCOPE_VERSION__: JSON.stringify(version) });

const tsRule = {
  test: /\.ts$/,
  exclude: /node_modules/,
  use: [{ loader: 'ts-loader', options: { transpileOnly: true } }],
};

function panelEntries() {
  const dir = path.resolve(__dirname, 'src', 'panels');
  const entries = {};
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const main = path.join(dir, name, 'web', 'main.ts');
    if (fs.existsSync(main)) entries[name] = `./src/panels/${name}/web/main.ts`;
  }
  return entries;
}

/** The codicon font and its stylesheet, beside the panel bundles (the .vsix carries no node_modules). */
class CopyCodicons {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('CopyCodicons', () => {
      const from = path.resolve(__dirname, 'node_modules', '@vscode', 'codicons', 'dist');
      const to = path.resolve(__dirname, 'dist', 'webview', 'codicons');
      fs.mkdirSync(to, { recursive: true });
      for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, f), path.join(to, f));
    });
  }
}

/** @type {(name: string, entry: string, extra?: object) => import('webpack').Configuration} */
function nodeBundle(name, entry, extra = {}) {
  return {
    name,
    target: 'node18',
    entry,
    output: {
      path: path.resolve(__dirname, 'dist'),
      filename: `${name}.js`,
      libraryTarget: 'commonjs2',
    },
    resolve: { extensions: ['.ts', '.js'] },
    module: { rules: [tsRule] },
    devtool: 'nosources-source-map',
    node: { __dirname: false, __filename: false },
    ignoreWarnings: [/Can't resolve '(cpu-features|\.\/crypto\/build\/Release\/sshcrypto\.node)'/],
    ...extra,
    // ssh2's native crypto addon is optional (it falls back to Node's crypto): leave it out of bundles
    // that must run on any node and any editor platform.
    plugins: [...(extra.plugins ?? [versionPlugin()]), new webpack.IgnorePlugin({ resourceRegExp: /sshcrypto\.node$/ })],
  };
}

module.exports = [
  nodeBundle('extension', './src/extension.ts', {
    externals: { vscode: 'commonjs vscode', koffi: 'commonjs koffi', 'cpu-features': 'commonjs cpu-features' },
  }),
  nodeBundle('cli', './src/cli.ts', {
    externals: { koffi: 'commonjs koffi', 'cpu-features': 'commonjs cpu-features' },
    plugins: [versionPlugin(), new webpack.BannerPlugin({ banner: '#!/usr/bin/env node', raw: true })],
  }),
  nodeBundle('agent', './server/agent.ts', {
    externals: { koffi: 'commonjs koffi' },
  }),
  {
    name: 'webview',
    target: 'web',
    // One bundle per panel page: src/panels/<name>/web/main.ts → dist/webview/<name>.js.
    entry: panelEntries(),
    plugins: [new CopyCodicons()],
    output: { path: path.resolve(__dirname, 'dist', 'webview'), filename: '[name].js' },
    resolve: { extensions: ['.ts', '.js'] },
    module: { rules: [tsRule] },
    devtool: 'nosources-source-map',
  },
];
