// Dependency rules of the layout (docs/ARCHITECTURE.md), checked on every test run:
//  - libs never import apps; apps import libs only through their public entry (#pharos/<lib>);
//  - apps import no other app but apps/common (apps/pharos, the composition root, excepted);
//  - libs never import NestJS;
//  - no relative import reaches into another lib or app;
//  - no import cycles between libs (the expected list of cycles is empty).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const problems = [];
const libGraph = new Map();

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const top of ['libs', 'apps']) {
  for (const unit of readdirSync(join(root, top))) {
    const unitDir = join(root, top, unit);
    if (!statSync(unitDir).isDirectory()) continue;
    if (top === 'libs') libGraph.set(unit, new Set());
    for (const file of files(unitDir)) {
      const rel = relative(root, file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (top === 'libs' && spec.startsWith('#apps/')) problems.push(`${rel}: a lib imports an app (${spec})`);
        if (top === 'libs' && spec.startsWith('@nestjs/')) problems.push(`${rel}: libs stay free of NestJS (${spec})`);
        if (spec.startsWith('#pharos/') && spec.split('/').length > 2) problems.push(`${rel}: deep import ${spec}; use the lib's public entry`);
        // Apps are independent services; only apps/pharos (the composition root) wires them
        // together, and what two apps share lives in apps/common.
        if (top === 'apps' && unit !== 'pharos' && spec.startsWith('#apps/') && spec !== '#apps/common') {
          problems.push(`${rel}: app ${unit} imports ${spec}; share it through apps/common`);
        }
        if (spec.startsWith('.')) {
          const target = relative(root, join(file, '..', spec));
          const [tTop, tUnit] = target.split('/');
          if ((tTop === 'libs' || tTop === 'apps') && (tTop !== top || tUnit !== unit)) {
            problems.push(`${rel}: relative import ${spec} reaches into ${tTop}/${tUnit}; import its public entry instead`);
          }
        }
        if (top === 'libs' && spec.startsWith('#pharos/')) {
          const dep = spec.split('/')[1];
          if (dep !== unit) libGraph.get(unit).add(dep);
          else if (!rel.endsWith('.test.ts') && !rel.includes('/conformance/')) problems.push(`${rel}: imports its own lib through #pharos/${dep}; use a relative import`);
        }
      }
    }
  }
}

// Cycle detection over the lib graph (depth-first, colouring).
const state = new Map();
const stack = [];
function visit(lib) {
  state.set(lib, 1);
  stack.push(lib);
  for (const dep of libGraph.get(lib) ?? []) {
    if (state.get(dep) === 1) problems.push(`import cycle between libs: ${[...stack.slice(stack.indexOf(dep)), dep].join(' -> ')}`);
    else if (!state.has(dep)) visit(dep);
  }
  stack.pop();
  state.set(lib, 2);
}
for (const lib of libGraph.keys()) if (!state.has(lib)) visit(lib);

if (problems.length > 0) {
  console.error(`dependency rules broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.error(`dependency rules hold (${libGraph.size} libs, no cycles)`);
