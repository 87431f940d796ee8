import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, emailTexts, uniqueEmail } from '../support/api.ts';
import { account, enrollTotp } from '../support/mfa.ts';
import { addMember, createOrg, member, orgWithMfaOwner, setPolicy } from '../support/orgs.ts';
import {
  E2E,
  enrollTotpInUi,
  expectScreen,
  focusedTestId,
  keepRecoveryCodes,
  open,
  PHONE,
  screenshot,
  seeEnrolled,
  signInInUi,
  signInWithApp,
  useBrowser,
  WAIT,
} from './support.ts';

/**
 * The organisation side of "What the help-centre users meet": items 2, 4, 8, 15 and 16 (the
 * others are in help-centre-user.test.ts). Every screen reached through expectScreen also
 * passes axe-core's WCAG 2.2 AA rules.
 */

const orgName = (tag: string) => `${tag} ${randomUUID().slice(0, 8)}`;

/**
 * An organisation whose owner has an authenticator app (activated with the previous step) and
 * an aal 2 token: the current step is left for the owner's sign-in in the browser.
 */
async function ownerWithApp(name: string) {
  const owner = await account();
  const orgId = await createOrg(owner.accessToken, name);
  const { secret } = await enrollTotp(owner);
  return { orgId, owner: { ...owner, secret } };
}

describe('the demo client: what the help-centre users meet (organisations)', E2E, () => {
  const browser = useBrowser();

  it('item 2: joining an organisation that requires MFA brings the enrollment at once, and Back cannot leave it', async () => {
    const name = orgName('Required');
    const { orgId, owner } = await orgWithMfaOwner(name);
    await setPolicy(owner.accessToken, orgId, { mode: 'required' });
    const user = await account();
    expect((await addMember(owner.accessToken, orgId, user.email, 'member')).status).toBe(201);

    const { page, problems, close } = await open(browser(), PHONE);
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    await page.getByTestId('accept-invitation').click();
    await expectScreen(page, 'Set up two-step verification');
    expect(await page.getByTestId('enroll-reason').textContent()).toContain(
      'Your organisation requires two-step verification',
    );
    expect(await page.getByTestId('skip').count()).toBe(0);
    await screenshot(page, 'item02-required-after-join-phone');
    await page.goBack();
    await expectScreen(page, 'Set up two-step verification');

    await page.getByTestId('choose-totp').click();
    await enrollTotpInUi(page);
    await keepRecoveryCodes(page);
    await seeEnrolled(page);
    await expectScreen(page, 'My account');
    expect(await page.locator('#org-title + p').textContent()).toContain(`You belong to ${name} as member`);
    expect(problems).toEqual([]);
    await close();
  });

  it('item 4: an owner without MFA sets it up from the organisation page, comes back, and requires it', async () => {
    const user = await account();
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    const name = orgName('Owner first');
    await page.getByTestId('org-name').fill(name);
    await page.getByTestId('create-org-submit').click();
    await expectScreen(page, name);
    expect(await page.getByTestId('aal-warning').textContent()).toContain(
      'Your own account has no two-step verification yet',
    );
    expect(await page.getByTestId('sign-in-again').count()).toBe(0);
    await screenshot(page, 'item04-owner-without-mfa');

    await page.getByTestId('owner-setup-mfa').click();
    await expectScreen(page, 'Protect your account');
    await page.getByTestId('choose-totp').click();
    await enrollTotpInUi(page);
    await keepRecoveryCodes(page);
    await seeEnrolled(page);
    await expectScreen(page, name);
    expect(await page.getByTestId('aal-warning').count()).toBe(0);
    await page.getByTestId('policy-mode-required').check();
    await page.getByTestId('policy-submit').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain('MFA policy saved: required');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 8: with the policy Off, the reset page and the member’s email say they sign in with the password alone', async () => {
    const name = orgName('Off');
    const { orgId, owner } = await ownerWithApp(name);
    const reset = await member(owner.accessToken, orgId);
    await enrollTotp(reset);

    const { page, problems, close } = await open(browser());
    await signInWithApp(page, owner.email, owner.secret);
    await page.getByTestId('nav-org').click();
    await expectScreen(page, name);
    await page
      .locator(`[data-testid="member-row"][data-email="${reset.email}"]`)
      .getByTestId('reset-mfa')
      .click();
    await expectScreen(page, `Reset MFA for ${reset.email}?`);
    expect(await page.getByTestId('reset-next').textContent()).toContain(
      'they sign in with their password alone until they set MFA up again',
    );
    expect(await page.getByTestId('reset-next').textContent()).not.toMatch(/must set it up/);
    await screenshot(page, 'item08-reset-policy-off');
    await page.getByTestId('confirm-reset').click();
    await expectScreen(page, name);
    await expect
      .poll(async () => (await emailTexts(reset.email)).join('\n'), WAIT)
      .toMatch(/multi-factor authentication was reset[\s\S]*password alone/);
    expect((await emailTexts(reset.email)).join('\n')).not.toMatch(/asked to set up a sign-in method again/);
    expect(problems).toEqual([]);
    await close();
  });

  it('item 15: the owner resets every member’s MFA at once, after typing the organisation’s name', async () => {
    const name = orgName('Everyone');
    const { orgId, owner } = await ownerWithApp(name);
    const withMfa = [await member(owner.accessToken, orgId), await member(owner.accessToken, orgId)];
    for (const user of withMfa) await enrollTotp(user);
    await member(owner.accessToken, orgId);
    await setPolicy(owner.accessToken, orgId, { mode: 'required' });

    const { page, problems, close } = await open(browser());
    await signInWithApp(page, owner.email, owner.secret);
    await page.getByTestId('nav-org').click();
    await expectScreen(page, name);
    expect(await page.getByTestId('reset-all-next').textContent()).toContain(
      'they must set it up again at their next sign-in',
    );
    await page.getByTestId('reset-all-confirm').fill('Not the name');
    await page.getByTestId('reset-all-submit').click();
    await expect.poll(() => page.getByTestId('reset-all-error').textContent(), WAIT).not.toBe('');
    expect(await focusedTestId(page)).toBe('reset-all-error');
    for (const user of withMfa)
      expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body.mfaEnabled).toBe(true);

    await page.getByTestId('reset-all-confirm').fill(name);
    await screenshot(page, 'item15-reset-all');
    await page.getByTestId('reset-all-submit').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain('MFA was reset for 2 members');
    const badges = await page.getByTestId('member-mfa').allTextContents();
    expect(badges.filter((badge) => badge.startsWith('On'))).toHaveLength(1);
    for (const user of withMfa) {
      await expect
        .poll(async () => (await emailTexts(user.email)).join('\n'), WAIT)
        .toMatch(/multi-factor authentication was reset/);
      // Signed out everywhere: the member's refresh token no longer works.
      const refreshed = await call('POST', '/v1/sessions/refresh', {
        body: { refreshToken: user.refreshToken },
      });
      expect(refreshed.status).toBe(401);
    }
    await page.getByTestId('nav-account').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('mfa-status').textContent()).toContain('On');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 16: the owner sees pending invitations, and the audit log names who did what to whom', async () => {
    const name = orgName('Audit');
    const { orgId, owner } = await ownerWithApp(name);
    const reset = await member(owner.accessToken, orgId);
    await enrollTotp(reset);
    const invitee = uniqueEmail('e2e-invitee');

    const { page, problems, close } = await open(browser());
    await signInWithApp(page, owner.email, owner.secret);
    await page.getByTestId('nav-org').click();
    await expectScreen(page, name);
    await page.getByTestId('member-email').fill(invitee);
    await page.getByTestId('add-member-submit').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain(`Invitation sent to ${invitee}`);
    const pending = page.locator(`[data-testid="invitation-row"][data-email="${invitee}"]`);
    expect(await pending.textContent()).toContain(`by ${owner.email}`);

    await page
      .locator(`[data-testid="member-row"][data-email="${reset.email}"]`)
      .getByTestId('reset-mfa')
      .click();
    await page.getByTestId('confirm-reset').click();
    await expectScreen(page, name);
    const resetLine = page.locator('[data-testid="audit-log"] [data-type="mfa.reset"]');
    await expect.poll(() => resetLine.count(), WAIT).toBe(1);
    expect(await resetLine.textContent()).toContain(`${owner.email} → ${reset.email}`);
    const log = (await page.getByTestId('audit-log').textContent()) ?? '';
    expect(log).toContain(invitee);
    expect(log).not.toMatch(/another account|a deleted account/);
    await screenshot(page, 'item16-audit-log');
    expect(problems).toEqual([]);
    await close();
  });
});
