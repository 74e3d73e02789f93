/**
 * Vitest global setup for the adopter tests: the package packed as npm would
 * publish it, and installed once, with no network, into a folder outside this
 * repository beside what two adopters need (Next.js with Clerk; Express with
 * mongoose), every version the root lockfile's. Each test file then writes
 * its own app into a subfolder of that install.
 *
 * Offline and exact: the install's lockfile is the root lockfile's entries
 * for those dependencies and everything they pull in, at the same paths, plus
 * the tarball; `npm ci --offline` takes every one of them from npm's cache,
 * which the root's `npm ci` filled. (An `npm install --offline` of version
 * ranges would resolve to the newest version npm's cache knows of, whose
 * tarball it may never have fetched.)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { packPackage } from '../../../tools/package/pack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The installed adopters' folder: node_modules with the packed package and the adopters' dependencies. */
    adopterRoot: string;
    /** The packed tarball, and the files it holds. */
    tarball: string;
    packedFiles: string[];
  }
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** What the two adopters install besides the package, each at the root lockfile's version. */
const ADOPTER_DEPENDENCIES = [
  // The Next.js adopter: an app of its own, with Clerk, on the official driver, type-checked strictly.
  'next',
  'react',
  'react-dom',
  '@clerk/nextjs',
  'mongodb',
  'typescript',
  '@types/node',
  '@types/react',
  '@types/react-dom',
  // The Express adopter, as the usual Clerk guides build it: Express and mongoose (with a driver of its own).
  'express',
  'mongoose',
  '@types/express',
];

type LockEntry = Record<string, unknown> & {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
type Lockfile = { packages: Record<string, LockEntry> };

/** Where Node would find `name` from the package installed at `from`: its own node_modules, then each parent's. */
function resolveFrom(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  for (let at = from; ;) {
    const candidate = at ? `${at}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!at) return undefined;
    const parent = at.lastIndexOf('/node_modules/');
    at = parent === -1 ? '' : at.slice(0, parent);
  }
}

/** The lockfile paths of `roots` and everything they need (dependencies, optional ones this platform has, required peers). */
function closure(packages: Lockfile['packages'], roots: string[]): Set<string> {
  const found = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const at = queue.pop()!;
    if (found.has(at)) continue;
    found.add(at);
    const entry = packages[at]!;
    const requiredPeers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !entry.peerDependenciesMeta?.[name]?.optional);
    for (const name of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...requiredPeers]) {
      const resolved = resolveFrom(packages, at, name);
      if (resolved) queue.push(resolved);
    }
  }
  return found;
}

/** The registry's own tarball address, so npm finds each tarball in its cache by the key it was fetched under. */
function registryTarball(lockPath: string, version: string): string {
  const name = lockPath.slice(lockPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;
}

function install(folder: string, tarball: string): void {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const packaged = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as LockEntry & {
    name: string;
  };
  const tarballName = path.basename(tarball);
  const dependencies: Record<string, string> = { [packaged.name]: `file:${tarballName}` };
  for (const name of ADOPTER_DEPENDENCIES) dependencies[name] = lock.packages[`node_modules/${name}`]!.version!;

  const roots = [
    ...ADOPTER_DEPENDENCIES.map((name) => `node_modules/${name}`),
    ...Object.keys(packaged.dependencies ?? {}).map((name) => `node_modules/${name}`),
  ];
  const packages: Lockfile['packages'] = {
    '': { name: 'clerk-mongo-sync-adopters', version: '1.0.0', dependencies },
    [`node_modules/${packaged.name}`]: {
      version: packaged.version,
      resolved: `file:${tarballName}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: packaged.license,
      dependencies: packaged.dependencies,
      peerDependencies: packaged.peerDependencies,
      peerDependenciesMeta: packaged.peerDependenciesMeta,
      bin: packaged.bin,
      engines: packaged.engines,
    },
  };
  for (const at of [...closure(lock.packages, roots)].sort()) {
    // Everything here is a dependency of the adopter's own: none of the root's development flags apply.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[at]!;
    packages[at] = { ...entry, resolved: registryTarball(at, entry.version!) };
  }
  writeFileSync(
    path.join(folder, 'package.json'),
    `${JSON.stringify({ name: 'clerk-mongo-sync-adopters', private: true, dependencies }, null, 2)}\n`,
  );
  writeFileSync(
    path.join(folder, 'package-lock.json'),
    `${JSON.stringify({ name: 'clerk-mongo-sync-adopters', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: folder,
    stdio: 'inherit',
    env: { ...process.env, npm_config_offline: 'true' },
  });
}

export default function setup(project: TestProject) {
  const folder = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-adopters-'));
  const startedAt = Date.now();
  const packed = packPackage(folder);
  install(folder, packed.tarball);
  console.log(
    `[adopters] ${path.basename(packed.tarball)} packed and installed with the adopters' dependencies, offline, in ${Math.round((Date.now() - startedAt) / 1000)} s: ${folder}`,
  );
  project.provide('adopterRoot', folder);
  project.provide('tarball', packed.tarball);
  project.provide('packedFiles', packed.files);
  return () => rmSync(folder, { recursive: true, force: true });
}
