// The member story of core/tests/stories/mobile_member_story.rs, from Kotlin through the
// generated bindings' typed API: the same balances, effects and snapshot as the core.
import dev.loyalty.Account
import dev.loyalty.Effect
import dev.loyalty.Event
import dev.loyalty.EventKind
import dev.loyalty.LoyaltyException
import dev.loyalty.OrderLine
import dev.loyalty.Program
import java.io.File
import java.math.BigDecimal
import java.time.Instant
import java.time.LocalDate
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test

class MemberStoryTest {
    private val root = File(System.getProperty("loyalty.root", "."))
    private val program = Program.fromJson(File(root, "examples/programs/retail.json").readText())

    private fun at(text: String) = Instant.parse(text)

    private fun order(id: String, time: String, orderId: String, amount: String) =
        Event(id, at(time), EventKind.OrderPlaced(orderId, BigDecimal(amount), null, emptyList()))

    private fun orderJson(id: String, time: String, orderId: String, amount: String) =
        """{"id":"$id","occurred_at":"$time","type":"order_placed","order_id":"$orderId","amount":"$amount"}"""

    @Test
    fun theAppMembersStoryMatchesTheCore() {
        val mo = Account("mo")
        val first = mo.apply(program, order("e1", "2024-05-08T16:00:00Z", "o1", "42.50"))
        // Member day (the 8th) doubles the base rule's 42 points; pending 14 days, to local midnight in New York.
        assertEquals(
            listOf(Effect.PointsEarned(0u, 85L, listOf("base", "member_day"), at("2024-05-22T04:00:00Z"), at("2025-06-01T04:00:00Z"), true)),
            first.effects,
        )
        assertEquals(85L, first.balanceChange)
        // The journal entry the server (or an app keeping history) appends: seq 0, the order's.
        assertEquals(listOf(0UL), first.journal.map { it.seq })
        assertEquals(listOf("e1"), first.journal.map { it.eventId })
        assertEquals(first.effects, first.journal[0].effects)
        val b1 = mo.balances(program, at("2024-05-08T16:00:00Z"))
        assertEquals(listOf(0L, 85L, 0L), listOf(b1.available, b1.pending, b1.debt))

        val second = mo.apply(program, order("e2", "2024-06-01T16:00:00Z", "o2", "600.00"))
        assertEquals(Effect.PendingActivated(0u, 85L, at("2025-06-01T04:00:00Z")), second.effects[0])
        val earned = second.effects[1] as Effect.PointsEarned
        assertEquals(listOf(600L, true), listOf(earned.points, earned.pending))
        // Points count in the balance change when earned (pending or not), not again when activated.
        assertEquals(600L, second.balanceChange)

        // The clock's activation of the May lot (seq 1), then the order itself (seq 2).
        assertEquals(listOf(1UL, 2UL), second.journal.map { it.seq })
        assertEquals(listOf(null, "e2"), second.journal.map { it.eventId })
        val advanced = mo.advance(program, at("2024-06-15T04:00:00Z"))
        val activated = advanced.effects
        assertEquals(listOf(3UL), advanced.journal.map { it.seq })
        assertEquals(activated, advanced.journal[0].effects)
        assertEquals(0UL, mo.statementStart())
        assertEquals(Effect.PendingActivated(1u, 600L, at("2025-07-01T04:00:00Z")), activated[0])
        val upgraded = activated[1] as Effect.TierUpgraded
        assertEquals(listOf("Member", "Silver"), listOf(upgraded.from, upgraded.to))
        assertEquals(at("2026-01-01T05:00:00Z"), upgraded.validUntil)
        val tier = mo.tierProgress(program, at("2024-06-15T04:00:00Z"))!!
        assertEquals("Silver", tier.tier)
        assertEquals(at("2026-01-01T05:00:00Z"), tier.validUntil)
        assertEquals(685L, mo.balances(program, at("2024-06-15T04:00:00Z")).available)

        val quote = mo.quotePayment(program, BigDecimal("20.00"), 500L, at("2024-06-20T16:00:00Z"))
        assertEquals(500L, quote.points)
        assertEquals(0, BigDecimal("5.00").compareTo(quote.value))
        assertEquals(0, BigDecimal("15.00").compareTo(quote.cash))
        val paid = mo.apply(program, Event("e3", at("2024-06-20T16:00:00Z"), EventKind.PointsPaid("o3", BigDecimal("20.00"), 500L)))
        val redeemed = paid.effects.single() as Effect.PointsRedeemed
        // Oldest lot first: all 85 of the May lot, then 415 of June's.
        assertEquals(listOf(listOf(0u, 85L), listOf(1u, 415L)), redeemed.draws.map { listOf(it.lot, it.points) })
        assertEquals(0, BigDecimal("5.00").compareTo(redeemed.value))
        assertEquals(-500L, paid.balanceChange)
        assertEquals(185L, mo.balances(program, at("2024-06-20T16:00:00Z")).available)

        // The same event again is a duplicate: the original effects, nothing changes.
        val revision = mo.revision()
        val again = mo.apply(program, Event("e3", at("2024-06-20T16:00:00Z"), EventKind.PointsPaid("o3", BigDecimal("20.00"), 500L)))
        assertEquals(listOf(true, revision), listOf(again.duplicate, again.revision))

        val warned = mo.advanceTo(program, at("2025-06-01T04:00:00Z"))
        assertEquals(listOf(Effect.PointsExpiringSoon(185L, listOf(1u), at("2025-07-01T04:00:00Z"))), warned)
        val expiring = mo.expiring(program, at("2025-06-01T04:00:00Z"), at("2026-01-01T00:00:00Z"))
        assertEquals(1, expiring.size)
        assertEquals(at("2025-07-01T04:00:00Z"), expiring[0].expiresAt)
        assertEquals(185L, expiring[0].points)

        // A cart preview changes nothing: Silver earns 1.1x.
        val before = mo.revision()
        assertEquals(110L, mo.previewOrder(program, BigDecimal("100.00"), at("2025-06-02T16:00:00Z")))
        assertEquals(before, mo.revision())

        // The same snapshot the server (the core) produces for this story.
        val golden = File(root, "bindings-mobile/kotlin-tests/golden/member_story_snapshot.json").readText().trimEnd()
        assertEquals(golden, mo.snapshot())
        assertEquals(golden, Account.fromSnapshot(golden).snapshot())
    }

    /**
     * Ana joins in March 2024 (New York, EST until the 10th, EDT after), orders 200.00 and
     * returns 50.00 of it while its points are pending:
     * - joining pays the sign-up 100 at once, expiring 12 months on, rounded to the end of
     *   March 2025: 2025-04-01 00:00 EDT = 04:00Z;
     * - the order earns 200 (1 per unit), pending until 2024-03-19 00:00 EDT = 04:00Z;
     * - the refund of a quarter cancels a quarter of the pending lot, 50 points;
     * - on the 19th the remaining 150 become usable: 250 in all.
     */
    @Test
    fun anaJoinsOrdersAndReturnsPartOfTheOrderWhileItsPointsArePending() {
        val ana = Account("ana")
        val joined = ana.apply(program, Event("j", at("2024-03-04T15:00:00Z"), EventKind.Joined(LocalDate.of(1990, 7, 14))))
        assertEquals(
            listOf(Effect.PointsEarned(0u, 100L, listOf("sign_up"), at("2024-03-04T15:00:00Z"), at("2025-04-01T04:00:00Z"), false)),
            joined.effects,
        )
        val line = OrderLine("LP-1", "vinyl", BigDecimal("0"), BigDecimal("0"))
        assertEquals(listOf("LP-1", "vinyl"), listOf(line.sku, line.category))
        val ordered = ana.apply(program, order("e1", "2024-03-05T15:00:00Z", "o1", "200.00"))
        assertEquals(
            listOf(Effect.PointsEarned(1u, 200L, listOf("base"), at("2024-03-19T04:00:00Z"), at("2025-04-01T04:00:00Z"), true)),
            ordered.effects,
        )
        val refunded = ana.apply(program, Event("r1", at("2024-03-06T15:00:00Z"), EventKind.OrderRefunded("o1", BigDecimal("50.00"))))
        assertEquals(listOf(Effect.PendingCancelled("o1", 1u, 50L)), refunded.effects)
        assertEquals(-50L, refunded.balanceChange)
        val b = ana.balances(program, at("2024-03-06T15:00:00Z"))
        assertEquals(listOf(100L, 150L, 0L), listOf(b.available, b.pending, b.debt))
        assertEquals(listOf(Effect.PendingActivated(1u, 150L, at("2025-04-01T04:00:00Z"))), ana.advanceTo(program, at("2024-03-19T04:00:00Z")))
        assertEquals(250L, ana.balances(program, at("2024-03-19T04:00:00Z")).available)
    }

    /**
     * Lin's tea-house card (core/tests/stories/stored_value_card.rs): a top-up of 1000 earns
     * a bonus of 100; an order of 550 paid from the card takes 500 of principal and 50 of
     * bonus (in proportion) and earns points on 500; a return of 220 gives 200 and 20 back.
     */
    @Test
    fun aStoredValueCardThroughTheTypedApi() {
        val teaHouse = Program.fromJson(
            """{"name": "Tea", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
              "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"},
              "stored_value": {"bonus_tiers": [{"min_paid": "1000", "bonus": "100"}], "bonus_expiry": {"kind": "rolling_days", "days": 180}, "cap": "5000"}}"""
        )
        val lin = Account("lin")
        val loaded = lin.apply(teaHouse, Event("t1", at("2025-03-01T02:00:00Z"), EventKind.StoredValueLoaded(BigDecimal("1000"), "pay-1")))
        val top = loaded.effects.single() as Effect.StoredValueLoaded
        assertEquals(listOf(0, 0), listOf(BigDecimal("100").compareTo(top.bonus), BigDecimal("1100").compareTo(top.available)))
        assertEquals(at("2025-08-28T16:00:00Z"), top.bonusExpiresAt)
        val paid = lin.apply(teaHouse, Event("e1", at("2025-03-02T04:00:00Z"),
            EventKind.OrderPlaced("o1", BigDecimal("550"), null, emptyList(), BigDecimal("550"))))
        val spent = paid.effects[0] as Effect.StoredValueSpent
        assertEquals(listOf(0, 0), listOf(BigDecimal("500").compareTo(spent.principal), BigDecimal("50").compareTo(spent.bonus)))
        assertEquals(listOf(dev.loyalty.Fund.PRINCIPAL, dev.loyalty.Fund.BONUS), spent.draws.map { it.fund })
        assertEquals(500L, (paid.effects[1] as Effect.PointsEarned).points)
        val back = lin.apply(teaHouse, Event("r1", at("2025-03-03T04:00:00Z"), EventKind.OrderRefunded("o1", BigDecimal("220"))))
        val refilled = back.effects.filterIsInstance<Effect.StoredValueRefilled>().single()
        assertEquals(listOf(0, 0), listOf(BigDecimal("200").compareTo(refilled.principal), BigDecimal("20").compareTo(refilled.bonus)))
        val balance = lin.storedValue(teaHouse, at("2025-03-03T04:00:00Z"))
        assertEquals(listOf(0, 0), listOf(BigDecimal("700").compareTo(balance.principal), BigDecimal("70").compareTo(balance.bonus)))
        // More than the card holds: the core's error, its field and value; nothing changed.
        val before = lin.snapshot()
        val short = assertThrows(LoyaltyException.InsufficientFunds::class.java) {
            lin.apply(teaHouse, Event("e2", at("2025-03-04T04:00:00Z"), EventKind.OrderPlaced("o2", BigDecimal("900"), null, emptyList(), BigDecimal("900"))))
        }
        assertEquals(listOf("insufficient_funds", "stored_value", "900"), listOf(short.kind, short.field, short.value))
        val cap = assertThrows(LoyaltyException.CapExceeded::class.java) {
            lin.apply(teaHouse, Event("t2", at("2025-03-04T04:00:00Z"), EventKind.StoredValueLoaded(BigDecimal("4301"), null)))
        }
        assertEquals(listOf("cap_exceeded", "paid", "4301"), listOf(cap.kind, cap.field, cap.value))
        assertEquals(before, lin.snapshot())
        // Frozen during a dispute: the card cannot be spent, the error names the event type.
        val frozen = lin.apply(teaHouse, Event("f1", at("2025-03-05T00:00:00Z"), EventKind.AccountFrozen("chargeback dispute")))
        assertEquals(listOf<Effect>(Effect.AccountFrozen("chargeback dispute")), frozen.effects)
        assertEquals(true, lin.isFrozen())
        val held = lin.snapshot()
        val refused = assertThrows(LoyaltyException.AccountFrozen::class.java) {
            lin.apply(teaHouse, Event("e3", at("2025-03-06T00:00:00Z"), EventKind.OrderPlaced("o3", BigDecimal("10"), null, emptyList(), BigDecimal("10"))))
        }
        assertEquals(listOf("account_frozen", "type", "order_placed"), listOf(refused.kind, refused.field, refused.value))
        assertEquals(held, lin.snapshot())
    }

    @Test
    fun couponsThroughTheTypedApi() {
        // Mei's bakery of core/tests/stories/coupon_wallet.rs: valid through 30 June in Shanghai,
        // that is until 2025-06-30T16:00:00Z; 20 off an order of 80; cancelled, it comes back.
        val bakery = Program.fromJson(
            """{"name": "Bakery", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
              "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"},
              "coupons": {"definitions": [{"id": "SUMMER", "discount": {"kind": "amount_off", "amount": "20"},
                "validity": {"kind": "window", "from": "2025-06-01", "through": "2025-06-30"}}]}}"""
        )
        val mei = Account("mei")
        val granted = mei.apply(bakery, Event("g1", at("2025-06-10T02:00:00Z"), EventKind.CouponGranted("SUMMER", "goodwill")))
        val issued = granted.effects.single() as Effect.CouponIssued
        assertEquals(listOf("g1", "granted"), listOf(issued.couponId, issued.source))
        assertEquals(at("2025-06-30T16:00:00Z"), issued.validUntil)
        val placed = mei.apply(bakery, Event("o1", at("2025-06-30T15:59:59Z"),
            EventKind.OrderPlaced("A", BigDecimal("80"), null, emptyList(), null, listOf("g1"), null)))
        val redeemed = placed.effects[0] as Effect.CouponRedeemed
        assertEquals(0, BigDecimal("20").compareTo(redeemed.discount))
        assertEquals(60L, (placed.effects[1] as Effect.PointsEarned).points)
        // A second use is the core's error with its kind, field and value; nothing changes.
        val before = mei.snapshot()
        val again = assertThrows(LoyaltyException.CouponNotApplicable::class.java) {
            mei.apply(bakery, Event("o2", at("2025-06-30T15:59:59Z"),
                EventKind.OrderPlaced("B", BigDecimal("80"), null, emptyList(), null, listOf("g1"), null)))
        }
        assertEquals(listOf("coupon_not_applicable", "coupons", "g1"), listOf(again.kind, again.field, again.value))
        assertEquals(before, mei.snapshot())
        val back = mei.apply(bakery, Event("c1", at("2025-06-30T15:59:59Z"), EventKind.OrderCancelled("A")))
        assertEquals(listOf<Effect>(Effect.CouponReturned("g1", "A")), back.effects.filterIsInstance<Effect.CouponReturned>())
        // Back to issued, usable again: the checkout quotes 20 off, 60 due, 60 points.
        assertEquals(listOf<dev.loyalty.CouponState>(dev.loyalty.CouponState.Issued), mei.coupons(at("2025-06-30T15:59:59Z")).map { it.state })
        val quote = mei.quoteCheckout(bakery, dev.loyalty.Checkout(amount = BigDecimal("80"), coupons = listOf("g1", "nope")), at("2025-06-30T15:59:59Z"))
        assertEquals(listOf(0, 0), listOf(BigDecimal("60").compareTo(quote.due), BigDecimal("20").compareTo(quote.coupons[0].discount)))
        assertEquals(listOf(60L, null), listOf(quote.pointsEarned, quote.coupons[0].notApplied))
        assertEquals("is not a coupon of the member's", quote.coupons[1].notApplied)
        // A bad amount is the core's error naming the field.
        val bad = assertThrows(LoyaltyException.InvalidField::class.java) {
            mei.quoteCheckout(bakery, dev.loyalty.Checkout(amount = BigDecimal("80.001")), at("2025-06-30T15:59:59Z"))
        }
        assertEquals(listOf("amount", "80.001"), listOf(bad.field, bad.value))
    }

    @Test
    fun errorsAreOneExceptionWithAVariantPerKindAndTheCoresKindFieldAndValue() {
        val a = Account("x")
        val tote = Event("r", at("2024-01-01T00:00:00Z"), EventKind.RewardRedeemed("tote-bag", 1500L))
        assertThrows(LoyaltyException.InsufficientPoints::class.java) { a.apply(program, tote) }
        assertThrows(LoyaltyException.InvalidProgram::class.java) { Program.fromJson("{}") }
        assertThrows(LoyaltyException.InvalidSnapshot::class.java) { Account.fromSnapshot("{\"format\": 7}") }
        assertThrows(LoyaltyException.InvalidField::class.java) { a.applyJson(program, "not json") }
        val e = assertThrows(LoyaltyException.InvalidField::class.java) {
            a.apply(program, order("n", "2024-01-01T00:00:00Z", "o", "-1"))
        }
        assertEquals("amount: -1 must not be negative", e.reason)
        assertEquals(listOf("invalid_field", "amount", "-1"), listOf(e.kind, e.field, e.value))
        val short = assertThrows(LoyaltyException.InsufficientPoints::class.java) {
            a.apply(program, Event("r2", at("2024-01-01T00:00:00Z"), EventKind.RewardRedeemed("tote-bag", 1500L)))
        }
        assertEquals(listOf("insufficient_points", "points", "1500"), listOf(short.kind, short.field, short.value))
        val seven = Account("x").snapshot().replace("\"format\":2", "\"format\":7")
        val snapshot = assertThrows(LoyaltyException.InvalidSnapshot::class.java) { Account.fromSnapshot(seven) }
        assertEquals(listOf("format", "format", "7"), listOf(snapshot.kind, snapshot.field, snapshot.value))
    }

    /** The bad-input classes through the typed API and the JSON one: each refused, the snapshot unchanged. */
    @Test
    fun hostileInputIsRefusedByFieldAndChangesNothing() {
        val a = Account("m-1")
        a.apply(program, order("e1", "2024-05-01T12:00:00Z", "o1", "80.00"))
        val before = a.snapshot()
        val cases = listOf(
            // Only transfer() writes the halves of a transfer.
            """{"id":"x","occurred_at":"2024-05-02T00:00:00Z","type":"points_received","from_member_id":"nobody","lots":[{"points":1000000000000,"earned_at":"2024-05-02T00:00:00Z","expires_at":null}]}""" to "type",
            // A misspelt field, a lenient number, more places than the currency has.
            """{"id":"e2","occurred_at":"2024-05-02T00:00:00Z","type":"order_placed","order_id":"o2","amount":"5.00","chanel":"app"}""" to "chanel",
            orderJson("e2", "2024-05-02T00:00:00Z", "o2", "5_000") to "amount",
            orderJson("e2", "2024-05-02T00:00:00Z", "o2", "10.001") to "amount",
            // Text after the document.
            orderJson("e2", "2024-05-02T00:00:00Z", "o2", "5.00") + "{}" to "event",
        )
        for ((json, field) in cases) {
            val e = assertThrows(LoyaltyException.InvalidField::class.java) { a.applyJson(program, json) }
            assertEquals(listOf("invalid_field", field), listOf(e.kind, e.field), e.reason)
            assertEquals(true, e.reason.startsWith("$field: "), e.reason)
            assertEquals(before, a.snapshot())
        }
        // Typed: a line's amount with more places than USD has names the line; a transfer half is refused.
        val badLine = Event("e2", at("2024-05-02T00:00:00Z"), EventKind.OrderPlaced("o2", BigDecimal("5.00"), null,
            listOf(OrderLine("tea", null, BigDecimal("5.001"), BigDecimal.ZERO))))
        val line = assertThrows(LoyaltyException.InvalidField::class.java) { a.apply(program, badLine) }
        assertEquals(listOf("invalid_field", "lines[0].amount"), listOf(line.kind, line.field), line.reason)
        val sent = assertThrows(LoyaltyException.InvalidField::class.java) {
            a.apply(program, Event("s", at("2024-05-02T00:00:00Z"), EventKind.PointsSent("m-2", 10L)))
        }
        assertEquals("type", sent.field)
        // An instant no DateTime holds is the core's error naming the field, not a default.
        val far = assertThrows(LoyaltyException.InvalidField::class.java) {
            a.apply(program, Event("c", Instant.MAX, EventKind.CheckedIn))
        }
        assertEquals("occurred_at", far.field)
        assertEquals(before, a.snapshot())
        val blank = assertThrows(LoyaltyException.InvalidField::class.java) { Account("\u200b") }
        assertEquals("member_id", blank.field)
        val late = assertThrows(LoyaltyException.InvalidField::class.java) { a.advanceTo(program, at("9999-01-01T00:00:00Z")) }
        assertEquals(listOf("t", "9999-01-01 00:00:00 UTC"), listOf(late.field, late.value))
        // A BigDecimal crosses as plain digits; more places than USD has is the core's error.
        val money = assertThrows(LoyaltyException.InvalidField::class.java) {
            a.previewOrder(program, BigDecimal("10.001"), at("2024-05-02T00:00:00Z"))
        }
        assertEquals(listOf("invalid_field", "amount", "10.001"), listOf(money.kind, money.field, money.value))
        assertEquals(before, a.snapshot())
    }
}
