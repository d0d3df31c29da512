// What http, web, cli and webhooks are given (DESIGN.md §2, issue 17): every use case they run,
// bound to the Deps the composition root built, and the parts of Deps that hold no storage (the
// clock, the logger, the configured methods, the settlement settings). The Store is not part of
// this object or its type, so an outer layer reaches a table, or opens a transaction, only through
// a use case; test/import-rules.test.ts keeps them from importing deps.ts or storage/ to get one.

import type { Deps } from './deps.ts';
import { accountOverview } from './account-overview.ts';
import { setAccountStatus } from './account-status.ts';
import {
  accountDetail, accountWithBalances, adminCharge, adminCreateAccount, adminIssueCredential, adminRefund, adminRevokeCredential,
  adminSetAccountStatus, credentialAccount, findAccount, findCharge, searchAccounts,
} from './admin-accounts.ts';
import { creditPreview, heldPayment, listHolds, resolveHold } from './admin-holds.ts';
import { invoiceDetail, searchInvoices } from './admin-invoices.ts';
import { runLedgerVerify, transfersCsv } from './admin-ledger.ts';
import { overview } from './admin-overview.ts';
import {
  adminCreateEndpoint, adminRedeliver, adminRemoveEndpoint, adminRotateEndpointSecret, setEndpointPaused, webhookDeliveries,
  webhookDelivery, webhookEndpoint,
} from './admin-webhooks.ts';
import { chargeAccount } from './charge-account.ts';
import { createDeposit } from './create-deposit.ts';
import { runOnce } from './idempotency.ts';
import type { IdempotencyRequest, IdempotentOutcome, RecordResponse, StoredResponse } from './idempotency.ts';
import { activeCredential, authenticate, createAccount, issueCredential, listCredentials, revokeCredential } from './manage-accounts.ts';
import { auditLog } from './operator-audit.ts';
import { regenerateRecoveryCodes, removeOperator, resetOperatorPassword, resetOperatorTwoFactor } from './operator-maintenance.ts';
import {
  beginEnrolment, confirmEnrolment, createOperator, endOperatorSession, listOperators, operatorSignIn, resolveOperatorSession,
  verifyOperatorCode,
} from './operators.ts';
import { accountBalances, accountBalanceView, getInvoice, listInvoices, listTransactions, presentOptions } from './read-account.ts';
import { rescan } from './rescan.ts';
import { sandboxPay } from './sandbox-pay.ts';
import { invoiceCountsByStatus, pingDatabase } from './service-health.ts';
import { verifyLedger } from './verify-ledger.ts';
import { walletStatus } from './wallet-status.ts';
import { attachLogin } from './web-attach-login.ts';
import { confirmEmail, issueEmailConfirmation, resendEmailConfirmation } from './web-email-verification.ts';
import { issueResetLinkByOperator, requestPasswordReset, resetLinkUser, resetPassword } from './web-password-reset.ts';
import { endSession, resolveSession } from './web-sessions.ts';
import { changePassword, signIn } from './web-sign-in.ts';
import { signUp } from './web-sign-up.ts';
import { accountUsage } from './web-usage.ts';
import { claimLanes, deliverDue, runLane } from './webhook-deliver.ts';
import {
  createWebhookEndpoint, listWebhookEndpoints, removeWebhookEndpoint, rotateAccountWebhookSecret, rotateWebhookSecret,
} from './webhook-endpoints.ts';
import { fanOutEvents } from './webhook-fanout.ts';
import { getWebhookEndpoint, listWebhookDeliveries, webhookDeliveryWithAttempts } from './webhook-log.ts';
import { redeliverEvents } from './webhook-redeliver.ts';

/** `run` with its first argument fixed: the use case as an outer layer calls it. */
function bound<D, A extends unknown[], R>(given: D, run: (given: D, ...args: A) => R): (...args: A) => R {
  return (...args) => run(given, ...args);
}

/**
 * The façade over `deps`. Each member is the use case of the same name without its first
 * argument. runOnce is written out by hand: binding through `bound` would fix its type parameter.
 */
export function createUseCases(deps: Deps) {
  const { store } = deps;
  return {
    clock: deps.clock,
    log: deps.log,
    methods: deps.methods,
    settings: deps.settings,

    runOnce: <T>(inFlight: Set<string>, request: IdempotencyRequest, run: (record: RecordResponse<T>, seed: string) => Promise<T>,
      render: (result: T) => StoredResponse): Promise<IdempotentOutcome<T>> => runOnce(deps, inFlight, request, run, render),

    // Health
    pingDatabase: bound(deps, pingDatabase),
    invoiceCountsByStatus: bound(deps, invoiceCountsByStatus),

    // Accounts, credentials and charges
    authenticate: bound(deps, authenticate),
    createAccount: bound(deps, createAccount),
    issueCredential: bound(deps, issueCredential),
    revokeCredential: bound(deps, revokeCredential),
    listCredentials: bound(deps, listCredentials),
    activeCredential: bound(deps, activeCredential),
    accountOverview: bound(deps, accountOverview),
    setAccountStatus: bound(deps, setAccountStatus),
    chargeAccount: bound(deps, chargeAccount),

    // Deposits and what an account reads
    createDeposit: bound(deps, createDeposit),
    sandboxPay: bound(deps, sandboxPay),
    presentOptions: bound(deps, presentOptions),
    accountBalanceView: bound(store, accountBalanceView),
    accountBalances: bound(store, accountBalances),
    getInvoice: bound(store, getInvoice),
    listInvoices: bound(store, listInvoices),
    listTransactions: bound(store, listTransactions),
    verifyLedger: bound(store, verifyLedger),

    // Operators (admin API, console, CLI)
    accountDetail: bound(deps, accountDetail),
    accountWithBalances: bound(deps, accountWithBalances),
    adminCharge: bound(deps, adminCharge),
    adminCreateAccount: bound(deps, adminCreateAccount),
    adminIssueCredential: bound(deps, adminIssueCredential),
    adminRefund: bound(deps, adminRefund),
    adminRevokeCredential: bound(deps, adminRevokeCredential),
    adminSetAccountStatus: bound(deps, adminSetAccountStatus),
    credentialAccount: bound(deps, credentialAccount),
    findAccount: bound(deps, findAccount),
    findCharge: bound(deps, findCharge),
    searchAccounts: bound(deps, searchAccounts),
    creditPreview: bound(deps, creditPreview),
    heldPayment: bound(deps, heldPayment),
    listHolds: bound(deps, listHolds),
    resolveHold: bound(deps, resolveHold),
    invoiceDetail: bound(deps, invoiceDetail),
    searchInvoices: bound(deps, searchInvoices),
    runLedgerVerify: bound(deps, runLedgerVerify),
    transfersCsv: bound(deps, transfersCsv),
    overview: bound(deps, overview),
    auditLog: bound(deps, auditLog),
    walletStatus: bound(deps, walletStatus),
    rescan: bound(deps, rescan),
    beginEnrolment: bound(deps, beginEnrolment),
    confirmEnrolment: bound(deps, confirmEnrolment),
    createOperator: bound(deps, createOperator),
    endOperatorSession: bound(deps, endOperatorSession),
    listOperators: bound(deps, listOperators),
    operatorSignIn: bound(deps, operatorSignIn),
    regenerateRecoveryCodes: bound(deps, regenerateRecoveryCodes),
    removeOperator: bound(deps, removeOperator),
    resetOperatorPassword: bound(deps, resetOperatorPassword),
    resetOperatorTwoFactor: bound(deps, resetOperatorTwoFactor),
    resolveOperatorSession: bound(deps, resolveOperatorSession),
    verifyOperatorCode: bound(deps, verifyOperatorCode),

    // Website logins
    attachLogin: bound(deps, attachLogin),
    confirmEmail: bound(deps, confirmEmail),
    issueEmailConfirmation: bound(deps, issueEmailConfirmation),
    resendEmailConfirmation: bound(deps, resendEmailConfirmation),
    issueResetLinkByOperator: bound(deps, issueResetLinkByOperator),
    requestPasswordReset: bound(deps, requestPasswordReset),
    resetLinkUser: bound(deps, resetLinkUser),
    resetPassword: bound(deps, resetPassword),
    endSession: bound(deps, endSession),
    resolveSession: bound(deps, resolveSession),
    changePassword: bound(deps, changePassword),
    signIn: bound(deps, signIn),
    signUp: bound(deps, signUp),
    accountUsage: bound(deps, accountUsage),

    // Webhooks
    adminCreateEndpoint: bound(deps, adminCreateEndpoint),
    adminRedeliver: bound(deps, adminRedeliver),
    adminRemoveEndpoint: bound(deps, adminRemoveEndpoint),
    adminRotateEndpointSecret: bound(deps, adminRotateEndpointSecret),
    setEndpointPaused: bound(deps, setEndpointPaused),
    webhookDeliveries: bound(deps, webhookDeliveries),
    webhookDelivery: bound(deps, webhookDelivery),
    webhookEndpoint: bound(deps, webhookEndpoint),
    createWebhookEndpoint: bound(deps, createWebhookEndpoint),
    listWebhookEndpoints: bound(deps, listWebhookEndpoints),
    removeWebhookEndpoint: bound(deps, removeWebhookEndpoint),
    rotateAccountWebhookSecret: bound(deps, rotateAccountWebhookSecret),
    rotateWebhookSecret: bound(deps, rotateWebhookSecret),
    getWebhookEndpoint: bound(deps, getWebhookEndpoint),
    listWebhookDeliveries: bound(deps, listWebhookDeliveries),
    webhookDeliveryWithAttempts: bound(deps, webhookDeliveryWithAttempts),
    redeliverEvents: bound(deps, redeliverEvents),
    fanOutEvents: bound(deps, fanOutEvents),
    claimLanes: bound(deps, claimLanes),
    deliverDue: bound(deps, deliverDue),
    runLane: bound(deps, runLane),
  };
}

/** The façade's type: use cases and storage-free context, never the Store. */
export type UseCases = ReturnType<typeof createUseCases>;
