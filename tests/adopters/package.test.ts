/**
 * The package as npm publishes it: the tarball holds the build and its own
 * documents only, publint finds nothing to fault (warnings count), and Are
 * the Types Wrong? resolves every entry's types in every resolution mode an
 * ESM-only package offers (all but CommonJS `require`).
 */
import { describe, expect, inject, it } from 'vitest';
import { arethetypeswrong, publint, unexpectedFiles } from '../../tools/package/pack';

const tarball = inject('tarball');
const files = inject('packedFiles');

describe('the packed package', () => {
  it('holds the build (JavaScript, types, maps), README, LICENSE, CHANGELOG and package.json, nothing else', () => {
    expect(unexpectedFiles(files)).toEqual([]);
    for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/bin.js'])
      expect(files).toContain(file);
    for (const entry of ['next', 'node', 'testing', 'cli/index']) expect(files).toContain(`dist/${entry}.d.ts`);
  });

  it('passes publint, suggestions included', () => {
    const result = publint(tarball);
    expect(result.output).toMatch(/All good!|No issues found/i);
    expect(result.ok, result.output).toBe(true);
  });

  it('passes Are the Types Wrong? for every entry (profile esm-only)', () => {
    const result = arethetypeswrong(tarball);
    expect(result.ok, result.output).toBe(true);
    for (const entry of [
      'clerk-mongo-sync',
      'clerk-mongo-sync/next',
      'clerk-mongo-sync/node',
      'clerk-mongo-sync/testing',
      'clerk-mongo-sync/cli',
    ]) {
      const report = result.output.split('***').find((block) => block.includes(`"${entry}"`));
      expect(report, entry).toMatch(/node16 \(from ESM\): OK \(ESM\)\nbundler: OK/);
    }
  });
});
