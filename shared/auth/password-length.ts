/**
 * How long a new password may be, in Unicode code points after NFKC normalisation (NIST SP
 * 800-63B-4 §3.1.1.2: at least 15 for a password used alone; 128 bounds the hashing work). Apart
 * from the policy, which loads zxcvbn's word list, so the public settings route stays small.
 */
export const MIN_CODE_POINTS = 15;
export const MAX_CODE_POINTS = 128;
