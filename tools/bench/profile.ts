/**
 * Where the app server's CPU went during one profiled phase: a V8 CPU profile
 * (tools/harness/cpu-profiler.mjs) reduced to self time per component, per
 * request. Code bundled into the build is traced back to its source file
 * through the build's source maps, so the app's own modules (lib/, app/) and
 * the libraries bundled with them (svix, zod, Clerk) are told apart from
 * Next.js, the MongoDB driver and Node's HTTP stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type ProfileBreakdown = {
  /** CPU ms per request the profile saw (idle excluded), component by component, largest first. */
  components: { component: string; msPerRequest: number }[];
  /** The functions with the most self time, per request, with their source location. */
  functions: { name: string; msPerRequest: number }[];
  totalMsPerRequest: number;
};

const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    sourceMaps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined);
  }
  return sourceMaps.get(file);
}

/** The original file a frame's code came from: through the source map for bundled code, else the frame's own URL. */
function sourceOf({ url, lineNumber, columnNumber }: CallFrame): string {
  if (!url.startsWith('file://')) return url;
  const file = fileURLToPath(url);
  const entry = sourceMapOf(file)?.findEntry(lineNumber, columnNumber);
  // Sources are relative to the map (the build's chunks, and packages shipping maps of their own, such as mongodb).
  return entry && 'originalSource' in entry ? path.resolve(path.dirname(file), decodeURIComponent(entry.originalSource)) : file;
}

/** Components, from the most specific rule down; the first that matches names the frame. */
const COMPONENTS: [RegExp, string][] = [
  [/\/node_modules\/(mongodb|bson)\//, 'MongoDB driver (mongodb, bson)'],
  [/\/node_modules\/svix\/|\/node_modules\/(@stablelib|standardwebhooks)\//, 'svix (signature verification)'],
  [/\/node_modules\/zod\//, 'zod (schema parsing)'],
  [/\/node_modules\/@clerk\//, 'Clerk SDK'],
  [/\/node_modules\/next\//, 'Next.js (routing, request and response plumbing)'],
  [/\/(lib|app|tools)\/[^]*\.tsx?$/, 'the app (lib/, app/)'],
  [/^node:internal\/deps\/undici|^node:internal\/webstreams/, 'Node: fetch Request/Response, web streams'],
  [/^node:(_http|http|net|stream|internal\/(streams|http|stream_base|net))/, 'Node: HTTP, sockets, streams'],
  [/^node:(crypto|internal\/crypto)/, 'Node: crypto'],
  [/^node:/, 'Node: other'],
];

function componentOf(frame: CallFrame): string {
  if (frame.functionName === '(garbage collector)') return 'V8: garbage collection';
  if (!frame.url) return frame.functionName.startsWith('(') ? 'V8: other' : 'native (I/O writes, JSON, crypto)';
  const source = sourceOf(frame);
  return COMPONENTS.find(([pattern]) => pattern.test(source))?.[1] ?? 'other';
}

function shortLocation(frame: CallFrame): string {
  const source = sourceOf(frame);
  const short = source.replace(/^.*\/node_modules\//, '').replace(`${process.cwd()}/`, '');
  return `${frame.functionName || '(anonymous)'} ${short}`;
}

export function summarizeProfile(file: string, requests: number, topFunctions = 12): ProfileBreakdown {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byComponent = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id)!;
    const micros = profile.timeDeltas[i] ?? 0;
    if (frame.functionName === '(idle)') return;
    total += micros;
    const component = componentOf(frame);
    byComponent.set(component, (byComponent.get(component) ?? 0) + micros);
    const name = shortLocation(frame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  const perRequest = (micros: number) => micros / 1000 / Math.max(1, requests);
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    components: sorted(byComponent).map(([component, micros]) => ({ component, msPerRequest: perRequest(micros) })),
    functions: sorted(byFunction)
      .slice(0, topFunctions)
      .map(([name, micros]) => ({ name, msPerRequest: perRequest(micros) })),
    totalMsPerRequest: perRequest(total),
  };
}
