import { createHmac } from 'node:crypto';

/**
 * The black-box suite's only way in: HTTP to the API and to a LocalStack-style inspection
 * endpoint. Nothing here imports the service's code, so the suite tests what is deployed.
 */
export const apiUrl = (process.env.DEPLOYED_API_URL ?? '').replace(/\/+$/, '');
export const awsUrl = process.env.DEPLOYED_AWS_URL?.replace(/\/+$/, '');
if (!apiUrl) throw new Error('DEPLOYED_API_URL is not set: run `npm run test:deployed -- --api-url URL`');

export const PASSWORD = 'correct horse battery staple';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a gateway's own page): kept as text so the assertion shows it.
  }
  return { status: response.status, headers: response.headers, body };
}

/** Unique per run and per call, so runs against one deployment never meet each other's accounts. */
export const uniqueEmail = (tag: string) =>
  `deployed-${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** A Dutch mobile number of its own (`+3161` and 7 digits), so the per-destination limits never bite. */
export const uniquePhone = () => `+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

const SIX_DIGITS = /\b(\d{6})\b/;

/** Polls briefly: a real deployment sends after the answer may already be back. */
async function poll<T>(what: string, find: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 25; i++) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`nothing arrived: ${what}`);
}

/** The code of the latest email to `address` that has one and was not seen before (`GET /_aws/ses`). */
export function emailCode(address: string, seen: readonly string[] = []): Promise<string> {
  return poll(`email code for ${address}`, async () => {
    const listed = (await (await fetch(`${awsUrl}/_aws/ses`)).json()) as {
      messages: { Id: string; Destination: { ToAddresses?: string[] }; Body: { text_part: string | null } }[];
    };
    return listed.messages
      .filter((m) => m.Destination.ToAddresses?.map((a) => a.toLowerCase()).includes(address.toLowerCase()))
      .reverse()
      .map((m) => SIX_DIGITS.exec(m.Body.text_part ?? '')?.[1])
      .find((code) => code !== undefined && !seen.includes(code));
  });
}

/** The code of the latest SMS to `phone` not seen before (`GET /_aws/sns/sms-messages`). */
export function smsCode(phone: string, seen: readonly string[] = []): Promise<string> {
  return poll(`SMS code for ${phone}`, async () => {
    const listed = (await (
      await fetch(`${awsUrl}/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(phone)}`)
    ).json()) as { sms_messages: Record<string, { Message: string }[]> };
    return (listed.sms_messages[phone] ?? [])
      .map((m) => SIX_DIGITS.exec(m.Message)?.[1])
      .reverse()
      .find((code) => code !== undefined && !seen.includes(code));
  });
}

/** RFC 4648 base32, as authenticator apps read the manual-entry secret. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((byte) => Number.parseInt(byte, 2)));
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of time step `step`, as RFC 4226 §5.3 truncates it. */
export function totp(secret: string, step = Math.floor(Date.now() / 30_000)): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

export const currentStep = () => Math.floor(Date.now() / 30_000);

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`) claiming whatever it likes: RFC 8725 §2.1's classic attack. */
export function unsignedToken(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

/** A real token with its claims changed and its signature kept: the signature no longer matches. */
export function tampered(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return `${header}.${b64url({ ...claims, ...change })}.${signature}`;
}

export const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
