import { sleep } from './mfa.ts';

/**
 * Limits count in fixed windows (shared/db/rate.ts). A test that fills one must not straddle
 * its end, or the next window would take what the test expects refused: when fewer than
 * `marginSeconds` are left of the current window, wait for the next one to begin.
 */
export async function clearOfWindowEdge(windowSeconds: number, marginSeconds: number): Promise<void> {
  const intoWindow = (Date.now() / 1000) % windowSeconds;
  const left = windowSeconds - intoWindow;
  if (left < marginSeconds) await sleep(left * 1000 + 50);
}

/**
 * The timeout of a test that calls `clearOfWindowEdge`: its wait for the next window (up to
 * `marginSeconds`) on top of the time the test itself runs.
 */
export const edgeTimeout = (marginSeconds: number): number => (marginSeconds + 45) * 1000;
