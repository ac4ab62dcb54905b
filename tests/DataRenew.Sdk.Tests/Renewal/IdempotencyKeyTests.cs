using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Renewal.Journal;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// Every idempotency key of a renewal (charge, order, refund) is unique to that one renewal forever: a renewal id used
/// again after compaction dropped its renewal starts a renewal whose keys no gateway or carrier has seen.
/// </summary>
public sealed class IdempotencyKeyTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_id_used_again_after_compaction_charges_and_orders_anew_never_replaying_the_old_renewal()
    {
        var world = new DurableWorld(_directory.Path);
        var id = RenewalId.New();
        var first = await RenewAsync(world, id);
        using (var journal = new FileRenewalJournal(_directory.Path))
        {
            Assert.Equal(1, await journal.CompactAsync(world.Time.GetUtcNow().AddDays(1), Ct));
        }

        var second = await RenewAsync(world, id);

        Assert.Equal(RenewalState.Completed, second.State);
        Assert.Equal(2, world.Payments.SucceededCharges());
        Assert.Equal(2, world.Carrier.SubmittedOrders.Count(o => o.RenewalId == id));
        Assert.NotEqual(first.PaymentId, second.PaymentId);
        Assert.NotEqual(first.Receipt!.CarrierOrderId, second.Receipt!.CarrierOrderId);
        Assert.NotEqual(first.PaymentIdempotencyKey, second.PaymentIdempotencyKey);
        Assert.NotEqual(first.OrderIdempotencyKey, second.OrderIdempotencyKey);
    }

    [Fact]
    public void Keys_of_a_renewal_journaled_before_keys_had_a_random_part_stay_what_they_were()
    {
        var legacy = JournalRecords.Minimal(RenewalId.New(), 1);

        Assert.Null(legacy.IdempotencyNonce);
        Assert.Equal(legacy.Id.Value + ":charge", legacy.PaymentIdempotencyKey);
        Assert.Equal(legacy.Id.Value + ":refund", legacy.RefundIdempotencyKey);
        Assert.Equal(legacy.Id.Value, legacy.OrderIdempotencyKey);
    }

    private static async Task<RenewalRecord> RenewAsync(DurableWorld world, RenewalId id)
    {
        var client = world.NewClient();
        var (session, quote) = await DurableWorld.QuoteAsync(client);
        var operation = await client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CreditCard("4242 4242 4242 4242", 12, 2030, "123")) { RenewalId = id }, Ct);
        return await world.RunAsync(operation.WaitForCompletionAsync(Ct));
    }
}
