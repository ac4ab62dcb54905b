using System.Globalization;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace DataRenew.Sdk.Tests.Adapters.TMobile;

/// <summary>TMF620 catalog (offset/limit, 206 while more remain), promotions, TMF654 buckets as the line and its usage, unit conversions.</summary>
public sealed class TMobileCatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_catalog_is_read_across_three_pages_206_206_200()
    {
        await using var world = new TMobileWorld();
        for (var i = 0; i < 43; i++)
        {
            world.Stub.Offerings.Add(TMobileStub.Offering($"tm-extra-{i:D2}", $"Extra {i}", 10m + i, "{\"amount\":1,\"units\":\"GB\"}", 7));
        }

        var session = await world.SignInAsync();
        var plans = await world.Provider.Catalog.GetPlansAsync(session, Line(), Ct);

        Assert.Equal(45, plans.Count);
        Assert.Equal(45, plans.Select(p => p.Code).Distinct().Count());
        var pages = world.Stub.Server.LogEntries.Where(e => e.RequestMessage!.Path.EndsWith("/productOffering", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count);
        Assert.Equal(["0", "20", "40"], pages.Select(p => p.RequestMessage!.Query!["offset"][0]));
        Assert.Equal([206, 206, 200], pages.Select(p => (int)p.ResponseMessage!.StatusCode!));
    }

    [Fact]
    public async Task A_page_that_says_more_follow_but_is_empty_stops_the_listing_with_a_typed_error()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInAsync();
        world.Stub.RespondNext("GET", "/productOffering", 206, "[]");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Provider.Catalog.GetPlansAsync(session, Line(), Ct));
    }

    [Fact]
    public async Task Offerings_map_to_plans_in_decimal_units_with_minus_one_as_unlimited_and_only_active_one_time_offers()
    {
        await using var world = new TMobileWorld();
        world.Stub.Offerings.Clear();
        world.Stub.Offerings.AddRange(
        [
            TMobileStub.Offering("tm-1.5gb-7d", "1.5GB 7 days", 9.99m, "{\"amount\":1.5,\"units\":\"GB\"}", 7),
            TMobileStub.Offering("tm-500mb-1d", "500MB day pass", 2m, "{\"units\":\"MB\",\"amount\":500,\"extra\":true}", 1),
            TMobileStub.Offering("tm-unl-30d", "Unlimited 30 days", 60m, "{\"amount\":-1,\"units\":\"GB\"}", 30),
            TMobileStub.Offering("tm-retired", "Retired", 5m, "{\"amount\":1,\"units\":\"GB\"}", 30, status: "Retired"),
            TMobileStub.Offering("tm-monthly", "Recurring", 5m, "{\"amount\":1,\"units\":\"GB\"}", 30, priceType: "recurring"),
            """{"id":"tm-bare","name":"No characteristics","lifecycleStatus":"Active"}""",
        ]);
        var session = await world.SignInAsync();

        var plans = await world.Provider.Catalog.GetPlansAsync(session, Line(), Ct);

        Assert.Equal(["tm-1.5gb-7d", "tm-500mb-1d", "tm-unl-30d"], plans.Select(p => p.Code.Value));
        Assert.Equal(1_500_000_000, plans[0].Data.Bytes);
        Assert.Equal(Money.Usd(9.99m), plans[0].Price);
        Assert.Equal(7, plans[0].ValidityDays);
        Assert.Equal(500_000_000, plans[1].Data.Bytes);
        Assert.True(plans[2].Data.IsUnlimited);
    }

    [Theory]
    [InlineData("{\"amount\":1,\"units\":\"furlongs\"}")]
    [InlineData("{\"amount\":\"10\",\"units\":\"GB\"}")]
    [InlineData("{\"amount\":null,\"units\":\"GB\"}")]
    [InlineData("{\"amount\":{\"value\":10},\"units\":\"GB\"}")]
    public async Task An_offering_whose_allowance_cannot_be_read_is_left_out_and_reported_once_while_the_others_stand(string allowance)
    {
        await using var world = new TMobileWorld(services: s => s.AddFakeLogging());
        var before = (await ReadPlansAsync(new TMobileWorld())).Count;
        world.Stub.Offerings.Add(TMobileStub.Offering("tm-odd", "Odd", 1m, allowance, 1));
        var session = await world.SignInAsync();

        var plans = await world.Provider.Catalog.GetPlansAsync(session, Line(), Ct);
        await world.Provider.Catalog.GetPlansAsync(session, Line(), Ct);

        Assert.Equal(before, plans.Count);
        Assert.DoesNotContain(plans, p => p.Code.Value == "tm-odd");
        var skipped = Assert.Single(world.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 3001);
        Assert.Contains("tm-odd", skipped.Message, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<Plan>> ReadPlansAsync(TMobileWorld world)
    {
        await using (world)
        {
            return await world.Provider.Catalog.GetPlansAsync(await world.SignInAsync(), Line(), Ct);
        }
    }

    [Fact]
    public async Task A_bonus_data_promotion_whose_amount_is_not_a_number_is_left_out_not_a_crash()
    {
        await using var world = new TMobileWorld();
        world.Stub.Promotions.Add("""{"id":"promo-bonus","name":"Bonus","pattern":[{"action":"bonusData","value":{"amount":"2","units":"GB"}}],"appliesTo":["tm-5gb-30d"]}""");
        world.Stub.Promotions.Add("""{"id":"promo-20","name":"20% off","pattern":[{"action":"discountPercent","value":20}],"appliesTo":["tm-10gb-30d"]}""");
        var session = await world.SignInAsync();

        var promotions = await world.Provider.Catalog.GetPromotionsAsync(session, Line(), Ct);

        Assert.Equal("promo-20", Assert.Single(promotions).Id);
    }

    [Fact]
    public async Task Malformed_catalog_JSON_is_an_invalid_carrier_response()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInAsync();
        world.Stub.RespondNext("GET", "/productOffering", 200, "[{\"id\":\"tm-5gb-30d\",\"name\":");

        var error = await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Provider.Catalog.GetPlansAsync(session, Line(), Ct));
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Promotions_map_discount_percent_and_bonus_data_with_their_window_and_plans()
    {
        await using var world = new TMobileWorld();
        world.Stub.Promotions.Add("""{"id":"promo-20","name":"20% off","validFor":{"startDateTime":"2026-11-01T00:00:00Z","endDateTime":"2026-12-01T00:00:00Z"},"pattern":[{"action":"discountPercent","value":20}],"appliesTo":["tm-10gb-30d"]}""");
        world.Stub.Promotions.Add("""{"id":"promo-bonus","name":"Bonus 2GB","pattern":[{"action":"bonusData","value":{"amount":2,"units":"GB"}}],"appliesTo":[{"id":"tm-5gb-30d"}]}""");
        world.Stub.Promotions.Add("""{"id":"promo-odd","name":"Something else","pattern":[{"action":"freeSms","value":100}]}""");
        var session = await world.SignInAsync();

        var promotions = await world.Provider.Catalog.GetPromotionsAsync(session, Line(), Ct);

        Assert.Equal(2, promotions.Count);
        var discount = promotions[0];
        Assert.Equal(PromotionKind.PercentOff, discount.Kind);
        Assert.Equal(20m, discount.Percent);
        Assert.Equal([new PlanCode("tm-10gb-30d")], discount.AppliesTo);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture), discount.ValidUntil);
        var bonus = promotions[1];
        Assert.Equal(PromotionKind.BonusData, bonus.Kind);
        Assert.Equal(2_000_000_000, bonus.BonusData.Bytes);
        Assert.Equal([new PlanCode("tm-5gb-30d")], bonus.AppliesTo);
        Assert.Null(bonus.ValidUntil);
    }

    [Fact]
    public async Task A_promotion_naming_a_product_id_that_is_no_plan_code_does_not_break_the_promotions_with_a_validation_error()
    {
        await using var world = new TMobileWorld();
        world.Stub.Promotions.Add("""{"id":"promo-20","name":"20% off","pattern":[{"action":"discountPercent","value":20}],"appliesTo":["tm-10gb-30d","tm-\u0007bell"]}""");
        var session = await world.SignInAsync();

        var promotions = await world.Provider.Catalog.GetPromotionsAsync(session, Line(), Ct);

        Assert.Equal([new PlanCode("tm-10gb-30d")], Assert.Single(promotions).AppliesTo);
    }

    [Fact]
    public async Task A_null_entry_in_a_page_still_counts_toward_the_next_offset_so_no_promotion_is_listed_twice()
    {
        await using var world = new TMobileWorld();
        const string First = """{"id":"promo-0","name":"Zero","pattern":[{"action":"discountPercent","value":5}],"appliesTo":["tm-5gb-30d"]}""";
        const string Second = """{"id":"promo-a","name":"A","pattern":[{"action":"discountPercent","value":10}],"appliesTo":["tm-5gb-30d"]}""";
        const string Third = """{"id":"promo-b","name":"B","pattern":[{"action":"discountPercent","value":20}],"appliesTo":["tm-10gb-30d"]}""";
        world.Stub.Promotions.AddRange([First, Second, Third]);
        var session = await world.SignInAsync();
        world.Stub.RespondNext("GET", "/promotion", 206, "[null," + Second + "]");

        var promotions = await world.Provider.Catalog.GetPromotionsAsync(session, Line(), Ct);

        Assert.Equal(["promo-a", "promo-b"], promotions.Select(p => p.Id));
    }

    [Fact]
    public async Task The_line_is_the_subscribers_eSIM_by_its_number_from_one_bucket_call_with_no_ICCID_and_its_plan()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInAsync();
        var before = world.Stub.Server.LogEntries.Count;

        var line = await world.Provider.Accounts.FindLineAsync(session, TMobileWorld.Line, Ct);

        Assert.Equal(before + 1, world.Stub.Server.LogEntries.Count);
        Assert.NotNull(line);
        Assert.Equal(TMobileWorld.Line, line.Id);
        Assert.Null(line.Iccid); // the wire style has none
        Assert.Equal(TMobileWorld.Number, line.PhoneNumber);
        Assert.Equal(SimKind.ESim, line.SimKind);
        Assert.Equal(LineStatus.Active, line.Status);
        Assert.Equal(new PlanCode("tm-5gb-30d"), line.CurrentPlan);
        Assert.Equal([line], await world.Provider.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct));
        Assert.Null(await world.Provider.Accounts.FindLineAsync(session, LineId.Of(PhoneNumber.Parse("+12025550199")), Ct));
        Assert.Null(await world.Provider.Accounts.FindLineAsync(session, new LineId("8914800000000000030"), Ct));
    }

    [Fact]
    public async Task An_ICCID_a_server_adds_as_a_logical_resource_is_read_as_a_fact_of_the_line()
    {
        await using var world = new TMobileWorld();
        world.Stub.LogicalResources = $"[{{\"value\":\"{TMobileStub.Msisdn}\"}},{{\"value\":\"8901260000000000001\",\"@referredType\":\"ICCID\"}}]";
        var session = await world.SignInAsync();

        var line = await world.Provider.Accounts.FindLineAsync(session, TMobileWorld.Line, Ct);

        Assert.Equal(TMobileWorld.Line, line?.Id);
        Assert.Equal("8901260000000000001", line?.Iccid?.Value);
        Assert.False(line?.Iccid?.HasValidCheckDigit); // a carrier's ICCID, taken as it is
    }

    [Fact]
    public async Task A_bucket_without_product_or_status_still_gives_the_line_with_those_facts_unknown()
    {
        await using var world = new TMobileWorld();
        world.Stub.BucketJson = $$"""[{"id":"b-1","logicalResource":[{"value":"{{TMobileStub.Msisdn}}"}]}]""";
        var session = await world.SignInAsync();

        var line = await world.Provider.Accounts.FindLineAsync(session, TMobileWorld.Line, Ct);

        Assert.NotNull(line);
        Assert.Equal(LineStatus.Unknown, line.Status);
        Assert.Equal(default, line.CurrentPlan);
        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Provider.Usage.GetUsageAsync(session, line, Ct));
    }

    [Fact]
    public async Task Usage_is_the_plan_allowance_less_the_remaining_bucket_in_decimal_units()
    {
        await using var world = new TMobileWorld();
        world.Stub.Remaining = "{\"amount\":1500,\"units\":\"MB\"}";
        var session = await world.SignInAsync();
        var line = (await world.Provider.Accounts.FindLineAsync(session, TMobileWorld.Line, Ct))!;
        var before = DateTimeOffset.UtcNow;

        var usage = await world.Provider.Usage.GetUsageAsync(session, line, Ct);

        Assert.Equal(5_000_000_000, usage.Allowance.Bytes);
        Assert.Equal(1_500_000_000, usage.Remaining.Bytes);
        Assert.Equal(3_500_000_000, usage.Used.Bytes);
        Assert.Equal(DateTimeOffset.Parse("2026-11-01T00:00:00Z", CultureInfo.InvariantCulture), usage.CycleStart);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture), usage.CycleEnd);
        Assert.True(usage.AsOf >= before.AddSeconds(-1));
    }

    [Fact]
    public async Task Malformed_bucket_JSON_is_an_invalid_carrier_response()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInAsync();
        world.Stub.RespondNext("GET", "/bucket", 200, "[{\"id\":\"b-1\",");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Provider.Accounts.FindLineAsync(session, TMobileWorld.Line, Ct));
    }

    [Fact]
    public async Task The_shared_client_shows_the_overview_and_prices_a_promotion()
    {
        await using var world = new TMobileWorld();
        world.Stub.Promotions.Add("""{"id":"promo-20","name":"20% off","pattern":[{"action":"discountPercent","value":20}],"appliesTo":["tm-10gb-30d"]}""");
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);

        var overview = await world.Client.GetLineOverviewAsync(session, line, Ct);
        var options = await world.Client.GetRenewalOptionsAsync(session, line, Ct);

        Assert.Equal("tm-5gb-30d", overview.CurrentPlan?.Code.Value);
        Assert.Equal(Money.Usd(32.00m), options.Single(o => o.Plan.Code.Value == "tm-10gb-30d").Price);
    }

    private static Line Line() => new(TMobileWorld.Line, SimKind.ESim, LineStatus.Active, new PlanCode("tm-5gb-30d")) { PhoneNumber = TMobileWorld.Number };
}
