using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>
/// Renewal options are the carrier's plans with its promotions applied: whatever numbers the carrier sends, the result
/// is an option or a plan left out (reported once), never an untyped arithmetic error.
/// </summary>
public sealed class RenewalOptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_price_at_the_limit_of_decimal_with_a_percent_promotion_is_discounted_not_an_overflow()
    {
        var h = new Harness();
        var huge = new Plan(new PlanCode("FAKE-HUGE"), "Huge", DataAmount.FromGigabytes(1), new Money(decimal.MaxValue, "USD"), 30);
        h.Carrier.AddPlan(huge).AddPromotion(Promotion.PercentOff("promo-huge", "1% off", 1m, [huge.Code]));
        var session = await h.SignInAsync();

        var options = await h.Client.GetRenewalOptionsAsync(session, await h.PhysicalLineAsync(session), Ct);

        var option = Assert.Single(options, o => o.Plan.Code == huge.Code);
        Assert.Equal(Math.Round(decimal.MaxValue / 100m * 99m, 2), option.Price.Amount);
    }

    [Fact]
    public async Task A_plan_whose_bonus_data_adds_up_past_any_amount_is_left_out_and_reported_while_the_others_stand()
    {
        var h = new Harness();
        var plan = new Plan(new PlanCode("FAKE-BIG"), "Big", DataAmount.FromBytes(long.MaxValue - 10), Money.Usd(10m), 30);
        h.Carrier.AddPlan(plan).AddPromotion(Promotion.ExtraData("promo-more", "More", DataAmount.FromBytes(1_000), [plan.Code]));
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);

        var options = await h.Client.GetRenewalOptionsAsync(session, line, Ct);
        await h.Client.GetRenewalOptionsAsync(session, line, Ct);

        Assert.DoesNotContain(options, o => o.Plan.Code == plan.Code);
        Assert.Contains(options, o => o.Plan.Code == FakeCarrierSeed.Plan10Gb.Code);
        var reported = Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 3001);
        Assert.Contains("FAKE-BIG", reported.Message, StringComparison.Ordinal);
    }
}
