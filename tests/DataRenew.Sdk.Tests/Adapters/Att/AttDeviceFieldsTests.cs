using System.Net;
using System.Text.Json.Nodes;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>The AT&amp;T-style device fields read as docs/carriers/att.md defines them, not as a person would type them.</summary>
public sealed class AttDeviceFieldsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <remarks>
    /// att.md, "Identifiers": <c>msisdn</c> is "digits with the country code and no <c>+</c>", and nothing makes the
    /// style US-only: read as a person types it (no <c>+</c> means a US number), a UK number would be lost and a
    /// ten-digit Icelandic one would become a US number.
    /// </remarks>
    [Theory]
    [InlineData("12025550143", "+12025550143")]
    [InlineData("447700900123", "+447700900123")]
    [InlineData("3545511234", "+3545511234")]
    public async Task The_msisdn_is_read_as_digits_with_the_country_code(string msisdn, string e164)
    {
        await using var world = new AttWorld();
        var session = await world.SignInAsync();
        world.Stub.RespondNext(HttpStatusCode.OK, new JsonObject { ["iccid"] = AttStub.Line5Gb.Value, ["msisdn"] = msisdn, ["status"] = "ACTIVATED", ["ratePlan"] = "ATT 5GB" }.ToJsonString());

        var line = await world.Provider.Accounts.FindLineAsync(session, AttStub.Line5Gb, Ct);

        Assert.Equal(e164, line?.PhoneNumber?.E164);
    }

    /// <remarks>
    /// att.md, "Tolerance a client must have": <c>null</c> entries inside the <c>devices</c> array are skipped: there is no
    /// device to report, so it is not a listing problem (the Verizon adapter does the same).
    /// </remarks>
    [Fact]
    public async Task A_null_entry_in_the_device_list_is_skipped_not_reported_as_a_problem()
    {
        await using var world = new AttWorld();
        var session = await world.ClientSignInAsync();
        world.Stub.RespondNext(HttpStatusCode.OK, $$"""{"devices":[null,{"iccid":"{{AttStub.Line5Gb.Value}}","status":"ACTIVATED","ratePlan":"ATT 5GB"}],"pageNumber":1,"lastPage":true}""");

        var listing = world.Client.GetLinesAsync(session, Ct);
        var lines = await listing.ToListAsync(Ct);

        Assert.Equal(AttStub.Line5Gb, Assert.Single(lines).Id);
        Assert.Empty(listing.Problems);
    }
}
