/**
 * The browser for the e2e tests, found or installed the way the ecosystem
 * does it: a Chromium Playwright already installed, else Debian's, else
 * Playwright's own download, else Debian's package (as root). The Playwright
 * config launches whatever `chromiumExecutable()` finds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The Chromium to launch: PLAYWRIGHT_CHROMIUM_EXECUTABLE, Playwright's own, or Debian's; undefined when there is none. */
export function chromiumExecutable(): string | undefined {
  const candidates = [process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE, chromium.executablePath(), DEBIAN_CHROMIUM];
  return candidates.find((candidate): candidate is string => Boolean(candidate) && existsSync(candidate!));
}

function run(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'inherit' }).status === 0;
}

const isRoot = () => process.getuid?.() === 0;
const hasCommand = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** Makes sure a Chromium is there; returns its path, or throws with what to do. */
export function ensureChromium(log: (line: string) => void): string {
  const found = chromiumExecutable();
  if (found) return found;

  log("No Chromium yet: downloading Playwright's own (npx playwright install chromium)…");
  if (run(process.execPath, [require.resolve('@playwright/test/cli'), 'install', 'chromium'])) return chromiumExecutable()!;

  if (isRoot() && hasCommand('apt-get')) {
    log("Playwright's download failed; installing Debian's chromium (apt-get)…");
    if (run('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'])) {
      const installed = chromiumExecutable();
      if (installed) return installed;
    }
  }
  throw new Error(
    'No browser for the e2e tests. Either allow `npx playwright install chromium` to download one, ' +
      `install your distribution's Chromium (Debian/Ubuntu: sudo apt-get install chromium, found at ${DEBIAN_CHROMIUM}), ` +
      'or point PLAYWRIGHT_CHROMIUM_EXECUTABLE at a Chromium binary.',
  );
}
