import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { config } from '../config.ts';
import { decrypt, encrypt } from './aead.ts';

/** Created once per container; the endpoint comes from AWS_ENDPOINT_URL_KMS when set. */
const kms = new KMSClient({});

/**
 * Envelope encryption: a fresh KMS data key encrypts the value locally with AES-256-GCM and
 * only the KMS-encrypted data key is stored beside it. Opening costs one KMS Decrypt, which
 * is why callers cache what they open (once per container), never per request.
 * The encryption context is checked by KMS and also bound as AAD.
 */
export interface Sealed {
  /** KMS CiphertextBlob of the data key, base64. */
  dataKey: string;
  /** AES-256-GCM of the value under the data key. */
  value: string;
}

function aad(context: Record<string, string>): string {
  return JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b)));
}

export async function seal(plaintext: Buffer, context: Record<string, string>): Promise<Sealed> {
  const out = await kms.send(
    new GenerateDataKeyCommand({ KeyId: config().kmsKeyId, KeySpec: 'AES_256', EncryptionContext: context }),
  );
  if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
  const key = Buffer.from(out.Plaintext);
  try {
    return {
      dataKey: Buffer.from(out.CiphertextBlob).toString('base64'),
      value: encrypt(key, plaintext, aad(context)),
    };
  } finally {
    key.fill(0);
  }
}

export async function open(sealed: Sealed, context: Record<string, string>): Promise<Buffer> {
  const out = await kms.send(
    new DecryptCommand({ CiphertextBlob: Buffer.from(sealed.dataKey, 'base64'), EncryptionContext: context }),
  );
  if (!out.Plaintext) throw new Error('KMS returned no plaintext');
  const key = Buffer.from(out.Plaintext);
  try {
    return decrypt(key, sealed.value, aad(context));
  } finally {
    key.fill(0);
  }
}
