// Local SNS, SES (v1), KMS and EventBridge endpoints that speak the real AWS wire protocols, so product code
// only ever uses the real SDK v3 clients (pointed here through AWS_ENDPOINT_URL_SNS / _SES / _KMS /
// _EVENTBRIDGE). Sent messages are exposed under the same internal paths and JSON shapes as LocalStack, so one
// test client serves both; events put on a bus are listed at `GET /_local/events`.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface AwsEndpointsOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  region?: string;
  failDestinations?: string[];
  /** EventBridge buses that exist besides `default` (the stack creates them in AWS). */
  eventBuses?: string[];
  log?: (line: string) => void;
}

export interface AwsEndpoints {
  url: string;
  port: number;
  close(): Promise<void>;
  sms(): SmsMessage[];
  emails(): EmailMessage[];
  setFailDestinations(list: string[]): void;
  /** Every entry put on a bus here, oldest first. */
  events(): BusEvent[];
  createEventBus(name: string): void;
  /** What `GET /_local/streams/settled` waits for (the runtime's stream pollers). */
  setStreamsSettled(settled: () => Promise<void>): void;
}

/**
 * One entry EventBridge accepted, as a rule target would receive it (the EventBridge event
 * envelope, `detail` parsed), plus the bus it was put on.
 */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  eventBusName: string;
}

export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** One entry of LocalStack's `GET /_aws/sns/sms-messages` (direct-to-phone publish, so no topic). */
export interface SmsMessage {
  PhoneNumber: string;
  TopicArn: string | null;
  SubscriptionArn: string | null;
  MessageId: string;
  Message: string;
  MessageAttributes: Record<string, SnsMessageAttribute> | null;
  MessageStructure: string | null;
  Subject: string | null;
}

/** One entry of LocalStack's `GET /_aws/ses`. */
export interface EmailMessage {
  Id: string;
  Region: string;
  Destination: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Source: string;
  Subject: string;
  Body: { text_part: string | null; html_part: string | null };
  Timestamp: string;
}

// LocalStack's default account, so ARNs look the same whichever local backend produced them.
const ACCOUNT_ID = '000000000000';
const MAX_BODY_BYTES = 1024 * 1024;
const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const SES_NS = 'http://ses.amazonaws.com/doc/2010-12-01/';
// E.164 as AWS requires it for SMS: a leading '+' and at most 15 digits.
const E164 = /^\+[1-9]\d{1,14}$/;
const FAIL_MESSAGE = 'Local endpoint configured to fail delivery to this destination';
// The services spoken in the AWS JSON 1.1 protocol (X-Amz-Target), the others in awsQuery.
const JSON_SERVICES = new Set(['kms', 'events']);

class AwsError extends Error {
  code: string;
  status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

type Params = Map<string, string>;
type Reply = { status: number; headers: Record<string, string>; body: string };

interface State {
  region: string;
  log: (line: string) => void;
  fail: Set<string>;
  sms: { region: string; message: SmsMessage }[];
  smsAttributes: Map<string, Map<string, string>>;
  emails: Map<string, EmailMessage>;
  rootKey: Buffer;
  keys: Map<string, Buffer>;
  buses: Set<string>;
  events: BusEvent[];
  /** `POST /_local/fail-events` rules: entries left to fail, per user id ('*': any entry). */
  failEvents: Map<string, number>;
  failedEvents: number;
  streamsSettled?: () => Promise<void>;
}

export async function startAwsEndpoints(options: AwsEndpointsOptions = {}): Promise<AwsEndpoints> {
  const state: State = {
    region: options.region ?? 'us-east-1',
    log: options.log ?? console.log,
    fail: failSet(options.failDestinations ?? []),
    sms: [],
    smsAttributes: new Map(),
    emails: new Map(),
    rootKey: await loadRootKey(options.dataDir),
    keys: new Map(),
    buses: new Set(['default', ...(options.eventBuses ?? [])]),
    events: [],
    failEvents: new Map(),
    failedEvents: 0,
  };
  const server = createServer((req, res) => {
    handle(state, req)
      .catch((err: unknown) => xmlError(new AwsError('InternalFailure', String(err), 500), SNS_NS))
      .then((reply) => {
        res.writeHead(reply.status, reply.headers).end(reply.body);
      })
      .catch(() => res.destroy());
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4566, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep sockets alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      }),
    sms: () => state.sms.map((s) => structuredClone(s.message)),
    emails: () => [...state.emails.values()].map((e) => structuredClone(e)),
    setFailDestinations: (list) => {
      state.fail = failSet(list);
    },
    events: () => state.events.map((e) => structuredClone(e)),
    createEventBus: (name) => {
      state.buses.add(name);
    },
    setStreamsSettled: (settled) => {
      state.streamsSettled = settled;
    },
  };
}

function failSet(list: string[]): Set<string> {
  return new Set(list.map((d) => d.trim().toLowerCase()).filter(Boolean));
}

async function handle(state: State, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://local');
  // Read the body first even when it is oversized: the SDK treats a reset connection as retryable.
  const body = await readBody(req);
  if (url.pathname.startsWith('/_aws/') || url.pathname.startsWith('/_localstack/')) {
    return inspect(state, req.method ?? 'GET', url);
  }
  if (url.pathname === '/_local/streams/settled') return streamsSettled(state);
  if (url.pathname.startsWith('/_local/')) return testHooks(state, req.method ?? 'GET', url, body);
  const scope = credentialScope(req, url);
  // Without a scope the protocol can still be told apart: only awsJson requests carry X-Amz-Target.
  const isJson = scope ? JSON_SERVICES.has(scope.service) : req.headers['x-amz-target'] !== undefined;
  const ns = scope?.service === 'ses' || scope?.service === 'email' ? SES_NS : SNS_NS;
  const fail = (err: AwsError) => (isJson ? jsonError(err) : xmlError(err, ns));
  if (!scope) {
    // The awsJson services name this error with the `Exception` suffix, the awsQuery ones without.
    const code = isJson ? 'MissingAuthenticationTokenException' : 'MissingAuthenticationToken';
    return fail(new AwsError(code, 'Request is missing Authentication Token', 403));
  }
  const region = scope.region || state.region;
  if (body === undefined) {
    return fail(new AwsError('RequestEntityTooLarge', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413));
  }
  try {
    switch (scope.service) {
      case 'sns':
        return sns(state, region, queryParams(url, body));
      case 'ses':
      case 'email':
        return ses(state, region, queryParams(url, body));
      case 'kms':
        return kms(state, region, String(req.headers['x-amz-target'] ?? ''), body);
      case 'events':
        return eventBridge(state, region, String(req.headers['x-amz-target'] ?? ''), body);
      default:
        throw new AwsError('UnknownService', `Service '${scope.service}' is not provided by this endpoint`);
    }
  } catch (err) {
    return fail(err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500));
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Signatures are deliberately not verified (any credentials work locally); only the scope is needed to route.
function credentialScope(req: IncomingMessage, url: URL): { region: string; service: string } | undefined {
  const header = req.headers.authorization ?? '';
  const credential = /Credential=([^,\s]+)/.exec(header)?.[1] ?? url.searchParams.get('X-Amz-Credential');
  const parts = credential?.split('/');
  if (!parts || parts.length < 5 || !parts[3]) return undefined;
  return { region: parts[2] ?? '', service: parts[3].toLowerCase() };
}

function queryParams(url: URL, body: string): Params {
  const params: Params = new Map(url.searchParams);
  for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  return params;
}

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') {
    throw new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
  }
  return value;
}

// awsQuery lists are flattened as `<prefix>.member.N`; N order is the list order.
function memberList(params: Params, prefix: string): string[] | undefined {
  const items = indexed(params, `${prefix}.member.`).map(([, key]) => params.get(key) ?? '');
  return items.length ? items : undefined;
}

function indexed(params: Params, prefix: string): [number, string][] {
  const found: [number, string][] = [];
  for (const key of params.keys()) {
    const suffix = key.startsWith(prefix) ? key.slice(prefix.length) : '';
    if (/^\d+$/.test(suffix)) found.push([Number(suffix), key]);
  }
  return found.sort((a, b) => a[0] - b[0]);
}

// awsQuery maps are flattened as `<prefix>.entry.N.<keyName>` / `<prefix>.entry.N.<valueName>`.
function entryNumbers(params: Params, prefix: string): number[] {
  const numbers = new Set<number>();
  const pattern = new RegExp(`^${prefix.replaceAll('.', '\\.')}\\.entry\\.(\\d+)\\.`);
  for (const key of params.keys()) {
    const n = pattern.exec(key)?.[1];
    if (n) numbers.add(Number(n));
  }
  return [...numbers].sort((a, b) => a - b);
}

function xmlEscape(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function xmlResult(action: string, ns: string, inner: string): Reply {
  const requestId = randomUUID();
  const result = inner ? `<${action}Result>${inner}</${action}Result>` : `<${action}Result/>`;
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<${action}Response xmlns="${ns}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function xmlError(err: AwsError, ns: string): Reply {
  const requestId = randomUUID();
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return {
    status: err.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function jsonReply(status: number, value: unknown, extra: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), ...extra },
    body: JSON.stringify(value),
  };
}

function jsonError(err: AwsError): Reply {
  return jsonReply(err.status, { __type: err.code, message: err.message }, { 'x-amzn-errortype': err.code });
}

// ---------------------------------------------------------------- SNS

function sns(state: State, region: string, params: Params): Reply {
  const action = params.get('Action') ?? '';
  switch (action) {
    case 'Publish':
      return xmlResult(action, SNS_NS, `<MessageId>${publish(state, region, params)}</MessageId>`);
    case 'SetSMSAttributes': {
      const stored = smsAttributes(state, region);
      for (const n of entryNumbers(params, 'attributes')) {
        const key = params.get(`attributes.entry.${n}.key`);
        if (key) stored.set(key, params.get(`attributes.entry.${n}.value`) ?? '');
      }
      return xmlResult(action, SNS_NS, '');
    }
    case 'GetSMSAttributes': {
      const wanted = memberList(params, 'attributes');
      const entries = [...smsAttributes(state, region)]
        .filter(([k]) => !wanted || wanted.includes(k))
        .map(([k, v]) => `<entry><key>${xmlEscape(k)}</key><value>${xmlEscape(v)}</value></entry>`);
      return xmlResult(action, SNS_NS, `<attributes>${entries.join('')}</attributes>`);
    }
    default:
      throw new AwsError('InvalidAction', `Could not find operation ${action || '(none)'} for SNS`);
  }
}

// Like LocalStack (and AWS accounts by default), the spend limit is the one attribute that always exists.
function smsAttributes(state: State, region: string): Map<string, string> {
  let stored = state.smsAttributes.get(region);
  if (!stored) {
    stored = new Map([['MonthlySpendLimit', '1']]);
    state.smsAttributes.set(region, stored);
  }
  return stored;
}

function publish(state: State, region: string, params: Params): string {
  const phone = params.get('PhoneNumber');
  if (!phone) {
    throw new AwsError(
      'InvalidParameter',
      'Invalid parameter: only PhoneNumber publishing is supported locally',
    );
  }
  const message = required(params, 'Message');
  if (!E164.test(phone)) {
    throw new AwsError(
      'InvalidParameter',
      `Invalid parameter: PhoneNumber Reason: ${phone} is not valid to publish to`,
    );
  }
  // A 4xx that is neither throttling nor clock skew is not retried by the SDK, so the failure is immediate.
  if (state.fail.has(phone.toLowerCase())) {
    throw new AwsError('InvalidParameter', `Invalid parameter: PhoneNumber Reason: ${FAIL_MESSAGE}`);
  }
  const entry: SmsMessage = {
    PhoneNumber: phone,
    TopicArn: null,
    SubscriptionArn: null,
    MessageId: randomUUID(),
    Message: smsText(message, params.get('MessageStructure')),
    MessageAttributes: messageAttributes(params),
    MessageStructure: params.get('MessageStructure') ?? null,
    Subject: params.get('Subject') ?? null,
  };
  state.sms.push({ region, message: entry });
  state.log(`[local sms] to ${phone}: ${entry.Message}`);
  return entry.MessageId;
}

function smsText(message: string, structure: string | undefined): string {
  if (structure !== 'json') return message;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(message) as Record<string, unknown>;
  } catch {
    throw new AwsError(
      'InvalidParameter',
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    );
  }
  const text = parsed?.sms ?? parsed?.default;
  if (typeof text !== 'string') {
    throw new AwsError(
      'InvalidParameter',
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
  }
  return text;
}

function messageAttributes(params: Params): Record<string, SnsMessageAttribute> | null {
  const numbers = entryNumbers(params, 'MessageAttributes');
  if (!numbers.length) return null;
  const attributes: Record<string, SnsMessageAttribute> = {};
  for (const n of numbers) {
    const prefix = `MessageAttributes.entry.${n}`;
    const name = params.get(`${prefix}.Name`);
    const dataType = params.get(`${prefix}.Value.DataType`);
    if (!name || !dataType) {
      throw new AwsError('InvalidParameterValue', `Message attribute ${n} needs a Name and a Value.DataType`);
    }
    const value: SnsMessageAttribute = { DataType: dataType };
    const stringValue = params.get(`${prefix}.Value.StringValue`);
    const binaryValue = params.get(`${prefix}.Value.BinaryValue`);
    if (stringValue !== undefined) value.StringValue = stringValue;
    if (binaryValue !== undefined) value.BinaryValue = binaryValue;
    attributes[name] = value;
  }
  return attributes;
}

// ---------------------------------------------------------------- SES v1

function ses(state: State, region: string, params: Params): Reply {
  const action = params.get('Action') ?? '';
  switch (action) {
    case 'SendEmail':
      return xmlResult(action, SES_NS, `<MessageId>${sendEmail(state, region, params)}</MessageId>`);
    case 'VerifyEmailIdentity':
      required(params, 'EmailAddress');
      return xmlResult(action, SES_NS, '');
    default:
      throw new AwsError('InvalidAction', `Could not find operation ${action || '(none)'} for SES`);
  }
}

function sendEmail(state: State, region: string, params: Params): string {
  const source = required(params, 'Source');
  const subject = required(params, 'Message.Subject.Data');
  const text = params.get('Message.Body.Text.Data') ?? null;
  const html = params.get('Message.Body.Html.Data') ?? null;
  if (text === null && html === null) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter Message.Body');
  }
  const destination: EmailMessage['Destination'] = {};
  for (const field of ['ToAddresses', 'CcAddresses', 'BccAddresses'] as const) {
    const list = memberList(params, `Destination.${field}`);
    if (list) destination[field] = list;
  }
  const recipients = Object.values(destination).flat();
  if (!recipients.length) {
    throw new AwsError('InvalidParameterValue', 'Destination must contain at least one recipient');
  }
  const failing = recipients.find((r) => state.fail.has(r.toLowerCase()));
  // MessageRejected is what SES itself answers for undeliverable sends; as a plain 400 the SDK does not retry it.
  if (failing) throw new AwsError('MessageRejected', `${FAIL_MESSAGE}: ${failing}`);
  const email: EmailMessage = {
    Id: randomUUID(),
    Region: region,
    Destination: destination,
    Source: source,
    Subject: subject,
    Body: { text_part: text, html_part: html },
    // LocalStack's format: UTC, seconds precision, no zone suffix.
    Timestamp: new Date().toISOString().slice(0, 19),
  };
  state.emails.set(email.Id, email);
  const preview = (text ?? html?.replace(/<[^>]*>/g, ' ') ?? '').replace(/\s+/g, ' ').trim();
  state.log(`[local email] from ${source} to ${recipients.join(', ')}: "${subject}" ${preview}`);
  return email.Id;
}

// ---------------------------------------------------------------- KMS

const BLOB_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function kms(state: State, region: string, target: string, body: string): Reply {
  const [prefix, operation] = target.split('.');
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body || '{}') as Record<string, unknown>;
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object');
  }
  if (prefix !== 'TrentService') throw new AwsError('UnknownOperationException', `Unknown target ${target}`);
  switch (operation) {
    case 'GenerateDataKey': {
      const keyArn = resolveKeyArn(input.KeyId, region);
      const plaintext = randomBytes(dataKeyLength(input));
      const blob = seal(state, keyArn, plaintext, encryptionContext(input.EncryptionContext));
      return jsonReply(200, {
        CiphertextBlob: blob.toString('base64'),
        Plaintext: plaintext.toString('base64'),
        KeyId: keyArn,
      });
    }
    case 'Encrypt': {
      checkAlgorithm(input.EncryptionAlgorithm);
      const keyArn = resolveKeyArn(input.KeyId, region);
      const plaintext = base64Field(input.Plaintext, 'Plaintext');
      if (plaintext.length < 1 || plaintext.length > 4096) {
        throw new AwsError('ValidationException', 'Plaintext must be between 1 and 4096 bytes');
      }
      const blob = seal(state, keyArn, plaintext, encryptionContext(input.EncryptionContext));
      return jsonReply(200, {
        CiphertextBlob: blob.toString('base64'),
        KeyId: keyArn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      });
    }
    case 'Decrypt': {
      checkAlgorithm(input.EncryptionAlgorithm);
      const blob = base64Field(input.CiphertextBlob, 'CiphertextBlob');
      const { keyArn, plaintext } = open(state, blob, encryptionContext(input.EncryptionContext));
      if (input.KeyId !== undefined && resolveKeyArn(input.KeyId, region) !== keyArn) {
        throw new AwsError(
          'IncorrectKeyException',
          'The key ID in the request does not identify the key used to encrypt',
        );
      }
      return jsonReply(200, {
        Plaintext: plaintext.toString('base64'),
        KeyId: keyArn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      });
    }
    default:
      throw new AwsError(
        'UnknownOperationException',
        `Operation ${operation ?? ''} is not supported locally`,
      );
  }
}

// Every spelling of a key (bare id, key ARN, alias name, alias ARN) maps to one key ARN, so the same key
// is derived whichever form product code uses; aliases get a stable id hashed from their name.
function resolveKeyArn(keyId: unknown, region: string): string {
  if (typeof keyId !== 'string' || keyId.length < 1 || keyId.length > 2048) {
    throw new AwsError('ValidationException', 'KeyId must be a string of 1 to 2048 characters');
  }
  const arn = /^arn:aws[\w-]*:kms:([^:]*):[^:]*:((?:key|alias)\/.+)$/.exec(keyId);
  const keyRegion = arn?.[1] || region;
  const resource = arn?.[2] ?? (keyId.startsWith('alias/') ? keyId : `key/${keyId}`);
  const id = resource.startsWith('alias/') ? aliasKeyId(resource) : resource.slice('key/'.length);
  return `arn:aws:kms:${keyRegion}:${ACCOUNT_ID}:key/${id}`;
}

function aliasKeyId(alias: string): string {
  const h = createHash('sha256').update(alias).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function dataKeyLength(input: Record<string, unknown>): number {
  const { KeySpec: spec, NumberOfBytes: bytes } = input;
  if ((spec === undefined) === (bytes === undefined)) {
    throw new AwsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  if (spec === 'AES_256') return 32;
  if (spec === 'AES_128') return 16;
  if (spec !== undefined) throw new AwsError('ValidationException', `Unsupported KeySpec ${String(spec)}`);
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 1 || bytes > 1024) {
    throw new AwsError('ValidationException', 'NumberOfBytes must be an integer between 1 and 1024');
  }
  return bytes;
}

function checkAlgorithm(algorithm: unknown): void {
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError('ValidationException', 'Only SYMMETRIC_DEFAULT is supported locally');
  }
}

function base64Field(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new AwsError('SerializationException', `${name} must be a base64 string`);
  }
  return Buffer.from(value, 'base64');
}

// KMS treats an absent and an empty context alike; pairs sorted by key make the AAD independent of the
// order the caller built the map in (an object would reorder integer-like keys).
function encryptionContext(value: unknown): Buffer {
  if (value === undefined || value === null) return Buffer.from('[]');
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AwsError('ValidationException', 'EncryptionContext must be a map of strings');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.some(([, v]) => typeof v !== 'string')) {
    throw new AwsError('ValidationException', 'EncryptionContext values must be strings');
  }
  return Buffer.from(JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function dataKeyFor(state: State, keyArn: string): Buffer {
  let key = state.keys.get(keyArn);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', state.rootKey, 'serverless-mfa-local-kms', keyArn, 32));
    state.keys.set(keyArn, key);
  }
  return key;
}

// Blob layout: version (1) | ARN length (2, BE) | key ARN | IV (12) | GCM tag (16) | ciphertext.
// The header is authenticated together with the context, so a blob cannot be re-pointed at another key.
function seal(state: State, keyArn: string, plaintext: Buffer, context: Buffer): Buffer {
  const arn = Buffer.from(keyArn);
  const header = Buffer.concat([Buffer.from([BLOB_VERSION]), Buffer.alloc(2), arn]);
  header.writeUInt16BE(arn.length, 1);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKeyFor(state, keyArn), iv);
  cipher.setAAD(Buffer.concat([header, context]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

function open(state: State, blob: Buffer, context: Buffer): { keyArn: string; plaintext: Buffer } {
  const invalid = new AwsError(
    'InvalidCiphertextException',
    'The ciphertext is invalid or its encryption context does not match',
  );
  if (blob.length < 3 || blob[0] !== BLOB_VERSION) throw invalid;
  const arnEnd = 3 + blob.readUInt16BE(1);
  if (blob.length < arnEnd + IV_BYTES + TAG_BYTES) throw invalid;
  const keyArn = blob.subarray(3, arnEnd).toString('utf8');
  if (!keyArn.startsWith('arn:aws:kms:')) throw invalid;
  const iv = blob.subarray(arnEnd, arnEnd + IV_BYTES);
  const tag = blob.subarray(arnEnd + IV_BYTES, arnEnd + IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKeyFor(state, keyArn), iv);
    decipher.setAAD(Buffer.concat([blob.subarray(0, arnEnd), context]));
    decipher.setAuthTag(tag);
    const body = blob.subarray(arnEnd + IV_BYTES + TAG_BYTES);
    return { keyArn, plaintext: Buffer.concat([decipher.update(body), decipher.final()]) };
  } catch {
    throw invalid;
  }
}

async function loadRootKey(dataDir: string | undefined): Promise<Buffer> {
  if (!dataDir) return randomBytes(32);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'kms-root-key');
  try {
    // 'wx' so two instances starting together cannot overwrite each other's freshly created secret.
    await writeFile(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = await readFile(file);
  if (key.length !== 32) throw new Error(`${file} must hold exactly 32 bytes, found ${key.length}`);
  return key;
}

// ---------------------------------------------------------------- EventBridge

// PutEvents quotas: 10 entries and 256 KB a request, counted as EventBridge counts entry sizes.
const MAX_KEPT_EVENTS = 10_000;
const MAX_PUT_ENTRIES = 10;
const MAX_PUT_BYTES = 256 * 1024;

function eventBridge(state: State, region: string, target: string, body: string): Reply {
  const [prefix, operation] = target.split('.');
  const input = jsonObject(body);
  if (prefix !== 'AWSEvents') throw new AwsError('UnknownOperationException', `Unknown target ${target}`);
  switch (operation) {
    case 'PutEvents':
      return jsonReply(200, putEvents(state, region, input));
    case 'CreateEventBus': {
      const name = input.Name;
      if (typeof name !== 'string' || !/^[A-Za-z0-9._\-/]{1,256}$/.test(name)) {
        throw new AwsError('ValidationException', 'Name must be 1 to 256 of A-Z a-z 0-9 . _ - /');
      }
      if (state.buses.has(name)) {
        throw new AwsError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
      }
      state.buses.add(name);
      return jsonReply(200, { EventBusArn: busArn(region, name) });
    }
    case 'DescribeEventBus': {
      const name = busName(input.Name);
      if (!state.buses.has(name)) {
        throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
      }
      return jsonReply(200, { Name: name, Arn: busArn(region, name) });
    }
    default:
      throw new AwsError(
        'UnknownOperationException',
        `Operation ${operation ?? ''} is not supported locally`,
      );
  }
}

const busArn = (region: string, name: string) => `arn:aws:events:${region}:${ACCOUNT_ID}:event-bus/${name}`;

/** A bus named by name or by ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`); none is `default`. */
function busName(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'default';
  return /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(value)?.[1] ?? value;
}

function putEntrySize(entry: Record<string, unknown>): number {
  const text = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time !== undefined ? 14 : 0) +
    text(entry.Source) +
    text(entry.DetailType) +
    text(entry.Detail) +
    resources.reduce((sum: number, r) => sum + text(r), 0)
  );
}

type PutResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

function putEvents(state: State, region: string, input: Record<string, unknown>) {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_PUT_ENTRIES) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_PUT_ENTRIES}`,
    );
  }
  const objects = entries.map((entry) =>
    typeof entry === 'object' && entry !== null && !Array.isArray(entry)
      ? (entry as Record<string, unknown>)
      : {},
  );
  if (objects.reduce((sum, entry) => sum + putEntrySize(entry), 0) > MAX_PUT_BYTES) {
    throw new AwsError('ValidationException', 'Total size of the entries in the request is over the limit.');
  }
  const results = objects.map((entry) => putEntry(state, region, entry));
  return { FailedEntryCount: results.filter((r) => !('EventId' in r)).length, Entries: results };
}

function putEntry(state: State, region: string, entry: Record<string, unknown>): PutResult {
  const invalid = (name: string) => ({
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
  });
  const bus = busName(entry.EventBusName);
  if (!state.buses.has(bus)) {
    return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
  }
  for (const name of ['Source', 'DetailType', 'Detail'] as const) {
    if (typeof entry[name] !== 'string' || entry[name] === '') return invalid(name);
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (takeEventFailure(state, (detail as { userId?: unknown }).userId)) {
    return { ErrorCode: 'InternalFailure', ErrorMessage: 'Local endpoint configured to fail this entry' };
  }
  // awsJson sends timestamps as epoch seconds; EventBridge events carry seconds-precision UTC.
  const seconds = typeof entry.Time === 'number' ? entry.Time : Date.now() / 1000;
  const event: BusEvent = {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType as string,
    source: entry.Source as string,
    account: ACCOUNT_ID,
    time: `${new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 19)}Z`,
    region,
    resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
    detail,
    eventBusName: bus,
  };
  state.events.push(event);
  // A long `npm start` session must not grow without bound: the newest events are the ones looked at.
  if (state.events.length > MAX_KEPT_EVENTS) state.events.splice(0, state.events.length - MAX_KEPT_EVENTS);
  state.log(`[local event] ${bus}: ${event.source} "${event['detail-type']}" ${event.id}`);
  return { EventId: event.id };
}

/** Whether a `fail-events` rule (for this user id, or for any entry) takes this entry; counts it down. */
function takeEventFailure(state: State, userId: unknown): boolean {
  for (const key of [typeof userId === 'string' ? userId : undefined, '*']) {
    const left = key === undefined ? 0 : (state.failEvents.get(key) ?? 0);
    if (key === undefined || left <= 0) continue;
    if (left === 1) state.failEvents.delete(key);
    else state.failEvents.set(key, left - 1);
    state.failedEvents += 1;
    return true;
  }
  return false;
}

function jsonObject(body: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = JSON.parse(body || '{}');
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object');
  }
  return input as Record<string, unknown>;
}

// ---------------------------------------------------------------- LocalStack-compatible inspection

function inspect(state: State, method: string, url: URL): Reply {
  const q = url.searchParams;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/_aws/sns/sms-messages' && (method === 'GET' || method === 'DELETE')) {
    const region = q.get('region') || state.region;
    // An unencoded '+' arrives as a space; restoring it saves callers from a confusing empty result.
    const phone = q.get('phoneNumber')?.replace(/^ /, '+');
    const otherAccount = (q.get('accountId') ?? ACCOUNT_ID) !== ACCOUNT_ID;
    const inScope = (s: State['sms'][number]) => !otherAccount && s.region === region;
    if (method === 'DELETE') {
      state.sms = state.sms.filter((s) => !(inScope(s) && (!phone || s.message.PhoneNumber === phone)));
      return { status: 204, headers: {}, body: '' };
    }
    const grouped: Record<string, SmsMessage[]> = phone ? { [phone]: [] } : {};
    for (const s of state.sms) {
      if (!inScope(s) || (phone && s.message.PhoneNumber !== phone)) continue;
      grouped[s.message.PhoneNumber] ??= [];
      grouped[s.message.PhoneNumber]?.push(s.message);
    }
    return json(200, { sms_messages: grouped, region });
  }
  if (path === '/_aws/ses' && method === 'GET') {
    const id = q.get('id');
    const source = q.get('email');
    const messages = [...state.emails.values()].filter(
      (m) => (!id || m.Id === id) && (!source || m.Source === source),
    );
    return json(200, { messages });
  }
  if (path === '/_aws/ses' && method === 'DELETE') {
    const id = q.get('id');
    if (id === null) state.emails.clear();
    else state.emails.delete(id);
    return { status: 204, headers: {}, body: '' };
  }
  if (path === '/_localstack/health' && (method === 'GET' || method === 'HEAD')) {
    return json(200, { services: { sns: 'running', ses: 'running', kms: 'running' } });
  }
  return json(404, { error: `No local endpoint for ${method} ${url.pathname}` });
}

// ---------------------------------------------------------------- local-only test hooks

const SETTLE_TIMEOUT_MS = 10_000;

/**
 * `GET /_local/streams/settled` answers 200 once the table stream's workers have handled every
 * change written before the request (StreamPoller.settled), 504 after 10 s: a test reads what
 * the workers derive (the audit events of a new session) after it. Local-only, like the rest.
 */
async function streamsSettled(state: State): Promise<Reply> {
  if (!state.streamsSettled) return json(200, { settled: true });
  const timeout = new Promise<'timeout'>((resolve) =>
    setTimeout(resolve, SETTLE_TIMEOUT_MS, 'timeout').unref(),
  );
  const outcome = await Promise.race([state.streamsSettled().then(() => 'settled' as const), timeout]);
  return outcome === 'settled'
    ? json(200, { settled: true })
    : json(504, { error: `The stream workers did not catch up within ${SETTLE_TIMEOUT_MS / 1000} s` });
}

/**
 * `GET|POST /_local/fail-destinations`, body `{ "destinations": ["+15555550100", "a@example.com"] }`:
 * reads or replaces the list of phone numbers and email addresses whose sends fail, like
 * `setFailDestinations`, for test processes that reach this runtime only over HTTP. A local-only hook
 * in the style of LocalStack's internal paths: the CDK stack has nothing like it, and product code
 * never calls it. The list is shared by everything using this endpoint: give failing destinations
 * unique names and put the previous list back afterwards.
 */
function testHooks(state: State, method: string, url: URL, body: string | undefined): Reply {
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/_local/events') return busEvents(state, method, url);
  if (path === '/_local/fail-events') return failEvents(state, method, url, body);
  if (path !== '/_local/fail-destinations') {
    return json(404, { error: `No local endpoint for ${method} ${url.pathname}` });
  }
  if (method === 'POST') {
    let input: unknown;
    try {
      input = JSON.parse(body ?? '');
    } catch {
      input = undefined;
    }
    const list = (input as { destinations?: unknown } | undefined)?.destinations;
    if (!Array.isArray(list) || !list.every((d) => typeof d === 'string')) {
      return json(400, { error: 'Expected a JSON body { "destinations": string[] }' });
    }
    state.fail = failSet(list);
  } else if (method !== 'GET') {
    return json(405, { error: `No local endpoint for ${method} ${url.pathname}` });
  }
  return json(200, { destinations: [...state.fail] });
}

/**
 * `GET /_local/events` lists every entry put on a bus of this endpoint, oldest first, as
 * `{ events: BusEvent[] }` (the EventBridge event envelope with `detail` parsed, plus
 * `eventBusName`); `?detail-type=`, `?source=` and `?bus=` filter it. `DELETE` empties it.
 * The local stand-in for a rule that sends the bus to a log group.
 */
function busEvents(state: State, method: string, url: URL): Reply {
  if (method === 'DELETE') {
    state.events = [];
    return { status: 204, headers: {}, body: '' };
  }
  if (method !== 'GET') return json(405, { error: `No local endpoint for ${method} ${url.pathname}` });
  const q = url.searchParams;
  const events = state.events.filter(
    (e) =>
      (!q.get('detail-type') || e['detail-type'] === q.get('detail-type')) &&
      (!q.get('source') || e.source === q.get('source')) &&
      (!q.get('bus') || e.eventBusName === q.get('bus')),
  );
  return json(200, { events });
}

/**
 * `POST /_local/fail-events`, body `{ "count": N, "userId"?: "<id>" }`: the next N PutEvents
 * entries (whose `detail.userId` is that id, when given) fail with `InternalFailure`, as
 * EventBridge reports a failed entry (`FailedEntryCount` and the entry's `ErrorCode`). A count
 * of 0 removes the rule. `GET` shows the rules left and how many entries were failed so far.
 * Rules by user id let test files that share this endpoint fail only their own events.
 */
function failEvents(state: State, method: string, url: URL, body: string | undefined): Reply {
  if (method === 'POST') {
    let input: { count?: unknown; userId?: unknown } | undefined;
    try {
      input = JSON.parse(body ?? '') as typeof input;
    } catch {
      input = undefined;
    }
    const count = input?.count;
    const userId = input?.userId ?? '*';
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || typeof userId !== 'string') {
      return json(400, { error: 'Expected a JSON body { "count": integer >= 0, "userId"?: string }' });
    }
    if (count === 0) state.failEvents.delete(userId);
    else state.failEvents.set(userId, count);
  } else if (method !== 'GET') {
    return json(405, { error: `No local endpoint for ${method} ${url.pathname}` });
  }
  return json(200, { rules: Object.fromEntries(state.failEvents), failed: state.failedEvents });
}

function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}
