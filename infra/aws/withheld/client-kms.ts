/** `@aws-sdk/client-kms` in functions without `kms:*` permissions (see ./client.ts). */
import { WithheldCommand, withheldClient } from './client.ts';

export const KMSClient = withheldClient('KMS', 'kms:decrypt or kms:generateDataKey');
export class DecryptCommand extends WithheldCommand {}
export class GenerateDataKeyCommand extends WithheldCommand {}
