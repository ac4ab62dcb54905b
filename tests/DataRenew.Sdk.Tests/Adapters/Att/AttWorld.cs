using DataRenew.Sdk.Carriers.Att;
using DataRenew.Sdk.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>The SDK with the AT&amp;T-style adapter registered against a fresh stub.</summary>
internal sealed class AttWorld : IAsyncDisposable
{
    public AttWorld(Action<AttOptions>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
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
        }).AddAtt(o =>
        {
            o.BaseAddress = Stub.BaseAddress;
            o.AllowPlainHttpOnLoopback = true;
            o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(o);
        });
        Services = collection.BuildServiceProvider();
    }

    public AttStub Stub { get; } = new();

    public ServiceProvider Services { get; }

    public DataRenewClient Client => Services.GetRequiredService<DataRenewClient>();

    public ICarrierProvider Provider => Services.GetServices<ICarrierProvider>().Single(p => p.Descriptor.Id == CarrierId.Att);

    public static PasswordCredentials Credentials => new(AttStub.Username, AttStub.ApiKey);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<CarrierSession> SignInAsync() => Provider.Accounts.SignInAsync(Credentials, Ct);

    public Task<DataRenewSession> ClientSignInAsync() => Client.SignInAsync(CarrierId.Att, Credentials, Ct);

    /// <summary>Calls the stub received after the first <paramref name="skip"/>.</summary>
    public IReadOnlyList<WireMock.IRequestMessage> Requests(int skip = 0) => Stub.Requests.Skip(skip).Select(e => e.RequestMessage!).ToArray();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Stub.DisposeAsync();
    }
}
