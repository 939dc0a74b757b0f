import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';

/*
 * The layering of lib/ (shared/DESIGN.md, "Layout"): the lock in core/ knows nothing of axios, each other layer
 * imports only core/ and itself, and no file imports itself back through others. A reader can then trust the tree.
 */
const lib = join(__dirname, '..', 'lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every `import`/`export … from` specifier of a file, type-only ones included. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'|^import\s+'([^']+)'/gms)].map((m) => (m[1] ?? m[2])!);
}

const files = sourceFiles(lib).map((file) => relative(lib, file).split('\\').join('/'));
const graph = new Map<string, { local: string[]; packages: string[] }>();
for (const file of files) {
  const all = specifiers(join(lib, file));
  const local = all
    .filter((s) => s.startsWith('.'))
    .map((s) => posix.normalize(posix.join(posix.dirname(file), s.replace(/\.js$/, '.ts'))));
  graph.set(file, { local, packages: all.filter((s) => !s.startsWith('.')) });
}
const layerOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : 'top');
// Layers a layer may import besides core/ and itself (DESIGN "Layout": grants → jose, dpop → jose; issue 11).
const ALSO_ALLOWED: Readonly<Record<string, readonly string[]>> = { grants: ['jose'], dpop: ['jose'] };

describe('the layout of lib/', () => {
  it('resolves every relative import to a file of lib/', () => {
    const missing = [...graph].flatMap(([file, { local }]) => local.filter((target) => !graph.has(target)).map((t) => `${file} → ${t}`));
    expect(missing).toEqual([]);
  });

  it('keeps axios out of core/: the lock runs without it', () => {
    const offenders = [...graph].filter(([file, { packages }]) => layerOf(file) === 'core' && packages.length > 0).map(([file]) => file);
    expect(offenders).toEqual([]);
  });

  it('lets each layer import only core/ and itself (grants/ and dpop/ also jose/); only the top-level files join layers', () => {
    const crossings = [...graph].flatMap(([file, { local }]) => {
      const from = layerOf(file);
      if (from === 'top') return [];
      const allowed = [from, 'core', ...(ALSO_ALLOWED[from] ?? [])];
      return local.filter((target) => !allowed.includes(layerOf(target))).map((target) => `${file} → ${target}`);
    });
    expect(crossings).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file)?.local ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps index.ts to exports only', () => {
    const lines = readFileSync(join(lib, 'index.ts'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    const logic = lines.filter((line) => !/^(export\b|\s+[\w ,]+,?$|\}\s+from\s)/.test(line) && !line.trim().startsWith('//'));
    expect(logic).toEqual([]);
  });
});
