using System.Text.Json.Nodes;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>
/// Listing a realistic Verizon-style fleet (docs/carriers/verizon.md) through the client: no device is dropped for its
/// ICCID's check digit or length, or for an optional field it lacks; one with no id at all is reported, not dropped.
/// An outside run found the adapter listing 25 of 250 such devices.
/// </summary>
public sealed class VerizonFleetListingTests
{
    private const int Seed = 250_225;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_one_of_250_devices_is_listed_whatever_its_ICCIDs_check_digit_or_length()
    {
        using var stub = new VerizonStub { PageSize = 50 };
        stub.SeedFleet(250, Seed);
        await using var host = new VerizonTestHost(stub);
        var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);

        var listing = host.Client.GetLinesAsync(session, Ct);
        var lines = await listing.ToListAsync(Ct);

        Assert.Equal(250, lines.Count);
        Assert.Equal(250, lines.Select(l => l.Id).Distinct().Count());
        Assert.Empty(listing.Problems);
        var iccids = lines.Where(l => l.Iccid is not null).Select(l => l.Iccid!.Value).ToList();
        Assert.Equal(249, iccids.Count); // the one left is known only by its IMEI
        Assert.Equal(25, iccids.Count(i => i.HasValidCheckDigit));
        Assert.Equal(224, iccids.Count(i => !i.HasValidCheckDigit));
        Assert.All(iccids, i => Assert.Equal(StubIccids.PassesLuhn(i.Value), i.HasValidCheckDigit));
        foreach (var passes in new[] { true, false })
        {
            Assert.Contains(iccids, i => i.HasValidCheckDigit == passes && i.Value.Length == 19);
            Assert.Contains(iccids, i => i.HasValidCheckDigit == passes && i.Value.Length == 20);
        }

        // Paged the spec's way: 202 while more follow, then 200; the cursor moved past the 19/20-digit boundary.
        var pages = stub.Requests("POST", "/devices/actions/list");
        Assert.Equal(5, pages.Count);
        var cursors = pages.Skip(1).Select(p => (string)JsonNode.Parse(p.Body!)!["largestDeviceIdSeen"]!).ToList();
        Assert.Contains(cursors, c => c.Length == 19);
        Assert.Contains(cursors, c => c.Length == 20);
    }

    [Fact]
    public async Task Devices_missing_optional_fields_are_listed_with_those_facts_unknown()
    {
        using var stub = new VerizonStub { PageSize = 100 };
        var fleet = stub.SeedFleet(250, Seed);
        await using var host = new VerizonTestHost(stub);
        var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);

        var lines = await host.Client.GetLinesAsync(session, Ct).ToDictionaryAsync(l => l.Id, cancellationToken: Ct);

        // Each device, as seeded, against its line: what the carrier did not say stays unknown, and the line is there.
        foreach (var device in fleet.Devices)
        {
            var line = lines[IdOf(device)];
            Assert.Equal(device.Iccid, line.Iccid?.Value);
            Assert.Equal(device.IdOf("mdn") is { } mdn ? "+1" + mdn : null, line.PhoneNumber?.E164);
            Assert.Equal(device.HasCarrierInformations ? device.Plan ?? string.Empty : string.Empty, line.CurrentPlan.Value);
            Assert.Equal(StatusOf(device.HasCarrierInformations ? device.State : null), line.Status);
        }

        Assert.Contains(fleet.Devices, d => d.IdOf("mdn") is null && d.Ids.Count > 0);
        Assert.Contains(fleet.Devices, d => d.CycleEnd is null);
        Assert.Contains(fleet.Devices, d => !d.HasCarrierInformations);
        Assert.Contains(fleet.Devices, d => d.HasCarrierInformations && d.State is null);
        Assert.Contains(fleet.Devices, d => d.HasCarrierInformations && d.Plan is null);
        Assert.Contains(fleet.Devices, d => d.Ids.Any(i => i.Kind == "ICCID"));
        Assert.Contains(fleet.Devices, d => d.Ids.Count > 1 && d.Ids[0].Kind != "iccid");
        Assert.Contains(fleet.Devices, d => d.Extra.ContainsKey("futureField"));
    }

    [Fact]
    public async Task A_device_that_carries_no_id_is_reported_in_Problems_and_the_others_are_still_listed()
    {
        using var stub = new VerizonStub { PageSize = 50 };
        stub.SeedFleet(250, Seed);
        stub.AddDeviceWithoutIds();
        await using var host = new VerizonTestHost(stub);
        var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);

        var listing = host.Client.GetLinesAsync(session, Ct);
        var lines = await listing.ToListAsync(Ct);

        Assert.Equal(250, lines.Count);
        var problem = Assert.Single(listing.Problems);
        Assert.Equal(CarrierId.Verizon, problem.Carrier);
        Assert.Null(problem.MaskedIdentifier);
    }

    [Fact]
    public async Task A_device_known_only_by_its_IMEI_is_listed_as_imei_and_its_usage_is_read_by_that_id()
    {
        using var stub = new VerizonStub { PageSize = 50 };
        var fleet = stub.SeedFleet(250, Seed);
        await using var host = new VerizonTestHost(stub);
        var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var imei = fleet.ImeiOnly.IdOf("imei")!;

        var listed = await host.Client.GetLinesAsync(session, Ct).SingleAsync(l => l.Id == new LineId("imei:" + imei), Ct);
        var overview = await host.Client.GetLineOverviewAsync(session, listed, Ct);

        Assert.Null(listed.Iccid);
        Assert.Equal(LineStatus.Active, listed.Status);
        Assert.Equal(VerizonFleet.ImeiOnlyUsedBytes, overview.Usage.Used.Bytes);
        Assert.Equal(5_000_000_000 - VerizonFleet.ImeiOnlyUsedBytes, overview.Usage.Remaining.Bytes);
        var asked = JsonNode.Parse(Assert.Single(stub.Requests("POST", "/devices/usage/actions/list")).Body!)!["deviceId"]!;
        Assert.Equal(imei, (string?)asked["id"]);
        Assert.Equal("imei", (string?)asked["kind"]);
    }

    /// <summary>The line id the SDK promises for a device: its ICCID as reported, or <c>kind:id</c> without one.</summary>
    private static LineId IdOf(VerizonStubDevice device) =>
        new(device.Iccid ?? "imei:" + device.IdOf("imei"));

    // The spec's state table ("Device list"): states compare without case; missing or any other value is unknown.
    private static LineStatus StatusOf(string? state) => state?.ToUpperInvariant() switch
    {
        "ACTIVE" => LineStatus.Active,
        "SUSPEND" or "SUSPENDED" => LineStatus.Suspended,
        "DEACTIVE" or "DEACTIVATED" or "PRE-ACTIVE" or "PREACTIVE" or "READY" => LineStatus.Inactive,
        _ => LineStatus.Unknown,
    };
}
