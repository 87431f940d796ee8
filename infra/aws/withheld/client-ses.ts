/** `@aws-sdk/client-ses` in functions without the `ses:send` permission (see ./client.ts). */
import { WithheldCommand, withheldClient } from './client.ts';

export const SESClient = withheldClient('SES', 'ses:send');
export class SendEmailCommand extends WithheldCommand {}
