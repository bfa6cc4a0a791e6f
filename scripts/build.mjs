// Bundles the CLI and the lint worker into dist/ with esbuild. One file per
// entry (plus shared chunks) loads far faster than ~150 separate ES modules,
// which matters for a command that lints a 30-spec folder in a blink.
// Type checking is `tsc --noEmit` (npm run build runs both).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Build beside dist/ and swap it in, so a test running meanwhile never sees half a dist/.
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const next = `${dist}.${process.pid}.tmp`;
const old = `${dist}.${process.pid}.old`;
// A fingerprint of everything that shapes lint results: a lint cache written by another build is never used.
const fingerprint = createHash('sha1');
const feed = (path) => {
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) feed(full);
    else fingerprint.update(full).update(readFileSync(full));
  }
};
feed('src');
feed('schemas');
fingerprint.update(readFileSync('package-lock.json'));

// remark (src/spec/remark.ts) is bundled apart, as CommonJS, and required on first use: most lints never need it,
// and loading it cost a 30-spec lint about a tenth of its time. Inside the main bundle its loader is this stand-in.
const lazyRemark = {
  name: 'lazy-remark',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]spec[\\/]remark-loader\.ts$/ }, () => ({
      loader: 'js',
      // Entries and chunks all sit one folder below dist/, beside which remark.cjs lands.
      contents: "import { createRequire } from 'node:module'; let remark; export function loadRemark() { return (remark ??= createRequire(import.meta.url)('../remark.cjs')); }",
    }));
  },
};

await build({
  plugins: [lazyRemark],
  define: { __SPECDAG_BUILD__: JSON.stringify(fingerprint.digest('hex').slice(0, 16)) },
  entryPoints: { 'cli/bin': 'src/cli/bin.ts', 'lint/worker': 'src/lint/worker.ts' },
  outdir: next,
  // Shared code lands in dist/chunks/, one folder below dist/ like the entries,
  // so paths relative to import.meta.url (the worker, the prompts) work from any of them.
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  legalComments: 'linked',
  // Some dependencies are CommonJS and call require(); give ESM chunks one.
  banner: { js: "import { createRequire as __specdagRequire } from 'node:module'; const require = __specdagRequire(import.meta.url);" },
  logLevel: 'warning',
});

await build({
  entryPoints: { remark: 'src/spec/remark.ts' },
  outdir: next,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

try {
  renameSync(dist, old);
} catch {
  // first build: there is no dist/ yet
}
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
