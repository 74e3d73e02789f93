/**
 * clerk-mongo-sync/node: the webhook receiver for Node's `http` and for
 * Express, the stack of the usual Clerk guides.
 *
 * ```js
 * app.post('/api/webhooks/clerk', nodeWebhookHandler({ database: () => mongoose.connection.db }));
 * app.use(express.json()); // after: the signature is over the exact bytes
 * ```
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createClerkSync, type ClerkSync } from './engine/create.js';
import type { ClerkSyncOptions } from './engine/options.js';
import type { AppFields } from './users/schema.js';
import { MAX_BODY_BYTES } from './webhooks/receive.js';

/** What the handler is given: Node's request, with `body` where an Express body parser ran. */
export type NodeWebhookRequest = IncomingMessage & { body?: unknown };

export type NodeWebhookHandler = (request: NodeWebhookRequest, response: ServerResponse) => Promise<void>;

/** Told when `express.json()` (or another parser) already turned the body into an object: the signature cannot be checked any more. */
export const BODY_ALREADY_PARSED =
  'the request body was already parsed (express.json() ran before the webhook handler): mount the handler before express.json(), or give its route express.raw({ type: "application/json" }); Svix signs the exact bytes';

/** Hop-by-hop and framing headers: they describe the connection, not the delivery. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'host', 'te', 'trailer']);

/** The delivery's headers; the body's length is the pipeline's to measure again, except a declared length past the limit, refused unread. */
function headersOf(incoming: IncomingHttpHeaders, keepLength: boolean): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || NOT_FORWARDED.has(name) || (!keepLength && name === 'content-length')) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

type Body = { kind: 'bytes'; bytes: Uint8Array; declaredTooLarge: boolean } | { kind: 'parsed' };

/**
 * The bytes as sent, kept up to one past the limit (the pipeline then refuses
 * them with 413): the rest is read and dropped, so the answer still reaches a
 * sender on an open connection. A declared length past the limit is not read at all.
 */
async function readLimited(request: IncomingMessage): Promise<Body> {
  if (Number(request.headers['content-length']) > MAX_BODY_BYTES) return { kind: 'bytes', bytes: new Uint8Array(), declaredTooLarge: true };
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    if (kept > MAX_BODY_BYTES) continue;
    chunks.push(chunk);
    kept += chunk.length;
  }
  return { kind: 'bytes', bytes: Buffer.concat(chunks), declaredTooLarge: false };
}

/** The raw body from a raw or text parser, from the stream when no parser read it, or the news that one parsed it already. */
async function bodyOf(request: NodeWebhookRequest): Promise<Body> {
  const { body } = request;
  if (Buffer.isBuffer(body)) return { kind: 'bytes', bytes: body, declaredTooLarge: false };
  if (typeof body === 'string') return { kind: 'bytes', bytes: Buffer.from(body, 'utf8'), declaredTooLarge: false };
  // A parser that skipped the request (another content type) leaves the stream unread: read it.
  if (body !== undefined && body !== null && request.readableEnded) return { kind: 'parsed' };
  return readLimited(request);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/**
 * A request handler for `http.createServer(handler)` or `app.post(path,
 * handler)`: it reads the raw body (from the stream, or `req.body` when
 * `express.raw()`/`express.text()` ran), answers what the engine decides, and
 * 405s every method but POST. It never throws: every failure is an answer.
 */
export function nodeWebhookHandler<Fields extends AppFields>(
  syncOrOptions: ClerkSync<Fields> | ClerkSyncOptions<Fields>,
): NodeWebhookHandler {
  const sync = 'handleWebhook' in syncOrOptions ? syncOrOptions : createClerkSync(syncOrOptions);
  return async (request, response) => {
    try {
      await handle(request, response);
    } catch (error) {
      // The sender went away while sending (the stream failed): nothing to apply, maybe no one to answer.
      console.error(JSON.stringify({ event: 'clerk_webhook_request_failed', error: error instanceof Error ? error.name : typeof error }));
      if (!response.headersSent) send(response, 400, { outcome: 'malformed', message: 'the request body could not be read' });
    }
  };

  async function handle(request: NodeWebhookRequest, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') {
      return send(response, 405, { message: 'method not allowed: deliveries are POSTed' }, { Allow: 'POST' });
    }
    const body = await bodyOf(request);
    if (body.kind === 'parsed') {
      console.error(JSON.stringify({ event: 'clerk_webhook_body_parsed', message: BODY_ALREADY_PARSED }));
      return send(response, 500, { outcome: 'internal_error', message: BODY_ALREADY_PARSED });
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    const headers = headersOf(request.headers, body.declaredTooLarge);
    // Bytes of a Buffer, whose memory is an ArrayBuffer (never shared): what a fetch body takes.
    const reply = await sync.receiveWebhook(new Request(url, { method: 'POST', headers, body: body.bytes as Uint8Array<ArrayBuffer> }));
    send(response, reply.status, reply.body, reply.headers);
  }
}
