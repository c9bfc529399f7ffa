/**
 * The import graph of src/ and workers/, read with the TypeScript compiler, checked against the layering the
 * README draws. `layerOf` names a file's layer; `ALLOWED` lists, per layer, the layers it may import from.
 * Static, dynamic (`import()`), type-only imports and re-exports all count.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export type Layer = 'core' | 'api' | 'platform' | 'services' | 'page' | 'ui' | 'cli' | 'workers';

/** Per layer, the layers it may import from (its own included). */
export const ALLOWED: Record<Layer, readonly Layer[]> = {
  core: ['core'],
  api: ['api', 'core'],
  platform: ['platform', 'api', 'core'],
  services: ['services', 'platform', 'api', 'core'],
  // The page-side composition root: wires services to browser transports and stores for the UI.
  page: ['page', 'services', 'platform', 'api', 'core'],
  ui: ['ui', 'page', 'api', 'core'],
  cli: ['cli', 'services', 'platform', 'api', 'core'],
  workers: ['workers', 'services', 'platform', 'api', 'core'],
};

export interface Edge {
  from: string; // path relative to the root, with '/'
  to: string;
  spec: string;
}

export interface Violation extends Edge {
  fromLayer: Layer;
  toLayer: Layer;
}

const posix = (p: string): string => p.split(sep).join('/');

/** The layer of a root-relative path, or undefined for files outside the layered tree (env.d.ts, assets). */
export function layerOf(path: string): Layer | undefined {
  const p = posix(path);
  if (p.startsWith('workers/')) return 'workers';
  const m = /^src\/([^/]+)\//.exec(p);
  if (!m) return undefined;
  const top = m[1] as Layer;
  return top in ALLOWED ? top : undefined;
}

function listSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSources(full));
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Every module specifier a file names: import/export declarations, `import()`, `import type`, `import x = require()`. */
export function importsOf(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) specs.push(arg.text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      specs.push(node.argument.literal.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e)) specs.push(e.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return specs;
}

/** The relative-import edges of every source file under `root`/src and `root`/workers (packages are skipped). */
export function readGraph(root: string): Edge[] {
  const edges: Edge[] = [];
  for (const file of [...listSources(join(root, 'src')), ...listSources(join(root, 'workers'))]) {
    for (const spec of importsOf(file, readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec.replace(/\?.*$/, ''));
      edges.push({ from: posix(relative(root, file)), to: posix(relative(root, target)), spec });
    }
  }
  return edges;
}

/** The edges that go from one layer to a layer it may not import. */
export function violations(edges: readonly Edge[]): Violation[] {
  const out: Violation[] = [];
  for (const e of edges) {
    const fromLayer = layerOf(e.from);
    const toLayer = layerOf(e.to);
    if (!fromLayer || !toLayer) continue;
    if (!ALLOWED[fromLayer].includes(toLayer)) out.push({ ...e, fromLayer, toLayer });
  }
  return out;
}

export const describeViolation = (v: Violation): string =>
  `${v.from} (${v.fromLayer}) → ${v.to} (${v.toLayer}) via '${v.spec}'`;
