import type { EventType } from '../db/events.ts';
import { maskEmail } from '../mfa/phone.ts';
import {
  DETAIL_SCHEMAS,
  EMAIL_FIELDS,
  EVENT_DETAIL_TYPES,
  type EventDetail,
  FREE_TEXT_FIELDS,
} from './schema.ts';

/**
 * An event item of the table (`USER#<id>` / `EVENT#<ulid>`, as `eventPuts` writes it) as the
 * `detail` put on the bus. Only the fields the schema describes leave, parsed by it: a field
 * added to an event later stays off the bus until the schema names it. Email addresses are
 * masked, and runs of digits in text a user chose (a factor label could be a phone number).
 */
export type Built =
  | { ok: true; type: EventType; detailType: string; detail: EventDetail }
  | { ok: false; type: string; id: string; problems: string[] };

// Six or more digits, with the separators people type into phone numbers between them.
const DIGIT_RUN = /\+?\d(?:[\s().-]*\d){5,}/g;

/** `+44 7700 900123` → `+**********23`: digits hidden but the last two, like a masked destination. */
export function maskDigitRuns(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    return `${run.startsWith('+') ? '+' : ''}${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
  });
}

function masked(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...details };
  for (const field of EMAIL_FIELDS) {
    if (typeof out[field] === 'string') out[field] = maskEmail(out[field]);
  }
  for (const field of FREE_TEXT_FIELDS) {
    if (typeof out[field] === 'string') out[field] = maskDigitRuns(out[field]);
  }
  return out;
}

export function buildDetail(item: Record<string, unknown>): Built {
  const type = String(item.type);
  const id = String(item.id);
  if (!Object.hasOwn(EVENT_DETAIL_TYPES, type)) {
    return { ok: false, type, id, problems: ['type: not a known event type'] };
  }
  const known = type as EventType;
  const details = item.details && typeof item.details === 'object' ? item.details : {};
  const parsed = DETAIL_SCHEMAS[known].safeParse({
    id: item.id,
    type: item.type,
    at: item.at,
    userId: item.userId,
    actorId: item.actorId ?? item.userId,
    ...(typeof item.orgId === 'string' && item.orgId ? { orgId: item.orgId } : {}),
    ip: item.ip ?? null,
    userAgent: item.userAgent ?? null,
    details: masked(details as Record<string, unknown>),
  });
  if (!parsed.success) {
    // Paths and messages only: the values could be what must not leave.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return { ok: false, type, id, problems };
  }
  return { ok: true, type: known, detailType: EVENT_DETAIL_TYPES[known], detail: parsed.data as EventDetail };
}
