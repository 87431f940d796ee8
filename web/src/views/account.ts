import { ApiError, api, claims, email, joinedOrg, orgId, refreshSession, startEnrollment } from '../api.ts';
import {
  actionForm,
  button,
  errorBox,
  field,
  flash,
  h,
  labelInput,
  show,
  showError,
  time,
  when,
} from '../dom.ts';
import { eventName, factorNames, factorSummary } from '../messages.ts';
import { go } from '../nav.ts';
import type {
  Device,
  EventPage,
  Factor,
  FactorList,
  FactorType,
  Invitation,
  InvitationAccepted,
  Org,
  SecurityEvent,
  SessionInfo,
  Verification,
} from '../types.ts';
import { FACTOR_TYPES } from '../types.ts';
import { changeDestination, enrollmentOffer, enrollScreen, fromSettings } from './enroll.ts';
import { changePasswordScreen } from './password-change.ts';
import { recoveryCodesScreen } from './recovery.ts';
import { confirmIdentity } from './verify.ts';

/** One line of a security event: what happened, when, from where. */
export function eventItem(event: SecurityEvent, who?: string): HTMLElement {
  const where = [event.ip, event.userAgent ? shortAgent(event.userAgent) : undefined]
    .filter(Boolean)
    .join(' · ');
  return h(
    'li',
    { 'data-testid': 'event', 'data-type': event.type },
    h('span', { class: 'event-name' }, eventName(event.type, event.details)),
    who ? h('span', { class: 'event-who' }, who) : null,
    h('span', { class: 'meta' }, time(event.at), where ? ` · ${where}` : ''),
  );
}

/** "Chrome on Linux" from a user agent, for lists; the full string is in the title. */
export function shortAgent(agent: string): string {
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Firefox\//.test(agent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(agent)
        ? 'Chrome'
        : /Safari\//.test(agent)
          ? 'Safari'
          : undefined;
  const system = /Android/.test(agent)
    ? 'Android'
    : /iPhone|iPad/.test(agent)
      ? 'iOS'
      : /Windows/.test(agent)
        ? 'Windows'
        : /Mac OS X/.test(agent)
          ? 'macOS'
          : /Linux/.test(agent)
            ? 'Linux'
            : undefined;
  return browser && system ? `${browser} on ${system}` : browser || system || agent.slice(0, 40);
}

function factorItem(factor: Factor, list: FactorList, box: HTMLElement): HTMLElement {
  const remove = button(
    'Remove',
    async () => {
      box.textContent = '';
      remove.disabled = true;
      try {
        // No proof first: a pending factor goes at once, and the policy check answers before any
        // code is asked for (`mfa_required_by_policy`); otherwise `verification_required`.
        // A session that proved a factor minutes ago (fresh aal 2) removes an active one at once too.
        await api('DELETE', `/v1/mfa/factors/${encodeURIComponent(factor.id)}`, {});
        await go('/account');
        flash(
          factor.status === 'pending'
            ? `The unfinished setup of ${factor.label} was removed.`
            : `${factor.label} removed.`,
        );
      } catch (error) {
        remove.disabled = false;
        if (error instanceof ApiError && error.code === 'verification_required') {
          confirmIdentity({
            title: `Remove ${factor.label}`,
            explain: `To remove ${describeFactor(factor)}, confirm it is you.`,
            submit: 'Remove',
            factors: list.factors,
            cancel: () => void go('/account'),
            act: async (verification) => {
              await api('DELETE', `/v1/mfa/factors/${encodeURIComponent(factor.id)}`, { verification });
              await go('/account');
              flash(`${factor.label} removed.`);
            },
          });
          return;
        }
        showError(box, error);
      }
    },
    { class: 'secondary danger', 'data-testid': 'remove-factor' },
  );
  const change =
    factor.status === 'active' && factor.type !== 'totp'
      ? button(factor.type === 'sms' ? 'Change number' : 'Change address', () => changeDestination(factor), {
          'data-testid': 'change-factor',
        })
      : null;
  const rename =
    factor.status === 'active'
      ? button('Rename', () => renameScreen(factor, list), { 'data-testid': 'rename-factor' })
      : null;
  return h(
    'li',
    { class: 'item', 'data-testid': 'factor', 'data-type': factor.type, 'data-status': factor.status },
    h(
      'div',
      {},
      h('strong', { 'data-testid': 'factor-label' }, factor.label),
      factor.status === 'pending'
        ? [' ', h('span', { class: 'badge', 'data-testid': 'setup-unfinished' }, 'Setup not finished')]
        : null,
      h('div', { class: 'meta' }, factorNames[factor.type]),
      factor.destination ? h('div', { 'data-testid': 'factor-destination' }, factor.destination) : null,
      h(
        'div',
        { class: 'meta' },
        `Added ${when(factor.createdAt)}`,
        factor.lastUsedAt ? ` · last used ${when(factor.lastUsedAt)}` : '',
      ),
    ),
    h('div', { class: 'item-actions' }, rename, change, remove),
  );
}

/** A new name for a factor: the one people pick it by at login. Renaming needs the step-up. */
function renameScreen(factor: Factor, list: FactorList): void {
  const input = labelInput(factor.label);
  const rename = async (verification?: Verification) => {
    const label = input.value.trim();
    await api('PATCH', `/v1/mfa/factors/${encodeURIComponent(factor.id)}`, {
      label,
      ...(verification ? { verification } : {}),
    });
    await go('/account');
    flash(`${factor.label} is now called ${label}.`);
  };
  show(
    `Rename ${factor.label}`,
    actionForm({
      testid: 'rename',
      submit: 'Save name',
      fields: [field('Name', input, 'Shown when you sign in and in our emails, e.g. “Work phone”.')],
      after: [button('Cancel', () => void go('/account'), { class: 'link', 'data-testid': 'cancel' })],
      action: async () => {
        try {
          await rename();
        } catch (error) {
          if (!(error instanceof ApiError) || error.code !== 'verification_required') throw error;
          confirmIdentity({
            title: `Rename ${factor.label}`,
            explain: `To rename ${describeFactor(factor)} to “${input.value.trim()}”, confirm it is you.`,
            submit: 'Save name',
            factors: list.factors,
            cancel: () => void go('/account'),
            act: rename,
          });
        }
      },
    }),
  );
}

const describeFactor = (factor: Factor) => factorSummary(factor);

/** The organisation's allowed types decide which "Add" buttons there are (the server checks too). */
function mfaSection(list: FactorList, allowed: FactorType[]): HTMLElement {
  const box = errorBox('factors-error');
  const active = list.factors.filter((factor) => factor.status === 'active');
  // An abandoned setup is no way to sign in: it is listed apart, to be removed or left to expire.
  const pending = list.factors.filter((factor) => factor.status === 'pending');
  return h(
    'section',
    { 'aria-labelledby': 'mfa-title', class: 'card' },
    h('h2', { id: 'mfa-title' }, 'Use multi-factor authentication'),
    h(
      'p',
      { 'data-testid': 'mfa-status' },
      list.mfaEnabled ? h('span', { class: 'badge on' }, 'On') : h('span', { class: 'badge off' }, 'Off'),
      ' ',
      list.mfaEnabled
        ? 'When you sign in, you confirm it is you with one of these.'
        : 'Add a second step so that a stolen password alone cannot open your account.',
    ),
    active.length
      ? h(
          'ul',
          { class: 'items', 'data-testid': 'factor-list' },
          active.map((f) => factorItem(f, list, box)),
        )
      : null,
    pending.length
      ? h(
          'div',
          { class: 'subsection', 'data-testid': 'unfinished' },
          h('h3', {}, 'Setup not finished'),
          h(
            'p',
            { class: 'hint' },
            'These were never confirmed with a code, so they cannot be used to sign in. They expire by themselves after a few minutes.',
          ),
          h(
            'ul',
            { class: 'items' },
            pending.map((f) => factorItem(f, list, box)),
          ),
        )
      : null,
    box,
    h(
      'div',
      { class: 'actions' },
      allowed.includes('totp')
        ? button('Add authenticator app', () => enrollScreen('totp', fromSettings), {
            'data-testid': 'add-totp',
          })
        : null,
      allowed.includes('sms')
        ? button('Add phone', () => enrollScreen('sms', fromSettings), { 'data-testid': 'add-sms' })
        : null,
      allowed.includes('email')
        ? button('Add email', () => enrollScreen('email', fromSettings), { 'data-testid': 'add-email' })
        : null,
    ),
    active.length
      ? h(
          'div',
          { class: 'subsection' },
          h('h3', {}, 'Recovery codes'),
          h(
            'p',
            { 'data-testid': 'recovery-remaining' },
            `${list.recoveryCodesRemaining} recovery ${list.recoveryCodesRemaining === 1 ? 'code' : 'codes'} left. Each works once if you cannot use your second step.`,
          ),
          button(
            'Create new recovery codes',
            () =>
              confirmIdentity({
                title: 'Create new recovery codes',
                explain: 'Your current recovery codes will stop working. Confirm it is you first.',
                submit: 'Create new codes',
                factors: list.factors,
                cancel: () => void go('/account'),
                act: async (verification) => {
                  const answer = await api<{ recoveryCodes: string[] }>('POST', '/v1/mfa/recovery-codes', {
                    verification,
                  });
                  recoveryCodesScreen(
                    answer.recoveryCodes,
                    () => fromSettings.finish('New recovery codes are active; the old ones no longer work.'),
                    true,
                  );
                },
              }),
            { 'data-testid': 'regenerate-codes' },
          ),
        )
      : null,
  );
}

/** "Password": the change happens on its own screen (current password, new one, and the proof with MFA). */
function passwordSection(list: FactorList): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'password-title', class: 'card' },
    h('h2', { id: 'password-title' }, 'Password'),
    h(
      'p',
      { class: 'hint' },
      list.mfaEnabled
        ? 'Changing it needs your current password and your second step. Every other device is then signed out.'
        : 'Changing it needs your current password. Every other device is then signed out.',
    ),
    button('Change password', () => changePasswordScreen(list), { 'data-testid': 'change-password' }),
  );
}

/** Where this account is signed in; any other session can be ended here (no second step needed). */
function sessionsSection(sessions: SessionInfo[]): HTMLElement {
  const box = errorBox('sessions-error');
  // This browser first, then the others as the API lists them (newest first).
  const ordered = [...sessions.filter((s) => s.current), ...sessions.filter((s) => !s.current)];
  const others = sessions.filter((s) => !s.current).length;
  const item = (session: SessionInfo) => {
    const end = session.current
      ? null
      : button(
          'Sign out',
          async () => {
            end?.setAttribute('disabled', '');
            box.textContent = '';
            try {
              await api('DELETE', `/v1/me/sessions/${encodeURIComponent(session.id)}`);
              await go('/account');
              flash('That session was signed out: it can no longer be used.');
            } catch (error) {
              end?.removeAttribute('disabled');
              if (error instanceof ApiError && error.code === 'not_found') {
                await go('/account');
                flash('That session had already ended.');
              } else showError(box, error);
            }
          },
          { class: 'secondary danger', 'data-testid': 'end-session' },
        );
    const agent = session.userAgent ? shortAgent(session.userAgent) : 'Unknown browser or app';
    return h(
      'li',
      {
        class: 'item',
        'data-testid': 'session',
        'data-session-id': session.id,
        'data-current': String(session.current),
      },
      h(
        'div',
        {},
        h('strong', { title: session.userAgent ?? '' }, agent),
        session.current
          ? [' ', h('span', { class: 'badge on', 'data-testid': 'this-device' }, 'This device')]
          : null,
        h(
          'div',
          { class: 'meta', 'data-testid': 'session-meta' },
          [
            session.ip ? `IP ${session.ip}` : '',
            `signed in ${when(session.createdAt)}`,
            session.lastUsedAt ? `last active ${when(session.lastUsedAt)}` : '',
            session.aal === 2 ? 'with two-step verification' : 'password only',
          ]
            .filter(Boolean)
            .join(' · '),
        ),
      ),
      end ? h('div', { class: 'item-actions' }, end) : null,
    );
  };
  const everywhere = button(
    'Sign out everywhere else',
    async () => {
      everywhere.disabled = true;
      box.textContent = '';
      try {
        await api('DELETE', '/v1/me/sessions');
        await go('/account');
        flash('Every other session was signed out. This browser stays signed in.');
      } catch (error) {
        everywhere.disabled = false;
        showError(box, error);
      }
    },
    { class: 'secondary danger', 'data-testid': 'end-other-sessions' },
  );
  return h(
    'section',
    { 'aria-labelledby': 'sessions-title', class: 'card' },
    h('h2', { id: 'sessions-title' }, 'Where you are signed in'),
    h(
      'p',
      { class: 'hint' },
      'Each browser or app signed in to your account. Sign out any you do not recognise, then change your password.',
    ),
    h('ul', { class: 'items', 'data-testid': 'session-list' }, ordered.map(item)),
    others ? h('div', { class: 'actions' }, everywhere) : null,
    box,
  );
}

function devicesSection(devices: Device[]): HTMLElement {
  const box = errorBox('devices-error');
  return h(
    'section',
    { 'aria-labelledby': 'devices-title', class: 'card' },
    h('h2', { id: 'devices-title' }, 'Remembered devices'),
    h(
      'p',
      { class: 'hint' },
      'On these browsers your password is enough to sign in. Revoke any you do not recognise.',
    ),
    devices.length
      ? h(
          'ul',
          { class: 'items', 'data-testid': 'device-list' },
          devices.map((device) => {
            const revoke = button(
              'Revoke',
              async () => {
                revoke.disabled = true;
                try {
                  await api('DELETE', `/v1/mfa/devices/${encodeURIComponent(device.id)}`);
                  await go('/account');
                  flash('The device was revoked: it will be asked for a second step again.');
                } catch (error) {
                  revoke.disabled = false;
                  showError(box, error);
                }
              },
              { class: 'secondary danger', 'data-testid': 'revoke-device' },
            );
            return h(
              'li',
              { class: 'item', 'data-testid': 'device' },
              h(
                'div',
                {},
                h('strong', { title: device.label }, shortAgent(device.label)),
                h(
                  'div',
                  { class: 'meta' },
                  `Remembered ${when(device.createdAt)} · until ${when(device.expiresAt)}`,
                  device.lastUsedAt ? ` · last used ${when(device.lastUsedAt)}` : '',
                ),
              ),
              h('div', { class: 'item-actions' }, revoke),
            );
          }),
        )
      : h('p', { 'data-testid': 'no-devices' }, 'No remembered devices.'),
    box,
  );
}

function eventsSection(page: EventPage, tries = 15): HTMLElement {
  const card = eventsCard({
    title: 'Recent security activity',
    titleId: 'events-title',
    page,
    testid: 'events',
    moreTestid: 'more-events',
    nextPath: (cursor) => `/v1/me/events?limit=10&cursor=${encodeURIComponent(cursor)}`,
  });
  // A login's own events (signed in, second step passed) are written from its session's record a
  // moment after it (seconds when the stream is busy): right after signing in, the list is read
  // again, once a second for up to 15 s, until they are on it. A read that fails uses up one
  // try and keeps the list shown, rather than ending the re-reads.
  if (tries > 0 && !hasOwnLogin(page)) {
    setTimeout(async () => {
      if (!card.isConnected) return;
      const again = await api<EventPage>('GET', '/v1/me/events?limit=10').catch(() => undefined);
      if (card.isConnected) card.replaceWith(eventsSection(again ?? page, tries - 1));
    }, 1000);
  }
  return card;
}

/** Whether the list shows this session's sign-in (or the session is too old for it to matter). */
function hasOwnLogin(page: EventPage): boolean {
  const signedInAt = claims()?.auth_time;
  if (!signedInAt || Date.now() / 1000 - signedInAt > 60) return true;
  return page.events.some(
    (event) => event.type === 'session.created' && Date.parse(event.at) / 1000 >= signedInAt - 1,
  );
}

/**
 * A card listing security events, with "Show more" while the API has a next page;
 * `nextPath` gives the URL of the page after a cursor. Used by the account and the org audit log.
 */
export function eventsCard(options: {
  title: string;
  titleId: string;
  page: EventPage;
  testid: string;
  moreTestid: string;
  nextPath: (cursor: string) => string;
  item?: (event: SecurityEvent) => HTMLElement;
}): HTMLElement {
  const { page } = options;
  const item = options.item ?? ((event: SecurityEvent) => eventItem(event));
  const list = h(
    'ul',
    { class: 'events', 'data-testid': options.testid },
    page.events.map((event) => item(event)),
  );
  let cursor = page.nextCursor;
  const more = button(
    'Show more',
    async () => {
      if (!cursor) return;
      more.disabled = true;
      const next = await api<EventPage>('GET', options.nextPath(cursor));
      list.append(...next.events.map((event) => item(event)));
      cursor = next.nextCursor;
      more.disabled = false;
      more.hidden = !cursor;
    },
    { 'data-testid': options.moreTestid },
  );
  more.hidden = !cursor;
  return h(
    'section',
    { 'aria-labelledby': options.titleId, class: 'card' },
    h('h2', { id: options.titleId }, options.title),
    page.events.length ? list : h('p', {}, 'Nothing yet.'),
    more,
  );
}

function orgSection(org: Org | undefined, invitations: Invitation[]): HTMLElement {
  const heading = h('h2', { id: 'org-title' }, 'Organisation');
  const section = (...content: Node[]) =>
    h('section', { 'aria-labelledby': 'org-title', class: 'card' }, heading, ...content);
  if (orgId()) {
    const role = claims()?.role;
    return section(
      h(
        'p',
        {},
        `You belong to ${org?.name ?? 'an organisation'}`,
        role ? ` as ${role}` : '',
        org ? `. Its MFA policy: ${org.policy.mode}.` : '.',
      ),
      role === 'member'
        ? h('span')
        : h('a', { href: '#/org', class: 'button-link', 'data-testid': 'manage-org' }, 'Manage organisation'),
    );
  }
  const name = h('input', {
    type: 'text',
    name: 'name',
    required: true,
    maxlength: 100,
    'data-testid': 'org-name',
  });
  return section(
    ...invitations.map(invitationItem),
    h('p', {}, 'You do not belong to an organisation. Create one to set an MFA policy for its members.'),
    actionForm({
      testid: 'create-org',
      submit: 'Create organisation',
      context: 'create-org',
      fields: [field('Organisation name', name)],
      action: async () => {
        const created = await api<{ orgId: string }>('POST', '/v1/orgs', { name: name.value.trim() });
        joinedOrg(created.orgId);
        // A refresh re-derives the claims: the new token names the organisation and the role.
        if ((await refreshSession()) === 'enrollment') return;
        await go('/org');
        flash(`${name.value.trim()} was created; you are its owner.`);
      },
    }),
  );
}

/** An invitation to join: its admins then set this account's MFA policy and can reset its MFA. */
function invitationItem(invitation: Invitation): HTMLElement {
  const box = errorBox('invitation-error');
  const base = `/v1/me/invitations/${encodeURIComponent(invitation.orgId)}`;
  const joined = async (answer: InvitationAccepted) => {
    if (answer.status === 'mfa_enrollment_required') {
      // The organisation requires MFA and this account has none: the server ended this
      // session, and the enrollment comes at once, with the enrollment token (no Skip).
      startEnrollment(answer.enrollmentToken, email(), answer.allowedFactorTypes);
      enrollmentOffer({ required: true, allowed: answer.allowedFactorTypes });
      flash(
        `You joined ${invitation.orgName} as ${answer.role}. It requires two-step verification: set it up now to go on.`,
      );
      return;
    }
    joinedOrg(invitation.orgId);
    // The new token carries the `org` claim (a refresh re-derives organisation and role).
    if ((await refreshSession()) === 'enrollment') return;
    await go('/account');
    flash(`You joined ${invitation.orgName} as ${answer.role}.`);
  };
  const join = button(
    'Join',
    async () => {
      join.disabled = true;
      box.textContent = '';
      try {
        await joined(await api<InvitationAccepted>('POST', `${base}/accept`));
      } catch (error) {
        join.disabled = false;
        // Joining gives the organisation power over this account's MFA: with MFA on, it takes a
        // proof of a factor unless this session proved one minutes ago.
        if (
          error instanceof ApiError &&
          ['verification_required', 'caller_mfa_required'].includes(error.code)
        ) {
          const { factors } = await api<FactorList>('GET', '/v1/mfa/factors');
          confirmIdentity({
            title: `Join ${invitation.orgName}`,
            explain: `Its owner and admins will be able to set your two-step verification policy and reset your sign-in methods. Confirm it is you.`,
            submit: 'Join',
            factors: factors.filter((factor) => factor.status === 'active'),
            cancel: () => void go('/account'),
            act: async (verification) =>
              joined(await api<InvitationAccepted>('POST', `${base}/accept`, { verification })),
          });
          return;
        }
        showError(box, error, 'join');
      }
    },
    { class: 'primary', 'data-testid': 'accept-invitation' },
  );
  const decline = button(
    'Decline',
    async () => {
      try {
        await api('DELETE', base);
        await go('/account');
        flash(`You declined the invitation of ${invitation.orgName}.`);
      } catch (error) {
        showError(box, error);
      }
    },
    { 'data-testid': 'decline-invitation' },
  );
  return h(
    'div',
    { class: 'invitation', 'data-testid': 'invitation' },
    h(
      'p',
      {},
      h('strong', {}, invitation.orgName),
      ` invited you to join as ${invitation.role}. Its owner and admins will then set your MFA policy and can reset your MFA.`,
    ),
    h('div', { class: 'actions' }, join, decline),
    box,
  );
}

const BANNER_KEY = 'serverless-mfa.mfaBannerDismissed.';
const BANNER_QUIET_DAYS = 30;

/** Dismissed less than 30 days ago on this browser (seed 004: the banner comes back). */
function bannerDismissed(userId: string): boolean {
  try {
    const at = Date.parse(localStorage.getItem(BANNER_KEY + userId) ?? '');
    return Number.isFinite(at) && Date.now() - at < BANNER_QUIET_DAYS * 86_400_000;
  } catch {
    return false;
  }
}

/** "Set up two-step verification" for an account with none and no organisation to require it. */
function mfaBanner(userId: string): HTMLElement {
  const banner = h(
    'aside',
    { class: 'banner', 'aria-labelledby': 'banner-title', 'data-testid': 'mfa-banner' },
    h('h2', { id: 'banner-title' }, 'Protect your account with two-step verification'),
    h(
      'p',
      {},
      'With it, a stolen password alone cannot open your account: you also confirm it is you with an app or a code.',
    ),
    h(
      'div',
      { class: 'actions' },
      button('Set it up', () => enrollmentOffer({ required: false, flow: fromSettings }), {
        class: 'primary',
        'data-testid': 'banner-setup',
      }),
      button(
        'Not now',
        () => {
          try {
            localStorage.setItem(BANNER_KEY + userId, new Date().toISOString());
          } catch {
            // Storage disabled: the banner just comes back next time.
          }
          banner.remove();
          document.getElementById('screen-title')?.focus();
        },
        { class: 'link', 'data-testid': 'banner-dismiss' },
      ),
    ),
  );
  return banner;
}

/** Security settings: factors, recovery codes, password, sessions, remembered devices, activity, organisation. */
export async function accountScreen(): Promise<void> {
  const id = orgId();
  const [list, sessions, devices, events, org, invited] = await Promise.all([
    api<FactorList>('GET', '/v1/mfa/factors'),
    api<{ sessions: SessionInfo[] }>('GET', '/v1/me/sessions'),
    api<{ devices: Device[] }>('GET', '/v1/mfa/devices'),
    api<EventPage>('GET', '/v1/me/events?limit=10'),
    id ? api<Org>('GET', `/v1/orgs/${encodeURIComponent(id)}`).catch(() => undefined) : undefined,
    id
      ? { invitations: [] }
      : api<{ invitations: Invitation[] }>('GET', '/v1/me/invitations').catch(() => ({ invitations: [] })),
  ]);
  const session = claims();
  const banner =
    session && !list.mfaEnabled && !id && !bannerDismissed(session.sub) ? mfaBanner(session.sub) : null;
  show(
    'My account',
    banner,
    h(
      'p',
      { 'data-testid': 'signed-in-as' },
      'Signed in as ',
      h('strong', {}, email() || 'you'),
      session?.aal === 2 ? ' with two-step verification.' : ' with your password only.',
    ),
    mfaSection(list, org?.policy.allowedFactorTypes ?? [...FACTOR_TYPES]),
    passwordSection(list),
    sessionsSection(sessions.sessions),
    devicesSection(devices.devices),
    eventsSection(events),
    orgSection(org, invited.invitations),
  );
}
