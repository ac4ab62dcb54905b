using DataRenew.Sdk.Carriers.TMobile;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.TMobile;

/// <summary>The adapter wired to a stub through AddDataRenew().AddTMobile(), as an app does.</summary>
internal sealed class TMobileWorld : IAsyncDisposable
{
    public TMobileWorld(TimeProvider? time = null, Action<TMobileOptions>? configure = null, Action<DataRenewOptions>? renewal = null, Action<IServiceCollection>? services = null)
    {
        Time = time ?? TimeProvider.System;
        Stub = new TMobileStub(Time);
        var collection = new ServiceCollection();
        if (time is not null)
        {
            collection.AddSingleton(time);
        }

        services?.Invoke(collection);
        collection.AddDataRenew(o =>
            {
                o.PollInitialDelay = TimeSpan.FromMilliseconds(1);
                o.PollMaxDelay = TimeSpan.FromMilliseconds(5);
                renewal?.Invoke(o);
            })
            .UsePaymentGateway(new FakePaymentGateway())
            .AddTMobile(o =>
            {
                Configure(o, Stub);
                configure?.Invoke(o);
            });
        Services = collection.BuildServiceProvider();
    }

    public TimeProvider Time { get; }

    public TMobileStub Stub { get; }

    public ServiceProvider Services { get; }

    public DataRenewClient Client => Services.GetRequiredService<DataRenewClient>();

    public ICarrierProvider Provider => Services.GetServices<ICarrierProvider>().Single(p => p.Descriptor.Id == CarrierId.TMobile);

    public static LineId Line => LineId.Of(Number);

    public static PhoneNumber Number => PhoneNumber.Parse(TMobileStub.Msisdn);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static void Configure(TMobileOptions o, TMobileStub stub)
    {
        o.BaseAddress = stub.BaseAddress;
        o.AllowPlainHttpOnLoopback = true;
        o.ClientId = TMobileStub.ClientId;
        o.ClientSecret = TMobileStub.ClientSecret;
        o.PrivateKeyPem = TMobileStub.PrivateKeyPem;

        // Failures in these tests are scripted; retries only for what a test asks for, and fast.
        o.Resilience.RetryBaseDelay = TimeSpan.Zero;
        o.Resilience.CircuitBreaker = false;
    }

    /// <summary>Signs the subscriber in at the provider level (OTP).</summary>
    public async Task<CarrierSession> SignInAsync()
    {
        var challenge = await Provider.Accounts.RequestOneTimeCodeAsync(Number, Ct);
        return await Provider.Accounts.VerifyOneTimeCodeAsync(challenge, new OneTimeCode(TMobileStub.OtpCode), Ct);
    }

    /// <summary>Signs the subscriber in through the client.</summary>
    public async Task<DataRenewSession> SignInClientAsync()
    {
        var challenge = await Client.RequestOneTimeCodeAsync(CarrierId.TMobile, Number, Ct);
        return await Client.SignInWithOneTimeCodeAsync(challenge, TMobileStub.OtpCode, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Stub.Dispose();
    }
}
