import type { Route } from '../shared/http/route.ts';
import * as keys from './routes/keys.ts';
import * as me from './routes/me.ts';
import * as mfa from './routes/mfa.ts';
import * as ops from './routes/ops.ts';
import * as orgs from './routes/orgs.ts';
import * as passwordResets from './routes/password-resets.ts';
import * as securityReports from './routes/security-reports.ts';
import * as sessions from './routes/sessions.ts';
import * as users from './routes/users.ts';

/**
 * THE route table. The CDK stack makes one Lambda per entry with exactly these permissions,
 * the local runtime serves these paths, the OpenAPI document is generated from it, and each
 * handler wraps itself with its own entry. Each entry is declared once, in the module of its
 * handler's folder (functions/routes/<folder>.ts), and named here in the table's order (the
 * OpenAPI document's): a handler that imported this whole table would bundle every route's schemas.
 * The permission sets and error lists several entries share are in functions/routes/common.ts.
 */
export const routes = {
  createUser: users.createUser,
  verifyUser: users.verifyUser,
  resendUserVerification: users.resendUserVerification,
  createPasswordReset: passwordResets.createPasswordReset,
  confirmPasswordReset: passwordResets.confirmPasswordReset,
  createSession: sessions.createSession,
  createChallenge: mfa.createChallenge,
  resendChallenge: mfa.resendChallenge,
  verifyMfa: mfa.verifyMfa,
  recoverMfa: mfa.recoverMfa,
  listFactors: mfa.listFactors,
  createFactor: mfa.createFactor,
  activateFactor: mfa.activateFactor,
  resendFactorCode: mfa.resendFactorCode,
  sendFactorCode: mfa.sendFactorCode,
  deleteFactor: mfa.deleteFactor,
  regenerateRecoveryCodes: mfa.regenerateRecoveryCodes,
  updateFactor: mfa.updateFactor,
  listDevices: mfa.listDevices,
  deleteDevice: mfa.deleteDevice,
  listMyEvents: me.listMyEvents,
  listMySessions: me.listMySessions,
  deleteMySession: me.deleteMySession,
  deleteMyOtherSessions: me.deleteMyOtherSessions,
  changePassword: me.changePassword,
  reportSecurityEvent: securityReports.reportSecurityEvent,
  refreshSession: sessions.refreshSession,
  deleteCurrentSession: sessions.deleteCurrentSession,
  createOrg: orgs.createOrg,
  getOrg: orgs.getOrg,
  putMfaPolicy: orgs.putMfaPolicy,
  addMember: orgs.addMember,
  listOrgInvitations: orgs.listOrgInvitations,
  revokeOrgInvitation: orgs.revokeOrgInvitation,
  listMembers: orgs.listMembers,
  resetMemberMfa: orgs.resetMemberMfa,
  resetOrgMfa: orgs.resetOrgMfa,
  listOrgEvents: orgs.listOrgEvents,
  listMyInvitations: me.listMyInvitations,
  acceptInvitation: me.acceptInvitation,
  declineInvitation: me.declineInvitation,
  jwks: keys.jwks,
  openidConfiguration: keys.openidConfiguration,
  health: ops.health,
  config: ops.config,
  openapi: ops.openapi,
} as const satisfies Record<string, Route>;

export const routeList: readonly (Route & { name: string })[] = Object.entries(routes).map(
  ([name, route]) => ({
    name,
    ...route,
  }),
);
