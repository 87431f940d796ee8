import { ApiError, api, claims, endSession, orgId } from '../api.ts';
import {
  actionForm,
  button,
  checkbox,
  errorBox,
  field,
  flash,
  h,
  show,
  showError,
  time,
  uid,
  when,
} from '../dom.ts';
import { factorNames } from '../messages.ts';
import { go } from '../nav.ts';
import type {
  EventPage,
  FactorList,
  Member,
  MemberInvited,
  MfaPolicy,
  Org,
  PendingInvitation,
  Verification,
} from '../types.ts';
import { FACTOR_TYPES } from '../types.ts';
import { eventItem, eventsCard } from './account.ts';
import { signInScreen } from './auth.ts';
import { enrollmentOffer, type Flow } from './enroll.ts';
import { confirmIdentity } from './verify.ts';

/**
 * Runs `act`; when the server asks for a step-up (`verification_required`), asks for a proof of
 * one of the caller's factors and runs `act` again with it.
 */
async function withStepUp(
  act: (verification?: Verification) => Promise<void>,
  text: { title: string; explain: string; submit: string },
): Promise<void> {
  try {
    await act();
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'verification_required') throw error;
    const { factors } = await api<FactorList>('GET', '/v1/mfa/factors');
    confirmIdentity({
      ...text,
      factors: factors.filter((factor) => factor.status === 'active'),
      cancel: () => void go('/org'),
      act: (verification) => act(verification),
    });
  }
}

const modes: { mode: MfaPolicy['mode']; label: string; hint: string }[] = [
  { mode: 'off', label: 'Off', hint: 'Members sign in with a password, unless they turn MFA on themselves.' },
  {
    mode: 'optional',
    label: 'Optional',
    hint: 'Members without MFA are invited to set it up when they sign in, and may skip.',
  },
  {
    mode: 'required',
    label: 'Required',
    hint: 'Members without MFA must set it up at their next sign-in (after the grace period, if any).',
  },
];

const signInAgain = () =>
  button(
    'Sign out and sign in with MFA',
    () => {
      void api('DELETE', '/v1/sessions/current').catch(() => undefined);
      endSession();
      signInScreen('Sign in with your second step to manage the organisation’s MFA.');
    },
    { class: 'link', 'data-testid': 'sign-in-again' },
  );

/**
 * Seed 002: the owner turns MFA on for their own account first, then for the company. Without a
 * factor, the way on is to set one up right here (activating it raises this session to aal 2);
 * with one, this session still has to prove it.
 */
function ownMfaFirst(hasFactor: boolean): HTMLElement {
  if (hasFactor)
    return h(
      'p',
      { class: 'warning', 'data-testid': 'aal-warning' },
      'You signed in with your password only, so the server will refuse policy changes. ',
      signInAgain(),
    );
  return h(
    'div',
    { class: 'warning', 'data-testid': 'aal-warning' },
    h(
      'p',
      {},
      'Your own account has no two-step verification yet. Set it up first: then you can set the policy for everyone.',
    ),
    button('Set up two-step verification', () => setUpOwnMfa(), {
      class: 'primary',
      'data-testid': 'owner-setup-mfa',
    }),
  );
}

/** Enrollment that comes back to the organisation page (this session is at aal 2 by then). */
const backToOrg: Flow = {
  finish: async (message) => {
    await go('/org');
    if (message) flash(message);
  },
  cancel: () => go('/org'),
};

function setUpOwnMfa(): void {
  enrollmentOffer({
    required: false,
    flow: backToOrg,
    reason:
      'Choose a second way to confirm it is you. Once it is on, you come back here and can require it for your members.',
  });
}

function policyForm(org: Org, hasFactor: boolean): HTMLElement {
  const policy = org.policy;
  const modeField = h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, 'Multi-factor authentication for members'),
    modes.map(({ mode, label, hint }) => {
      const radio = h('input', {
        type: 'radio',
        name: 'mode',
        value: mode,
        id: uid('mode'),
        checked: policy.mode === mode,
        'data-testid': `policy-mode-${mode}`,
      });
      const hintId = `${radio.id}-hint`;
      radio.setAttribute('aria-describedby', hintId);
      return h(
        'div',
        { class: 'check' },
        radio,
        h('label', { for: radio.id }, label, h('span', { class: 'hint', id: hintId }, hint)),
      );
    }),
  );
  const types = FACTOR_TYPES.map((type) => ({
    type,
    ...checkbox(factorNames[type], {
      name: 'type',
      value: type,
      checked: policy.allowedFactorTypes.includes(type),
      'data-testid': `policy-type-${type}`,
    }),
  }));
  const typesField = h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, 'Allowed factor types'),
    h(
      'p',
      { class: 'hint' },
      'NIST SP 800-63B does not count email codes as an authenticator: leave Email out to require stronger factors.',
    ),
    types.map(({ wrapper }) => wrapper),
  );
  const remember = h('input', {
    type: 'number',
    name: 'rememberDeviceDays',
    min: 0,
    max: 90,
    step: 1,
    required: true,
    value: policy.rememberDeviceDays,
    'data-testid': 'policy-remember-days',
  });
  const grace = h('input', {
    type: 'number',
    name: 'graceDays',
    min: 0,
    max: 30,
    step: 1,
    required: true,
    value: policy.graceDays,
    'data-testid': 'policy-grace-days',
  });
  const aal = claims()?.aal;
  return h(
    'section',
    { 'aria-labelledby': 'policy-title', class: 'card' },
    h('h2', { id: 'policy-title' }, 'MFA policy'),
    h(
      'p',
      { class: 'hint', 'data-testid': 'owner-mfa-first' },
      'Owner MFA first: changing the policy, and above all requiring MFA for everyone, needs a sign-in with MFA. Turn on MFA for your own account and sign in with it, so nobody imposes a rule they have not met themselves.',
    ),
    aal === 2 ? null : ownMfaFirst(hasFactor),
    actionForm({
      testid: 'policy',
      submit: 'Save policy',
      fields: [
        modeField,
        typesField,
        field('Remember devices for (days)', remember, '0 to 90. 0 turns “Remember this device” off.'),
        field(
          'Grace period (days)',
          grace,
          '0 to 30. After requiring MFA, members may skip it for this many days.',
        ),
      ],
      action: async (form) => {
        const mode = (form.elements.namedItem('mode') as RadioNodeList).value as MfaPolicy['mode'];
        const asked = {
          mode,
          allowedFactorTypes: types.filter(({ input }) => input.checked).map(({ type }) => type),
          rememberDeviceDays: Number(remember.value),
          graceDays: Number(grace.value),
        };
        const save = async (verification?: Verification) => {
          const answer = await api<{ policy: MfaPolicy }>(
            'PUT',
            `/v1/orgs/${encodeURIComponent(org.orgId)}/mfa-policy`,
            verification ? { ...asked, verification } : asked,
          );
          await go('/org');
          flash(`MFA policy saved: ${answer.policy.mode}.`);
        };
        // Weakening the policy (owner only) takes a proof of a factor made now, unless this
        // session proved one minutes ago.
        await withStepUp(save, {
          title: 'Weaken the MFA policy',
          explain: 'A weaker policy applies to everyone, you included. Confirm it is you.',
          submit: 'Save policy',
        });
      },
      onError: (error, box) => {
        showError(box, error);
        if (error instanceof ApiError && error.code === 'caller_mfa_required') box.append(' ', signInAgain());
        return true;
      },
    }),
  );
}

function membersSection(org: Org, members: Member[]): HTMLElement {
  const me = claims()?.sub;
  const rows = members.map((member) =>
    h(
      'tr',
      { 'data-testid': 'member-row', 'data-email': member.email },
      h('td', { 'data-label': 'Email' }, member.email),
      h('td', { 'data-label': 'Role' }, member.role),
      h(
        'td',
        { 'data-label': 'MFA', 'data-testid': 'member-mfa' },
        member.mfaEnabled ? h('span', { class: 'badge on' }, 'On') : h('span', { class: 'badge off' }, 'Off'),
        member.factorTypes.length ? ` ${member.factorTypes.map((type) => factorNames[type]).join(', ')}` : '',
      ),
      h(
        'td',
        {},
        member.mfaEnabled && member.userId !== me
          ? button('Reset MFA', () => confirmReset(org, member), {
              class: 'secondary danger',
              'data-testid': 'reset-mfa',
            })
          : '',
      ),
    ),
  );
  const email = h('input', { type: 'email', name: 'email', required: true, 'data-testid': 'member-email' });
  const role = h(
    'select',
    { name: 'role', 'data-testid': 'member-role' },
    h('option', { value: 'member' }, 'Member'),
    h('option', { value: 'admin' }, 'Admin'),
  );
  return h(
    'section',
    { 'aria-labelledby': 'members-title', class: 'card' },
    h('h2', { id: 'members-title' }, 'Members'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': 'members' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Email', 'Role', 'MFA', ''].map((title) => h('th', { scope: 'col' }, title)),
          ),
        ),
        h('tbody', {}, rows),
      ),
    ),
    h('h3', {}, 'Invite someone'),
    actionForm({
      testid: 'add-member',
      submit: 'Send invitation',
      fields: [
        field(
          'Email address',
          email,
          'We email an invitation to this address. The person joins when they accept it, signed in with an account for this address (they can create one).',
        ),
        field('Role', role),
      ],
      action: async () => {
        const invited = await api<MemberInvited>(
          'POST',
          `/v1/orgs/${encodeURIComponent(org.orgId)}/members`,
          {
            email: email.value.trim(),
            role: role.value,
          },
        );
        await go('/org');
        // The same answer for every address: it says nothing about an account, and neither does the page.
        flash(
          `Invitation sent to ${invited.email} as ${invited.role}. They join once they accept it; it expires ${when(invited.expiresAt)}.`,
        );
      },
    }),
  );
}

/** Invitations not yet accepted, declined or expired, each with "Withdraw". */
function invitationsSection(org: Org, invitations: PendingInvitation[]): HTMLElement {
  const box = errorBox('invitations-error');
  const rows = invitations.map((invitation) => {
    const withdraw = button(
      'Withdraw',
      async () => {
        withdraw.disabled = true;
        box.textContent = '';
        try {
          await api(
            'DELETE',
            `/v1/orgs/${encodeURIComponent(org.orgId)}/invitations/${encodeURIComponent(invitation.email)}`,
          );
          await go('/org');
          flash(`The invitation to ${invitation.email} was withdrawn. The address can no longer accept it.`);
        } catch (error) {
          withdraw.disabled = false;
          // Accepted, declined or withdrawn meanwhile (another tab, another admin): show the list as it is.
          if (error instanceof ApiError && error.code === 'not_found') {
            await go('/org');
            flash(
              `The invitation to ${invitation.email} is no longer open: it was accepted, declined or withdrawn.`,
            );
          } else showError(box, error);
        }
      },
      { class: 'secondary danger', 'data-testid': 'withdraw-invitation' },
    );
    return h(
      'tr',
      { 'data-testid': 'invitation-row', 'data-email': invitation.email },
      h(
        'td',
        { 'data-label': 'Email' },
        invitation.email,
        h('div', { class: 'meta' }, 'Sent ', time(invitation.createdAt), ` by ${invitation.invitedByEmail}`),
      ),
      h('td', { 'data-label': 'Role', 'data-testid': 'invitation-role' }, invitation.role),
      h('td', { 'data-label': 'Expires', 'data-testid': 'invitation-expires' }, time(invitation.expiresAt)),
      h('td', {}, withdraw),
    );
  });
  return h(
    'section',
    { 'aria-labelledby': 'invitations-title', class: 'card' },
    h('h2', { id: 'invitations-title' }, 'Pending invitations'),
    invitations.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { 'data-testid': 'invitations' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Email', 'Role', 'Expires', ''].map((title) => h('th', { scope: 'col' }, title)),
              ),
            ),
            h('tbody', {}, rows),
          ),
        )
      : h('p', { 'data-testid': 'no-invitations' }, 'No pending invitations.'),
    box,
  );
}

/** What a reset member meets next, by the policy (the email says the same). */
function afterReset(policy: MfaPolicy): string {
  if (policy.mode === 'required') {
    const graceEnds = policy.requiredSince
      ? Date.parse(policy.requiredSince) + policy.graceDays * 86_400_000
      : 0;
    return graceEnds > Date.now()
      ? `Your policy requires MFA: they are asked to set it up again when they sign in, may skip it until ${when(new Date(graceEnds).toISOString())}, and must after that.`
      : 'Your policy requires MFA, so they must set it up again at their next sign-in.';
  }
  if (policy.mode === 'optional')
    return 'Your policy makes MFA optional: they are invited to set it up again when they sign in, and may skip.';
  return 'Your policy has MFA off: they sign in with their password alone until they set MFA up again in their security settings.';
}

function confirmReset(org: Org, member: Member): void {
  const confirm = button(
    'Reset MFA',
    async () => {
      confirm.disabled = true;
      box.textContent = '';
      try {
        const reset = async (verification?: Verification) => {
          await api(
            'POST',
            `/v1/orgs/${encodeURIComponent(org.orgId)}/members/${encodeURIComponent(member.userId)}/mfa-reset`,
            verification ? { verification } : undefined,
          );
          await go('/org');
          flash(`MFA was reset for ${member.email}. They were signed out everywhere and emailed.`);
        };
        await withStepUp(reset, {
          title: `Reset MFA for ${member.email}`,
          explain: 'Resetting someone’s sign-in methods needs a proof of your own. Confirm it is you.',
          submit: 'Reset MFA',
        });
      } catch (error) {
        confirm.disabled = false;
        showError(box, error, 'reset');
        if (error instanceof ApiError && error.code === 'caller_mfa_required') box.append(' ', signInAgain());
      }
    },
    { class: 'primary danger', 'data-testid': 'confirm-reset' },
  );
  const box = h('p', { class: 'error', role: 'alert', 'data-testid': 'reset-error' });
  show(
    `Reset MFA for ${member.email}?`,
    h('p', {}, 'Do this when they lost their phone or their codes. It:'),
    h(
      'ul',
      {},
      h('li', {}, 'removes all their factors, recovery codes and remembered devices;'),
      h('li', {}, 'signs them out everywhere;'),
      h('li', {}, 'emails them about the reset.'),
    ),
    h('p', { 'data-testid': 'reset-next' }, afterReset(org.policy)),
    box,
    h(
      'div',
      { class: 'actions' },
      confirm,
      button('Cancel', () => void go('/org'), { class: 'link', 'data-testid': 'cancel-reset' }),
    ),
  );
}

function auditSection(org: Org, page: EventPage, members: Member[]): HTMLElement {
  const names = new Map(members.map((member) => [member.userId, member.email]));
  // The server names both sides (`actorEmail`, `userEmail`); an account deleted since has none.
  const who = (id: string, email: string | null | undefined) => email ?? names.get(id) ?? 'a deleted account';
  const item = (event: EventPage['events'][number]) => {
    const actor = who(event.actorId, event.actorEmail);
    return eventItem(
      event,
      event.actorId === event.userId ? actor : `${actor} → ${who(event.userId, event.userEmail)}`,
    );
  };
  return eventsCard({
    title: 'Audit log',
    titleId: 'audit-title',
    page,
    testid: 'audit-log',
    moreTestid: 'more-audit',
    nextPath: (cursor) =>
      `/v1/orgs/${encodeURIComponent(org.orgId)}/events?limit=20&cursor=${encodeURIComponent(cursor)}`,
    item,
  });
}

/**
 * Seed 004, "disable the setting for all users": the owner resets everyone's MFA but their own
 * in one action, confirmed by typing the organisation's name.
 */
function resetAllSection(org: Org, members: Member[]): HTMLElement {
  const me = claims()?.sub;
  const others = members.filter((member) => member.userId !== me && member.mfaEnabled).length;
  const confirm = h('input', {
    type: 'text',
    name: 'confirm',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    'data-testid': 'reset-all-confirm',
  });
  return h(
    'section',
    { 'aria-labelledby': 'reset-all-title', class: 'card danger-zone' },
    h('h2', { id: 'reset-all-title' }, 'Reset MFA for all members'),
    h(
      'p',
      {},
      `This removes the sign-in methods, recovery codes and remembered devices of every member but you (${others} with MFA on now), signs them out everywhere and emails each of them.`,
    ),
    h('p', { 'data-testid': 'reset-all-next' }, afterReset(org.policy)),
    actionForm({
      testid: 'reset-all',
      submit: 'Reset MFA for all members',
      fields: [field(`Type the organisation’s name, ${org.name}, to confirm`, confirm)],
      action: async () => {
        const typed = confirm.value;
        const resetAll = async (verification?: Verification) => {
          const answer = await api<{ reset: number }>(
            'POST',
            `/v1/orgs/${encodeURIComponent(org.orgId)}/mfa-reset`,
            { confirm: typed, ...(verification ? { verification } : {}) },
          );
          await go('/org');
          flash(
            `MFA was reset for ${answer.reset} ${answer.reset === 1 ? 'member' : 'members'}. Each was signed out everywhere and emailed.`,
          );
        };
        await withStepUp(resetAll, {
          title: 'Reset MFA for all members',
          explain: 'Resetting everyone’s sign-in methods needs a proof of your own. Confirm it is you.',
          submit: 'Reset MFA for all members',
        });
      },
    }),
  );
}

/** Organisation admin: MFA policy, members with their MFA status and reset, invitations, audit log. */
export async function orgScreen(): Promise<void> {
  const id = orgId();
  if (!id) return go('/account');
  const base = `/v1/orgs/${encodeURIComponent(id)}`;
  const org = await api<Org>('GET', base);
  try {
    const [members, invitations, events, own] = await Promise.all([
      api<{ members: Member[] }>('GET', `${base}/members`),
      api<{ invitations: PendingInvitation[] }>('GET', `${base}/invitations`),
      api<EventPage>('GET', `${base}/events?limit=20`),
      api<FactorList>('GET', '/v1/mfa/factors'),
    ]);
    const owner = claims()?.role === 'owner';
    show(
      org.name,
      h('p', { class: 'hint' }, 'Organisation settings'),
      policyForm(
        org,
        own.factors.some((factor) => factor.status === 'active'),
      ),
      membersSection(org, members.members),
      invitationsSection(org, invitations.invitations),
      auditSection(org, events, members.members),
      owner ? resetAllSection(org, members.members) : null,
    );
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'forbidden') throw error;
    show(
      org.name,
      h(
        'p',
        {},
        `This organisation’s MFA policy is ${org.policy.mode}. Only owners and admins can manage it.`,
      ),
    );
  }
}
