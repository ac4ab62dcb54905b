using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>A renewal charges exactly the quoted price, or refuses before anything is charged or recorded.</summary>
public sealed class QuoteGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Price_raised_between_quote_and_payment_is_refused_as_price_changed_and_nothing_is_charged()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();
        h.Carrier.SetPlanPrice(FakeCarrierSeed.Plan10Gb.Code, Money.Usd(44m));

        var error = await Assert.ThrowsAsync<QuoteNoLongerValidException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));

        Assert.Equal(QuoteInvalidReason.PriceChanged, error.Reason);
        Assert.Equal(Money.Usd(30m), error.QuotedPrice);
        Assert.Equal(Money.Usd(33m), error.CurrentPrice); // 25 % off $44
        Assert.Contains("$30.00", error.Message, StringComparison.Ordinal);
        Assert.Contains("$33.00", error.Message, StringComparison.Ordinal);
        await AssertNothingHappenedAsync(h);
    }

    [Fact]
    public async Task Price_lowered_between_quote_and_payment_is_refused_too()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync(FakeCarrierSeed.PlanUnlimited.Code);
        h.Carrier.SetPlanPrice(FakeCarrierSeed.PlanUnlimited.Code, Money.Usd(65m));

        var error = await Assert.ThrowsAsync<QuoteNoLongerValidException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));

        Assert.Equal(QuoteInvalidReason.PriceChanged, error.Reason);
        Assert.Equal(Money.Usd(65m), error.CurrentPrice);
        await AssertNothingHappenedAsync(h);
    }

    [Fact]
    public async Task Promotion_ending_between_quote_and_payment_is_refused_as_a_price_change()
    {
        var h = new Harness();
        h.Carrier.AddPromotion(Promotion.PercentOff("flash-20gb", "Half price for five minutes", 50m, [FakeCarrierSeed.Plan20Gb.Code], validUntil: Harness.Start.AddMinutes(5)));
        var (session, quote) = await h.QuoteAsync(FakeCarrierSeed.Plan20Gb.Code);
        Assert.Equal(Money.Usd(27.5m), quote.Price);
        h.Time.Advance(TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<QuoteNoLongerValidException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));

        Assert.Equal(QuoteInvalidReason.PriceChanged, error.Reason);
        Assert.Equal(Money.Usd(55m), error.CurrentPrice);
        await AssertNothingHappenedAsync(h);
    }

    [Fact]
    public async Task Quote_past_its_lifetime_is_refused_as_expired_without_asking_the_carrier()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();
        var plansReadBefore = h.Carrier.CallCount(FakeCarrierOperation.GetPlans);
        h.Time.Advance(TimeSpan.FromMinutes(10));

        var error = await Assert.ThrowsAsync<QuoteNoLongerValidException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));

        Assert.Equal(QuoteInvalidReason.Expired, error.Reason);
        Assert.Equal(Money.Usd(30m), error.QuotedPrice);
        Assert.Null(error.CurrentPrice);
        Assert.Equal(plansReadBefore, h.Carrier.CallCount(FakeCarrierOperation.GetPlans));
        await AssertNothingHappenedAsync(h);
    }

    [Fact]
    public async Task Quote_one_second_before_it_expires_is_still_paid()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();
        h.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));

        var operation = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(Money.Usd(30m), Assert.Single(h.Payments.Charges).Amount);
    }

    [Fact]
    public async Task Shorter_quote_lifetime_is_honoured()
    {
        var h = new Harness(o => o.QuoteLifetime = TimeSpan.FromMinutes(1));
        var (session, quote) = await h.QuoteAsync();
        Assert.Equal(Harness.Start.AddMinutes(1), quote.ExpiresAt);
        h.Time.Advance(TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<QuoteNoLongerValidException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));

        Assert.Equal(QuoteInvalidReason.Expired, error.Reason);
        await AssertNothingHappenedAsync(h);
    }

    [Fact]
    public async Task Plan_the_carrier_no_longer_offers_is_refused_as_withdrawn()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();

        // The fake carrier has no way to remove a plan; a quote for a plan its catalog does not list is the same situation.
        var retired = new Plan(new PlanCode("FAKE-RETIRED"), "3 GB · 30 days", DataAmount.FromGigabytes(3), Money.Usd(20m), 30);
        var stale = quote with { Option = RenewalOption.For(retired, [], Harness.Start) };

        var error = await Assert.ThrowsAsync<QuoteNoLongerValidException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(stale, Harness.Visa), Ct));

        Assert.Equal(QuoteInvalidReason.PlanWithdrawn, error.Reason);
        Assert.Null(error.CurrentPrice);
        Assert.Equal("The plan is no longer offered; choose another plan.", error.Message);
        await AssertNothingHappenedAsync(h);
    }

    [Fact]
    public async Task Quote_for_a_plan_not_offered_is_refused_with_a_validation_error()
    {
        var h = new Harness();
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() =>
            h.Client.CreateQuoteAsync(session, line, new PlanCode("FAKE-100GB"), Ct));

        Assert.Equal("plan", error.ParameterName);
        Assert.Contains("FAKE-100GB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quote_from_another_carrier_is_refused_before_any_call()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();
        var calls = h.Carrier.Calls.Count;

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() =>
            h.Client.StartRenewalAsync(session, new RenewalRequest(quote with { Carrier = CarrierId.Verizon }, Harness.Visa), Ct));

        Assert.Equal("request.Quote", error.ParameterName);
        Assert.Equal(calls, h.Carrier.Calls.Count);
        await AssertNothingHappenedAsync(h);
    }

    private static async Task AssertNothingHappenedAsync(Harness h)
    {
        Assert.Empty(h.Payments.Calls);
        Assert.Empty(h.Payments.Charges);
        Assert.Empty(h.Carrier.BillingGateway.Calls);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Empty(h.Appends);
        Assert.Empty(await h.Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }
}
