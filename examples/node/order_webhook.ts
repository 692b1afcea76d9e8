// An Express-free order webhook handler for a Node backend: load the member's snapshot and
// revision, apply the order, save with optimistic concurrency, answer what to tell the member.
// Type-checked in CI with `npm run typecheck` in bindings-node, and run by
// bindings-node/test/example.test.js.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Account, Event, IdConflictCode, LoyaltyError, Program } from './loyalty-types'

const program = Program.fromJson(fs.readFileSync(path.join(__dirname, '..', 'programs', 'retail.json'), 'utf8'))

interface Row { snapshot: string, revision: number }
const table = new Map<string, Row>()

export interface Response { status: number, body: unknown }

export function handleOrderWebhook (body: string): Response {
  const payload = JSON.parse(body) as { eventId: string, memberId: string, orderId: string, paidAt: string, total: string }
  const row = table.get(payload.memberId)
  const account = row ? Account.fromJson(row.snapshot) : new Account(payload.memberId)
  const expected = row ? row.revision : 0
  const event: Event = { type: 'orderPlaced', id: payload.eventId, occurredAt: payload.paidAt, orderId: payload.orderId, amount: payload.total }
  try {
    const outcome = account.apply(program, event)
    if (!outcome.duplicate) {
      if ((table.get(payload.memberId)?.revision ?? 0) !== expected) return { status: 409, body: { error: 'concurrent update, retry' } }
      table.set(payload.memberId, { snapshot: account.toJson(), revision: account.revision })
    }
    const messages: string[] = []
    for (const effect of outcome.effects) {
      if (effect.type === 'pointsEarned') {
        messages.push(`You earned ${effect.points} points, usable ${effect.pending ? 'from ' + effect.availableAt.toISOString().slice(0, 10) : 'now'}.`)
      } else if (effect.type === 'tierUpgraded') {
        messages.push(`Welcome to ${effect.to}!`)
      }
    }
    return { status: 200, body: { duplicate: outcome.duplicate, messages } }
  } catch (e) {
    if (e instanceof LoyaltyError) {
      const code: IdConflictCode | string = e.code
      return { status: code === 'id_conflict' ? 409 : 422, body: { error: e.message, code: e.code, field: e.field } }
    }
    if (e instanceof TypeError) return { status: 400, body: { error: e.message } }
    throw e
  }
}
