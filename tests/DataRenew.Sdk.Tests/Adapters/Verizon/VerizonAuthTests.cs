using System.Text.Json.Nodes;
using DataRenew.Sdk.Carriers.Verizon;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>The two tokens of the Verizon style: the app's OAuth bearer and the m2m session token.</summary>
public sealed class VerizonAuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_in_fetches_one_bearer_with_client_credentials_and_sends_it_and_the_session_token_on_every_call()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);

        var session = await host.SignInAsync();
        await host.Carrier.Accounts.GetAccountAsync(session, Ct);
        await host.Carrier.Catalog.GetPlansAsync(session, await host.LineAsync(session, VerizonStub.ActiveLine), Ct);

        Assert.Equal(1, stub.TokenRequests);
        var tokenRequest = Assert.Single(stub.Requests("POST", "/api/ts/v1/oauth2/token"));
        Assert.Contains("grant_type=client_credentials", tokenRequest.Body, StringComparison.Ordinal);
        var login = Assert.Single(stub.Requests("POST", "/api/m2m/v1/session/login"));
        Assert.Equal("Bearer tok-1", login.Headers!["Authorization"].Single());
        Assert.Equal(VerizonStub.Username, (string?)JsonNode.Parse(login.Body!)!["username"]);
        var account = Assert.Single(stub.Requests("GET", $"/api/m2m/v1/accounts/{VerizonStub.AccountName}"));
        Assert.Equal("Bearer tok-1", account.Headers!["Authorization"].Single());
        Assert.Equal(session.RevealToken(), account.Headers!["VZ-M2M-Token"].Single());
        Assert.Equal(VerizonStub.AccountName, session.AccountId);
        Assert.DoesNotContain(session.RevealToken(), session.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_session_is_renewed_with_one_login_and_the_call_is_sent_again_once()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        stub.ExpireSessions();

        var plans = await host.Carrier.Catalog.GetPlansAsync(session, line, Ct);

        Assert.NotEmpty(plans);
        Assert.Equal(2, stub.LoginRequests);
        Assert.Equal(2, stub.Requests("GET", "/m2m/v1/plans/" + VerizonStub.AccountName).Count);
    }

    [Fact]
    public async Task Many_calls_that_find_the_session_expired_share_one_login()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        stub.ExpireSessions();

        var calls = Enumerable.Range(0, 8).Select(_ => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));
        var results = await Task.WhenAll(calls);

        Assert.All(results, plans => Assert.NotEmpty(plans));
        Assert.Equal(2, stub.LoginRequests);
    }

    [Fact]
    public async Task Parallel_overviews_on_a_session_that_keeps_expiring_all_succeed_with_one_login_per_expiry()
    {
        // Each session serves 5 calls; 12 overviews in parallel make about 50. Every expiry costs one login shared by the
        // calls that saw it, and a call that meets the next expiry after its resend logs in (once) again.
        using var stub = new VerizonStub { CallsPerSession = 5 };
        await using var host = new VerizonTestHost(stub);
        var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var line = await host.Client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == VerizonStub.ActiveLine, Ct);
        var callsBefore = stub.RequestCount - stub.LoginRequests - stub.TokenRequests;

        var overviews = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => host.Client.GetLineOverviewAsync(session, line, Ct)));

        Assert.All(overviews, o => Assert.Equal(VerizonStub.ActiveLine, o.Line.Id));
        var calls = stub.RequestCount - stub.LoginRequests - stub.TokenRequests - callsBefore;
        Assert.InRange(stub.LoginRequests, 2, 1 + calls / 5 + 2); // not one login per refused call
    }

    [Fact]
    public async Task A_carrier_that_refuses_every_fresh_session_gets_one_login_per_call_not_a_loop()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        stub.CallsPerSession = 0;

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal(VerizonErrorMapper.SessionExpired, error.CarrierErrorCode);
        Assert.Equal(2, stub.LoginRequests);
    }

    [Fact]
    public async Task A_login_refused_for_bad_credentials_fails_once_without_a_retry_and_without_the_password_in_the_error()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            host.Carrier.Accounts.SignInAsync(new PasswordCredentials(VerizonStub.Username, "wrong-Pa55word"), Ct));

        Assert.False(error.IsLocked);
        Assert.Equal("InvalidCredentials", error.CarrierErrorCode);
        Assert.Equal(400, error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain("wrong-Pa55word", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, stub.LoginRequests);
    }

    [Fact]
    public async Task The_fifth_refused_login_reports_the_account_locked_and_so_does_any_later_one()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        for (var i = 0; i < 4; i++)
        {
            var refused = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.Carrier.Accounts.SignInAsync(new PasswordCredentials(VerizonStub.Username, "bad"), Ct));
            Assert.False(refused.IsLocked);
        }

        var fifth = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.Carrier.Accounts.SignInAsync(new PasswordCredentials(VerizonStub.Username, "bad"), Ct));
        var later = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.SignInAsync());

        Assert.True(fifth.IsLocked);
        Assert.True(later.IsLocked);
        Assert.Equal("AccountLocked", later.CarrierErrorCode);
        Assert.Equal(6, stub.LoginRequests);
    }

    [Fact]
    public async Task A_re_login_refused_after_expiry_is_never_tried_again_with_the_same_credentials()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        stub.ChangePassword("Someone-Else-Changed-It-1");
        stub.ExpireSessions();

        var first = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));
        var second = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.Carrier.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal("InvalidCredentials", first.CarrierErrorCode);
        Assert.Equal(VerizonErrorMapper.SessionExpired, second.CarrierErrorCode);
        Assert.Equal(2, stub.LoginRequests);
    }

    [Fact]
    public async Task A_bearer_the_gateway_rejects_is_refreshed_once_and_the_call_succeeds()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        stub.RevokeBearers();

        var account = await host.Carrier.Accounts.GetAccountAsync(session, Ct);

        Assert.Equal("Acme Fleet", account.DisplayName);
        Assert.Equal(2, stub.TokenRequests);
        var calls = stub.Requests("GET", "/m2m/v1/accounts/" + VerizonStub.AccountName);
        Assert.Equal(["Bearer tok-1", "Bearer tok-3"], calls.Select(c => c.Headers!["Authorization"].Single()));
    }

    [Fact]
    public async Task A_bearer_rejected_again_after_one_refresh_fails_with_AuthenticationFailed()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        stub.RejectAllBearers = true;

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.Carrier.Accounts.GetAccountAsync(session, Ct));

        Assert.Equal(VerizonErrorMapper.InvalidBearer, error.CarrierErrorCode);
        Assert.Equal(401, error.StatusCode);
        Assert.Equal(2, stub.TokenRequests);
        Assert.Equal(2, stub.Requests("GET", "/m2m/v1/accounts/" + VerizonStub.AccountName).Count);
    }

    [Fact]
    public async Task A_missing_bearer_fault_is_not_refreshed_and_maps_to_AuthenticationFailed()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        stub.RespondNext("/m2m/v1/accounts/", 401, """{"fault":{"code":"900902","message":"Missing Credentials","description":"Required OAuth credentials not provided"}}""");

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.Carrier.Accounts.GetAccountAsync(session, Ct));

        Assert.Equal("900902", error.CarrierErrorCode);
        Assert.Contains("Missing Credentials", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, stub.TokenRequests);
    }

    [Fact]
    public async Task Bad_app_credentials_fail_the_token_request_with_AuthenticationFailed()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub, o => o.AppSecret = "not-the-secret");

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => host.SignInAsync());

        Assert.Equal(VerizonErrorMapper.InvalidBearer, error.CarrierErrorCode);
        Assert.Equal(0, stub.LoginRequests);
    }

    [Fact]
    public void Options_never_show_the_app_secret_and_name_what_is_missing()
    {
        var options = new VerizonOptions { BaseAddress = new Uri("https://thingspace.example/api"), AppKey = "key", AppSecret = "top-secret-value", AccountName = "acct" };

        Assert.DoesNotContain("top-secret-value", options.ToString(), StringComparison.Ordinal);
        Assert.Empty(options.Validate(TimeSpan.FromMinutes(5)));
        var problems = new VerizonOptions { BaseAddress = new Uri("http://thingspace.example/api") }.Validate(TimeSpan.FromMinutes(5)).ToArray();
        Assert.Contains(problems, p => p.Contains("https", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("AppKey", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("AppSecret", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("AccountName", StringComparison.Ordinal));
    }
}
