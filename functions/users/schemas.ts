import * as z from 'zod';
import { emailAddress } from '../../shared/http/schemas.ts';

// NIST SP 800-63B-4 §3.1.1.2: at least 12 characters without composition rules, and long
// passphrases allowed; the upper bound keeps argon2 input (and memory) bounded.
export const password = z.string().min(12).max(128).describe('12 to 128 characters.');

export const createUserBody = z.strictObject({ email: emailAddress, password });

export const userCreated = z.object({ userId: z.string() });
