/**
 * Preloaded into `next start` (NODE_OPTIONS=--import) when the harness is
 * asked for CPU profiles: Node refuses --cpu-prof in NODE_OPTIONS, so this
 * runs the same V8 profiler through the inspector. SIGUSR2 starts a profile;
 * the next SIGUSR2 stops it and writes HARNESS_CPU_PROFILE_DIR/<name>.cpuprofile
 * (open it in Chrome DevTools), <name> being what the harness wrote into
 * HARNESS_CPU_PROFILE_DIR/next-profile-name before the first signal. So a
 * profile covers exactly one measured phase, not start-up or other phases.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.HARNESS_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 });
  let profiling;
  process.on('SIGUSR2', () => {
    if (profiling === undefined) {
      profiling = readFileSync(path.join(dir, 'next-profile-name'), 'utf8').trim();
      session.post('Profiler.start');
      return;
    }
    const name = profiling;
    profiling = undefined;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      // Written under a temporary name, then renamed: the harness waits for the final name.
      const file = path.join(dir, `${name}.cpuprofile`);
      writeFileSync(`${file}.partial`, JSON.stringify(result.profile));
      renameSync(`${file}.partial`, file);
    });
  });
}
