import { config } from '../config.ts';
import type { Window } from '../db/rate.ts';
import { clientKey } from '../http/client-address.ts';

/**
 * Every code a client gets sent (SMS or email; MFA, sign-up or reset) counts in one hourly
 * allowance per client address: many accounts or many numbers from one address cannot pump.
 */
export const codeSendsFromIp = (ip: string): Window => ({
  scope: 'send-ip',
  key: clientKey(ip),
  seconds: 3600,
  limit: config().codeSendsPerIpPerHour,
});

/**
 * The log message of an open SMS circuit breaker (the `SmsBreakerOpen` metric counts it too, and
 * the stack alarms on that): it means someone is pumping, or the breaker is set too low for real
 * traffic.
 */
export const SMS_BREAKER_OPEN = 'sms circuit breaker open';
