/**
 * The layers of the tree, read off the import lines of the sources: a file imports only files of
 * its own layer or of the layers below it. Barrels (`index.ts`) are the package's entries and sit
 * above everything they gather.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packageRoot } from './helpers/services.js';

const Architecture = suite('architecture');
const root = packageRoot();

/** Each layer and the layers it may import, besides itself. */
const LAYERS: Record<string, readonly string[]> = {
  'lib/core': [],
  'lib/driver': ['lib/core'],
  'lib/wire': ['lib/core', 'lib/driver'],
  'lib/executors': ['lib/core', 'lib/driver', 'lib/wire'],
  operators: ['lib/core', 'lib/driver', 'lib/wire', 'lib/executors'],
  'lib/rpc': ['lib/core', 'lib/driver', 'lib/wire', 'lib/executors', 'operators', 'lib/transport'],
  'lib/notify': ['lib/core', 'lib/driver', 'lib/wire', 'lib/executors', 'operators', 'lib/transport'],
  // connect() loads the built-in drivers by dynamic import, from its table of schemes.
  'lib/transport': ['lib/core', 'lib/driver', 'drivers'],
  drivers: ['lib/core', 'lib/driver', 'lib/wire'],
  testing: ['lib/core', 'lib/driver', 'lib/wire', 'lib/notify', 'drivers/memory'],
};
/** The package's public entries: what tools may import. */
const ENTRIES = ['lib/index.ts', 'lib/driver/index.ts', 'operators/index.ts', 'testing/index.ts'];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The project files a source imports, as paths from the package root. */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return found.map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
}

/** The layer a file belongs to: the longest layer name its path starts with. */
function layerOf(file: string): string | undefined {
  if (file === 'lib/transport.ts') return 'lib/transport';
  return Object.keys(LAYERS)
    .filter((layer) => file.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

const violations = (files: string[], allowed: (file: string, imported: string) => boolean) =>
  files.flatMap((file) =>
    imports(file)
      .filter((imported) => !allowed(file, imported))
      .map((imported) => `${file} imports ${imported}`),
  );

Architecture('should keep every layer to the layers below it', () => {
  const files = ['lib', 'operators', 'drivers', 'testing'].flatMap(sources).filter((file) => !file.endsWith('/index.ts') || file.startsWith('drivers/'));
  const found = violations(files, (file, imported) => {
    const from = layerOf(file);
    const to = layerOf(imported);
    if (!from || !to || from === to) return from !== undefined;
    if (from === 'drivers') return to !== 'drivers' && LAYERS.drivers!.includes(to);
    return LAYERS[from]!.includes(to) || (from === 'testing' && imported.startsWith('drivers/memory/'));
  });
  assert.equal(found, [], 'imports that reach a layer above');
});

Architecture('should keep each driver to itself', () => {
  const found = violations(sources('drivers'), (file, imported) => !imported.startsWith('drivers/') || imported.split('/')[1] === file.split('/')[1]);
  assert.equal(found, [], 'a driver importing another');
});

Architecture('should let core import nothing else of the project', () => {
  const found = violations(sources('lib/core'), (_file, imported) => imported.startsWith('lib/core/'));
  assert.equal(found, []);
});

Architecture('should build the tools on the public entries only', () => {
  const found = violations(['tools', 'bin'].flatMap(sources), (_file, imported) => ENTRIES.includes(imported) || imported.startsWith('tools/'));
  assert.equal(found, [], 'a tool reaching inside the package');
});

Architecture('should name every file of the tree in a layer', () => {
  const unplaced = ['lib', 'operators', 'drivers', 'testing'].flatMap(sources).filter((file) => !layerOf(file) && !ENTRIES.includes(file));
  assert.equal(
    unplaced.map((file) => relative(root, join(root, file))),
    [],
  );
});

Architecture.run();
