import { marshall } from '@aws-sdk/util-dynamodb';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { handler as publish } from '../../functions/events/publish.ts';
import { EVENT_TYPES, type EventInput, type EventType, eventPuts } from '../../shared/db/events.ts';
import { EVENT_DETAIL_TYPES, EVENT_SOURCE, eventDetailJsonSchema } from '../../shared/events/schema.ts';
import { logIn, runtime } from '../support/api.ts';
import { account, enrollSms, sleep, uniquePhone } from '../support/mfa.ts';
import { createOrg } from '../support/orgs.ts';

/**
 * Security events on EventBridge (README "Security events"). The request path writes events to
 * the table only; the table's stream feeds functions/events/publish.ts, which puts each event on
 * the bus. Attacks and failures this guards against:
 * - a secret leaving through the bus: codes, tokens, full phone numbers or email addresses in
 *   `detail` (only fields the schema names are published, destinations masked);
 * - an event lost silently when EventBridge refuses it: refused entries are retried, then
 *   reported as batchItemFailures so Lambda retries and dead-letters them;
 * - the same event published twice from its ORG# copy.
 * Events from the whole test run share the local bus: each test looks at its own user's events.
 */

interface BusEvent {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  detail: {
    id: string;
    type: EventType;
    at: string;
    userId: string;
    orgId?: string;
    details: Record<string, unknown>;
  };
  eventBusName: string;
}

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const validateAny = ajv.compile(eventDetailJsonSchema());
const validators = new Map(EVENT_TYPES.map((type) => [type, ajv.compile(eventDetailJsonSchema(type))]));

async function busEvents(base = runtime().awsUrl): Promise<BusEvent[]> {
  const answer = await fetch(`${base}/_local/events`);
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { events: BusEvent[] }).events;
}

/** The bus events about `userId`, once `done` says they are all there (the stream is polled). */
async function eventsOf(
  userId: string,
  done: (events: BusEvent[]) => boolean,
  base?: string,
): Promise<BusEvent[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const mine = (await busEvents(base)).filter((event) => event.detail.userId === userId);
    if (done(mine) || Date.now() > deadline) return mine;
    await sleep(100);
  }
}

const hasTypes =
  (...types: EventType[]) =>
  (events: BusEvent[]) =>
    types.every((type) => events.some((event) => event.detail.type === type));

function expectValid(event: BusEvent) {
  expect(event.source).toBe(EVENT_SOURCE);
  expect(event['detail-type']).toBe(EVENT_DETAIL_TYPES[event.detail.type]);
  expect(event.eventBusName).toBe(runtime().env.EVENT_BUS_NAME);
  const validate = validators.get(event.detail.type);
  expect(validate?.(event.detail), JSON.stringify(validate?.errors)).toBe(true);
  expect(validateAny(event.detail), JSON.stringify(validateAny.errors)).toBe(true);
}

async function failEvents(count: number, userId: string) {
  const answer = await fetch(`${runtime().awsUrl}/_local/fail-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count, userId }),
  });
  expect(answer.status).toBe(200);
  return (await answer.json()) as { rules: Record<string, number>; failed: number };
}

let sequence = BigInt(Date.now()) * 1_000_000n;

/** A stream record of a Put, as Lambda delivers it (INSERT, new image). */
function streamRecord(put: { Put: { Item: Record<string, unknown> } }): DynamoDBRecord {
  sequence += 1n;
  const item = put.Put.Item;
  return {
    eventID: ulid(),
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/serverless-mfa/stream/local',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(sequence),
      SizeBytes: 100,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

const PHONE = '+31612345678';
const CODE = '483920';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const policy = {
  mode: 'optional',
  allowedFactorTypes: ['totp', 'sms'],
  rememberDeviceDays: 30,
  graceDays: 0,
};

/** `details` as the callers of eventPuts/recordEvent write them, per event type. */
const realistic: Record<EventType, Record<string, unknown>> = {
  'user.created': {},
  'password.reset': {},
  'password.changed': {},
  'account.reported': {},
  'session.created': { aal: 2, amr: ['pwd', 'sms', 'mfa'] },
  'session.revoked': { sessionId: ulid(), reason: 'refresh_token_reuse' },
  'mfa.challenge_sent': { factorId: ulid(), factorType: 'sms' },
  'mfa.verified': { method: 'sms', factorId: ulid() },
  'mfa.failed': { method: 'code' },
  'mfa.locked': { until: new Date(Date.now() + 900_000).toISOString() },
  'password.locked': { until: new Date(Date.now() + 900_000).toISOString() },
  'factor.added': { factorId: ulid(), type: 'sms' },
  'factor.activated': { factorId: ulid(), type: 'totp' },
  'factor.removed': { factorId: ulid(), type: 'email' },
  'factor.replaced': { factorId: ulid(), type: 'sms', replacedFactorId: ulid() },
  'factor.renamed': { factorId: ulid(), type: 'sms', from: 'Phone', to: `Work phone ${PHONE}` },
  'recovery_codes.generated': {},
  'recovery_code.used': { remaining: 9 },
  'device.remembered': { deviceId: ulid() },
  'device.revoked': { deviceId: ulid() },
  'mfa.reset': { factorsRemoved: 2, devicesRemoved: 1, sessionsRevoked: 3 },
  'org.policy_changed': {
    from: policy,
    to: { ...policy, mode: 'required', requiredSince: new Date().toISOString() },
  },
  'org.member_invited': { email: 'new.hire@example.com', role: 'member' },
  'org.invitation_revoked': { email: 'new.hire@example.com' },
  'org.action_refused': {
    action: 'mfa.reset',
    reason: 'Only the owner can reset the MFA of an admin.',
    targetUserId: ulid(),
    targetEmail: 'admin@example.com',
  },
  'org.member_added': { role: 'owner' },
};

describe('security events on the EventBridge bus', () => {
  it('(a) a sign-up through the local runtime puts its events on the bus, valid against the schema', async () => {
    const user = await account();
    // Read through the API's port, as `curl localhost:3000/_local/events` does.
    const events = await eventsOf(user.userId, hasTypes('user.created', 'session.created'), runtime().apiUrl);
    expect(events.map((e) => e.detail.type)).toEqual(
      expect.arrayContaining(['user.created', 'session.created']),
    );
    for (const event of events) expectValid(event);
    const created = events.find((e) => e.detail.type === 'user.created');
    expect(created?.['detail-type']).toBe('User Created');
    expect(created?.detail).toMatchObject({ userId: user.userId, actorId: user.userId, details: {} });
    // The bus event's time is the event's own (seconds precision).
    expect(created?.time).toBe(`${created?.detail.at.slice(0, 19)}Z`);
  });

  it.each(EVENT_TYPES)('(b) %s goes through the publisher to the bus and validates', async (type) => {
    const userId = ulid();
    const input: EventInput = {
      type,
      userId,
      ip: '198.51.100.7',
      userAgent: 'vitest',
      ...(type.startsWith('org.') || type === 'mfa.reset' ? { orgId: ulid(), actorId: ulid() } : {}),
      // What must never leave, beside what the type really carries: dropped, as unknown fields.
      details: { ...realistic[type], code: CODE, token: TOKEN, phoneNumber: PHONE },
    };
    const [user] = eventPuts(input);
    if (!user) throw new Error('no put');
    expect(await publish({ Records: [streamRecord(user)] })).toEqual({ batchItemFailures: [] });

    const [event, ...more] = (await busEvents()).filter((e) => e.detail.id === user.Put.Item.id);
    expect(more).toEqual([]);
    if (!event) throw new Error(`${type} not on the bus`);
    expectValid(event);
    expect(event['detail-type']).toBe(EVENT_DETAIL_TYPES[type]);
    const { code, token, phoneNumber, ...described } = input.details ?? {};
    expect(Object.keys(event.detail.details).sort()).toEqual(Object.keys(described).sort());
    // (e) nothing secret in the serialized detail.
    const text = JSON.stringify(event.detail);
    for (const secret of [CODE, TOKEN, PHONE, PHONE.slice(1), 'new.hire@', 'admin@example.com']) {
      expect(text).not.toContain(secret);
    }
  });

  it('(b) carries the organisation and masks addresses and phone-like labels', async () => {
    const orgId = ulid();
    const [user] = eventPuts({
      type: 'org.member_invited',
      userId: ulid(),
      orgId,
      details: { email: 'new.hire@example.com', role: 'admin' },
    });
    if (!user) throw new Error('no put');
    // The USER# copy as the table holds it, with the org named (eventPuts' item, plus orgId).
    await publish({ Records: [streamRecord({ Put: { Item: { ...user.Put.Item, orgId } } })] });
    const event = (await busEvents()).find((e) => e.detail.id === user.Put.Item.id);
    expect(event?.detail).toMatchObject({ orgId, details: { email: 'n***e@example.com', role: 'admin' } });

    const [renamed] = eventPuts({
      type: 'factor.renamed',
      userId: ulid(),
      details: { factorId: ulid(), type: 'sms', from: 'Phone', to: 'mine +44 7700 900123' },
    });
    if (!renamed) throw new Error('no put');
    await publish({ Records: [streamRecord(renamed)] });
    const published = (await busEvents()).find((e) => e.detail.id === renamed.Put.Item.id);
    expect(published?.detail.details.to).toBe('mine +**********23');
  });

  it('(c) a refused entry is retried, then reported as a batch item failure, and published once it is taken', async () => {
    const userId = ulid();
    const [ok] = eventPuts({ type: 'user.created', userId: ulid() });
    const [refused] = eventPuts({ type: 'password.changed', userId });
    if (!ok || !refused) throw new Error('no put');
    const records = [streamRecord(ok), streamRecord(refused)];
    await failEvents(100, userId);
    try {
      const answer = await publish({ Records: records });
      // Only the refused record: Lambda retries from it (and dead-letters it after its retries).
      expect(answer).toEqual({
        batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }],
      });
      // Retried inside the invocation: four attempts were refused.
      const left = await failEvents(100 - 4, userId);
      expect(left.rules[userId]).toBe(96);
    } finally {
      await failEvents(0, userId);
    }
    const ids = (await busEvents()).map((e) => e.detail.id);
    expect(ids).toContain(ok.Put.Item.id);
    expect(ids).not.toContain(refused.Put.Item.id);
    // Lambda's retry of the same record, once EventBridge takes it again.
    expect(await publish({ Records: [records[1] as DynamoDBRecord] })).toEqual({ batchItemFailures: [] });
    expect((await busEvents()).map((e) => e.detail.id)).toContain(refused.Put.Item.id);
  });

  it('(c) a failing bus never fails the request, and the event arrives after the retries', async () => {
    const user = await account();
    await eventsOf(user.userId, hasTypes('user.created', 'session.created'));
    // More refusals than one invocation retries: the stream poller has to retry the record.
    await failEvents(6, user.userId);
    try {
      const login = await logIn(user.email);
      expect(login.status).toBe(200);
      expect(login.body.status).toBe('authenticated');
      const events = await eventsOf(
        user.userId,
        (mine) => mine.filter((e) => e.detail.type === 'session.created').length >= 2,
      );
      expect(events.filter((e) => e.detail.type === 'session.created')).toHaveLength(2);
      const rules = (await (await fetch(`${runtime().awsUrl}/_local/fail-events`)).json()) as {
        rules: Record<string, number>;
      };
      expect(rules.rules[user.userId]).toBeUndefined();
    } finally {
      await failEvents(0, user.userId);
    }
  });

  it('(d) the ORG# copy of an event is not published a second time', async () => {
    const orgId = ulid();
    const puts = eventPuts({ type: 'org.member_added', userId: ulid(), orgId, details: { role: 'owner' } });
    expect(puts.map((p) => p.Put.Item.pk)).toEqual([expect.stringMatching(/^USER#/), `ORG#${orgId}`]);
    expect(await publish({ Records: puts.map(streamRecord) })).toEqual({ batchItemFailures: [] });
    const id = puts[0]?.Put.Item.id;
    expect((await busEvents()).filter((e) => e.detail.id === id)).toHaveLength(1);

    // And through the runtime: creating an organisation writes both copies, one goes out.
    const owner = await account();
    await createOrg(owner.accessToken);
    const events = await eventsOf(owner.userId, hasTypes('org.member_added'));
    await sleep(500);
    const added = (await busEvents()).filter(
      (e) => e.detail.userId === owner.userId && e.detail.type === 'org.member_added',
    );
    expect(added).toHaveLength(1);
    expect(events.length).toBeGreaterThan(0);
  });

  it('(e) enrolling a phone puts no phone number on the bus', async () => {
    const user = await account();
    const phone = uniquePhone();
    await enrollSms(user, phone);
    const events = await eventsOf(
      user.userId,
      hasTypes('factor.added', 'factor.activated', 'recovery_codes.generated'),
    );
    expect(events.map((e) => e.detail.type)).toEqual(
      expect.arrayContaining(['factor.added', 'factor.activated', 'recovery_codes.generated']),
    );
    for (const event of events) expectValid(event);
    const text = JSON.stringify(events);
    expect(text).not.toContain(phone);
    expect(text).not.toContain(phone.slice(1));
    expect(text).not.toContain(phone.slice(-9));
  });

  it('the local endpoint answers PutEvents for an unknown bus as EventBridge does', async () => {
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const client = new EventBridgeClient({});
    try {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: 'no-such-bus', Source: EVENT_SOURCE, DetailType: 'x', Detail: '{}' }],
        }),
      );
      expect(out.FailedEntryCount).toBe(1);
      expect(out.Entries).toEqual([
        { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus no-such-bus does not exist.' },
      ]);
    } finally {
      client.destroy();
    }
  });
});
