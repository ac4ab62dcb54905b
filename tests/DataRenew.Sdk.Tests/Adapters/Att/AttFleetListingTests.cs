namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>
/// Listing and finding the lines of a realistic AT&amp;T-style fleet (docs/carriers/att.md) through the client: no device
/// is dropped, and no listing fails, for its ICCID's check digit or length, its status, or a field it lacks. An outside
/// run found the adapter failing a whole 120-device listing on one ICCID that failed the check.
/// </summary>
public sealed class AttFleetListingTests
{
    private const int Seed = 120_108;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_one_of_120_devices_is_listed_whatever_its_ICCIDs_check_digit_length_status_or_rate_plan()
    {
        await using var world = new AttWorld();
        var fleet = world.Stub.SeedFleet(120, Seed);
        var session = await world.ClientSignInAsync();

        var listing = world.Client.GetLinesAsync(session, Ct);
        var lines = await listing.ToDictionaryAsync(l => l.Id, cancellationToken: Ct);

        Assert.Equal(120, lines.Count);
        Assert.Empty(listing.Problems);
        Assert.Equal(["1", "2", "3"], world.Requests(skip: 1).Select(r => r.Query!["pageNumber"].Single()));
        var iccids = lines.Values.Select(l => l.Iccid!.Value).ToList();
        Assert.Equal(12, iccids.Count(i => i.HasValidCheckDigit));
        Assert.Equal(108, iccids.Count(i => !i.HasValidCheckDigit));
        Assert.All(iccids, i => Assert.Equal(StubIccids.PassesLuhn(i.Value), i.HasValidCheckDigit));
        foreach (var passes in new[] { true, false })
        {
            Assert.Contains(iccids, i => i.HasValidCheckDigit == passes && i.Value.Length == 19);
            Assert.Contains(iccids, i => i.HasValidCheckDigit == passes && i.Value.Length == 20);
        }

        // Each device against its line: its status as the spec's table reads it, its rate plan or none, no number (the
        // list carries none).
        foreach (var device in fleet.Devices)
        {
            var line = lines[new LineId(device.Iccid)];
            Assert.Equal(device.Iccid, line.Iccid?.Value);
            Assert.Equal(StatusOf(device.Status), line.Status);
            Assert.Equal(device.RatePlan ?? string.Empty, line.CurrentPlan.Value);
            Assert.Null(line.PhoneNumber);
        }

        Assert.Equal(AttFleet.Statuses.Order(), fleet.Devices.Select(d => d.Status!).Distinct().Order());
        Assert.Contains(fleet.Devices, d => d.RatePlan is null);
    }

    [Fact]
    public async Task Each_device_is_found_by_its_ICCID_with_its_number_or_none_whatever_details_it_lacks()
    {
        await using var world = new AttWorld();
        var fleet = world.Stub.SeedFleet(120, Seed);
        var session = await world.SignInAsync();

        foreach (var device in fleet.Devices)
        {
            var line = await world.Provider.Accounts.FindLineAsync(session, new LineId(device.Iccid), Ct);

            Assert.NotNull(line);
            Assert.Equal(device.Msisdn is { } msisdn ? "+" + msisdn : null, line.PhoneNumber?.E164);
            Assert.Equal(StatusOf(device.Status), line.Status);
        }

        Assert.Contains(fleet.Devices, d => d.Msisdn is null && d.SendsNulls);
        Assert.Contains(fleet.Devices, d => d.Msisdn is null && !d.SendsNulls);
        Assert.Contains(fleet.Devices, d => d.DateActivated is null && d.Imsi is null && d.Imei is null);
        Assert.Contains(fleet.Devices, d => d.DateActivated?.EndsWith("-0500", StringComparison.Ordinal) == true);
    }

    // The spec's status table: in service; not yet in service; out of service; any other value unknown.
    private static LineStatus StatusOf(string? status) => status switch
    {
        "ACTIVATED" => LineStatus.Active,
        "ACTIVATION_READY" or "INVENTORY" or "TEST_READY" => LineStatus.Inactive,
        "DEACTIVATED" or "RETIRED" or "PURGED" or "REPLACED" => LineStatus.Inactive,
        _ => LineStatus.Unknown,
    };
}
