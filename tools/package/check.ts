/**
 * `npm run check:package`: packs packages/clerk-mongo-sync as npm would
 * publish it, lists the tarball's files, and runs publint and Are the Types
 * Wrong? on it. Exit 1 when either complains or the tarball holds anything
 * beyond the build, README, LICENSE, CHANGELOG and package.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { arethetypeswrong, packPackage, publint, unexpectedFiles } from './pack';

function main(): void {
  const folder = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-pack-'));
  try {
    const packed = packPackage(folder);
    console.log(`▸ ${path.basename(packed.tarball)}: ${packed.files.length} files`);
    for (const file of packed.files) console.log(`  ${file}`);
    const extra = unexpectedFiles(packed.files);
    if (extra.length > 0) console.log(`✘ not build, README, LICENSE, CHANGELOG or package.json: ${extra.join(', ')}`);
    const lints = { publint: publint(packed.tarball), attw: arethetypeswrong(packed.tarball) };
    for (const [name, result] of Object.entries(lints))
      console.log(`\n▸ ${name}: ${result.ok ? 'passed' : 'FAILED'}\n${result.output.trim()}`);
    process.exitCode = extra.length === 0 && lints.publint.ok && lints.attw.ok ? 0 : 1;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main();
