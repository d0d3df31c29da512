// Request and response schemas. Query, params and bodies are validated with them; responses are
// written by the exact-number JSON writer and checked against them in the test suite; the
// OpenAPI document is generated from them.

const decimal = { description: 'exact decimal: a JSON number or a decimal string', type: ['number', 'string'] } as const;
const isoTime = { type: 'string', format: 'date-time' } as const;

export const meta = {
  type: 'object', required: ['_endpoint'],
  properties: { _endpoint: { type: 'string' }, id: { type: 'string' }, _next: { type: 'string' }, start: { type: 'integer' }, limit: { type: 'integer' } },
} as const;

export const errorResponse = {
  $id: 'Error', type: 'object', required: ['meta', 'message', 'error_code'],
  properties: { meta, message: { type: 'string' }, error_code: { type: 'string' } },
} as const;

export const invoiceSchema = {
  type: 'object',
  required: ['id', 'created_time', 'expiration_time', 'status', 'type', 'amount', 'currency', 'credited_amount', 'payment', 'orders'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    created_time: isoTime,
    completed_time: isoTime,
    expiration_time: isoTime,
    status: { type: 'string', enum: ['unpaid', 'payment_detected', 'payment_confirmed', 'complete', 'expired', 'denied', 'payment_error'] },
    user: { type: 'object', required: ['id', 'email'], properties: { id: { type: 'string' }, email: { type: 'string' } } },
    type: { type: 'string', enum: ['deposit'] },
    amount: { type: ['number', 'null'] },
    currency: { type: 'string', enum: ['USD', 'EUR', 'BTC'] },
    credited_amount: { type: 'number' },
    payment: {
      type: 'object',
      required: ['method', 'address', 'price', 'currency', 'commission', 'status', 'uri', 'received', 'confirmations_required', 'transactions'],
      properties: {
        method: { type: 'string' }, address: { type: 'string' }, price: { type: 'number' }, currency: { type: 'string' }, commission: { type: 'number' },
        status: { type: 'string', enum: ['unpaid', 'processing', 'partially_paid', 'payment_confirmed', 'paid', 'overpaid'] },
        uri: { type: 'string' }, lightning_invoice: { type: 'string' }, network: { type: 'string' },
        chain_id: { type: 'integer' }, contract_address: { type: 'string' }, rate: { type: 'string' }, received: { type: 'string' },
        confirmations_required: { type: 'integer' }, monitoring_until: isoTime,
        transactions: {
          type: 'array',
          items: {
            type: 'object', required: ['id', 'amount', 'confirmations', 'status', 'late'],
            properties: {
              id: { type: 'string' }, amount: { type: 'string' }, confirmations: { type: 'integer' },
              status: { type: 'string', enum: ['pending', 'confirmed', 'credited', 'held', 'gone', 'reversed'] },
              late: { type: 'boolean' }, credited_amount: { type: 'number' }, credited_balance_amount: { type: 'number' },
            },
          },
        },
      },
    },
    orders: { type: 'array', maxItems: 0 },
    // Coffer's own (issue 15, 8c): present when `currency` is not the account's currency.
    conversion: {
      type: 'object',
      description: 'The account currency this invoice credits instead of `currency`: credit_rate ÷ invoice_rate (both per 1 payment.currency, locked at creation), rounded down once',
      required: ['currency', 'rate', 'credit_rate', 'invoice_rate', 'rate_sources', 'rate_time', 'amount', 'credited_amount'],
      properties: {
        currency: { type: 'string', enum: ['USD', 'EUR', 'BTC'] }, rate: { type: 'string' },
        credit_rate: { type: 'string' }, invoice_rate: { type: 'string' },
        rate_sources: { type: 'array', items: { type: 'string' } }, rate_time: isoTime,
        amount: { type: ['number', 'null'] }, credited_amount: { type: 'number' },
      },
    },
  },
} as const;

export const balanceSchema = {
  type: 'object', required: ['balance', 'currency', 'balances'],
  properties: {
    balance: { type: 'number' }, currency: { type: 'string' },
    balances: {
      type: 'array',
      items: { type: 'object', required: ['currency', 'balance', 'pending'], properties: { currency: { type: 'string' }, balance: { type: 'number' }, pending: { type: 'number' } } },
    },
  },
} as const;

export const transactionSchema = {
  type: 'object', required: ['id', 'created_time', 'type', 'currency', 'amount'],
  properties: {
    id: { type: 'string' }, created_time: isoTime, type: { type: 'string' }, currency: { type: 'string' }, amount: { type: 'number' },
    invoice_id: { type: 'string' }, charge_id: { type: 'string' }, reverses: { type: 'string' }, description: { type: 'string' },
  },
} as const;

export function envelope(data: object) {
  return { type: 'object', required: ['meta', 'data'], properties: { meta, data } } as const;
}

const timeFilter = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', description: 'YYYY-MM-DD HH:MM:SS, UTC' } as const;

export const pageQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    start: { type: 'integer', minimum: 0, maximum: 100000, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 50 },
    after: timeFilter,
    before: timeFilter,
  },
} as const;

export const idParams = {
  type: 'object', required: ['id'], additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

export const depositBody = {
  type: 'object', required: ['currency', 'payment_method'],
  properties: {
    currency: { type: 'string', maxLength: 10, description: 'USD, EUR or BTC' },
    payment_method: { type: 'string', maxLength: 40 },
    amount: decimal,
    webhook_url: { type: 'string', maxLength: 2048 },
  },
} as const;

export const sandboxPayBody = {
  type: 'object',
  properties: {
    amount: decimal,
    confirmations: { type: 'integer', minimum: 0, maximum: 1000 },
    txid: { type: 'string', maxLength: 200 },
    gone: { type: 'boolean' },
    method: { type: 'string', maxLength: 64 },
  },
} as const;

export const chargeBody = {
  type: 'object', required: ['amount', 'currency'],
  properties: {
    amount: decimal, currency: { type: 'string', maxLength: 10 },
    idempotency_key: { type: 'string', minLength: 1, maxLength: 255 },
    description: { type: 'string', maxLength: 500 },
  },
} as const;

export const refundBody = {
  type: 'object',
  properties: { amount: decimal, idempotency_key: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export const accountBody = {
  type: 'object', required: ['type', 'currency'],
  properties: { type: { type: 'string', enum: ['business', 'personal'] }, currency: { type: 'string', enum: ['USD', 'EUR', 'BTC'] }, label: { type: 'string', maxLength: 200 } },
} as const;
