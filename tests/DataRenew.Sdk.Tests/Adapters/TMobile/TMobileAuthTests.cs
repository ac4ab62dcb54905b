using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Carriers.TMobile;
using DataRenew.Sdk.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Adapters.TMobile;

/// <summary>TAAP-style auth: the PoP token on every request, the app token, OTP sign-in, and the options that hold the secrets.</summary>
public sealed class TMobileAuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_request_of_a_session_carries_a_fresh_PoP_token_the_carrier_accepts()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInAsync();
        var line = await world.Provider.Accounts.FindLineAsync(session, TMobileWorld.Line, Ct);
        await world.Provider.Usage.GetUsageAsync(session, line!, Ct);
        await world.Provider.Catalog.GetPromotionsAsync(session, line!, Ct);

        Assert.Empty(world.Stub.PopRefusals);
        var entries = world.Stub.Server.LogEntries.ToList();
        Assert.True(entries.Count >= 6);
        Assert.All(entries, e => Assert.Equal(200, (int)e.ResponseMessage!.StatusCode! / 100 * 100));
        var jtis = entries.Select(e => (string)Claims(e.RequestMessage!.Headers!["X-Authorization"][0])["jti"]!).ToList();
        Assert.Equal(jtis.Count, jtis.Distinct().Count());

        // The base address's path prefix is kept (the stub only answers under /api).
        Assert.All(entries, e => Assert.StartsWith(TMobileStub.BasePath + "/", e.RequestMessage!.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_app_token_request_sends_Basic_client_credentials_an_empty_body_and_a_PoP()
    {
        await using var world = new TMobileWorld();
        await world.SignInAsync();

        var token = world.Stub.Server.LogEntries.First(e => e.RequestMessage!.Path.EndsWith("/oauth2/v2/tokens", StringComparison.Ordinal)).RequestMessage!;
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TMobileStub.ClientId}:{TMobileStub.ClientSecret}")), token.Headers!["Authorization"][0]);
        Assert.True(token.BodyAsBytes is null or { Length: 0 });
        var claims = Claims(token.Headers!["X-Authorization"][0]);
        Assert.Equal("1", (string)claims["v"]!);
        Assert.Equal("Authorization;Content-Type;uri;http-method;body", (string)claims["ehts"]!);
    }

    [Theory]
    [InlineData("/oauth2/v2/otp")]
    [InlineData("/oauth2/v2/tokens")]
    public async Task A_one_time_code_step_throttled_with_Retry_After_is_sent_again_after_the_wait_and_signs_in(string throttledPath)
    {
        // A 429 was refused unread: no code was sent (or spent) by it, so the step may go again once the wait is over.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = new TMobileWorld(time);
        var challenge = await world.Provider.Accounts.RequestOneTimeCodeAsync(TMobileWorld.Number, Ct); // the app token first
        world.Stub.Throttle("POST", throttledPath, "1");
        var throttledBefore = world.Stub.Count("POST", throttledPath);

        var signIn = Task.Run(async () =>
        {
            var again = throttledPath.EndsWith("otp", StringComparison.Ordinal) ? await world.Provider.Accounts.RequestOneTimeCodeAsync(TMobileWorld.Number, Ct) : challenge;
            return await world.Provider.Accounts.VerifyOneTimeCodeAsync(again, new OneTimeCode(TMobileStub.OtpCode), Ct);
        }, Ct);
        for (var step = 0; step < 600 && !signIn.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(signIn, Task.Delay(5, Ct));
        }

        var session = await signIn;

        Assert.Equal(TMobileWorld.Number, session.Subscriber);
        Assert.Equal(throttledBefore + 2, world.Stub.Count("POST", throttledPath)); // the throttled try and one more
    }

    [Fact]
    public async Task A_replayed_PoP_token_is_refused_as_POP_REPLAYED()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInAsync();
        await world.Provider.Accounts.FindLineAsync(session, TMobileWorld.Line, Ct);
        var sent = world.Stub.Server.LogEntries[^1].RequestMessage!;

        using var http = new HttpClient();
        using var replay = new HttpRequestMessage(HttpMethod.Get, sent.AbsoluteUrl);
        replay.Headers.TryAddWithoutValidation("Authorization", sent.Headers!["Authorization"][0]);
        replay.Headers.TryAddWithoutValidation("X-Authorization", sent.Headers!["X-Authorization"][0]);
        using var response = await http.SendAsync(replay, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("POP_REPLAYED", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_PoP_token_over_a_tampered_body_is_refused_as_POP_INVALID()
    {
        await using var world = new TMobileWorld();
        await world.SignInAsync();
        var otp = world.Stub.Server.LogEntries.First(e => e.RequestMessage!.Path.EndsWith("/oauth2/v2/otp", StringComparison.Ordinal)).RequestMessage!;

        using var http = new HttpClient();
        using var tampered = new HttpRequestMessage(HttpMethod.Post, otp.AbsoluteUrl)
        {
            Content = new StringContent("{\"msisdn\":\"+12025550199\"}", Encoding.UTF8, "application/json"),
        };
        tampered.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        tampered.Headers.TryAddWithoutValidation("Authorization", otp.Headers!["Authorization"][0]);
        tampered.Headers.TryAddWithoutValidation("X-Authorization", otp.Headers!["X-Authorization"][0]);
        using var response = await http.SendAsync(tampered, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("POP_INVALID", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("edts does not match the request", world.Stub.PopRefusals);
    }

    [Fact]
    public async Task A_PoP_token_past_its_exp_is_refused()
    {
        await using var world = new TMobileWorld();
        using var signer = ProofOfPossessionSigner.FromPem(TMobileStub.PrivateKeyPem, timeProvider: new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-5)));
        var uri = new Uri(world.Stub.BaseAddress + "/oauth2/v2/tokens");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        var basic = BasicAuthenticationHandler.Header(TMobileStub.ClientId, TMobileStub.ClientSecret);
        request.Headers.Authorization = basic;
        request.Headers.TryAddWithoutValidation("X-Authorization", signer.CreateToken(basic.ToString(), null, uri.PathAndQuery, "POST", []));
        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", world.Stub.PopRefusals);
    }

    [Fact]
    public void The_signer_makes_an_RS256_JWT_with_the_TAAP_claims_that_the_public_key_verifies()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        using var signer = ProofOfPossessionSigner.FromPem(TMobileStub.PrivateKeyPem, TimeSpan.FromSeconds(30), time);
        var body = "{\"a\":1}"u8.ToArray();

        var token = signer.CreateToken("Bearer abc", "application/json", "/api/x?y=%2B1", "POST", body);
        var second = signer.CreateToken("Bearer abc", "application/json", "/api/x?y=%2B1", "POST", body);

        var parts = token.Split('.');
        Assert.Equal("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        using var rsa = RSA.Create();
        rsa.ImportFromPem(TMobileStub.PrivateKeyPem);
        using var publicKey = RSA.Create(rsa.ExportParameters(false));
        Assert.True(publicKey.VerifyData(Encoding.UTF8.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var claims = Claims(token);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), (long)claims["iat"]!);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds() + 30, (long)claims["exp"]!);
        var expected = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes("Bearer abcapplication/json/api/x?y=%2B1POST{\"a\":1}")));
        Assert.Equal(expected, (string)claims["edts"]!);
        Assert.NotEqual((string)claims["jti"]!, (string)Claims(second)["jti"]!);
        Assert.DoesNotContain("PRIVATE", signer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sub_second_PoP_lifetime_that_validation_accepts_still_makes_tokens_whose_exp_is_after_iat()
    {
        await using var world = new TMobileWorld(configure: o => o.PopTokenLifetime = TimeSpan.FromMilliseconds(500));

        var session = await world.SignInAsync();

        Assert.NotNull(session);
        Assert.Empty(world.Stub.PopRefusals);
        using var signer = ProofOfPossessionSigner.FromPem(TMobileStub.PrivateKeyPem, TimeSpan.FromMilliseconds(1500), new FakeTimeProvider(DateTimeOffset.UtcNow));
        var claims = Claims(signer.CreateToken(null, null, "/x", "GET", []));
        Assert.InRange((long)claims["exp"]! - (long)claims["iat"]!, 1, 60);
    }

    [Fact]
    public async Task A_wrong_code_refusal_that_echoes_the_code_does_not_carry_it_into_the_exception()
    {
        await using var world = new TMobileWorld();
        var challenge = await world.Provider.Accounts.RequestOneTimeCodeAsync(TMobileWorld.Number, Ct);
        world.Stub.RespondNext("POST", "/oauth2/v2/tokens", 400, TMobileStub.Error("OTP_INVALID", "Code 654321 is wrong", 400));

        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.Provider.Accounts.VerifyOneTimeCodeAsync(challenge, new OneTimeCode("654321"), Ct));

        Assert.Equal("OTP_INVALID", ex.CarrierErrorCode);
        Assert.DoesNotContain("654321", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_app_token_is_refreshed_once_and_the_request_is_resent_with_a_fresh_PoP()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInAsync();
        world.Stub.RevokeAppTokens();

        var plans = await world.Provider.Catalog.GetPlansAsync(session, Line(), Ct);

        Assert.NotEmpty(plans);
        Assert.Equal(3, world.Stub.Count("POST", "/oauth2/v2/tokens"));
        Assert.Empty(world.Stub.PopRefusals);
    }

    [Fact]
    public async Task Password_sign_in_is_refused_before_any_call()
    {
        await using var world = new TMobileWorld();

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => world.Provider.Accounts.SignInAsync(new PasswordCredentials("user", "pass"), Ct));

        Assert.Contains("one-time code", error.Message, StringComparison.Ordinal);
        Assert.Empty(world.Stub.Server.LogEntries);
        Assert.Equal(SignInMethods.OneTimeCode, world.Provider.Descriptor.SignInMethods);
    }

    [Fact]
    public async Task A_verified_code_opens_a_session_scoped_to_the_number_with_the_subscriber_token()
    {
        await using var world = new TMobileWorld();

        var session = await world.SignInAsync();

        Assert.Equal(TMobileWorld.Number, session.Subscriber);
        Assert.Equal(TMobileStub.Msisdn, session.AccountId);
        Assert.StartsWith("sub-", session.RevealToken(), StringComparison.Ordinal);
        Assert.DoesNotContain(session.RevealToken(), session.ToString(), StringComparison.Ordinal);
        var grant = world.Stub.Server.LogEntries[^1].RequestMessage!;
        Assert.Equal("grant_type=otp&msisdn=%2B12025550143&code=123456", grant.Body);
    }

    [Fact]
    public async Task A_wrong_code_fails_authentication_and_the_fifth_locks_the_number()
    {
        await using var world = new TMobileWorld();
        var challenge = await world.Provider.Accounts.RequestOneTimeCodeAsync(TMobileWorld.Number, Ct);

        var wrong = await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.Provider.Accounts.VerifyOneTimeCodeAsync(challenge, new OneTimeCode("000000"), Ct));
        Assert.False(wrong.IsLocked);
        Assert.Equal("OTP_INVALID", wrong.CarrierErrorCode);
        Assert.DoesNotContain("000000", wrong.Message, StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.Provider.Accounts.VerifyOneTimeCodeAsync(challenge, new OneTimeCode("000000"), Ct));
        }

        var locked = await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.Provider.Accounts.VerifyOneTimeCodeAsync(challenge, new OneTimeCode("000000"), Ct));
        Assert.True(locked.IsLocked);
        Assert.Equal("OTP_LOCKED", locked.CarrierErrorCode);
        var again = await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.Provider.Accounts.RequestOneTimeCodeAsync(TMobileWorld.Number, Ct));
        Assert.True(again.IsLocked);
    }

    [Fact]
    public async Task A_code_for_an_unknown_number_is_rejected_as_INVALID_MSISDN()
    {
        await using var world = new TMobileWorld();

        var error = await Assert.ThrowsAsync<CarrierRejectedException>(() => world.Provider.Accounts.RequestOneTimeCodeAsync(PhoneNumber.Parse("+12025550199"), Ct));

        Assert.Equal("INVALID_MSISDN", error.CarrierErrorCode);
        Assert.Equal(404, error.StatusCode);
        Assert.DoesNotContain("2025550199", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_without_a_usable_key_or_with_a_long_PoP_lifetime_fail_validation_without_quoting_secrets()
    {
        using var weak = RSA.Create(1024);
        string[] problems =
        [
            .. Problems(o => o.PrivateKeyPem = null),
            .. Problems(o => o.PrivateKeyPem = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"),
            .. Problems(o => o.PrivateKeyPem = weak.ExportPkcs8PrivateKeyPem()),
            .. Problems(o => o.PopTokenLifetime = TimeSpan.FromSeconds(61)),
            .. Problems(o => o.ClientSecret = ""),
        ];

        Assert.Equal(5, problems.Length);
        Assert.Contains(problems, p => p.Contains("1024", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("PopTokenLifetime", StringComparison.Ordinal));
        Assert.Empty(Problems(_ => { }));
        Assert.All(problems, p => Assert.DoesNotContain("MII", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_provider_is_not_built_from_invalid_options()
    {
        using var stub = new TMobileStub();
        var services = new ServiceCollection();
        services.AddDataRenew().AddTMobile(o =>
        {
            TMobileWorld.Configure(o, stub);
            o.PrivateKeyPem = "nonsense";
        });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetServices<ICarrierProvider>().ToList());
        Assert.Contains("PrivateKeyPem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_adapter_binds_its_options_from_configuration_and_signs_in()
    {
        using var stub = new TMobileStub();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataRenew:TMobile:BaseAddress"] = stub.BaseAddress.ToString(),
            ["DataRenew:TMobile:AllowPlainHttpOnLoopback"] = "true",
            ["DataRenew:TMobile:ClientId"] = TMobileStub.ClientId,
            ["DataRenew:TMobile:ClientSecret"] = TMobileStub.ClientSecret,
            ["DataRenew:TMobile:PrivateKeyPem"] = TMobileStub.PrivateKeyPem,
            ["DataRenew:TMobile:PopTokenLifetime"] = "00:00:30",
        }).Build();
        var services = new ServiceCollection();
        services.AddDataRenew().AddTMobile(configuration.GetSection("DataRenew:TMobile"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DataRenewClient>();

        var challenge = await client.RequestOneTimeCodeAsync(CarrierId.TMobile, TMobileWorld.Number, Ct);
        var session = await client.SignInWithOneTimeCodeAsync(challenge, TMobileStub.OtpCode, Ct);

        Assert.Equal(TMobileStub.Msisdn, session.Account.AccountId);
        var pop = Claims(stub.Server.LogEntries[0].RequestMessage!.Headers!["X-Authorization"][0]);
        Assert.Equal(30, (long)pop["exp"]! - (long)pop["iat"]!);
    }

    [Fact]
    public void Options_ToString_shows_neither_the_secret_nor_the_key()
    {
        var options = new TMobileOptions { BaseAddress = new Uri("https://api.tmobile.example"), ClientId = "client", ClientSecret = TMobileStub.ClientSecret, PrivateKeyPem = TMobileStub.PrivateKeyPem };

        var text = options.ToString();

        Assert.Contains("client", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TMobileStub.ClientSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
    }

    internal static JsonNode Claims(string token) => JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!;

    private static Line Line() => new(TMobileWorld.Line, SimKind.ESim, LineStatus.Active, new PlanCode("tm-5gb-30d")) { PhoneNumber = TMobileWorld.Number };

    private static string[] Problems(Action<TMobileOptions> change)
    {
        var options = new TMobileOptions
        {
            BaseAddress = new Uri("https://api.tmobile.example"),
            ClientId = TMobileStub.ClientId,
            ClientSecret = TMobileStub.ClientSecret,
            PrivateKeyPem = TMobileStub.PrivateKeyPem,
        };
        change(options);
        return options.Validate(TimeSpan.FromMinutes(5)).ToArray();
    }
}
