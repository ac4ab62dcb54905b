using System.Text.Json.Nodes;
using DataRenew.Sdk.Carriers.Verizon;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>Devices (body cursor, 202 = more), the plan catalog (decimal KB) and usage (bytes) of the Verizon style.</summary>
public sealed class VerizonLinesAndPlansTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lines_are_read_across_three_pages_continuing_after_the_largest_ICCID_of_each_unsorted_page()
    {
        using var stub = new VerizonStub { PageSize = 2 };
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();

        var lines = await host.Carrier.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct);

        Assert.Equal(6, lines.Count);
        Assert.Equal(6, lines.Select(l => l.Id).Distinct().Count());
        var pages = stub.Requests("POST", "/api/m2m/v1/devices/actions/list");
        Assert.Equal(3, pages.Count);
        var cursors = pages.Select(p => (string?)JsonNode.Parse(p.Body!)!["largestDeviceIdSeen"]).ToArray();
        Assert.Equal([null, "8914800000000000022", "8914800000000000048"], cursors);
        Assert.All(pages, p => Assert.Equal(VerizonStub.AccountName, (string?)JsonNode.Parse(p.Body!)!["accountName"]));
    }

    [Fact]
    public void Device_ids_are_compared_as_numbers_even_when_longer_than_a_long()
    {
        Assert.True(VerizonCarrier.CompareDeviceIds("89148000000000000147", "8914800000000000022") > 0);
        Assert.True(VerizonCarrier.CompareDeviceIds("8914800000000000022", "8914800000000000014") > 0);
        Assert.True(VerizonCarrier.CompareDeviceIds("9", "10") < 0);
        Assert.Equal(0, VerizonCarrier.CompareDeviceIds("8914800000000000014", "8914800000000000014"));
    }

    [Fact]
    public async Task Devices_map_to_lines_with_number_status_and_plan()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();

        var lines = await host.Carrier.Accounts.GetLinesAsync(session, Ct).Lines().ToDictionaryAsync(l => l.Id, cancellationToken: Ct);

        var active = lines[VerizonStub.ActiveLine];
        Assert.Equal(PhoneNumber.Parse("+12025550143"), active.PhoneNumber);
        Assert.Equal(LineStatus.Active, active.Status);
        Assert.Equal(new PlanCode("M2M5GB"), active.CurrentPlan);
        Assert.Equal(LineStatus.Suspended, lines[VerizonStub.SuspendedLine].Status);
        Assert.Equal(LineStatus.Inactive, lines[VerizonStub.DeactivatedLine].Status);
        Assert.Null(lines[VerizonStub.DeactivatedLine].PhoneNumber);
        Assert.Equal(new PlanCode("M2MUNL"), lines[VerizonStub.UnlimitedLine].CurrentPlan);
        Assert.Equal(LineStatus.Unknown, VerizonCarrier.StatusOf("something-new"));
        Assert.Equal(LineStatus.Suspended, VerizonCarrier.StatusOf("Suspended"));
    }

    [Fact]
    public async Task Finding_a_line_is_one_list_call_filtered_by_ICCID()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();

        var line = await host.Carrier.Accounts.FindLineAsync(session, VerizonStub.SecondLine, Ct);
        var missing = await host.Carrier.Accounts.FindLineAsync(session, new LineId("8914800000000000071"), Ct);

        Assert.NotNull(line);
        Assert.Equal(new PlanCode("M2M10GB"), line.CurrentPlan);
        Assert.Null(missing);
        var calls = stub.Requests("POST", "/devices/actions/list");
        Assert.Equal(2, calls.Count);
        var filter = JsonNode.Parse(calls[0].Body!)!["deviceId"]!;
        Assert.Equal(VerizonStub.SecondLine.Value, (string?)filter["id"]);
        Assert.Equal("iccid", (string?)filter["kind"]);
    }

    [Fact]
    public async Task Plans_convert_decimal_kilobytes_read_price_and_validity_from_attributes_and_skip_a_plan_without_a_price()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);

        var plans = (await host.Carrier.Catalog.GetPlansAsync(session, line, Ct)).ToDictionary(p => p.Code.Value);
        var promotions = await host.Carrier.Catalog.GetPromotionsAsync(session, line, Ct);

        Assert.Equal(["M2M10GB", "M2M5GB", "M2MUNL"], plans.Keys.Order());
        Assert.Equal(5_000_000_000, plans["M2M5GB"].Data.Bytes);
        Assert.Equal(10_000_000_000, plans["M2M10GB"].Data.Bytes);
        Assert.True(plans["M2MUNL"].Data.IsUnlimited);
        Assert.Equal(Money.Usd(45.00m), plans["M2M10GB"].Price);
        Assert.Equal(30, plans["M2M10GB"].ValidityDays);
        Assert.Equal("5GB Monthly", plans["M2M5GB"].Name);
        Assert.Empty(promotions);
    }

    [Fact]
    public async Task Usage_sums_bytes_since_the_cycle_began_and_computes_what_is_left()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);

        var usage = await host.Carrier.Usage.GetUsageAsync(session, line, Ct);

        Assert.Equal(1_500_000_000, usage.Used.Bytes);
        Assert.Equal(5_000_000_000, usage.Allowance.Bytes);
        Assert.Equal(3_500_000_000, usage.Remaining.Bytes);
        Assert.Equal(stub.CycleEnd, usage.CycleEnd);
        Assert.Equal(stub.CycleEnd.AddMonths(-1), usage.CycleStart);
        Assert.Equal(stub.CycleEnd, usage.NextChargeDate);
        var request = JsonNode.Parse(Assert.Single(stub.Requests("POST", "/api/m2m/v1/devices/usage/actions/list")).Body!)!;
        Assert.Equal(stub.CycleEnd.AddMonths(-1), DateTimeOffset.Parse((string)request["earliest"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(VerizonStub.ActiveLine.Value, (string?)request["deviceId"]!["id"]);
    }

    [Fact]
    public async Task Usage_that_has_more_data_is_read_on_from_just_after_the_latest_report()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        var first = stub.CycleEnd.AddMonths(-1).AddHours(1);
        stub.RespondNext("/devices/usage/actions/list", 200, $$"""{"usageHistory":[{"bytesUsed":"1000","timestamp":"{{first.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"},{"timestamp":"{{first.AddHours(-1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","bytesUsed":24}],"hasMoreData":true}""");

        var usage = await host.Carrier.Usage.GetUsageAsync(session, line, Ct);

        Assert.Equal(1_500_000_000 + 1024, usage.Used.Bytes);
        var pages = stub.Requests("POST", "/devices/usage/actions/list");
        Assert.Equal(2, pages.Count);
        var next = DateTimeOffset.Parse((string)JsonNode.Parse(pages[1].Body!)!["earliest"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(first.AddMilliseconds(1), next);
    }

    [Fact]
    public async Task Usage_of_an_unlimited_plan_stays_unlimited()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.UnlimitedLine);

        var usage = await host.Carrier.Usage.GetUsageAsync(session, line, Ct);

        Assert.Equal(50_000_000_000, usage.Used.Bytes);
        Assert.True(usage.Allowance.IsUnlimited);
        Assert.True(usage.Remaining.IsUnlimited);
    }

    [Fact]
    public async Task The_adapter_binds_its_options_from_configuration()
    {
        using var stub = new VerizonStub();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataRenew:Verizon:BaseAddress"] = stub.BaseAddress.ToString(),
            ["DataRenew:Verizon:AllowPlainHttpOnLoopback"] = "true",
            ["DataRenew:Verizon:AppKey"] = VerizonStub.AppKey,
            ["DataRenew:Verizon:AppSecret"] = VerizonStub.AppSecret,
            ["DataRenew:Verizon:AccountName"] = VerizonStub.AccountName,
            ["DataRenew:Verizon:Resilience:MaxRetries"] = "1",
        }).Build();
        var services = new ServiceCollection();
        services.AddDataRenew().AddVerizon(configuration.GetSection("DataRenew:Verizon"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DataRenewClient>();

        var session = await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);

        Assert.Equal("Acme Fleet", session.Account.DisplayName);
        Assert.Equal(1, provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<VerizonOptions>>().Value.Resilience.MaxRetries);
    }

    [Fact]
    public async Task Verizon_device_found_by_another_of_its_ids_is_one_line_so_a_second_renewal_of_it_is_refused_while_one_is_open()
    {
        // A device asked for by another of its ids (kind:id) is the same line, keyed by its own id (its ICCID): the
        // journal, the quote and the one-renewal-per-line guard see one line, so no second plan change goes to a device
        // whose first one is still open.
        using var stub = new VerizonStub { PendingPolls = 1_000 };
        await using var host = new VerizonTestHost(stub);
        var client = host.Client;
        var session = await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var listed = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == VerizonStub.ActiveLine, Ct);
        var first = await client.StartRenewalAsync(session, new RenewalRequest(await client.CreateQuoteAsync(session, listed, new PlanCode("M2M10GB"), Ct), PaymentMethod.CarrierBilling()), Ct);
        Assert.Equal(RenewalState.Confirming, first.State);

        var sameDevice = new Line(new LineId("mdn:2025550143"), SimKind.Physical, LineStatus.Active, new PlanCode("M2M5GB"));
        var found = await host.Carrier.Accounts.FindLineAsync(await host.SignInAsync(), sameDevice.Id, Ct);
        var second = await Record.ExceptionAsync(async () =>
            await client.StartRenewalAsync(session, new RenewalRequest(await client.CreateQuoteAsync(session, sameDevice, new PlanCode("M2MUNL"), Ct), PaymentMethod.CarrierBilling()), Ct));

        Assert.True(stub.OrdersReceived == 1, $"{stub.OrdersReceived} plan changes were sent for one device while its first renewal is open (second start: {second?.GetType().Name ?? "accepted"}; the line was found as {found?.Id.ToMaskedString()}).");
        Assert.IsType<RenewalInProgressException>(second);
    }
}
