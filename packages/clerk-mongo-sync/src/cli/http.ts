/** One POST as a value: what the server answered, or why nothing answered. Redirects are reported, never followed. */
export type PostResult =
  | { kind: 'answered'; status: number; statusText: string; location: string | null; headers: Headers; body: string; durationMs: number }
  | { kind: 'unreachable'; reason: string };

export async function post(url: string, init: { headers: Record<string, string>; body: string; timeoutMs?: number }): Promise<PostResult> {
  const startedAt = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
    return {
      kind: 'answered',
      status: response.status,
      statusText: response.statusText,
      location: response.headers.get('location'),
      headers: response.headers,
      body: await response.text(),
      durationMs: Math.round(performance.now() - startedAt),
    };
  } catch (error) {
    return { kind: 'unreachable', reason: describeFetchError(error) };
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'no answer before the timeout';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  if (error instanceof TypeError && /invalid url|failed to parse url/i.test(error.message)) return 'not a valid URL';
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** The JSON body our webhook route answers with, when it is one. */
export function routeAnswer(body: string): { outcome: string; message: string } | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'outcome' in parsed && typeof parsed.outcome === 'string') {
      const message = 'message' in parsed && typeof parsed.message === 'string' ? parsed.message : '';
      return { outcome: parsed.outcome, message };
    }
  } catch {
    // not JSON: not our route's answer
  }
  return null;
}
