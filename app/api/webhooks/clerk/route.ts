import { readBodyWithin } from '@/lib/http/read-body';
import { logDelivery } from '@/lib/webhooks/log';
import { STATUS_BY_OUTCOME, type DeliveryResult } from '@/lib/webhooks/outcome';
import { MAX_BODY_BYTES, receiveClerkWebhook } from '@/lib/webhooks/receive';
import { svixHeadersFrom } from '@/lib/webhooks/verify';

export const dynamic = 'force-dynamic';
// Svix waits 15 s for an answer; the pipeline's deadline keeps us inside it.
export const maxDuration = 15;

const RETRY_AFTER_SECONDS = '10';

export async function POST(request: Request): Promise<Response> {
  const startedAt = performance.now();
  const rawBody = await readBodyWithin(request, MAX_BODY_BYTES);
  const result: DeliveryResult =
    rawBody === null
      ? { outcome: 'too_large', message: `body exceeds ${MAX_BODY_BYTES} bytes` }
      : await receiveClerkWebhook({ rawBody, headers: svixHeadersFrom(request.headers), startedAt });

  const status = STATUS_BY_OUTCOME[result.outcome];
  logDelivery(result, status, startedAt);

  return Response.json(
    { outcome: result.outcome, message: result.message },
    { status, headers: status === 503 ? { 'Retry-After': RETRY_AFTER_SECONDS } : undefined },
  );
}

/**
 * Only Svix's POST is a delivery: every other method gets 405 with `Allow: POST`
 * (HEAD too, which Next derives from GET). OPTIONS is answered the same way, or
 * Next would answer it 204 and list these handlers as allowed methods.
 */
function methodNotAllowed(): Response {
  return Response.json({ message: 'method not allowed: deliveries are POSTed' }, { status: 405, headers: { Allow: 'POST' } });
}

export const GET = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const OPTIONS = methodNotAllowed;
