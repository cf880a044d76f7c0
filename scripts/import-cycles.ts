/**
 * Fails when the repository's own modules import each other in a circle (`npm run lint`).
 *
 * A cycle makes load order decide what a module sees at start-up (a class or a list `undefined` in one
 * direction only), and it welds layers that should come apart. Type-only imports count too: they are
 * erased at run time, but a circle of types is still two modules that cannot be understood, moved or
 * tested alone.
 *
 * The TypeScript compiler's own scanner and resolver do the work: every file of tsconfig.json is scanned
 * for `import`, `import type`, `export … from`, `import()` and `require()`, each specifier is resolved
 * as tsc resolves it, and the graph of the repository's files (not node_modules) is split into strongly
 * connected components (Tarjan). Any component of more than one file, or a file importing itself, is a
 * cycle; one concrete path through it is printed. About a second for the whole tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export type ImportGraph = Map<string, string[]>;

/** file -> the repository files it imports (absolute paths; declaration files and node_modules left out). */
export function buildImportGraph(files: readonly string[], options: ts.CompilerOptions): ImportGraph {
  const graph: ImportGraph = new Map();
  const host = ts.createCompilerHost(options);
  const cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, options);
  for (const file of files) {
    const scanned = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const ref of scanned.importedFiles) {
      const resolved = ts.resolveModuleName(ref.fileName, file, options, host, cache).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport || resolved.resolvedFileName.endsWith('.d.ts')) continue;
      targets.add(path.resolve(resolved.resolvedFileName));
    }
    graph.set(path.resolve(file), [...targets]);
  }
  return graph;
}

/** Each cycle as one closed path of files (first file repeated at the end), found per strongly connected component. */
export function findCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative so a deep import chain cannot overflow the stack.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++];
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfImport = component.length === 1 && (graph.get(member) ?? []).includes(member);
        if (component.length > 1 || selfImport) components.push(component);
      }
    }
  }
  return components.map((component) => cyclePath(graph, new Set(component)));
}

/** A shortest closed path through a component, from its first file in sort order (stable output). */
function cyclePath(graph: ImportGraph, members: Set<string>): string[] {
  const start = [...members].sort()[0];
  // Breadth-first from start, inside the component, until an edge leads back to start.
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const trail = [node];
        while (trail[0] !== start) trail.unshift(cameFrom.get(trail[0])!);
        return [...trail, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/** The files and options of a tsconfig.json, as tsc reads them. */
export function readProject(tsconfigPath: string): { files: string[]; options: ts.CompilerOptions } {
  const config = ts.readConfigFile(tsconfigPath, (f) => ts.sys.readFile(f));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(tsconfigPath));
  return { files: parsed.fileNames, options: parsed.options };
}

if (require.main === module) {
  // The repository's tsconfig.json, or the one named (the unit test points it at a planted tree).
  const tsconfig = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'tsconfig.json'));
  const root = path.dirname(tsconfig);
  const { files, options } = readProject(tsconfig);
  const cycles = findCycles(buildImportGraph(files, options));
  for (const cycle of cycles) {
    console.error(`import cycle: ${cycle.map((f) => path.relative(root, f)).join(' -> ')}`);
  }
  if (cycles.length > 0) {
    console.error(`${cycles.length} import cycle${cycles.length === 1 ? '' : 's'} among ${files.length} files`);
    process.exit(1);
  }
  console.log(`no import cycles among ${files.length} files`);
}
