using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Reliability;

/// <summary>What the fault campaign found, each pinned by the smallest test that shows it.</summary>
public sealed class CampaignFindingsTests
{
    [Fact]
    public async Task An_order_refused_as_a_key_conflict_after_a_lost_first_try_needs_attention_and_names_the_renewal_and_payment_to_quote()
    {
        // A refusal that says the key was already used (409) does not settle the earlier try, unlike a plain "no".
        var h = new Harness();
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder); // the first try's answer is lost (it never arrived)
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.BeforeEffect, () => new CarrierRejectedException("The key was used for another request.", new DataRenewErrorDetails(CarrierId.Fake, 409, "IDEMPOTENCY_MISMATCH")));

        var operation = await h.RunAsync(h.StartAsync());
        var final = await h.RunAsync(operation.WaitForCompletionAsync(TestContext.Current.CancellationToken));

        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.CarrierRefused, final.Failure!.Kind);
        Assert.Contains(final.Id.Value, final.Failure.Message, StringComparison.Ordinal);
        Assert.Contains(final.PaymentId!, final.Failure.Message, StringComparison.Ordinal);
        Assert.Single(h.Payments.Charges);
        Assert.Empty(h.Payments.Refunds);
    }
}

/// <summary>The campaign's own checks can fail: a second charge or a lost renewal is caught and counted.</summary>
public sealed class CampaignChecksTests
{
    [Fact]
    public async Task A_second_successful_charge_for_one_renewal_is_counted_as_a_double_charge()
    {
        var ct = TestContext.Current.CancellationToken;
        var figures = new CampaignFigures();
        await using var world = new FakeCampaignWorld(new Random(1), figures, faults: false);
        var card = world.Payment;
        foreach (var suffix in new[] { ":charge", ":charge-again" })
        {
            await world.Payments.ChargeAsync(new Payments.ChargeRequest(world.Id.Value + suffix, new Money(30m, "USD"), card, "test"), ct);
        }

        await FaultCampaignTests.CheckAsync(world, ct);

        Assert.Equal(1, figures.DoubleCharges);
        Assert.Equal(1, figures.LostRenewals); // money moved with nothing in the journal
        Assert.NotEmpty(figures.Violations);
    }
}
