using System.Net;
using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Tests.AdapterKit;

public sealed class TokenTests
{
    [Fact]
    public async Task Many_callers_share_one_fetch()
    {
        var fetches = 0;
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = new SingleFlightToken<string>(async _ =>
        {
            Interlocked.Increment(ref fetches);
            return await release.Task;
        });

        var waiting = Enumerable.Range(0, 20).Select(_ => token.GetAsync(TestContext.Current.CancellationToken)).ToList();
        release.SetResult("t1");
        var results = await Task.WhenAll(waiting);

        Assert.Equal(1, fetches);
        Assert.All(results, r => Assert.Equal("t1", r));
    }

    [Fact]
    public async Task Many_rejections_of_one_token_cause_one_renewal()
    {
        var fetches = 0;
        var token = new SingleFlightToken<string>(_ => Task.FromResult("t" + Interlocked.Increment(ref fetches)));
        var stale = await token.GetAsync(TestContext.Current.CancellationToken);

        var renewed = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => token.RenewAsync(stale, TestContext.Current.CancellationToken)));

        Assert.Equal(2, fetches);
        Assert.All(renewed, r => Assert.Equal("t2", r));
    }

    [Fact]
    public async Task A_failed_fetch_is_not_cached()
    {
        var fetches = 0;
        var token = new SingleFlightToken<string>(_ => ++fetches == 1 ? throw new AuthenticationFailedException("no", new DataRenewErrorDetails()) : Task.FromResult("t"));

        await Assert.ThrowsAsync<AuthenticationFailedException>(() => token.GetAsync(TestContext.Current.CancellationToken));
        Assert.Equal("t", await token.GetAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_rejected_bearer_token_is_refreshed_once_and_the_request_resent_once()
    {
        var issued = 0;
        var tokens = new SingleFlightToken<AccessToken>(_ => Task.FromResult(new AccessToken("tok" + Interlocked.Increment(ref issued), DateTimeOffset.MaxValue)));
        var seen = new List<string?>();
        using var handler = new BearerTokenHandler(tokens) { InnerHandler = new AnswerHandler(r =>
        {
            seen.Add(r.Headers.Authorization?.Parameter);
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }) };
        using var invoker = new HttpMessageInvoker(handler);

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://carrier.example/x"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["tok1", "tok2"], seen);
    }

    [Fact]
    public void An_access_token_never_shows_itself()
    {
        Assert.DoesNotContain("secret-token", new AccessToken("secret-token", DateTimeOffset.UnixEpoch).ToString(), StringComparison.Ordinal);
    }

    private sealed class AnswerHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer(request));
    }
}
