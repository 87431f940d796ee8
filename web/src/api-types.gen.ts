/**
 * Generated from the OpenAPI document (functions/routes.ts, shared/http/openapi.ts) by
 * `npm run generate:types` (openapi-typescript). Do not edit: change the schemas and run it again.
 */

/** OneOf type helpers */
type Without<T, U> = { [P in Exclude<keyof T, keyof U>]?: never };
type XOR<T, U> = T | U extends object ? (Without<T, U> & U) | (Without<U, T> & T) : T | U;
type OneOf<T extends any[]> = T extends [infer Only]
  ? Only
  : T extends [infer A, infer B, ...infer Rest]
    ? OneOf<[XOR<A, B>, ...Rest]>
    : never;

export interface paths {
  '/v1/users': {
    /** Sign up: the address gets a code to confirm it. The same answer for every address, with or without an account. */
    post: operations['createUser'];
  };
  '/v1/users/verify': {
    /** Confirm the address with the emailed code: the account exists from now on, and is signed in. */
    post: operations['verifyUser'];
  };
  '/v1/users/verify/resend': {
    /** Email a new sign-up code (after the cooldown); the previous code stops working. */
    post: operations['resendUserVerification'];
  };
  '/v1/password-resets': {
    /** Forgot the password: a verified account gets a code by email. The same answer for every address. */
    post: operations['createPasswordReset'];
  };
  '/v1/password-resets/{resetId}/confirm': {
    /** Set a new password with the emailed code. With MFA, the answer is `mfa_required` and the new password takes effect when that step succeeds. */
    post: operations['confirmPasswordReset'];
  };
  '/v1/sessions': {
    /** Log in with a password. */
    post: operations['createSession'];
  };
  '/v1/mfa/challenges': {
    /** Start the second step of a login with one factor; SMS and email factors get a code. */
    post: operations['createChallenge'];
  };
  '/v1/mfa/challenges/{challengeId}/resend': {
    /** Send a new code for a login challenge; the previous code stops working, attempts are not reset. */
    post: operations['resendChallenge'];
  };
  '/v1/mfa/verify': {
    /** Complete a login with a code; optionally remember this device. */
    post: operations['verifyMfa'];
  };
  '/v1/mfa/recover': {
    /** Complete a login with a recovery code (each works once); the account is notified. */
    post: operations['recoverMfa'];
  };
  '/v1/mfa/factors': {
    /** The caller's factors, with destinations masked. */
    get: operations['listFactors'];
    /** Enroll a factor (needs the password); TOTP gets a secret and QR code, SMS/email a code. */
    post: operations['createFactor'];
  };
  '/v1/mfa/factors/{factorId}/activate': {
    /** Activate a pending factor with its first code; the first factor also returns recovery codes. */
    post: operations['activateFactor'];
  };
  '/v1/mfa/factors/{factorId}/resend': {
    /** Send a new confirmation code to a pending SMS or email factor. */
    post: operations['resendFactorCode'];
  };
  '/v1/mfa/factors/{factorId}/codes': {
    /** Send a code to an active SMS or email factor, for use in a `verification`. */
    post: operations['sendFactorCode'];
  };
  '/v1/mfa/factors/{factorId}': {
    /** Remove a factor, with a verification by a current factor or a recovery code. */
    delete: operations['deleteFactor'];
    /** Rename a factor; for an active one, with a verification (or a fresh aal 2 token). */
    patch: operations['updateFactor'];
  };
  '/v1/mfa/recovery-codes': {
    /** New recovery codes (the old ones stop working), with a verification. */
    post: operations['regenerateRecoveryCodes'];
  };
  '/v1/mfa/devices': {
    /** Remembered devices. */
    get: operations['listDevices'];
  };
  '/v1/mfa/devices/{deviceId}': {
    /** Forget a remembered device: its token no longer skips MFA. */
    delete: operations['deleteDevice'];
  };
  '/v1/me/events': {
    /** The caller's security activity, newest first. */
    get: operations['listMyEvents'];
  };
  '/v1/me/sessions': {
    /** The caller's live sessions (where and when each was opened, last used, aal), newest first. */
    get: operations['listMySessions'];
    /** Sign out everywhere else: every session but the current one ends. */
    delete: operations['deleteMyOtherSessions'];
  };
  '/v1/me/sessions/{sessionId}': {
    /** End one of your sessions (its refresh token stops working at once); no step-up needed. */
    delete: operations['deleteMySession'];
  };
  '/v1/me/password': {
    /** Change the password (the current one, and with MFA a verification or a fresh aal 2 token); every other session ends. */
    put: operations['changePassword'];
  };
  '/v1/security-reports': {
    /** "This wasn't me" (the link of every security email, once, no sign-in): every session and remembered device of the account ends. */
    post: operations['reportSecurityEvent'];
  };
  '/v1/sessions/refresh': {
    /** Exchange a refresh token for new tokens (claims as they are now), or the enrollment step the organisation now requires; the presented one stops working. */
    post: operations['refreshSession'];
  };
  '/v1/sessions/current': {
    /** Log out: revokes the session and its refresh token. */
    delete: operations['deleteCurrentSession'];
  };
  '/v1/orgs': {
    /** Create an organisation; the caller becomes its owner (a user belongs to at most one). */
    post: operations['createOrg'];
  };
  '/v1/orgs/{orgId}': {
    /** An organisation and its MFA policy (its members only). */
    get: operations['getOrg'];
  };
  '/v1/orgs/{orgId}/mfa-policy': {
    /** Set the MFA policy (owner/admin, with an aal 2 token: enable MFA for yourself first); only the owner may weaken it, with a step-up. */
    put: operations['putMfaPolicy'];
  };
  '/v1/orgs/{orgId}/members': {
    /** Members with their MFA status (owner/admin). */
    get: operations['listMembers'];
    /** Invite an email address as admin or member (owner/admin); its verified owner joins by accepting. The same answer for every address. */
    post: operations['addMember'];
  };
  '/v1/orgs/{orgId}/invitations': {
    /** Invitations not yet accepted, declined or expired (owner/admin). */
    get: operations['listOrgInvitations'];
  };
  '/v1/orgs/{orgId}/invitations/{email}': {
    /** Withdraw an invitation (owner/admin); the address can no longer accept it. */
    delete: operations['revokeOrgInvitation'];
  };
  '/v1/orgs/{orgId}/members/{userId}/mfa-reset': {
    /** Reset a member's MFA (lost phone): factors, recovery codes and devices removed, sessions revoked. */
    post: operations['resetMemberMfa'];
  };
  '/v1/orgs/{orgId}/mfa-reset': {
    /** Reset the MFA of every member but the caller (owner only, aal 2, step-up, the organisation's name in `confirm`): as the single reset, for each member who has something to reset. */
    post: operations['resetOrgMfa'];
  };
  '/v1/orgs/{orgId}/events': {
    /** The organisation's security events, newest first, with the actor's and the user's addresses (owner/admin). */
    get: operations['listOrgEvents'];
  };
  '/v1/me/invitations': {
    /** Organisations that invited the caller. */
    get: operations['listMyInvitations'];
  };
  '/v1/me/invitations/{orgId}/accept': {
    /** Join the organisation (its admins then set the caller's MFA policy); with MFA, a verification or a fresh aal 2 token. */
    post: operations['acceptInvitation'];
  };
  '/v1/me/invitations/{orgId}': {
    /** Decline an invitation. */
    delete: operations['declineInvitation'];
  };
  '/.well-known/jwks.json': {
    /** Public keys that verify access tokens (RFC 7517): the signing key, the next one and retired ones whose tokens may still be live. */
    get: operations['jwks'];
  };
  '/.well-known/openid-configuration': {
    /** OpenID Connect discovery for token verifiers (API Gateway JWT authorizers, `jose`): issuer, JWKS URL, algorithms, scopes and claims. Not an OpenID provider: no authorization or token endpoint. */
    get: operations['openidConfiguration'];
  };
  '/v1/health': {
    /** Liveness. */
    get: operations['health'];
  };
  '/v1/config': {
    /** The public settings a client adapts to: SMS countries, factor types, password and code lengths, limits. No sign-in; `Cache-Control: public, max-age=300`. */
    get: operations['config'];
  };
  '/v1/openapi.json': {
    /** This OpenAPI 3.1 document. */
    get: operations['openapi'];
  };
}

export type webhooks = Record<string, never>;

export interface components {
  schemas: {
    /** @description Every error has this body. */
    Error: {
      error: {
        code: components['schemas']['ErrorCode'];
        message: string;
        details?: {
          path: string;
          message: string;
        }[];
        /** @description Seconds to wait, on 429 answers. */
        retryAfter?: number;
        attemptsRemaining?: number;
        /** @description On `code_invalid` for an authenticator-app code that is right for another time step within ±10 minutes: how far the phone's clock is off, positive when it is ahead. Still a wrong code (counted like any). */
        clockSkewSeconds?: number;
        /** @description On 5xx answers: quote it when reporting the problem. */
        requestId?: string;
      };
    };
    /**
     * @description Stable machine-readable code from the catalogue.
     * @enum {string}
     */
    ErrorCode:
      | 'invalid_json'
      | 'invalid_request'
      | 'invalid_phone_number'
      | 'country_not_allowed'
      | 'phone_number_not_mobile'
      | 'password_too_weak'
      | 'unauthorized'
      | 'invalid_credentials'
      | 'code_invalid'
      | 'mfa_token_invalid'
      | 'forbidden'
      | 'verification_required'
      | 'mfa_required_by_policy'
      | 'caller_mfa_required'
      | 'factor_type_not_allowed'
      | 'not_found'
      | 'already_exists'
      | 'factor_not_pending'
      | 'factor_limit_reached'
      | 'already_in_org'
      | 'challenge_expired'
      | 'payload_too_large'
      | 'rate_limited'
      | 'too_many_attempts'
      | 'resend_too_soon'
      | 'locked'
      | 'delivery_failed'
      | 'internal_error';
    /**
     * @description What happened. New types may be added: show an unknown one as it is.
     * @enum {string}
     */
    EventType:
      | 'user.created'
      | 'password.reset'
      | 'password.changed'
      | 'account.reported'
      | 'session.created'
      | 'session.revoked'
      | 'mfa.challenge_sent'
      | 'mfa.verified'
      | 'mfa.failed'
      | 'mfa.locked'
      | 'password.locked'
      | 'factor.added'
      | 'factor.activated'
      | 'factor.removed'
      | 'factor.replaced'
      | 'factor.renamed'
      | 'recovery_codes.generated'
      | 'recovery_code.used'
      | 'device.remembered'
      | 'device.revoked'
      | 'mfa.reset'
      | 'org.policy_changed'
      | 'org.member_invited'
      | 'org.invitation_revoked'
      | 'org.action_refused'
      | 'org.member_added';
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}

export type $defs = Record<string, never>;

export type external = Record<string, never>;

export interface operations {
  /** Sign up: the address gets a code to confirm it. The same answer for every address, with or without an account. */
  createUser: {
    requestBody: {
      content: {
        'application/json': {
          /**
           * Format: email
           * @description Email address; compared case-insensitively.
           */
          email: string;
          /** @description 15 to 128 characters (Unicode code points after NFKC), not a common or easily guessed password and not built from the email address or the service name; else 400 `password_too_weak` with `reason`. */
          password: string;
        };
      };
    };
    responses: {
      /** @description A code was emailed, if the address may get one. */
      202: {
        content: {
          'application/json': {
            /** @description Send it back with the emailed code to POST /v1/users/verify. */
            verificationId: string;
            /** @description The code stops working at this time. */
            expiresAt: string;
            /** @description A new code can be requested from this time on. */
            resendAvailableAt: string;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request, password_too_weak */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: rate_limited */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Confirm the address with the emailed code: the account exists from now on, and is signed in. */
  verifyUser: {
    requestBody: {
      content: {
        'application/json': {
          verificationId: string;
          /** @description Six ASCII digits. */
          code: string;
        };
      };
    };
    responses: {
      /** @description The login answer, as after a password login. */
      200: {
        content: {
          'application/json': OneOf<
            [
              {
                /** @constant */
                status: 'authenticated';
                /** @description JWT (RS256 by default), verify with the keys of /.well-known/openid-configuration; `scope` is `aal1`, or `aal1 aal2` after MFA. */
                accessToken: string;
                /** @description Opaque, rotated on every use. */
                refreshToken: string;
                /** @description Seconds until the access token expires. */
                expiresIn: number;
                mfa: {
                  /** @description The user has an active factor. */
                  enabled: boolean;
                  /** @description The org policy is optional and the user has no factor: offer enrollment with Skip. */
                  suggested: boolean;
                };
              },
              {
                /** @constant */
                status: 'mfa_required';
                /** @description Opaque, single login, usable only on /v1/mfa/challenges, /verify and /recover. */
                mfaToken: string;
                expiresIn: number;
                /** @description The active factors to choose from. */
                factors: {
                  id: string;
                  /** @enum {string} */
                  type: 'totp' | 'sms' | 'email';
                  label: string;
                  /** @description Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP. */
                  destination: string | null;
                  /** @enum {string} */
                  status: 'pending' | 'active';
                  createdAt: string;
                  lastUsedAt: string | null;
                }[];
              },
              {
                /** @constant */
                status: 'mfa_enrollment_required';
                /** @description Access token with `scope: "mfa:enroll"`: usable only on the factor enrollment endpoints. */
                enrollmentToken: string;
                expiresIn: number;
                allowedFactorTypes: ('totp' | 'sms' | 'email')[];
              },
              {
                /** @constant */
                status: 'email_verification_required';
                /** @description The account is not confirmed yet: send the emailed code to POST /v1/users/verify. */
                verificationId: string;
                expiresAt: string;
                resendAvailableAt: string;
              },
            ]
          >;
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Email a new sign-up code (after the cooldown); the previous code stops working. */
  resendUserVerification: {
    requestBody: {
      content: {
        'application/json': {
          verificationId: string;
        };
      };
    };
    responses: {
      /** @description A new code was sent. */
      200: {
        content: {
          'application/json': {
            /** @description The code stops working at this time. */
            expiresAt: string;
            /** @description A new code can be requested from this time on. */
            resendAvailableAt: string;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: rate_limited, resend_too_soon, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Forgot the password: a verified account gets a code by email. The same answer for every address. */
  createPasswordReset: {
    requestBody: {
      content: {
        'application/json': {
          /**
           * Format: email
           * @description Email address; compared case-insensitively.
           */
          email: string;
        };
      };
    };
    responses: {
      /** @description A code was emailed, if the address has an account. */
      202: {
        content: {
          'application/json': {
            /** @description Send it back with the emailed code and the new password. */
            resetId: string;
            /** @description The code stops working at this time. */
            expiresAt: string;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: rate_limited */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Set a new password with the emailed code. With MFA, the answer is `mfa_required` and the new password takes effect when that step succeeds. */
  confirmPasswordReset: {
    parameters: {
      path: {
        resetId: string;
      };
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Six ASCII digits. */
          code: string;
          /** @description 15 to 128 characters (Unicode code points after NFKC), not a common or easily guessed password and not built from the email address or the service name; else 400 `password_too_weak` with `reason`. */
          newPassword: string;
        };
      };
    };
    responses: {
      /** @description Authenticated (every other session and remembered device is signed out), or the MFA step that completes the reset. */
      200: {
        content: {
          'application/json': OneOf<
            [
              {
                /** @constant */
                status: 'authenticated';
                /** @description JWT (RS256 by default), verify with the keys of /.well-known/openid-configuration; `scope` is `aal1`, or `aal1 aal2` after MFA. */
                accessToken: string;
                /** @description Opaque, rotated on every use. */
                refreshToken: string;
                /** @description Seconds until the access token expires. */
                expiresIn: number;
                mfa: {
                  /** @description The user has an active factor. */
                  enabled: boolean;
                  /** @description The org policy is optional and the user has no factor: offer enrollment with Skip. */
                  suggested: boolean;
                };
              },
              {
                /** @constant */
                status: 'mfa_required';
                /** @description Opaque, single login, usable only on /v1/mfa/challenges, /verify and /recover. */
                mfaToken: string;
                expiresIn: number;
                /** @description The active factors to choose from. */
                factors: {
                  id: string;
                  /** @enum {string} */
                  type: 'totp' | 'sms' | 'email';
                  label: string;
                  /** @description Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP. */
                  destination: string | null;
                  /** @enum {string} */
                  status: 'pending' | 'active';
                  createdAt: string;
                  lastUsedAt: string | null;
                }[];
              },
              {
                /** @constant */
                status: 'mfa_enrollment_required';
                /** @description Access token with `scope: "mfa:enroll"`: usable only on the factor enrollment endpoints. */
                enrollmentToken: string;
                expiresIn: number;
                allowedFactorTypes: ('totp' | 'sms' | 'email')[];
              },
              {
                /** @constant */
                status: 'email_verification_required';
                /** @description The account is not confirmed yet: send the emailed code to POST /v1/users/verify. */
                verificationId: string;
                expiresAt: string;
                resendAvailableAt: string;
              },
            ]
          >;
        };
      };
      /** @description Error: invalid_json, invalid_request, password_too_weak */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Log in with a password. */
  createSession: {
    requestBody: {
      content: {
        'application/json': {
          /**
           * Format: email
           * @description Email address; compared case-insensitively.
           */
          email: string;
          password: string;
          /** @description From an earlier "remember this device". */
          deviceToken?: string;
        };
      };
    };
    responses: {
      /** @description Authenticated, or the next step (MFA) the client must take. */
      200: {
        content: {
          'application/json': OneOf<
            [
              {
                /** @constant */
                status: 'authenticated';
                /** @description JWT (RS256 by default), verify with the keys of /.well-known/openid-configuration; `scope` is `aal1`, or `aal1 aal2` after MFA. */
                accessToken: string;
                /** @description Opaque, rotated on every use. */
                refreshToken: string;
                /** @description Seconds until the access token expires. */
                expiresIn: number;
                mfa: {
                  /** @description The user has an active factor. */
                  enabled: boolean;
                  /** @description The org policy is optional and the user has no factor: offer enrollment with Skip. */
                  suggested: boolean;
                };
              },
              {
                /** @constant */
                status: 'mfa_required';
                /** @description Opaque, single login, usable only on /v1/mfa/challenges, /verify and /recover. */
                mfaToken: string;
                expiresIn: number;
                /** @description The active factors to choose from. */
                factors: {
                  id: string;
                  /** @enum {string} */
                  type: 'totp' | 'sms' | 'email';
                  label: string;
                  /** @description Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP. */
                  destination: string | null;
                  /** @enum {string} */
                  status: 'pending' | 'active';
                  createdAt: string;
                  lastUsedAt: string | null;
                }[];
              },
              {
                /** @constant */
                status: 'mfa_enrollment_required';
                /** @description Access token with `scope: "mfa:enroll"`: usable only on the factor enrollment endpoints. */
                enrollmentToken: string;
                expiresIn: number;
                allowedFactorTypes: ('totp' | 'sms' | 'email')[];
              },
              {
                /** @constant */
                status: 'email_verification_required';
                /** @description The account is not confirmed yet: send the emailed code to POST /v1/users/verify. */
                verificationId: string;
                expiresAt: string;
                resendAvailableAt: string;
              },
            ]
          >;
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: invalid_credentials */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Start the second step of a login with one factor; SMS and email factors get a code. */
  createChallenge: {
    requestBody: {
      content: {
        'application/json': {
          /** @description From `POST /v1/sessions` (`mfa_required`). */
          mfaToken: string;
          factorId: string;
        };
      };
    };
    responses: {
      /** @description Challenge started. */
      201: {
        content: {
          'application/json': {
            challengeId: string;
            factorId: string;
            /** @enum {string} */
            factorType: 'totp' | 'sms' | 'email';
            destination: string | null;
            /** @description The code stops working at this time. */
            expiresAt: string;
            /** @description A new code can be requested from this time on. */
            resendAvailableAt: string;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: mfa_token_invalid */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, resend_too_soon */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Send a new code for a login challenge; the previous code stops working, attempts are not reset. */
  resendChallenge: {
    parameters: {
      path: {
        challengeId: string;
      };
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description From `POST /v1/sessions` (`mfa_required`). */
          mfaToken: string;
        };
      };
    };
    responses: {
      /** @description A new code was sent. */
      200: {
        content: {
          'application/json': {
            /** @description The code stops working at this time. */
            expiresAt: string;
            /** @description A new code can be requested from this time on. */
            resendAvailableAt: string;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: mfa_token_invalid */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, resend_too_soon, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Complete a login with a code; optionally remember this device. */
  verifyMfa: {
    requestBody: {
      content: {
        'application/json': {
          /** @description From `POST /v1/sessions` (`mfa_required`). */
          mfaToken: string;
          challengeId?: string;
          /** @description TOTP factors may be verified without a challenge. */
          factorId?: string;
          /** @description Six ASCII digits. */
          code: string;
          rememberDevice?: boolean;
        };
      };
    };
    responses: {
      /** @description Authenticated. */
      200: {
        content: {
          'application/json': {
            /** @constant */
            status: 'authenticated';
            /** @description JWT (RS256 by default), verify with the keys of /.well-known/openid-configuration; `scope` is `aal1`, or `aal1 aal2` after MFA. */
            accessToken: string;
            /** @description Opaque, rotated on every use. */
            refreshToken: string;
            /** @description Seconds until the access token expires. */
            expiresIn: number;
            /** @description "Remember this device": send it with the next password login. */
            deviceToken?: string;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, mfa_token_invalid */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Complete a login with a recovery code (each works once); the account is notified. */
  recoverMfa: {
    requestBody: {
      content: {
        'application/json': {
          /** @description From `POST /v1/sessions` (`mfa_required`). */
          mfaToken: string;
          /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
          recoveryCode: string;
        };
      };
    };
    responses: {
      /** @description Authenticated. */
      200: {
        content: {
          'application/json': {
            /** @constant */
            status: 'authenticated';
            /** @description JWT (RS256 by default), verify with the keys of /.well-known/openid-configuration; `scope` is `aal1`, or `aal1 aal2` after MFA. */
            accessToken: string;
            /** @description Opaque, rotated on every use. */
            refreshToken: string;
            /** @description Seconds until the access token expires. */
            expiresIn: number;
            /** @description "Remember this device": send it with the next password login. */
            deviceToken?: string;
            recoveryCodesRemaining: number;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, mfa_token_invalid */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** The caller's factors, with destinations masked. */
  listFactors: {
    responses: {
      /** @description Factors. */
      200: {
        content: {
          'application/json': {
            factors: {
              id: string;
              /** @enum {string} */
              type: 'totp' | 'sms' | 'email';
              label: string;
              /** @description Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP. */
              destination: string | null;
              /** @enum {string} */
              status: 'pending' | 'active';
              createdAt: string;
              lastUsedAt: string | null;
            }[];
            recoveryCodesRemaining: number;
            mfaEnabled: boolean;
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Enroll a factor (needs the password); TOTP gets a secret and QR code, SMS/email a code. */
  createFactor: {
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          type: 'totp' | 'sms' | 'email';
          /** @description The current password: adding a factor needs it again. */
          password: string;
          /** @description E.164, or national digits with `country`. */
          phoneNumber?: string;
          /** @description ISO 3166-1 alpha-2, for national numbers. */
          country?: string;
          /** Format: email */
          email?: string;
          label?: string;
          /** @description An active factor of the same type that this one replaces on activation. */
          replaces?: string;
          /** @description Proof of a current factor: `{ factorId, code }` (TOTP), `{ challengeId, code }` (from /codes) or `{ recoveryCode }`. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description Pending factor created. */
      201: {
        content: {
          'application/json': {
            factor: {
              id: string;
              /** @enum {string} */
              type: 'totp' | 'sms' | 'email';
              label: string;
              /** @description Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP. */
              destination: string | null;
              /** @enum {string} */
              status: 'pending' | 'active';
              createdAt: string;
              lastUsedAt: string | null;
            };
            /** @description TOTP: the base32 secret, for manual entry. */
            secret?: string;
            otpauthUri?: string;
            /** @description TOTP: `data:image/png;base64,…` of otpauthUri. */
            qrCode?: string;
            challengeId?: string;
            expiresAt?: string;
            resendAvailableAt?: string;
          };
        };
      };
      /** @description Error: country_not_allowed, invalid_json, invalid_phone_number, invalid_request, phone_number_not_mobile */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, invalid_credentials, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed, forbidden, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: already_exists, factor_limit_reached */
      409: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Activate a pending factor with its first code; the first factor also returns recovery codes. */
  activateFactor: {
    parameters: {
      path: {
        factorId: string;
      };
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Six ASCII digits. */
          code: string;
          challengeId?: string;
        };
      };
    };
    responses: {
      /** @description Active. */
      200: {
        content: {
          'application/json': {
            factor: {
              id: string;
              /** @enum {string} */
              type: 'totp' | 'sms' | 'email';
              label: string;
              /** @description Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP. */
              destination: string | null;
              /** @enum {string} */
              status: 'pending' | 'active';
              createdAt: string;
              lastUsedAt: string | null;
            };
            /** @description Shown this once, when this is the first active factor. */
            recoveryCodes?: string[];
            /**
             * @description With an enrollment token: the login is complete.
             * @constant
             */
            status?: 'authenticated';
            accessToken?: string;
            refreshToken?: string;
            expiresIn?: number;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed, forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_limit_reached, factor_not_pending */
      409: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Send a new confirmation code to a pending SMS or email factor. */
  resendFactorCode: {
    parameters: {
      path: {
        factorId: string;
      };
    };
    responses: {
      /** @description A new code was sent. */
      200: {
        content: {
          'application/json': {
            challengeId: string;
            /** @description The code stops working at this time. */
            expiresAt: string;
            /** @description A new code can be requested from this time on. */
            resendAvailableAt: string;
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_not_pending */
      409: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, resend_too_soon, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Send a code to an active SMS or email factor, for use in a `verification`. */
  sendFactorCode: {
    parameters: {
      path: {
        factorId: string;
      };
    };
    responses: {
      /** @description Code sent. */
      201: {
        content: {
          'application/json': {
            challengeId: string;
            /** @description The code stops working at this time. */
            expiresAt: string;
            /** @description A new code can be requested from this time on. */
            resendAvailableAt: string;
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed, forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, resend_too_soon */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      502: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: delivery_failed */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Remove a factor, with a verification by a current factor or a recovery code. */
  deleteFactor: {
    parameters: {
      path: {
        factorId: string;
      };
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description Proof of a current factor: `{ factorId, code }` (TOTP), `{ challengeId, code }` (from /codes) or `{ recoveryCode }`. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description Removed. */
      204: {
        content: never;
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed, forbidden, mfa_required_by_policy, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Rename a factor; for an active one, with a verification (or a fresh aal 2 token). */
  updateFactor: {
    parameters: {
      path: {
        factorId: string;
      };
    };
    requestBody: {
      content: {
        'application/json': {
          label: string;
          /** @description Proof of a current factor: `{ factorId, code }` (TOTP), `{ challengeId, code }` (from /codes) or `{ recoveryCode }`. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description Renamed. */
      200: {
        content: {
          'application/json': {
            factor: {
              id: string;
              /** @enum {string} */
              type: 'totp' | 'sms' | 'email';
              label: string;
              /** @description Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP. */
              destination: string | null;
              /** @enum {string} */
              status: 'pending' | 'active';
              createdAt: string;
              lastUsedAt: string | null;
            };
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed, forbidden, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** New recovery codes (the old ones stop working), with a verification. */
  regenerateRecoveryCodes: {
    requestBody?: {
      content: {
        'application/json': {
          /** @description Proof of a current factor: `{ factorId, code }` (TOTP), `{ challengeId, code }` (from /codes) or `{ recoveryCode }`. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description Shown this once. */
      201: {
        content: {
          'application/json': {
            recoveryCodes: string[];
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed, forbidden, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Remembered devices. */
  listDevices: {
    responses: {
      /** @description Devices. */
      200: {
        content: {
          'application/json': {
            devices: {
              id: string;
              label: string;
              createdAt: string;
              lastUsedAt: string | null;
              expiresAt: string;
            }[];
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Forget a remembered device: its token no longer skips MFA. */
  deleteDevice: {
    parameters: {
      path: {
        deviceId: string;
      };
    };
    responses: {
      /** @description Revoked. */
      204: {
        content: never;
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** The caller's security activity, newest first. */
  listMyEvents: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
    };
    responses: {
      /** @description Events. */
      200: {
        content: {
          'application/json': {
            events: {
              id: string;
              type: components['schemas']['EventType'];
              at: string;
              actorId: string;
              userId: string;
              ip: string | null;
              userAgent: string | null;
              details: {
                [key: string]: unknown;
              };
            }[];
            nextCursor: string | null;
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** The caller's live sessions (where and when each was opened, last used, aal), newest first. */
  listMySessions: {
    responses: {
      /** @description Sessions. */
      200: {
        content: {
          'application/json': {
            sessions: {
              id: string;
              createdAt: string;
              /** @description The last refresh; null until the first one. */
              lastUsedAt: string | null;
              /** @description Where the session was opened from. */
              ip: string | null;
              userAgent: string | null;
              aal: 1 | 2;
              /** @description The session of the token making this call. */
              current: boolean;
            }[];
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Sign out everywhere else: every session but the current one ends. */
  deleteMyOtherSessions: {
    responses: {
      /** @description Ended. */
      204: {
        content: never;
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** End one of your sessions (its refresh token stops working at once); no step-up needed. */
  deleteMySession: {
    parameters: {
      path: {
        sessionId: string;
      };
    };
    responses: {
      /** @description Ended. */
      204: {
        content: never;
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Change the password (the current one, and with MFA a verification or a fresh aal 2 token); every other session ends. */
  changePassword: {
    requestBody: {
      content: {
        'application/json': {
          currentPassword: string;
          /** @description 15 to 128 characters (Unicode code points after NFKC), not a common or easily guessed password and not built from the email address or the service name; else 400 `password_too_weak` with `reason`. */
          newPassword: string;
          /** @description Needed when the user has MFA, unless the token is aal 2 and fresh. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description Changed; the owner was emailed. */
      204: {
        content: never;
      };
      /** @description Error: invalid_json, invalid_request, password_too_weak */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, invalid_credentials, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: factor_type_not_allowed, forbidden, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** "This wasn't me" (the link of every security email, once, no sign-in): every session and remembered device of the account ends. */
  reportSecurityEvent: {
    requestBody: {
      content: {
        'application/json': {
          /** @description From the "This wasn't me" link of a security email. */
          token: string;
        };
      };
    };
    responses: {
      /** @description Secured; the owner was emailed what to do next. */
      204: {
        content: never;
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: rate_limited */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Exchange a refresh token for new tokens (claims as they are now), or the enrollment step the organisation now requires; the presented one stops working. */
  refreshSession: {
    requestBody: {
      content: {
        'application/json': {
          refreshToken: string;
        };
      };
    };
    responses: {
      /** @description New tokens. */
      200: {
        content: {
          'application/json': OneOf<
            [
              {
                /** @constant */
                status: 'authenticated';
                /** @description JWT (RS256 by default), verify with the keys of /.well-known/openid-configuration; `scope` is `aal1`, or `aal1 aal2` after MFA. */
                accessToken: string;
                /** @description Opaque, rotated on every use. */
                refreshToken: string;
                /** @description Seconds until the access token expires. */
                expiresIn: number;
              },
              {
                /** @constant */
                status: 'mfa_enrollment_required';
                /** @description Access token with `scope: "mfa:enroll"`: usable only on the factor enrollment endpoints. */
                enrollmentToken: string;
                expiresIn: number;
                allowedFactorTypes: ('totp' | 'sms' | 'email')[];
              },
            ]
          >;
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Log out: revokes the session and its refresh token. */
  deleteCurrentSession: {
    responses: {
      /** @description The session is revoked. */
      204: {
        content: never;
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Create an organisation; the caller becomes its owner (a user belongs to at most one). */
  createOrg: {
    requestBody: {
      content: {
        'application/json': {
          name: string;
        };
      };
    };
    responses: {
      /** @description Created. */
      201: {
        content: {
          'application/json': {
            orgId: string;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: already_in_org */
      409: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** An organisation and its MFA policy (its members only). */
  getOrg: {
    parameters: {
      path: {
        orgId: string;
      };
    };
    responses: {
      /** @description The organisation. */
      200: {
        content: {
          'application/json': {
            orgId: string;
            name: string;
            policy: {
              /** @enum {string} */
              mode: 'off' | 'optional' | 'required';
              allowedFactorTypes: ('totp' | 'sms' | 'email')[];
              rememberDeviceDays: number;
              graceDays: number;
              /** @description When `required` was switched on; the grace period counts from here. */
              requiredSince?: string;
            };
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Set the MFA policy (owner/admin, with an aal 2 token: enable MFA for yourself first); only the owner may weaken it, with a step-up. */
  putMfaPolicy: {
    parameters: {
      path: {
        orgId: string;
      };
    };
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          mode: 'off' | 'optional' | 'required';
          /** @description NIST SP 800-63B-4 does not count email as an authenticator: leave it out to require stronger ones. */
          allowedFactorTypes: ('totp' | 'sms' | 'email')[];
          /** @description 0 turns "remember this device" off. */
          rememberDeviceDays: number;
          /** @description Days after `required` is switched on during which members may skip. */
          graceDays: number;
          /** @description Weakening (owner only) needs it, unless the token proved a factor minutes ago. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description The policy now in force. */
      200: {
        content: {
          'application/json': {
            policy: {
              /** @enum {string} */
              mode: 'off' | 'optional' | 'required';
              allowedFactorTypes: ('totp' | 'sms' | 'email')[];
              rememberDeviceDays: number;
              graceDays: number;
              /** @description When `required` was switched on; the grace period counts from here. */
              requiredSince?: string;
            };
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, factor_type_not_allowed, forbidden, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Members with their MFA status (owner/admin). */
  listMembers: {
    parameters: {
      path: {
        orgId: string;
      };
    };
    responses: {
      /** @description Members. */
      200: {
        content: {
          'application/json': {
            members: {
              userId: string;
              email: string;
              /** @enum {string} */
              role: 'owner' | 'admin' | 'member';
              mfaEnabled: boolean;
              factorTypes: ('totp' | 'sms' | 'email')[];
            }[];
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Invite an email address as admin or member (owner/admin); its verified owner joins by accepting. The same answer for every address. */
  addMember: {
    parameters: {
      path: {
        orgId: string;
      };
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Format: email
           * @description Email address; compared case-insensitively.
           */
          email: string;
          /** @enum {string} */
          role: 'admin' | 'member';
        };
      };
    };
    responses: {
      /** @description Invited. */
      201: {
        content: {
          'application/json': {
            /**
             * @description The verified owner of the address joins once they accept (POST /v1/me/invitations/{orgId}/accept).
             * @constant
             */
            status: 'invited';
            /** @description Normalised (lower case). */
            email: string;
            /** @enum {string} */
            role: 'admin' | 'member';
            expiresAt: string;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: already_in_org */
      409: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: rate_limited */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Invitations not yet accepted, declined or expired (owner/admin). */
  listOrgInvitations: {
    parameters: {
      path: {
        orgId: string;
      };
    };
    responses: {
      /** @description Open invitations. */
      200: {
        content: {
          'application/json': {
            invitations: {
              email: string;
              /** @enum {string} */
              role: 'admin' | 'member';
              /** @description User id of the owner or admin who invited. */
              invitedBy: string;
              /** @description Their address. */
              invitedByEmail: string;
              createdAt: string;
              expiresAt: string;
            }[];
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Withdraw an invitation (owner/admin); the address can no longer accept it. */
  revokeOrgInvitation: {
    parameters: {
      path: {
        orgId: string;
        email: string;
      };
    };
    responses: {
      /** @description Withdrawn. */
      204: {
        content: never;
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Reset a member's MFA (lost phone): factors, recovery codes and devices removed, sessions revoked. */
  resetMemberMfa: {
    parameters: {
      path: {
        orgId: string;
        userId: string;
      };
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description Proof of a current factor: `{ factorId, code }` (TOTP), `{ challengeId, code }` (from /codes) or `{ recoveryCode }`. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description Reset; the member was emailed. */
      204: {
        content: never;
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, factor_type_not_allowed, forbidden, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Reset the MFA of every member but the caller (owner only, aal 2, step-up, the organisation's name in `confirm`): as the single reset, for each member who has something to reset. */
  resetOrgMfa: {
    parameters: {
      path: {
        orgId: string;
      };
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description The organisation's name, exactly as it is: what the owner types to say they mean everyone. */
          confirm: string;
          /** @description The step-up, unless the token proved a factor minutes ago. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description Done; each member reset was emailed. */
      200: {
        content: {
          'application/json': {
            /** @description Members reset: those who had a factor, recovery codes or a remembered device. */
            reset: number;
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, factor_type_not_allowed, forbidden, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** The organisation's security events, newest first, with the actor's and the user's addresses (owner/admin). */
  listOrgEvents: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      path: {
        orgId: string;
      };
    };
    responses: {
      /** @description Events. */
      200: {
        content: {
          'application/json': {
            events: {
              id: string;
              type: components['schemas']['EventType'];
              at: string;
              actorId: string;
              userId: string;
              ip: string | null;
              userAgent: string | null;
              details: {
                [key: string]: unknown;
              };
              /** @description The actor's address now; null when the account no longer exists. */
              actorEmail: string | null;
              /** @description The user's address now; null when the account no longer exists. */
              userEmail: string | null;
            }[];
            nextCursor: string | null;
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Organisations that invited the caller. */
  listMyInvitations: {
    responses: {
      /** @description Open invitations. */
      200: {
        content: {
          'application/json': {
            invitations: {
              orgId: string;
              orgName: string;
              /** @enum {string} */
              role: 'admin' | 'member';
              createdAt: string;
              expiresAt: string;
            }[];
          };
        };
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Join the organisation (its admins then set the caller's MFA policy); with MFA, a verification or a fresh aal 2 token. */
  acceptInvitation: {
    parameters: {
      path: {
        orgId: string;
      };
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description Proof of a current factor: `{ factorId, code }` (TOTP), `{ challengeId, code }` (from /codes) or `{ recoveryCode }`. */
          verification?:
            | {
                factorId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                challengeId: string;
                /** @description Six ASCII digits. */
                code: string;
              }
            | {
                /** @description A recovery code, as shown: XXXX-XXXX-XXXX-XXXX. */
                recoveryCode: string;
              };
        };
      };
    };
    responses: {
      /** @description Joined. */
      200: {
        content: {
          'application/json': {
            orgId: string;
            /** @enum {string} */
            role: 'admin' | 'member';
            /**
             * @description The organisation requires MFA and the caller has no factor: this session ended, enroll with `enrollmentToken` now.
             * @constant
             */
            status?: 'mfa_enrollment_required';
            enrollmentToken?: string;
            expiresIn?: number;
            allowedFactorTypes?: ('totp' | 'sms' | 'email')[];
          };
        };
      };
      /** @description Error: invalid_json, invalid_request */
      400: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: code_invalid, unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: caller_mfa_required, factor_type_not_allowed, forbidden, verification_required */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: already_in_org */
      409: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: challenge_expired */
      410: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: payload_too_large */
      413: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: locked, rate_limited, too_many_attempts */
      429: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: number;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Decline an invitation. */
  declineInvitation: {
    parameters: {
      path: {
        orgId: string;
      };
    };
    responses: {
      /** @description Declined. */
      204: {
        content: never;
      };
      /** @description Error: unauthorized */
      401: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: forbidden */
      403: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: not_found */
      404: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Public keys that verify access tokens (RFC 7517): the signing key, the next one and retired ones whose tokens may still be live. */
  jwks: {
    responses: {
      /** @description JSON Web Key Set. */
      200: {
        content: {
          'application/json': {
            keys: {
              [key: string]: unknown;
            }[];
          };
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** OpenID Connect discovery for token verifiers (API Gateway JWT authorizers, `jose`): issuer, JWKS URL, algorithms, scopes and claims. Not an OpenID provider: no authorization or token endpoint. */
  openidConfiguration: {
    responses: {
      /** @description Discovery document. */
      200: {
        content: {
          'application/json': {
            /** @description `iss` of every token: the public API URL, without a trailing slash. */
            issuer: string;
            /** @description The JSON Web Key Set that verifies the tokens. */
            jwks_uri: string;
            /** @description Algorithms of the published keys (`RS256` by default; both while the algorithm changes). */
            id_token_signing_alg_values_supported: ('RS256' | 'ES256')[];
            token_endpoint_auth_methods_supported: 'none'[];
            /** @description `aal1` on every access token, `aal2` also on aal 2 sessions; `mfa:enroll` on enrollment tokens. */
            scopes_supported: string[];
            claims_supported: string[];
            /** @description Empty: there is no authorization endpoint. */
            response_types_supported: string[];
            subject_types_supported: 'public'[];
          };
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** Liveness. */
  health: {
    responses: {
      /** @description The service answers. */
      200: {
        content: {
          'application/json': {
            /** @constant */
            status: 'ok';
          };
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** The public settings a client adapts to: SMS countries, factor types, password and code lengths, limits. No sign-in; `Cache-Control: public, max-age=300`. */
  config: {
    responses: {
      /** @description The settings in force. */
      200: {
        content: {
          'application/json': {
            /** @description ISO 3166-1 alpha-2 codes of the countries SMS codes go to (`SMS_ALLOWED_COUNTRIES`), sorted. */
            smsCountries: string[];
            /** @description The factor types the service offers. */
            factorTypes: ('totp' | 'sms' | 'email')[];
            /** @description Fewest characters of a new password (Unicode code points after NFKC). */
            passwordMinLength: number;
            /** @description Most characters of a new password (Unicode code points after NFKC). */
            passwordMaxLength: number;
            /** @description Digits of every one-time code (SMS, email, authenticator app). */
            codeLength: number;
            /** @description How long an SMS or email code works. */
            codeTtlSeconds: number;
            /** @description Most active factors per account. */
            maxActiveFactors: number;
            /** @description Recovery codes in a set. */
            recoveryCodeCount: number;
            /** @description The longest "remember this device" an organisation may allow. */
            rememberDeviceMaxDays: number;
          };
        };
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  /** This OpenAPI 3.1 document. */
  openapi: {
    responses: {
      /** @description OpenAPI 3.1 document. */
      200: {
        content: never;
      };
      /** @description Error: internal_error */
      500: {
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
}
