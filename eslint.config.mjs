// ESLint for the whole repository (`npm run lint`, which `npm test` runs first).
//
// Two jobs. Keep the rules that catch real bugs: typescript-eslint's type-checked recommended set
// (floating promises, misused promises, `any` leaking out of JSON, dead casts). And make the layering in
// README.md's "What is where" a law instead of a habit:
//   - src/connection, src/model and the agent (server/) never import `vscode`: the CLI, the tests and
//     the node-side agent load them where no editor exists;
//   - the agent imports nothing from the extension (src/): it is bundled alone and uploaded to nodes;
//   - browser code (the webview scripts) imports neither `vscode` nor a Node built-in: neither exists in
//     a webview, and webpack would fail late or polyfill quietly.
// Import cycles are checked by scripts/import-cycles.ts, which sees the whole graph (ESLint sees a file).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noVscode = {
  name: 'vscode',
  message: 'this layer runs without VS Code (CLI, tests, the agent): no vscode import here',
};
const noSrc = {
  regex: '(^|/)src(/|$)',
  message: 'the agent imports nothing from the extension (src/): it is bundled alone and uploaded to nodes',
};
const browserOnly = 'browser code: a webview has no Node built-in modules';
const noNodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: browserOnly }));
const noNodePrefix = { regex: '^node:', message: browserOnly };

/**
 * The options of no-restricted-imports for one layer. The typescript-eslint variant also sees
 * `import x = require()` and type-only imports. Flat config replaces a rule's options per file, never
 * merges them, so each layer's block lists all of its restrictions and the blocks' files do not overlap.
 */
const restrictImports = (paths, patterns = []) => ['error', { paths, patterns }];
// require('vscode') and import('vscode') are calls, which no-restricted-imports does not look at.
const noVscodeCalls = [
  'error',
  { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: noVscode.message },
  { selector: "ImportExpression[source.value='vscode']", message: noVscode.message },
];

export default tseslint.config(
  {
    // Built, downloaded or generated (server/generated: ajv's compiled validators, `npm run schema`).
    ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '.cache/**', 'docs/**', 'media/**', '**/generated/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a binding kept on purpose (a callback's position, a destructured rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Escaping control characters out of hostile names is this code's job: its regexes name them on purpose.
      'no-control-regex': 'off',
      // An async method with no await is how an implementation of a Promise-returning interface (sshAuth,
      // the in-process agent, CLI prompts) turns a throw into a rejection. Style, not a bug.
      '@typescript-eslint/require-await': 'off',
      // `${err}` of a caught `unknown` is the idiom for error lines here; '[object Object]' is what matters
      // and no-base-to-string (on) catches it wherever the type is known.
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // node:test's describe/it/test return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // Tests read the agent's and the CLI's JSON (typed `any` by JSON.parse) and assert on its shape:
      // typing every parsed reply would be hundreds of casts that check nothing the assertions do not.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Tests save a method (process.stderr.write, Buffer.from) to patch it and put it back.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  // Plain JavaScript (webpack config, the bundling script, this file) is CommonJS or ESM outside the
  // TypeScript project: no type information, and require is how CommonJS imports.
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // ---- layers (README.md, "What is where") ----
  {
    files: ['src/connection/**', 'src/model/**'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictImports([noVscode]), 'no-restricted-syntax': noVscodeCalls },
  },
  {
    files: ['server/**'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictImports([noVscode], [noSrc]), 'no-restricted-syntax': noVscodeCalls },
  },
  {
    files: ['src/panels/web/**', 'src/panels/**/web/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictImports([noVscode, ...noNodeBuiltins], [noNodePrefix]),
      'no-restricted-syntax': noVscodeCalls,
    },
  },
);
