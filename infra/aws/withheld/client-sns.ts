/** `@aws-sdk/client-sns` in functions without the `sns:publish` permission (see ./client.ts). */
import { WithheldCommand, withheldClient } from './client.ts';

export const SNSClient = withheldClient('SNS', 'sns:publish');
export class PublishCommand extends WithheldCommand {}
