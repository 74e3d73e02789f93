/**
 * Any other path under /api/webhooks: a plain 404 that names the real
 * endpoint. These paths run outside Clerk's middleware, where Next's
 * not-found page (which reads the session) would answer 500 instead.
 */
export const dynamic = 'force-dynamic';

function notFound(): Response {
  return Response.json({ message: "no webhook endpoint here: Clerk's is /api/webhooks/clerk" }, { status: 404 });
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;
