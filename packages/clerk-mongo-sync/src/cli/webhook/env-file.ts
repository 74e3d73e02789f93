/**
 * `npm run webhook -- secret --write`: puts a webhook secret into .env.local,
 * where both the app (Next reloads the file by itself) and the CLIs read it.
 * Line-based, so the file's comments and order stay as they were.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const VARIABLE = 'CLERK_WEBHOOK_SECRET';

export type SecretWrite = 'written' | 'replaced' | 'kept';

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * Sets CLERK_WEBHOOK_SECRET in `file` (created if missing). A secret already
 * set there is kept unless `replace`: it may be the endpoint's real one from
 * the Clerk dashboard. New, it goes below the example's commented-out
 * placeholder when there is one, else at the end.
 */
export function writeWebhookSecret(file: string, secret: string, { replace = false } = {}): SecretWrite {
  const lines = readOrEmpty(file).split('\n');
  const assignment = `${VARIABLE}=${secret}`;
  const set = lines.findIndex((line) => new RegExp(`^\\s*(export\\s+)?${VARIABLE}\\s*=`).test(line));
  if (set >= 0) {
    if (!replace) return 'kept';
    lines[set] = assignment;
    writeFileSync(file, lines.join('\n'));
    return 'replaced';
  }
  const placeholder = lines.findIndex((line) => new RegExp(`^\\s*#\\s*${VARIABLE}\\s*=`).test(line));
  if (placeholder >= 0) lines.splice(placeholder + 1, 0, assignment);
  else {
    if (lines.at(-1) === '') lines.pop();
    lines.push(assignment, '');
  }
  writeFileSync(file, lines.join('\n'));
  return 'written';
}
