import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetDevServer, isPortFree, portArgument, recordDevServer, runningDevServer, webhookTarget } from '../../tools/lib/dev-server';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dev-server-'));
  file = path.join(dir, 'dev-server.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The id of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('the port npm run dev listens on, for the CLIs', () => {
  it('sends to the port the running npm run dev recorded, and says where that came from', () => {
    recordDevServer({ port: 3007, pid: process.pid }, file);
    expect(webhookTarget(undefined, file)).toEqual({
      url: 'http://localhost:3007/api/webhooks/clerk',
      source: expect.stringMatching(/^where npm run dev listens/),
    });
  });

  it('falls back to port 3000 when no npm run dev runs, and says so and how to choose another', () => {
    expect(webhookTarget(undefined, file)).toMatchObject({
      url: 'http://localhost:3000/api/webhooks/clerk',
      source: expect.stringMatching(/--url/),
    });
    recordDevServer({ port: 3007, pid: deadPid() }, file); // a record left by a killed npm run dev
    expect(runningDevServer(file)).toBeUndefined();
    expect(webhookTarget(undefined, file).url).toBe('http://localhost:3000/api/webhooks/clerk');
  });

  it('lets --url win over the record', () => {
    recordDevServer({ port: 3007, pid: process.pid }, file);
    expect(webhookTarget('https://app.example.com/api/webhooks/clerk', file)).toEqual({
      url: 'https://app.example.com/api/webhooks/clerk',
      source: 'from --url',
    });
  });

  it('removes its own record on exit, but not one another npm run dev wrote since', () => {
    recordDevServer({ port: 3001, pid: 111 }, file);
    forgetDevServer(222, file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ port: 3001, pid: 111 });
    forgetDevServer(111, file);
    expect(() => readFileSync(file)).toThrow();
  });

  it("reads the port from Next's own spellings of the option", () => {
    expect(portArgument(['-p', '4000'])).toBe(4000);
    expect(portArgument(['--port', '4001', '--turbo'])).toBe(4001);
    expect(portArgument(['--port=4002'])).toBe(4002);
    expect(portArgument(['-p=4003'])).toBe(4003);
    expect(portArgument(['--hostname', '0.0.0.0'])).toBeUndefined();
  });

  it('sees a port another server listens on as taken', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const { port } = server.address() as { port: number };
    expect(await isPortFree(port)).toBe(false);
    await new Promise((resolve) => server.close(resolve));
    expect(await isPortFree(port)).toBe(true);
  });
});
