using System.Text.Json.Nodes;
using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>
/// Renewals on lines of a realistic Verizon-style fleet whose ICCIDs fail the Luhn check (docs/carriers/verizon.md):
/// such a line renews like any other, and the spec's two refusals (suspended, at the monthly limit) reach it as typed outcomes.
/// </summary>
public sealed class VerizonFleetRenewalTests
{
    private const int Seed = 250_225;
    private static readonly PlanCode Plan10Gb = new("M2M10GB");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_renewal_completes_on_a_line_whose_ICCID_fails_the_Luhn_check()
    {
        using var stub = new VerizonStub { PageSize = 50, PendingPolls = 2 };
        var fleet = stub.SeedFleet(250, Seed);
        await using var host = new VerizonTestHost(stub);
        var iccid = fleet.Active.Iccid!;
        Assert.False(StubIccids.PassesLuhn(iccid));

        var final = await host.RenewAsync(new LineId(iccid), Plan10Gb);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(Money.Usd(45.00m), final.Receipt!.Amount);
        Assert.Equal("M2M10GB", stub.PlanOf(new LineId(iccid)));
        var put = JsonNode.Parse(Assert.Single(stub.Requests("PUT", "/devices/actions/plan")).Body!)!;
        var named = Assert.Single(put["devices"]![0]!["deviceIds"]!.AsArray());
        Assert.Equal(iccid, (string?)named!["id"]);
        Assert.Equal("iccid", (string?)named["kind"]);
    }

    [Fact]
    public async Task A_suspended_line_whose_ICCID_fails_the_Luhn_check_is_listed_and_found_and_refused_at_quote()
    {
        using var stub = new VerizonStub { PageSize = 50 };
        var fleet = stub.SeedFleet(250, Seed);
        await using var host = new VerizonTestHost(stub);
        var id = new LineId(fleet.Suspended.Iccid!);
        Assert.False(StubIccids.PassesLuhn(id.Value));
        var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);

        var listed = await host.Client.GetLinesAsync(session, Ct).SingleAsync(l => l.Id == id, Ct);
        var found = await host.Carrier.Accounts.FindLineAsync(session.CarrierSession, id, Ct);

        Assert.Equal(LineStatus.Suspended, listed.Status);
        Assert.Equal(listed, found);
        await Assert.ThrowsAsync<PlanNotEligibleException>(() => host.Client.CreateQuoteAsync(session, listed, Plan10Gb, Ct));
        Assert.Equal(0, stub.OrdersReceived);
    }

    [Fact]
    public async Task A_line_at_its_plan_change_limit_whose_ICCID_fails_the_Luhn_check_ends_CarrierRefused_with_the_carriers_code()
    {
        // The carrier refuses the fifth change with 400 PlanChangeLimitExceeded; the adapter makes it PlanNotEligible,
        // and the engine ends the renewal Failed (CarrierRefused, the carrier's code) and reverses the account charge.
        using var stub = new VerizonStub { PageSize = 50 };
        var fleet = stub.SeedFleet(250, Seed);
        await using var host = new VerizonTestHost(stub);
        var id = new LineId(fleet.AtLimit.Iccid!);
        Assert.False(StubIccids.PassesLuhn(id.Value));
        var session = await host.SignInAsync();
        Assert.NotNull(await host.Carrier.Accounts.FindLineAsync(session, id, Ct));

        var final = await host.RenewAsync(id, Plan10Gb);

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.CarrierRefused, final.Failure!.Kind);
        Assert.Equal("PlanChangeLimitExceeded", final.Failure.Code);
        Assert.NotNull(final.RefundId);
        Assert.Equal(1, stub.OrdersReceived);
        Assert.Equal("M2M5GB", stub.PlanOf(id));
    }
}
