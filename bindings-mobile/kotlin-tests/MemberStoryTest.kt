// The member story of core/tests/stories/mobile_member_story.rs, from Kotlin through the
// generated bindings: the same balances, effects and snapshot as the core.
import dev.loyalty.Account
import dev.loyalty.LoyaltyException
import dev.loyalty.Program
import java.io.File
import java.math.BigDecimal
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test

class MemberStoryTest {
    private val root = File(System.getProperty("loyalty.root", "."))
    private val program = Program.fromJson(File(root, "examples/programs/retail.json").readText())

    private fun order(id: String, at: String, orderId: String, amount: String) =
        """{"id":"$id","occurred_at":"$at","type":"order_placed","order_id":"$orderId","amount":"$amount"}"""

    @Test
    fun theAppMembersStoryMatchesTheCore() {
        val mo = Account("mo")
        val first = mo.applyEvent(program, order("e1", "2024-05-08T16:00:00Z", "o1", "42.50"))
        assertEquals(listOf("points_earned"), first.map { it.kind })
        assertEquals(85L, first[0].balanceChange)
        val b1 = mo.balances(program, Instant.parse("2024-05-08T16:00:00Z"))
        assertEquals(listOf(0L, 85L, 0L), listOf(b1.available, b1.pending, b1.debt))

        val second = mo.applyEvent(program, order("e2", "2024-06-01T16:00:00Z", "o2", "600.00"))
        assertEquals(listOf("pending_activated", "points_earned"), second.map { it.kind })
        assertEquals(600L, second[1].balanceChange)

        val activated = mo.advanceTo(program, Instant.parse("2024-06-15T04:00:00Z"))
        assertEquals(listOf("pending_activated", "tier_upgraded"), activated.map { it.kind })
        val tier = mo.tierProgress(program, Instant.parse("2024-06-15T04:00:00Z"))!!
        assertEquals("Silver", tier.tier)
        assertEquals(Instant.parse("2026-01-01T05:00:00Z"), tier.validUntil)
        assertEquals(685L, mo.balances(program, Instant.parse("2024-06-15T04:00:00Z")).available)

        val quote = mo.quotePayment(program, BigDecimal("20.00"), 500L, Instant.parse("2024-06-20T16:00:00Z"))
        assertEquals(500L, quote.points)
        assertEquals(0, BigDecimal("5.00").compareTo(quote.value))
        assertEquals(0, BigDecimal("15.00").compareTo(quote.cash))
        mo.applyEvent(program, """{"id":"e3","occurred_at":"2024-06-20T16:00:00Z","type":"points_paid","order_id":"o3","order_amount":"20.00","points":500}""")
        assertEquals(185L, mo.balances(program, Instant.parse("2024-06-20T16:00:00Z")).available)

        val warned = mo.advanceTo(program, Instant.parse("2025-06-01T04:00:00Z"))
        assertEquals(listOf("points_expiring_soon"), warned.map { it.kind })
        val expiring = mo.expiring(program, Instant.parse("2025-06-01T04:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"))
        assertEquals(1, expiring.size)
        assertEquals(Instant.parse("2025-07-01T04:00:00Z"), expiring[0].expiresAt)
        assertEquals(185L, expiring[0].points)

        // A cart preview changes nothing: Silver earns 1.1x.
        val revision = mo.revision()
        assertEquals(110L, mo.previewOrder(program, BigDecimal("100.00"), Instant.parse("2025-06-02T16:00:00Z")))
        assertEquals(revision, mo.revision())

        // The same snapshot the server (the core) produces for this story.
        val golden = File(root, "bindings-mobile/kotlin-tests/golden/member_story_snapshot.json").readText().trimEnd()
        assertEquals(golden, mo.snapshot())
        assertEquals(golden, Account.fromSnapshot(golden).snapshot())
    }

    @Test
    fun errorsAreOneExceptionWithAVariantPerKindAndTheCoresKindFieldAndValue() {
        val a = Account("x")
        assertThrows(LoyaltyException.InsufficientPoints::class.java) {
            a.applyEvent(program, """{"id":"r","occurred_at":"2024-01-01T00:00:00Z","type":"reward_redeemed","reward_id":"tote-bag","points":1500}""")
        }
        assertThrows(LoyaltyException.InvalidProgram::class.java) { Program.fromJson("{}") }
        assertThrows(LoyaltyException.InvalidSnapshot::class.java) { Account.fromSnapshot("{\"format\": 7}") }
        assertThrows(LoyaltyException.InvalidField::class.java) { a.applyEvent(program, "not json") }
        val e = assertThrows(LoyaltyException.InvalidField::class.java) {
            a.applyEvent(program, order("n", "2024-01-01T00:00:00Z", "o", "-1"))
        }
        assertEquals("amount: -1 must not be negative", e.reason)
        assertEquals(listOf("invalid_field", "amount", "-1"), listOf(e.kind, e.field, e.value))
        val short = assertThrows(LoyaltyException.InsufficientPoints::class.java) {
            a.applyEvent(program, """{"id":"r2","occurred_at":"2024-01-01T00:00:00Z","type":"reward_redeemed","reward_id":"tote-bag","points":1500}""")
        }
        assertEquals(listOf("insufficient_points", "points", "1500"), listOf(short.kind, short.field, short.value))
        val seven = Account("x").snapshot().replace("\"format\":1", "\"format\":7")
        val snapshot = assertThrows(LoyaltyException.InvalidSnapshot::class.java) { Account.fromSnapshot(seven) }
        assertEquals(listOf("format", "format", "7"), listOf(snapshot.kind, snapshot.field, snapshot.value))
    }

    /** The bad-input classes through the typed API: each refused, the snapshot unchanged. */
    @Test
    fun hostileInputIsRefusedByFieldAndChangesNothing() {
        val a = Account("m-1")
        a.applyEvent(program, order("e1", "2024-05-01T12:00:00Z", "o1", "80.00"))
        val before = a.snapshot()
        val cases = listOf(
            // Only transfer() writes the halves of a transfer.
            """{"id":"x","occurred_at":"2024-05-02T00:00:00Z","type":"points_received","from_member_id":"nobody","lots":[{"points":1000000000000,"earned_at":"2024-05-02T00:00:00Z","expires_at":null}]}""" to "type",
            // A misspelt field, a lenient number, more places than the currency has.
            """{"id":"e2","occurred_at":"2024-05-02T00:00:00Z","type":"order_placed","order_id":"o2","amount":"5.00","chanel":"app"}""" to "chanel",
            order("e2", "2024-05-02T00:00:00Z", "o2", "5_000") to "amount",
            order("e2", "2024-05-02T00:00:00Z", "o2", "10.001") to "amount",
            // Text after the document.
            order("e2", "2024-05-02T00:00:00Z", "o2", "5.00") + "{}" to "event",
        )
        for ((json, field) in cases) {
            val e = assertThrows(LoyaltyException.InvalidField::class.java) { a.applyEvent(program, json) }
            assertEquals(listOf("invalid_field", field), listOf(e.kind, e.field), e.reason)
            assertEquals(true, e.reason.startsWith("$field: "), e.reason)
            assertEquals(before, a.snapshot())
        }
        val blank = assertThrows(LoyaltyException.InvalidField::class.java) { Account("\u200b") }
        assertEquals("member_id", blank.field)
        val late = assertThrows(LoyaltyException.InvalidField::class.java) { a.advanceTo(program, Instant.parse("9999-01-01T00:00:00Z")) }
        assertEquals(listOf("t", "9999-01-01 00:00:00 UTC"), listOf(late.field, late.value))
        // A BigDecimal crosses as plain digits; more places than USD has is the core's error.
        val money = assertThrows(LoyaltyException.InvalidField::class.java) {
            a.previewOrder(program, BigDecimal("10.001"), Instant.parse("2024-05-02T00:00:00Z"))
        }
        assertEquals(listOf("invalid_field", "amount", "10.001"), listOf(money.kind, money.field, money.value))
        assertEquals(before, a.snapshot())
    }
}
