using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>Each error shape of the Verizon style, throttling, and answers that cannot be read.</summary>
public sealed class VerizonErrorTests
{
    private const string PlansPath = "/m2m/v1/plans/";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(VerizonTestHost Host, CarrierSession Session, Line Line)> SignedInAsync(VerizonStub stub, Action<DataRenew.Sdk.Carriers.Verizon.VerizonOptions>? configure = null)
    {
        var host = new VerizonTestHost(stub, configure);
        var session = await host.SignInAsync();
        return (host, session, await host.LineAsync(session, VerizonStub.ActiveLine));
    }

    [Fact]
    public async Task A_service_error_maps_on_its_code_without_the_service_prefix()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext(PlansPath, 400, """{"errorMessage":"Account 0342077109 not found","errorCode":"UnifiedWebService.REQUEST_FAILED.AccountNotFound","extra":1}""");

        var error = await Assert.ThrowsAsync<CarrierRejectedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal("AccountNotFound", error.CarrierErrorCode);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(CarrierId.Verizon, error.Carrier);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain("0342077109", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_message_is_never_matched_only_the_code()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext(PlansPath, 400, """{"errorCode":"UnifiedWebService.REQUEST_FAILED.Other","errorMessage":"PlanChangeLimitExceeded SessionToken.Expired InvalidCredentials"}""");

        var error = await Assert.ThrowsAsync<CarrierRejectedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal("Other", error.CarrierErrorCode);
        Assert.Equal(1, stub.LoginRequests);
    }

    [Theory]
    [InlineData(403, "900908", "Resource forbidden")]
    [InlineData(404, "404", "No matching resource found for given API Request")]
    public async Task An_XML_gateway_fault_maps_by_its_code_and_message(int status, string code, string message)
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext(PlansPath, status, $"""
            <am:fault xmlns:am="http://wso2.org/apimanager"><am:code>{code}</am:code><am:type>Status report</am:type><am:message>{message}</am:message><am:description>The access token does not allow you to access the requested resource</am:description></am:fault>
            """, "application/xml");

        var error = await Assert.ThrowsAsync<CarrierRejectedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal(code, error.CarrierErrorCode);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, null, null)]
    [InlineData(403, "<html><body><h1>403 Forbidden</h1><code>nope</code></body></html>", "text/html")]
    [InlineData(400, "{\"errorCode\": tru", "application/json")]
    public async Task An_empty_HTML_or_broken_error_body_maps_by_status(int status, string? body, string? contentType)
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext(PlansPath, status, body, contentType);

        var error = await Assert.ThrowsAsync<CarrierRejectedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Null(error.CarrierErrorCode);
        Assert.Equal(status, error.StatusCode);
    }

    [Fact]
    public async Task An_empty_server_error_is_retried_for_a_read_and_then_reported_unavailable()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub, o => o.Resilience.MaxRetries = 2);
        await using var _ = host;
        stub.RespondNext(PlansPath, 502, "<html><body>Bad Gateway</body></html>", "text/html", times: 3);

        var error = await Assert.ThrowsAsync<CarrierUnavailableException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.True(error.IsTransient);
        Assert.Equal(502, error.StatusCode);
        Assert.Equal(3, stub.Requests("GET", PlansPath + VerizonStub.AccountName).Count);
    }

    [Fact]
    public async Task Throttling_with_a_long_Retry_After_surfaces_at_once_with_the_wait()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext(PlansPath, 429, """{"fault":{"code":"900802","message":"Message throttled out","description":"You have exceeded your quota"}}""", headers: ("Retry-After", "120"));

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.Equal("900802", error.CarrierErrorCode);
        Assert.True(error.IsTransient);
        Assert.Single(stub.Requests("GET", PlansPath + VerizonStub.AccountName));
    }

    [Fact]
    public async Task Throttling_without_Retry_After_is_retried_for_a_read()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext(PlansPath, 429, """{"fault":{"code":"900802","message":"Message throttled out"}}""");

        var plans = await host.Carrier.Catalog.GetPlansAsync(session, line, Ct);

        Assert.NotEmpty(plans);
        Assert.Equal(2, stub.Requests("GET", PlansPath + VerizonStub.AccountName).Count);
    }

    [Fact]
    public async Task Throttling_that_lasts_ends_as_RateLimited_without_a_wait_when_none_was_given()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub, o => o.Resilience.MaxThrottledRetries = 1);
        await using var _ = host;
        stub.RespondNext(PlansPath, 429, """{"fault":{"code":"900802","message":"Message throttled out"}}""", times: 2);

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Null(error.RetryAfter);
        Assert.Equal(2, stub.Requests("GET", PlansPath + VerizonStub.AccountName).Count);
    }

    [Fact]
    public async Task A_throttled_plan_change_is_sent_again_after_the_wait_and_makes_one_change()
    {
        // The gateway throttles before the request reaches the service: the change was not made, so it may go again.
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext("/devices/actions/plan", 429, """{"fault":{"code":"900802","message":"Message throttled out"}}""", headers: ("Retry-After", "0"));

        var order = await host.Carrier.Orders.SubmitAsync(session, VerizonRenewalTests.Order(line, "M2M10GB"), Ct);

        Assert.Equal(CarrierOrderStatus.Pending, order.Status);
        Assert.Equal(2, stub.OrdersReceived);
    }

    [Fact]
    public async Task A_plan_change_throttled_with_a_wait_longer_than_the_kit_takes_is_not_resent_and_says_so()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext("/devices/actions/plan", 429, """{"fault":{"code":"900802","message":"Message throttled out"}}""", headers: ("Retry-After", "60"));

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => host.Carrier.Orders.SubmitAsync(session, VerizonRenewalTests.Order(line, "M2M10GB"), Ct));

        Assert.Equal(TimeSpan.FromSeconds(60), error.RetryAfter);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task Malformed_JSON_in_a_read_is_an_invalid_response()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext(PlansPath, 200, """[{"name":"5GB Monthly","code":"M2M5GB","sizeKb":50""");

        var error = await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Contains("malformed JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_JSON_answering_a_plan_change_leaves_its_outcome_unknown_and_it_is_not_sent_again()
    {
        using var stub = new VerizonStub();
        var (host, session, line) = await SignedInAsync(stub);
        await using var _ = host;
        stub.RespondNext("/devices/actions/plan", 202, """{"requestId": """);
        var order = VerizonRenewalTests.Order(line, "M2M10GB");

        await Assert.ThrowsAsync<OutcomeUnknownException>(() => host.Carrier.Orders.SubmitAsync(session, order, Ct));
        await Assert.ThrowsAsync<OutcomeUnknownException>(() => host.Carrier.Orders.SubmitAsync(session, order, Ct));

        // The device still has its plan: the adapter cannot tell whether the change will land, so it says nothing.
        Assert.Null(await host.Carrier.Orders.FindByRenewalAsync(session, order, Ct));
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task A_list_page_that_says_more_follow_with_a_cursor_that_does_not_move_stops_the_listing()
    {
        using var stub = new VerizonStub();
        var (host, session, _) = await SignedInAsync(stub);
        await using var __ = host;
        var page = """{"hasMoreData":true,"devices":[{"deviceIds":[{"id":"8914800000000000014","kind":"iccid"}],"carrierInformations":[{"servicePlan":"M2M5GB","state":"active"}]}]}""";
        stub.RespondNext("/devices/actions/list", 202, page, times: 2);

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(async () => await host.Carrier.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct));
    }
}
