using System.Text.Json.Nodes;
using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>Hostile answers, a listing that ignores the device filter, and a bearer that expires between retries.</summary>
public sealed class VerizonReviewTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Device(LineId iccid, string plan, string cycleEnd) =>
        $$"""{"accountName":"{{VerizonStub.AccountName}}","billingCycleEndDate":"{{cycleEnd}}","carrierInformations":[{"carrierName":"Verizon Wireless","servicePlan":"{{plan}}","state":"active"}],"deviceIds":[{"id":"{{iccid.Value}}","kind":"iccid"}]}""";

    [Fact]
    public async Task Usage_reports_whose_bytes_add_up_past_any_number_are_an_invalid_response()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        var at = stub.CycleEnd.AddDays(-3).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        stub.RespondNext("/devices/usage/actions/list", 200, $$"""{"hasMoreData":false,"usageHistory":[{"bytesUsed":79228162514264337593543950335,"timestamp":"{{at}}"},{"bytesUsed":79228162514264337593543950335,"timestamp":"{{at}}"}]}""");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => host.Carrier.Usage.GetUsageAsync(session, line, Ct));
    }

    [Fact]
    public async Task A_billing_cycle_end_at_the_start_of_time_is_an_invalid_response()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        stub.RespondNext("/devices/actions/list", 200, $$"""{"hasMoreData":false,"devices":[{{Device(VerizonStub.ActiveLine, "M2M5GB", "0001-01-01T00:00:00Z")}}]}""");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => host.Carrier.Usage.GetUsageAsync(session, line, Ct));
    }

    [Fact]
    public async Task A_usage_page_at_the_end_of_time_that_says_more_follow_is_an_invalid_response()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        stub.RespondNext("/devices/usage/actions/list", 200, """{"hasMoreData":true,"usageHistory":[{"bytesUsed":1,"timestamp":"9999-12-31T23:59:59.9999999Z"}]}""");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => host.Carrier.Usage.GetUsageAsync(session, line, Ct));
    }

    [Fact]
    public async Task A_line_is_found_on_a_later_page_when_the_carrier_lists_without_the_device_filter()
    {
        // The spec's list action has no device filter: a carrier may answer the unfiltered first page (202, more follow).
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var end = stub.CycleEnd.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        stub.RespondNext("/devices/actions/list", 202, $$"""{"hasMoreData":true,"devices":[{{Device(VerizonStub.SecondLine, "M2M10GB", end)}},{{Device(VerizonStub.ActiveLine, "M2M5GB", end)}}]}""");

        var line = await host.Carrier.Accounts.FindLineAsync(session, VerizonStub.SuspendedLine, Ct);

        Assert.NotNull(line);
        Assert.Equal(VerizonStub.SuspendedLine, line.Id);
        var calls = stub.Requests("POST", "/devices/actions/list");
        Assert.Equal(2, calls.Count);
        Assert.Equal(VerizonStub.SecondLine.Value, (string?)JsonNode.Parse(calls[1].Body!)!["largestDeviceIdSeen"]);
    }

    [Fact]
    public async Task A_bearer_rejected_on_a_retried_read_is_refreshed_once_and_the_call_succeeds()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();

        // The first try meets a server error; by the retry the gateway no longer takes the bearer.
        stub.RespondNext("/m2m/v1/accounts/", 503, null, contentType: null);
        stub.RespondNext("/m2m/v1/accounts/", 401, """{"fault":{"code":"900901","message":"Invalid Credentials","description":"Access token expired"}}""");

        var account = await host.Carrier.Accounts.GetAccountAsync(session, Ct);

        Assert.Equal("Acme Fleet", account.DisplayName);
        Assert.Equal(2, stub.TokenRequests);
        var calls = stub.Requests("GET", "/m2m/v1/accounts/" + VerizonStub.AccountName);
        Assert.Equal(3, calls.Count);
        Assert.Equal("Bearer tok-3", calls[2].Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task A_session_token_with_a_line_break_is_an_invalid_answer_and_never_injects_a_header()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        stub.RespondNext("/session/login", 200, "{\"sessionToken\":\"sess-1\\r\\nX-Evil: 1\"}");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => host.SignInAsync());

        Assert.DoesNotContain(stub.Requests("GET", VerizonStub.AccountName).Concat(stub.Requests("POST", "/devices/actions/list")), r => r.Headers!.ContainsKey("X-Evil"));
    }

    [Fact]
    public async Task An_access_token_with_a_line_break_is_an_invalid_answer_not_a_FormatException()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        stub.RespondNext("/oauth2/token", 200, "{\"access_token\":\"tok-1\\r\\nX-Evil: 1\",\"token_type\":\"Bearer\",\"expires_in\":3600}");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => host.SignInAsync());
    }

    [Fact]
    public async Task With_one_call_in_flight_the_token_request_made_inside_a_call_does_not_wait_for_that_call()
    {
        // The bearer handler fetches the token from inside the call that needs it: with a concurrency limit of one,
        // the token request must not queue behind that call (it would stall until the attempt timed out, or be refused).
        using var stub = new VerizonStub { PendingPolls = 0 };
        await using var host = new VerizonTestHost(stub, o =>
        {
            o.Resilience.MaxConcurrentCalls = 1;
            o.Resilience.QueueLimit = 0;
        });

        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        stub.RevokeBearers();
        var order = await host.Carrier.Orders.SubmitAsync(session, VerizonRenewalTests.Order(line, "M2M10GB"), Ct);

        // The gateway refused the first PUT (revoked bearer); the one resend carries the token fetched inside the call.
        Assert.Equal(CarrierOrderStatus.Pending, order.Status);
        Assert.Equal(2, stub.TokenRequests);
        var puts = stub.Requests("PUT", "/devices/actions/plan");
        Assert.Equal(2, puts.Count);
        Assert.Equal(["Bearer tok-1", "Bearer tok-3"], puts.Select(p => p.Headers!["Authorization"].Single()));
    }
}
