/**
 * The e2e suite's `test`. Every browser context:
 * - reaches only the app: requests to other hosts fail as offline, except
 *   Clerk's image CDN (answered with a stand-in avatar) and page navigations
 *   to Clerk's hosts (answered with a stand-in page, so a test can see where
 *   the app sent the browser);
 * - starts as a signed-out browser of a Clerk development instance;
 * - fails its test on any console error or uncaught exception, except the
 *   failed loads of Clerk's own frontend scripts from the Frontend API host
 *   (and Clerk's loader giving up on them, and saying so), and Chromium's note that a page
 *   it navigated to answered 4xx/5xx.
 */
import { test as base, expect, type ConsoleMessage, type Route } from '@playwright/test';
import { FRONTEND_API_HOST } from '../../../tools/clerk/session-tokens';
import { asSignedOutBrowser } from './clerk';

/** A 1×1 PNG: what the avatar stand-in for img.clerk.com serves. */
const AVATAR_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The marker on the stand-in page shown for navigations that leave the app. */
export const OUTSIDE_PAGE_TESTID = 'outside-app';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

function answerOutsideRequest(route: Route): Promise<void> {
  const request = route.request();
  const url = new URL(request.url());
  const { hostname } = url;
  if (hostname === 'img.clerk.com') return route.fulfill({ status: 200, contentType: 'image/png', body: AVATAR_PNG });
  if (request.isNavigationRequest()) {
    return route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: `<!doctype html><title>${hostname}</title><p data-testid="${OUTSIDE_PAGE_TESTID}">Stand-in for ${hostname} (unreachable in tests): the browser left the app for</p><pre>${escapeHtml(url.href)}</pre>`,
    });
  }
  return route.abort('internetdisconnected');
}

const CHROME_ERROR_PAGE = 'chrome-error://chromewebdata/';

function isFailedLoadMessage(message: ConsoleMessage): boolean {
  return message.text().startsWith('Failed to load resource');
}

/** Clerk's frontend scripts come from the Frontend API host, unreachable here; the browser logs each failed load. */
function isClerkScriptLoadFailure(message: ConsoleMessage): boolean {
  const source = message.location().url;
  return isFailedLoadMessage(message) && source !== '' && new URL(source).hostname === FRONTEND_API_HOST;
}

/** Once its loader gave up, ClerkProvider logs that it failed (what the pages' <ClerkFailed> state then shows). */
function isClerkReportingItsFailure(message: ConsoleMessage): boolean {
  return /Clerk: Failed to load Clerk (JS|UI)\s+\(code="failed_to_load_clerk_(js|ui)"\)/.test(message.text());
}

/** After its retries (about 10 s), Clerk's script loader gives up with an unhandled rejection naming the script. */
function isClerkGivingUpOnItsScripts(error: Error): boolean {
  return (
    /^Clerk: Failed to load Clerk (JS|UI), failed to load script: /.test(error.message) &&
    error.message.includes(`https://${FRONTEND_API_HOST}/`) &&
    /\(code="failed_to_load_clerk_(js|ui)"\)/.test(error.message)
  );
}

type Fixtures = {
  /** The app's origin, e.g. http://127.0.0.1:41234. */
  origin: string;
};

// Fixture callbacks name their second argument `provide`, not `use`: React's hook lint rule would claim `use`.
export const test = base.extend<Fixtures>({
  origin: async ({ baseURL }, provide) => {
    if (!baseURL) throw new Error('No baseURL: run the e2e suite through tests/playwright.config.ts (npm run test:e2e).');
    await provide(new URL(baseURL).origin);
  },
  context: async ({ context, origin }, provide) => {
    await context.route((url) => url.origin !== origin, answerOutsideRequest);
    await asSignedOutBrowser(context, origin);
    await provide(context);
  },
  page: async ({ page }, provide) => {
    const consoleErrors: ConsoleMessage[] = [];
    const uncaught: string[] = [];
    const failedDocuments = new Set<string>();
    page.on('console', (message) => {
      if (message.type() === 'error' && !isClerkScriptLoadFailure(message) && !isClerkReportingItsFailure(message))
        consoleErrors.push(message);
    });
    page.on('pageerror', (error) => {
      if (!isClerkGivingUpOnItsScripts(error)) uncaught.push(`uncaught: ${error.message}`);
    });
    page.on('response', (response) => {
      const request = response.request();
      const isServerAction = request.method() === 'POST' && request.headers()['next-action'] !== undefined;
      if (response.status() >= 400 && (request.isNavigationRequest() || isServerAction)) failedDocuments.add(response.url());
    });
    await provide(page);
    // Chromium logs an error for a page (or a server action) answered with 4xx/5xx (from its own error page when the
    // answer had no body); a test that navigates to one, or posts one, asserts that status itself.
    const isFailedDocumentNote = (message: ConsoleMessage) =>
      isFailedLoadMessage(message) &&
      (failedDocuments.has(message.location().url) || (failedDocuments.size > 0 && message.location().url === CHROME_ERROR_PAGE));
    const unexpected = consoleErrors
      .filter((message) => !isFailedDocumentNote(message))
      .map((message) => `console: ${message.text()} (${message.location().url})`);
    expect([...unexpected, ...uncaught], 'console errors or uncaught exceptions in the page').toEqual([]);
  },
});

export { expect };
