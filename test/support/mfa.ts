import { base32Decode, totp } from '../../shared/mfa/totp.ts';
import { type Answer, call, logIn, PASSWORD, runtime, signUp } from './api.ts';

/** The latest SMS sent to a number, as LocalStack's inspection endpoint lists it. */
export async function lastSms(phoneE164: string): Promise<string> {
  const url = `${runtime().awsUrl}/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(phoneE164)}`;
  const listed = (await (await fetch(url)).json()) as { sms_messages: Record<string, { Message: string }[]> };
  const messages = listed.sms_messages[phoneE164] ?? [];
  const last = messages[messages.length - 1];
  if (!last) throw new Error(`no SMS to ${phoneE164}`);
  return last.Message;
}

export async function smsCount(phoneE164: string): Promise<number> {
  const url = `${runtime().awsUrl}/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(phoneE164)}`;
  const listed = (await (await fetch(url)).json()) as { sms_messages: Record<string, unknown[]> };
  return listed.sms_messages[phoneE164]?.length ?? 0;
}

/** Every email sent to an address, oldest first. */
export async function emailsTo(address: string): Promise<{ Subject: string; Body: { text_part: string } }[]> {
  const listed = (await (await fetch(`${runtime().awsUrl}/_aws/ses`)).json()) as {
    messages: { Destination: { ToAddresses?: string[] }; Subject: string; Body: { text_part: string } }[];
  };
  return listed.messages.filter((message) => message.Destination.ToAddresses?.includes(address));
}

export async function lastEmailCode(address: string): Promise<string> {
  const all = await emailsTo(address);
  const code = all.reverse().map((m) => /\b(\d{6})\b/.exec(m.Body.text_part)?.[1]).find(Boolean);
  if (!code) throw new Error(`no code emailed to ${address}`);
  return code;
}

export const codeIn = (text: string) => {
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code in ${text}`);
  return code;
};

/** A unique Dutch mobile number, so parallel tests never read each other's SMS. */
export function uniquePhone(): string {
  return `+316${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

/** The code an authenticator app shows for `secret` at `now` (or a step before/after). */
export function appCode(secret: string, now = new Date(), stepOffset = 0): string {
  return totp(base32Decode(secret), new Date(now.getTime() + stepOffset * 30_000));
}

export interface Account {
  email: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
}

export async function account(): Promise<Account> {
  const { email, userId } = await signUp();
  const login = await logIn(email);
  return { email, userId, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

/** Enrolls and activates a TOTP factor; returns its id, secret and the recovery codes (first factor). */
export async function enrollTotp(user: Account) {
  const created = await call('POST', '/v1/mfa/factors', {
    token: user.accessToken,
    body: { type: 'totp', password: PASSWORD },
  });
  if (created.status !== 201) throw new Error(`enroll totp: ${created.status} ${JSON.stringify(created.body)}`);
  // The previous step: a later login in the same 30 s window can still use the current one.
  const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
    token: user.accessToken,
    body: { code: appCode(created.body.secret, new Date(), -1) },
  });
  if (activated.status !== 200) throw new Error(`activate totp: ${activated.status} ${JSON.stringify(activated.body)}`);
  return { factorId: created.body.factor.id as string, secret: created.body.secret as string, recoveryCodes: activated.body.recoveryCodes as string[] | undefined };
}

export async function enrollSms(user: Account, phone = uniquePhone()) {
  const created = await call('POST', '/v1/mfa/factors', {
    token: user.accessToken,
    body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
  });
  if (created.status !== 201) throw new Error(`enroll sms: ${created.status} ${JSON.stringify(created.body)}`);
  const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
    token: user.accessToken,
    body: { code: codeIn(await lastSms(phone)), challengeId: created.body.challengeId },
  });
  if (activated.status !== 200) throw new Error(`activate sms: ${activated.status} ${JSON.stringify(activated.body)}`);
  return { factorId: created.body.factor.id as string, phone, recoveryCodes: activated.body.recoveryCodes as string[] | undefined };
}

/** Password step of a login for a user with MFA: the mfaToken. */
export async function mfaToken(email: string): Promise<string> {
  const login: Answer = await logIn(email);
  if (login.body.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${JSON.stringify(login.body)}`);
  return login.body.mfaToken;
}
