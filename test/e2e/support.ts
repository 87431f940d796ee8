import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { call, emailsTo, lastEmailCode, PASSWORD, runtime } from '../support/api.ts';
import { appCodeNow, RECOVERY_CODE, smsCount } from '../support/mfa.ts';

export { appCodeNow };

/**
 * The demo client in a real Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
 * against the local runtime the global setup started. One browser per test file, a fresh
 * context (cookies, storage) per test.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = 'test-results/screenshots';
/** Browser flows run argon2id several times and wait for real countdowns: give them room. */
export const E2E = { timeout: 120_000 };
export const PHONE = { width: 390, height: 844 };
/** For `expect.poll`: a screen after argon2id and DynamoDB round trips can take seconds. */
export const WAIT = { timeout: 15_000 };

export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser did not start');
    return browser;
  };
}

export interface Opened {
  page: Page;
  /** Page errors and CSP violations seen so far: a test ends by expecting none. */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh context and page on the demo client; CSP violations and script errors are recorded. */
export async function open(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Opened> {
  const context = await browser.newContext({ viewport, baseURL: runtime().apiUrl, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
      problems.push(`CSP: ${message.text()}`);
  });
  await page.goto('/');
  return { page, problems, close: () => context.close() };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

export const heading = (page: Page) => page.getByTestId('screen-title');

export async function expectScreen(page: Page, title: string | RegExp): Promise<void> {
  await expect.poll(() => heading(page).textContent(), WAIT).toMatch(title);
  await expectAccessible(page);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.0–2.2 A and AA rules on the screen as it is: every screen a test reaches
 * through expectScreen is checked, and a violation fails the test where it appears. Injected
 * over the DevTools protocol (page.evaluate), which the page's CSP does not govern, so the CSP
 * stays as strict as users get it.
 */
export async function expectAccessible(page: Page): Promise<void> {
  const violations = await page.evaluate(async (source) => {
    const scope = globalThis as unknown as {
      axe?: { run: (...args: unknown[]) => Promise<unknown> };
      document: unknown;
    };
    // biome-ignore lint/security/noGlobalEval: axe-core's own bundle, run in the test browser only.
    if (!scope.axe) globalThis.eval(source);
    const result = (await scope.axe?.run(scope.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    })) as { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
    return result.violations.map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    );
  }, axeSource);
  expect(violations, `axe-core on "${await heading(page).textContent()}"`).toEqual([]);
}

/** Waits for an email to `address` after `before` emails and returns the code of the newest one. */
export async function nextEmailCode(address: string, before: number): Promise<string> {
  await expect
    .poll(async () => (await emailsTo(address)).length, { timeout: 10_000 })
    .toBeGreaterThan(before);
  return lastEmailCode(address);
}

/** "Create account", then the code emailed to the address on "Check your email". */
export async function startSignUpInUi(page: Page, email: string): Promise<void> {
  await page.getByTestId('to-signup').click();
  await expectScreen(page, 'Create an account');
  await page.getByTestId('email').fill(email);
  await page.getByTestId('password').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();
  await expectScreen(page, 'Check your email');
  expect(await page.getByTestId('code-sent').textContent()).toContain(email);
}

export async function signUpInUi(page: Page, email: string): Promise<void> {
  await startSignUpInUi(page, email);
  await page.getByTestId('code').fill(await nextEmailCode(email, 0));
  await page.getByTestId('verify-email-submit').click();
}

/** The offer of two-step verification right after sign-up (seed 001), declined. */
export async function skipOffer(page: Page): Promise<void> {
  await expectScreen(page, 'Protect your account');
  await page.getByTestId('skip').click();
  await expectScreen(page, 'My account');
}

export async function signInInUi(page: Page, email: string, password = PASSWORD): Promise<void> {
  await expectScreen(page, 'Sign in');
  await page.getByTestId('email').fill(email);
  await page.getByTestId('password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** The test id of the element that has the focus (the tests' TypeScript has no DOM types). */
export const focusedTestId = (page: Page): Promise<string | null> =>
  page.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")');

/** Signs in with the password and the code of the authenticator app (`stepOffset` steps on). */
export async function signInWithApp(
  page: Page,
  email: string,
  secret: string,
  stepOffset = 0,
): Promise<void> {
  await signInInUi(page, email);
  await expectScreen(page, 'Two-step verification');
  await page.getByTestId('code').fill(await appCodeNow(secret, stepOffset));
  await page.getByTestId('verify-submit').click();
  await expectScreen(page, 'My account');
}

export async function signOutInUi(page: Page): Promise<void> {
  await page.getByTestId('sign-out').click();
  await expectScreen(page, 'Sign in');
}

/** Waits for the SMS after `before` messages to a number and returns its code. */
export async function nextSmsCode(phoneE164: string, before: number): Promise<string> {
  await expect.poll(() => smsCount(phoneE164), { timeout: 10_000 }).toBeGreaterThan(before);
  const url = `${runtime().awsUrl}/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(phoneE164)}`;
  const listed = (await (await fetch(url)).json()) as { sms_messages: Record<string, { Message: string }[]> };
  const message = listed.sms_messages[phoneE164]?.at(-1)?.Message ?? '';
  const code = /\b(\d{6})\b/.exec(message)?.[1];
  if (!code) throw new Error(`no code in the SMS to ${phoneE164}`);
  return code;
}

/**
 * The recovery-codes screen: Continue is disabled until "I have safely recorded these codes"
 * is ticked. Returns the ten codes shown.
 */
export async function keepRecoveryCodes(page: Page): Promise<string[]> {
  await expectScreen(page, /recovery codes/i);
  const codes = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) =>
    c.trim(),
  );
  expect(codes).toHaveLength(10);
  for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
  const proceed = page.getByTestId('continue');
  expect(await proceed.isDisabled()).toBe(true);
  await page.getByTestId('codes-recorded').check();
  expect(await proceed.isEnabled()).toBe(true);
  await proceed.click();
  return codes;
}

/**
 * The screen after a setup (seed 001): what changed and that a confirmation email went out;
 * Continue goes back where the setup started.
 */
export async function seeEnrolled(
  page: Page,
  title: string | RegExp = 'Two-step verification is on',
): Promise<string> {
  await expectScreen(page, title);
  const changes = (await page.getByTestId('enrolled-changes').textContent()) ?? '';
  expect(changes).toMatch(/We sent a confirmation email to \S+@\S+\./);
  await page.getByTestId('enrolled-continue').click();
  return changes;
}

/** Enrolls an authenticator app from the screen that asks for the password; returns the secret. */
export async function enrollTotpInUi(page: Page): Promise<string> {
  await page.getByTestId('password').fill(PASSWORD);
  await page.getByTestId('password-step-submit').click();
  await expectScreen(page, 'Scan the QR code');
  const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/(png|svg\+xml)[;,]/);
  const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  // The previous step: the current one stays free for a login right after.
  await page.getByTestId('code').fill(await appCodeNow(secret, -1));
  await page.getByTestId('activate-submit').click();
  return secret;
}

/** The factors listed on "My account", as the page shows them. */
export async function listedFactors(
  page: Page,
): Promise<{ type: string | null; destination: string | null }[]> {
  const items = page.getByTestId('factor');
  const found: { type: string | null; destination: string | null }[] = [];
  for (let i = 0; i < (await items.count()); i++) {
    const item = items.nth(i);
    const destination = item.getByTestId('factor-destination');
    found.push({
      type: await item.getAttribute('data-type'),
      destination: (await destination.count()) ? await destination.textContent() : null,
    });
  }
  return found;
}

/** An organisation created over the API (its owner's access token). */
export async function createOrg(accessToken: string, name: string): Promise<string> {
  const created = await call('POST', '/v1/orgs', { token: accessToken, body: { name } });
  if (created.status !== 201)
    throw new Error(`create org: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.orgId;
}

/** Puts a user into an organisation over the API: the owner invites them and the user accepts. */
export async function addMember(
  ownerToken: string,
  orgId: string,
  user: { email: string; accessToken: string },
): Promise<void> {
  const added = await call('POST', `/v1/orgs/${orgId}/members`, {
    token: ownerToken,
    body: { email: user.email, role: 'member' },
  });
  if (added.status !== 201) throw new Error(`add member: ${added.status} ${JSON.stringify(added.body)}`);
  const accepted = await call('POST', `/v1/me/invitations/${orgId}/accept`, { token: user.accessToken });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
}
