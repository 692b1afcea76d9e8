'use strict'
// Runs the TypeScript order-webhook example (examples/node/order_webhook.ts), compiled on
// load with the TypeScript compiler the type check uses.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const ts = require('typescript')

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8')
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true }
  })
  module._compile(outputText, filename)
}
const { handleOrderWebhook } = require(path.join(__dirname, '..', '..', 'examples', 'node', 'order_webhook.ts'))

test('the order webhook example earns, replays, refuses a reused id and float money', () => {
  const order = { eventId: 'evt-1', memberId: 'ann', orderId: 'o-1', paidAt: '2024-03-12T15:00:00Z', total: '123.45' }
  // Retail program: 1 point per whole unit, floored (123), pending 14 local days (New York):
  // usable from 2024-03-26.
  assert.deepEqual(handleOrderWebhook(JSON.stringify(order)), {
    status: 200, body: { duplicate: false, messages: ['You earned 123 points, usable from 2024-03-26.'] }
  })
  // The same delivery again: the original outcome, not new points.
  const again = handleOrderWebhook(JSON.stringify(order))
  assert.deepEqual([again.status, again.body.duplicate, again.body.messages], [200, true, ['You earned 123 points, usable from 2024-03-26.']])
  // The same id for another order: a conflict, nothing stored.
  const reused = handleOrderWebhook(JSON.stringify({ ...order, orderId: 'o-2', total: '5.00' }))
  assert.deepEqual([reused.status, reused.body.code, reused.body.field], [409, 'id_conflict', 'id'])
  // A number for money is refused before reaching the engine.
  const float = handleOrderWebhook(JSON.stringify({ ...order, eventId: 'evt-2', orderId: 'o-3', total: 19.99 }))
  assert.equal(float.status, 400)
  assert.match(float.body.error, /money must be a decimal string/)
})
