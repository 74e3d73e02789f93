/**
 * A Svix-like sender: delivers signed events over HTTP at a given concurrency,
 * at least once (optional redeliveries under the same svix-id), in any order,
 * re-signing each attempt as Svix does and retrying every non-2xx answer on a
 * compressed copy of Svix's retry schedule. Keep-alive connections, one per
 * concurrent delivery, like a pool of Svix workers.
 */
import { Agent, request } from 'node:http';
import { signWebhook } from 'clerk-mongo-sync/testing';
import type { Rng } from './random';

export type Delivery = { svixId: string; body: string; type: string };

/** One subject's events in the order Clerk emitted them: a user's (histories.ts), or an organization's with its memberships. */
export type EventHistory = { events: readonly { type: string }[] };

/** Svix's waits between attempts (after the immediate first): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
const SVIX_RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** Svix gives up waiting for an answer after 15 s. */
export const SVIX_TIMEOUT_MS = 15_000;

/** Svix's schedule sped up by `factor` (1000 → 5 ms, 300 ms, 1.8 s, 7.2 s, 18 s, 36 s, 36 s). */
export function compressedSvixSchedule(factor: number): number[] {
  return SVIX_RETRY_DELAYS_MS.map((ms) => Math.round(ms / factor));
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function svixIdFrom(rng: Rng): string {
  let id = 'msg_2';
  for (let i = 0; i < 26; i++) id += BASE62[rng.int(0, 61)];
  return id;
}

export type DeliveryPlan = {
  /** Chance that a delivery is sent twice under the same svix-id (Svix is at-least-once). */
  duplicateRate?: number;
  /** 'shuffled': any order across and within histories; 'in-order': each history's events in sequence, histories interleaved. */
  order: 'shuffled' | 'in-order';
};

/** One delivery per event (svix-ids reproducible from `rng`), ordered and duplicated as planned. */
export function planDeliveries(rng: Rng, histories: readonly EventHistory[], { duplicateRate = 0, order }: DeliveryPlan): Delivery[] {
  const perUser = histories.map(({ events }) =>
    events.map((event) => ({ svixId: svixIdFrom(rng), body: JSON.stringify(event), type: event.type })),
  );
  const deliveries: Delivery[] = [];
  const longest = Math.max(0, ...perUser.map((events) => events.length));
  // Round-robin over users: a user's next event comes only after every other user's current one.
  for (let step = 0; step < longest; step++) {
    for (const events of perUser) {
      const delivery = events[step];
      if (!delivery) continue;
      deliveries.push(delivery);
      if (rng.chance(duplicateRate)) deliveries.push(delivery);
    }
  }
  return order === 'shuffled' ? rng.shuffle(deliveries) : deliveries;
}

export type Attempt = {
  svixId: string;
  attempt: number;
  /** 0: no answer (see `noAnswer`). */
  status: number;
  /** Why there was no answer: the connection failed (refused, reset), or the timeout passed first. */
  noAnswer?: 'connection' | 'timeout';
  /** The `outcome` our webhook route answers with, when it answered one. */
  outcome?: string;
  /** The answer's Retry-After header, if any. */
  retryAfter?: string;
  /** Which of the endpoints (`url`) the attempt went to. */
  target: number;
  /** performance.now() when the request started and when its answer (or failure) came. */
  startedAt: number;
  endedAt: number;
};

export type SendOptions = {
  /** The endpoint, or several instances of it, which then receive the attempts round-robin. */
  url: string | readonly string[];
  secret: string;
  concurrency: number;
  /** Waits before each retry; [] sends each delivery once. */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
  /** Stop starting attempts after this long (in-flight ones finish); the rest count as not sent. */
  stopAfterMs?: number;
  onAttempt?: (attempt: Attempt) => void;
  /** Awaited before each attempt starts: a fault run holds the sender here while it puts a fault in effect. */
  beforeAttempt?: () => Promise<void>;
};

export type SendReport = {
  deliveries: number;
  /** Deliveries acknowledged with a 2xx, at some attempt. */
  delivered: number;
  /** Deliveries still failing after the last retry. */
  failed: number;
  /** Deliveries never attempted, or whose retry was pending, when `stopAfterMs` ran out. */
  unsent: number;
  attempts: number;
  /** Attempts beyond the first. */
  retried: number;
  statuses: Record<string, number>;
  outcomes: Record<string, number>;
  latenciesMs: number[];
  wallMs: number;
};

type Job = { delivery: Delivery; attempt: number };
type Answer = { status: number; body: string; retryAfter?: string; noAnswer?: Attempt['noAnswer'] };

/**
 * Node's HTTP server closes a keep-alive connection idle for 5 s. Like pooled
 * HTTP clients (Svix's included), the sender drops idle connections before
 * that, and a request on a reused connection that fails anyway (closed just
 * as it went out) is sent once more on a fresh one.
 */
const IDLE_CONNECTION_MS = 4_000;

function post(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  retryStale = true,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        const retryAfter = res.headers['retry-after'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, retryAfter }));
        res.on('error', () => resolve({ status: 0, body: '', noAnswer: timedOut ? 'timeout' : 'connection' }));
      },
    );
    let timedOut = false;
    req.setTimeout(timeoutMs, () => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    });
    req.on('error', () => {
      if (retryStale && req.reusedSocket && !timedOut) {
        resolve(post(agent, url, headers, body, timeoutMs, false));
        return;
      }
      resolve({ status: 0, body: '', noAnswer: timedOut ? 'timeout' : 'connection' });
    });
    req.end(body);
  });
}

function outcomeOf(body: string): string | undefined {
  if (!body.startsWith('{"outcome"')) return undefined;
  try {
    const parsed = JSON.parse(body) as { outcome?: unknown };
    return typeof parsed.outcome === 'string' ? parsed.outcome : undefined;
  } catch {
    return undefined;
  }
}

const increment = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

export async function sendDeliveries(deliveries: Delivery[], options: SendOptions): Promise<SendReport> {
  const {
    secret,
    concurrency,
    retryDelaysMs = [],
    timeoutMs = SVIX_TIMEOUT_MS,
    stopAfterMs = Infinity,
    onAttempt,
    beforeAttempt,
  } = options;
  const urls = (typeof options.url === 'string' ? [options.url] : options.url).map((url) => new URL(url));
  let nextTarget = 0;
  // `timeout` also closes a pooled connection once idle that long (an active request sets its own).
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, timeout: IDLE_CONNECTION_MS });
  const report: SendReport = {
    deliveries: deliveries.length,
    delivered: 0,
    failed: 0,
    unsent: 0,
    attempts: 0,
    retried: 0,
    statuses: {},
    outcomes: {},
    latenciesMs: [],
    wallMs: 0,
  };
  const ready: Job[] = deliveries.map((delivery) => ({ delivery, attempt: 1 }));
  const retryTimers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  const wakers: Array<() => void> = [];
  const wakeAll = () => wakers.splice(0).forEach((wake) => wake());
  const startedAt = performance.now();
  const timeUp = () => performance.now() - startedAt > stopAfterMs;

  const attempt = async ({ delivery, attempt: number }: Job) => {
    await beforeAttempt?.();
    const target = nextTarget++ % urls.length;
    const signed = signWebhook(secret, undefined, { svixId: delivery.svixId, body: delivery.body, timestamp: new Date() });
    const began = performance.now();
    const answer = await post(agent, urls[target]!, signed.headers, signed.body, timeoutMs);
    const ended = performance.now();
    const record: Attempt = {
      svixId: delivery.svixId,
      attempt: number,
      status: answer.status,
      outcome: outcomeOf(answer.body),
      retryAfter: answer.retryAfter,
      noAnswer: answer.noAnswer,
      target,
      startedAt: began,
      endedAt: ended,
    };
    report.attempts++;
    if (number > 1) report.retried++;
    report.latenciesMs.push(ended - began);
    increment(report.statuses, String(answer.status));
    if (record.outcome) increment(report.outcomes, record.outcome);
    onAttempt?.(record);

    if (answer.status >= 200 && answer.status < 300) report.delivered++;
    else if (number > retryDelaysMs.length) report.failed++;
    else {
      const timer = setTimeout(
        () => {
          retryTimers.delete(timer);
          // Due retries go first, as Svix sends them at their time whatever else is queued.
          ready.unshift({ delivery, attempt: number + 1 });
          wakeAll();
        },
        retryDelaysMs[number - 1],
      );
      retryTimers.add(timer);
    }
  };

  const worker = async () => {
    for (;;) {
      if (timeUp()) return wakeAll();
      const job = ready.shift();
      if (job) {
        inFlight++;
        await attempt(job);
        inFlight--;
        wakeAll();
        continue;
      }
      if (inFlight === 0 && retryTimers.size === 0) return wakeAll();
      await new Promise<void>((resolve) => wakers.push(resolve));
    }
  };

  // Idle workers waiting for a retry must notice when time is up.
  const stopTimer = Number.isFinite(stopAfterMs) ? setTimeout(wakeAll, stopAfterMs) : undefined;
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    clearTimeout(stopTimer);
    report.unsent = ready.length + retryTimers.size;
    retryTimers.forEach(clearTimeout);
    agent.destroy();
  }
  report.wallMs = performance.now() - startedAt;
  return report;
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
