import { receiveClerkWebhook } from '@/lib/webhooks/receive';

export const dynamic = 'force-dynamic';
// Svix waits 15 s for an answer; the pipeline's deadline keeps us inside it.
export const maxDuration = 15;

export async function POST(request: Request): Promise<Response> {
  const { status, body, headers } = await receiveClerkWebhook(request);
  return Response.json(body, { status, headers });
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
