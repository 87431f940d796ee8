import { describe, expect, it } from 'vitest';
import { emailsTo, logIn, uniqueEmail } from '../support/api.ts';
import { account, enrollTotp } from '../support/mfa.ts';
import { addMember as invite, orgWithMfaOwner, setPolicy } from '../support/orgs.ts';
import {
  addMember,
  appCodeNow,
  createOrg,
  E2E,
  enrollTotpInUi,
  expectScreen,
  keepRecoveryCodes,
  listedFactors,
  open,
  PHONE,
  screenshot,
  seeEnrolled,
  signInInUi,
  signOutInUi,
  useBrowser,
  WAIT,
} from './support.ts';

describe('the demo client: an organisation and its MFA policy', E2E, () => {
  const browser = useBrowser();

  it('an owner turns `required` on (after MFA for themself) and a member is forced through enrollment with no Skip', async () => {
    const owner = await account();
    const member = await account();
    const admin = await open(browser());
    const { page } = admin;

    // Signed in with a password only: the policy is refused, with the owner-MFA-first rule.
    await signInInUi(page, owner.email);
    await expectScreen(page, 'My account');
    const name = `Acme ${Date.now()}`;
    await page.getByTestId('org-name').fill(name);
    await page.getByTestId('create-org-submit').click();
    await expectScreen(page, name);
    expect(await page.getByTestId('aal-warning').count()).toBe(1);
    await page.getByTestId('policy-mode-required').check();
    await page.getByTestId('policy-submit').click();
    await expect
      .poll(() => page.getByTestId('policy-error').textContent(), WAIT)
      .toContain('Turn on MFA for your own account and sign in with it before requiring it for everyone');

    // The owner turns MFA on and signs in with it: now the policy is accepted.
    const { secret } = await enrollTotp(owner);
    await page.getByTestId('policy-error').getByTestId('sign-in-again').click();
    await signInInUi(page, owner.email);
    await expectScreen(page, 'Two-step verification');
    await page.getByTestId('code').fill(await appCodeNow(secret));
    await page.getByTestId('verify-submit').click();
    await expectScreen(page, 'My account');
    await page.getByTestId('nav-org').click();
    await expectScreen(page, name);
    expect(await page.getByTestId('aal-warning').count()).toBe(0);

    await page.getByTestId('member-email').fill(member.email);
    await page.getByTestId('add-member-submit').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain(`Invitation sent to ${member.email} as member`);
    const pending = page.locator(`[data-testid="invitation-row"][data-email="${member.email}"]`);
    expect(await pending.count()).toBe(1);

    // Joining takes the member's consent: they accept the invitation on their account page.
    const phone = await open(browser(), PHONE);
    await signInInUi(phone.page, member.email);
    await expectScreen(phone.page, 'My account');
    expect(await phone.page.getByTestId('invitation').textContent()).toContain(`${name} invited you`);
    await phone.page.getByTestId('accept-invitation').click();
    await expect
      .poll(() => phone.page.getByTestId('status').textContent(), WAIT)
      .toContain(`You joined ${name}`);
    await signOutInUi(phone.page);
    await page.getByTestId('nav-account').click();
    await expectScreen(page, 'My account');
    await page.getByTestId('nav-org').click();
    await expectScreen(page, name);
    // Accepted: a member now, no longer pending.
    expect(await pending.count()).toBe(0);
    const row = page.locator(`[data-testid="member-row"][data-email="${member.email}"]`);
    expect(await row.getByTestId('member-mfa').textContent()).toContain('Off');

    // Optional: the member is offered enrollment and may skip it.
    await page.getByTestId('policy-mode-optional').check();
    await page.getByTestId('policy-submit').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain('MFA policy saved: optional');
    await signInInUi(phone.page, member.email);
    await expectScreen(phone.page, 'Protect your account');
    await phone.page.getByTestId('skip').click();
    await expectScreen(phone.page, 'My account');
    await signOutInUi(phone.page);

    // Required, app or SMS only, no grace period: the same enrollment, without Skip.
    await page.getByTestId('policy-mode-required').check();
    await page.getByTestId('policy-type-email').uncheck();
    await page.getByTestId('policy-remember-days').fill('7');
    await page.getByTestId('policy-grace-days').fill('0');
    await page.getByTestId('policy-submit').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain('MFA policy saved: required');
    expect(await page.getByTestId('audit-log').textContent()).toContain('MFA policy changed to "required"');
    await screenshot(page, 'required-owner-policy');

    await signInInUi(phone.page, member.email);
    await expectScreen(phone.page, 'Set up two-step verification');
    expect(await phone.page.getByTestId('enroll-reason').textContent()).toContain(
      'Your organisation requires two-step verification',
    );
    expect(await phone.page.getByTestId('skip').count()).toBe(0);
    expect(await phone.page.getByRole('button', { name: /skip/i }).count()).toBe(0);
    expect(await phone.page.getByTestId('choose-email').count()).toBe(0);
    expect(await phone.page.getByTestId('choose-sms').count()).toBe(1);
    await screenshot(phone.page, 'required-offer-phone');

    await phone.page.getByTestId('choose-totp').click();
    await expectScreen(phone.page, 'Add an authenticator app');
    await enrollTotpInUi(phone.page);
    await keepRecoveryCodes(phone.page);
    await seeEnrolled(phone.page);
    await expectScreen(phone.page, 'My account');
    expect(await phone.page.getByTestId('signed-in-as').textContent()).toContain(
      'with two-step verification',
    );
    expect(await listedFactors(phone.page)).toEqual([{ type: 'totp', destination: null }]);
    await screenshot(phone.page, 'required-enrolled-phone');

    await page.getByTestId('nav-account').click();
    await expectScreen(page, 'My account');
    await page.getByTestId('nav-org').click();
    await expectScreen(page, name);
    expect(await row.getByTestId('member-mfa').textContent()).toContain('On');
    expect([...admin.problems, ...phone.problems]).toEqual([]);
    await phone.close();
    await admin.close();
  });

  it('an owner invites an address, sees it pending, and withdraws the invitation', async () => {
    const owner = await account();
    const name = `Initech ${Date.now()}`;
    await createOrg(owner.accessToken, name);
    // An address without an account: the page says the same as for any other.
    const invitee = uniqueEmail('e2e-invitee');
    const { page, problems, close } = await open(browser());
    await signInInUi(page, owner.email);
    await expectScreen(page, 'My account');
    await page.getByTestId('nav-org').click();
    await expectScreen(page, name);
    expect(await page.getByTestId('no-invitations').textContent()).toBe('No pending invitations.');

    await page.getByTestId('member-email').fill(invitee);
    await page.getByTestId('member-role').selectOption('admin');
    await page.getByTestId('add-member-submit').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain(`Invitation sent to ${invitee} as admin`);
    expect(await page.getByTestId('status').textContent()).not.toMatch(/account|added/i);
    const row = page.locator(`[data-testid="invitation-row"][data-email="${invitee}"]`);
    expect(await row.getByTestId('invitation-role').textContent()).toBe('admin');
    expect(await row.getByTestId('invitation-expires').locator('time').getAttribute('datetime')).toMatch(
      /^\d{4}-\d\d-\d\dT/,
    );
    expect(await page.getByTestId('members').textContent()).not.toContain(invitee);
    expect(await emailsTo(invitee)).toHaveLength(1);
    await screenshot(page, 'org-invitations');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'org-invitations-phone');

    await row.getByTestId('withdraw-invitation').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain(`The invitation to ${invitee} was withdrawn`);
    expect(await row.count()).toBe(0);
    expect(await page.getByTestId('no-invitations').textContent()).toBe('No pending invitations.');
    expect(await page.getByTestId('audit-log').textContent()).toContain(`Invitation withdrawn: ${invitee}`);
    expect(problems).toEqual([]);
    await close();
  });

  it("an admin resets a member's MFA after a confirmation, and the member list shows MFA off", async () => {
    const owner = await account();
    const { secret } = await enrollTotp(owner);
    const name = `Globex ${Date.now()}`;
    const orgId = await createOrg(owner.accessToken, name);
    const member = await account();
    await addMember(owner.accessToken, orgId, member);
    await enrollTotp(member);

    const { page, problems, close } = await open(browser());
    await signInInUi(page, owner.email);
    await expectScreen(page, 'Two-step verification');
    await page.getByTestId('code').fill(await appCodeNow(secret));
    await page.getByTestId('verify-submit').click();
    await expectScreen(page, 'My account');
    await page.getByTestId('nav-org').click();
    await expectScreen(page, name);

    const row = page.locator(`[data-testid="member-row"][data-email="${member.email}"]`);
    expect(await row.getByTestId('member-mfa').textContent()).toMatch(/On\s+Authenticator app/);
    await row.getByTestId('reset-mfa').click();
    await expectScreen(page, `Reset MFA for ${member.email}?`);
    await page.getByTestId('confirm-reset').click();

    await expectScreen(page, name);
    expect(await page.getByTestId('status').textContent()).toContain(`MFA was reset for ${member.email}`);
    expect(await row.getByTestId('member-mfa').textContent()).toContain('Off');
    expect(await row.getByTestId('reset-mfa').count()).toBe(0);
    expect(await page.getByTestId('audit-log').textContent()).toContain(
      'Multi-factor authentication reset by an admin',
    );
    // The member's factors are gone: a password alone signs them in now.
    const login = await logIn(member.email);
    expect(login.body).toMatchObject({ status: 'authenticated', mfa: { enabled: false } });
    await screenshot(page, 'admin-reset');
    expect(problems).toEqual([]);
    await close();
  });

  it('a signed-in user without MFA joins an organisation that requires it: the enrollment screens come at once, with no Skip', async () => {
    const name = `Umbrella ${Date.now()}`;
    const { orgId, owner } = await orgWithMfaOwner(name);
    await setPolicy(owner.accessToken, orgId, { mode: 'required', allowedFactorTypes: ['totp', 'sms'] });
    const member = await account();
    expect((await invite(owner.accessToken, orgId, member.email, 'member')).status).toBe(201);

    const { page, problems, close } = await open(browser(), PHONE);
    await signInInUi(page, member.email);
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('invitation').textContent()).toContain(`${name} invited you`);
    await page.getByTestId('accept-invitation').click();

    // Joined: this session ended, and the enrollment token leads straight to the forced enrollment.
    await expectScreen(page, 'Set up two-step verification');
    expect(await page.getByTestId('status').textContent()).toContain(
      `You joined ${name} as member. It requires two-step verification`,
    );
    expect(await page.getByTestId('enroll-reason').textContent()).toContain(
      'Your organisation requires two-step verification',
    );
    expect(await page.getByTestId('skip').count()).toBe(0);
    expect(await page.getByRole('button', { name: /skip/i }).count()).toBe(0);
    expect(await page.getByTestId('choose-email').count()).toBe(0);
    expect(await page.getByTestId('choose-sms').count()).toBe(1);
    expect(await page.getByTestId('nav-account').count()).toBe(0);
    await screenshot(page, 'required-join-enroll-phone');

    await page.getByTestId('choose-totp').click();
    await expectScreen(page, 'Add an authenticator app');
    await enrollTotpInUi(page);
    await keepRecoveryCodes(page);
    await seeEnrolled(page);
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('with two-step verification');
    expect(await page.locator('#org-title + p').textContent()).toContain(`You belong to ${name} as member`);
    expect(await page.getByTestId('nav-org').count()).toBe(1);
    await screenshot(page, 'required-join-enrolled-phone');
    expect(problems).toEqual([]);
    await close();
  });
});
