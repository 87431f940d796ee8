import type { Permission } from '../shared/http/route.ts';

/**
 * The functions that no HTTP request starts, beside the route table: the CDK stack makes one
 * Lambda per entry with exactly these permissions and its trigger, and the local runtime runs
 * them the way AWS would (it polls the table's stream; rotation is a command).
 * - `tableStream`: an event source mapping on the table's stream (new images), with retries,
 *   bisection and a dead-letter queue, so a record is never dropped silently;
 * - `schedule`: an EventBridge Scheduler rule (`schedule` is its expression).
 */
export interface Worker {
  /** Handler module below `functions/`, without extension; it exports `handler`. */
  module: string;
  trigger: { kind: 'tableStream' } | { kind: 'schedule'; schedule: string };
  permissions: readonly Permission[];
  summary: string;
}

export const workers = {
  publishEvents: {
    module: 'events/publish',
    trigger: { kind: 'tableStream' },
    // table:put: the audit events a new session implies are written from its record.
    permissions: ['events:put', 'table:put'],
    summary: "Records a new session's audit events, and puts every security event on the EventBridge bus.",
  },
  rotateSigningKey: {
    module: 'keys/rotate',
    // Monthly: the key that takes over has been in the JWKS since the previous rotation.
    trigger: { kind: 'schedule', schedule: 'rate(30 days)' },
    permissions: ['table:read', 'table:write', 'kms:generateDataKey'],
    summary: 'Rotates the token signing key: the published next key signs, the current one retires.',
  },
} as const satisfies Record<string, Worker>;

export const workerList: readonly (Worker & { name: string })[] = Object.entries(workers).map(
  ([name, worker]) => ({ name, ...worker }),
);
