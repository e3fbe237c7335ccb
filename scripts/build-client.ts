/**
 * `npm run build:client`: builds the typed client and the `cars` CLI as the installable package
 * `@cars-api/client` in dist/client-package/, and packs it to dist/cars-api-client-<version>.tgz.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { loadSpec } from '../src/spec.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'client-package');
const TEMPLATE = join(ROOT, 'src/client/package.template.json');

/** Fails unless the package's version is the spec's `info.version`: a breaking spec change (major bump) is a major client release. */
export function checkVersions(specVersion: string, packageVersion: string): void {
  if (specVersion !== packageVersion) {
    throw new Error(
      `the client's version (${packageVersion}, src/client/package.template.json) differs from the spec's info.version (${specVersion}); ` +
        'set both to the same version',
    );
  }
}

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f));
}

/**
 * The CommonJS twin of an ESM declaration file: relative `.js` specifiers become `.cjs`, so a
 * `require` consumer's types resolve to `.d.cts` files (else attw reports "masquerading as ESM").
 */
function toCommonJsDeclaration(text: string): string {
  return text.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g, '$1.cjs$2');
}

/**
 * For the CommonJS build: reaches openapi-fetch's default export through a module of unknown type.
 * esbuild gives an importer from a `"type": "module"` package Node's semantics, where a CommonJS
 * module's default import is `module.exports` (and openapi-fetch's `require` build exports
 * `exports.default`); an importer of unknown type honours `__esModule`, as TypeScript does.
 */
const openapiFetchInterop: Plugin = {
  name: 'openapi-fetch-interop',
  setup(b) {
    b.onResolve({ filter: /^openapi-fetch$/ }, (args) =>
      args.namespace === 'interop' ? { path: args.path, external: true } : { path: args.path, namespace: 'interop' },
    );
    b.onLoad({ filter: /.*/, namespace: 'interop' }, () => ({ contents: "export { default } from 'openapi-fetch';", loader: 'js' }));
  },
};

/** Builds the package folder and the tarball; returns the tarball's path. */
export async function buildClientPackage(): Promise<string> {
  const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { version: string } & Record<string, unknown>;
  const specVersion = String((loadSpec().info as { version: unknown }).version);
  checkVersions(specVersion, template.version);

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  // Declarations (the generated paths/components/operations included) from tsc, ESM and CommonJS.
  const types = join(OUT, 'dist/types');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.client.json'), '--outDir', types], {
    stdio: 'inherit',
  });
  for (const file of filesUnder(types).filter((f) => f.endsWith('.d.ts'))) {
    writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), toCommonJsDeclaration(readFileSync(file, 'utf8')));
  }

  // JavaScript from esbuild: the library as ESM and CommonJS (openapi-fetch stays a dependency), and
  // the CLI as one ESM file that needs nothing but node and openapi-fetch (csv-parse and csv-stringify are bundled in).
  const common: BuildOptions = { bundle: true, target: 'es2022', logLevel: 'warning', legalComments: 'none' };
  const library = { ...common, entryPoints: [join(ROOT, 'src/client/index.ts')], external: ['openapi-fetch'], platform: 'neutral' } satisfies BuildOptions;
  await build({ ...library, format: 'esm', outfile: join(OUT, 'dist/index.js') });
  await build({ ...library, format: 'cjs', outfile: join(OUT, 'dist/index.cjs'), plugins: [openapiFetchInterop] });
  await build({
    ...common,
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    external: ['openapi-fetch'],
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: join(OUT, 'dist/cli.js'),
    // main.ts's own hashbang runs it through tsx; the package's bin is plain JavaScript.
    banner: { js: '#!/usr/bin/env node' },
  });

  const dts = (ext: string) => `./dist/types/src/client/index.d.${ext}`;
  const manifest = {
    ...template,
    type: 'module',
    sideEffects: false,
    exports: {
      '.': {
        import: { types: dts('ts'), default: './dist/index.js' },
        require: { types: dts('cts'), default: './dist/index.cjs' },
      },
      './package.json': './package.json',
    },
    // For tools that predate `exports` (TypeScript's node10 resolution).
    main: './dist/index.cjs',
    types: dts('cts'),
    bin: { cars: './dist/cli.js' },
    files: ['dist'],
    dependencies: { 'openapi-fetch': readDependencyRange('openapi-fetch') },
  };
  writeFileSync(join(OUT, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(ROOT, 'src/client/README.md'), join(OUT, 'README.md'));

  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', DIST], { cwd: OUT, encoding: 'utf8' });
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
  return join(DIST, filename);
}

/** The range the repo itself depends on, so the package is tested with what the repo's lock file pins. */
function readDependencyRange(name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const range = pkg.dependencies[name];
  if (range === undefined) throw new Error(`package.json has no dependency ${name}`);
  return range;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const tarball = await buildClientPackage();
  process.stdout.write(`${relative(process.cwd(), tarball)}\n`);
}
