/** The facts a benchmark figure needs beside it: machine, runtime, commit, date. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export function describeMachine(): string[] {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'app', 'lib', 'middleware.ts'], { encoding: 'utf8' }).trim() !== '';
  return [
    `date:    ${new Date().toISOString()}`,
    `machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
    `runtime: node ${process.version}, ${os.type()} ${os.release()}`,
    `commit:  ${commit}${dirty ? ' + uncommitted changes in app/lib' : ''}`,
  ];
}

export type CpuTimes = { client: number; app: number; database: number };

const CLOCK_TICKS_PER_SECOND = 100;

/** pid → [ppid, comm, cpu ms] for every process /proc shows. */
function processTable(): Map<number, { ppid: number; comm: string; cpuMs: number }> {
  const table = new Map<number, { ppid: number; comm: string; cpuMs: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // After "pid (comm) ": state ppid … utime(14th field) stime(15th).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      table.set(Number(entry), { ppid: Number(fields[1]), comm, cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND });
    } catch {
      // the process exited while we looked
    }
  }
  return table;
}

/**
 * CPU used so far by the load generator (this process) and by the processes
 * it started, split into the database servers (mongod, and mongos on a
 * sharded cluster) and the rest (the Next.js server). Linux only: elsewhere the split reads 0.
 */
export function cpuTimes(): CpuTimes {
  const { user, system } = process.cpuUsage();
  const times: CpuTimes = { client: (user + system) / 1000, app: 0, database: 0 };
  if (!existsSync('/proc/self/stat')) return times;
  const table = processTable();
  const descendants = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, { ppid }] of table) {
      if (descendants.has(ppid) && !descendants.has(pid)) {
        descendants.add(pid);
        grew = true;
      }
    }
  }
  descendants.delete(process.pid);
  for (const pid of descendants) {
    const { comm, cpuMs } = table.get(pid)!;
    if (/^mongo[ds]$/.test(comm)) times.database += cpuMs;
    else times.app += cpuMs;
  }
  return times;
}

export function cpuSince(start: CpuTimes): CpuTimes {
  const now = cpuTimes();
  return { client: now.client - start.client, app: now.app - start.app, database: now.database - start.database };
}
