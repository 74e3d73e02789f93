/**
 * Preloaded into `next start` (NODE_OPTIONS=--import) when the harness is
 * asked for a CPU profile: Node refuses --cpu-prof in NODE_OPTIONS, so this
 * runs the same V8 profiler through the inspector and writes a .cpuprofile
 * (open it in Chrome DevTools) into HARNESS_CPU_PROFILE_DIR when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.HARNESS_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  // A same-thread inspector session answers synchronously, so this works inside 'exit'.
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(path.join(dir, `next-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
