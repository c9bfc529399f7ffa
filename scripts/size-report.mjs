/**
 * File and function sizes of src/ and workers/ (the figures in docs/architecture.md):
 * `node scripts/size-report.mjs [rev]` — the working tree, or a git revision read with `git show`.
 * Prints the files over 300 lines (and whether their first line says why), the longest functions,
 * and the three the house issue named (LlamaModel.run, PythonSupervisor.ensure, the CLI train command's run).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const rev = process.argv[2];
const git = (...args) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
const files = (
  rev ? git('ls-tree', '-r', '--name-only', rev, '--', 'src', 'workers') : git('ls-files', 'src', 'workers')
)
  .split('\n')
  .filter((f) => /\.(ts|mts|mjs|py|css)$/.test(f));
const read = (f) => (rev ? git('show', `${rev}:${f}`) : readFileSync(f, 'utf8'));

const long = [];
const fns = [];
for (const f of files) {
  let text;
  try {
    text = read(f);
  } catch {
    continue; // deleted in the working tree but still listed
  }
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > 300) long.push({ f, lines, reason: /^(\/\/|#|\/\*) Over 300 lines/.test(text) });
  if (!/\.(ts|mts)$/.test(f)) continue;
  const sf = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
  const visit = (node, owner) => {
    let name = null;
    if (ts.isClassDeclaration(node) && node.name) owner = node.name.text;
    if (ts.isFunctionDeclaration(node) && node.name) name = node.name.text;
    else if ((ts.isMethodDeclaration(node) || ts.isGetAccessor(node)) && node.name)
      name = `${owner}.${node.name.getText(sf)}`;
    else if (ts.isConstructorDeclaration(node)) name = `${owner}.constructor`;
    else if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && node.body && ts.isBlock(node.body)) {
      const p = node.parent;
      if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) name = p.name.text;
      else if (ts.isPropertyAssignment(p)) name = `${owner ?? ''}{${p.name.getText(sf)}}`;
    }
    if (ts.isObjectLiteralExpression(node) && ts.isVariableDeclaration(node.parent))
      owner = node.parent.name.getText(sf);
    if (ts.isMethodDeclaration(node) && ts.isObjectLiteralExpression(node.parent))
      name = `${owner}.${node.name.getText(sf)}`;
    if (name && node.body) {
      const a = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const b = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      fns.push({ f, name, lines: b - a + 1 });
    }
    ts.forEachChild(node, (c) => visit(c, owner));
  };
  visit(sf, null);
}

long.sort((a, b) => b.lines - a.lines);
fns.sort((a, b) => b.lines - a.lines);
console.log(
  `${rev ?? 'working tree'}: ${files.length} files, ${long.length} over 300 lines (${long.filter((l) => !l.reason).length} without a reason at the top)`,
);
for (const l of long) console.log(`  ${String(l.lines).padStart(4)} ${l.f}${l.reason ? '' : '  (no reason)'}`);
console.log('longest functions:');
for (const x of fns.slice(0, 10)) console.log(`  ${String(x.lines).padStart(4)} ${x.name} (${x.f})`);
const named = [
  ['LlamaModel.run', 'src/core/model/llama.ts'],
  ['PythonSupervisor.ensure', 'src/services/python/supervisor.ts'],
  ['trainCommand.run', 'src/cli/commands/train.ts'],
];
console.log('named in the issue:');
for (const [n, f] of named) {
  const hit = fns.find((x) => x.name === n && x.f === f);
  console.log(`  ${n}: ${hit ? `${hit.lines} lines` : 'absent'}`);
}
