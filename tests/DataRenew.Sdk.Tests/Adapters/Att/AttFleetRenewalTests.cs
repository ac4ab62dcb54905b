using DataRenew.Sdk.Renewal;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>A renewal on an AT&amp;T-style line whose ICCID fails the Luhn check (docs/carriers/att.md): the ICCID is the key, sent back as reported.</summary>
public sealed class AttFleetRenewalTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_renewal_completes_on_a_line_whose_ICCID_fails_the_Luhn_check(bool scheduled)
    {
        await using var world = new AttWorld();
        var fleet = world.Stub.SeedFleet(120, seed: 120_108);
        world.Stub.ScheduleOrders = scheduled;
        var line = new LineId(fleet.Active.Iccid);
        Assert.False(StubIccids.PassesLuhn(line.Value));

        var final = await world.RenewAsync(line, new PlanCode("ATT 10GB"));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(Money.Usd(45.50m), final.Receipt!.Amount);
        Assert.Equal(1, world.Stub.OrdersReceived);
        Assert.EndsWith("/devices/" + line.Value, world.Requests().Single(r => r.Method == "PUT").Path, StringComparison.Ordinal);
        Assert.Equal("ATT 10GB", world.Stub.PlanOf(line));
    }
}
