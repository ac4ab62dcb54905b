using DataRenew.Sdk.Carriers.Att;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>The SDK with the AT&amp;T-style adapter registered against a fresh stub.</summary>
internal sealed class AttWorld : IAsyncDisposable
{
    /// <param name="stub">The carrier another world already talks to (a second process); by default a fresh stub this world owns.</param>
    public AttWorld(Action<AttOptions>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null, Action<DataRenewOptions>? renewal = null, AttStub? stub = null)
    {
        _ownsStub = stub is null;
        Stub = stub ?? new AttStub();
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
        }).AddAtt(o =>
        {
            o.BaseAddress = Stub.BaseAddress;
            o.AllowPlainHttpOnLoopback = true;
            o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(o);
        }).AddHttpMessageHandler(() => new CountingHandler(this));
        Services = collection.BuildServiceProvider();
    }

    private readonly bool _ownsStub;
    private int _inFlight;

    public AttStub Stub { get; }

    /// <summary>Calls the adapter has on the wire now (counted at the client, inside the kit's timeouts).</summary>
    public int ClientInFlight => Volatile.Read(ref _inFlight);

    public ServiceProvider Services { get; }

    public DataRenewClient Client => Services.GetRequiredService<DataRenewClient>();

    public ICarrierProvider Provider => Services.GetServices<ICarrierProvider>().Single(p => p.Descriptor.Id == CarrierId.Att);

    public static PasswordCredentials Credentials => new(AttStub.Username, AttStub.ApiKey);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<CarrierSession> SignInAsync() => Provider.Accounts.SignInAsync(Credentials, Ct);

    /// <summary>Signs the adapter in and reads the 5 GB line, as most adapter tests begin.</summary>
    public async Task<(CarrierSession Session, Line Line)> SignInToLineAsync()
    {
        var session = await SignInAsync();
        return (session, (await Provider.Accounts.FindLineAsync(session, AttStub.Line5Gb, Ct))!);
    }

    public Task<DataRenewSession> ClientSignInAsync() => Client.SignInAsync(CarrierId.Att, Credentials, Ct);

    /// <summary>A whole renewal as an app runs it: sign in, find the line in the listing, quote, start billed to the account, wait.</summary>
    public async Task<RenewalRecord> RenewAsync(LineId line, PlanCode plan)
    {
        var session = await ClientSignInAsync();
        var listed = await Client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == line, Ct);
        var quote = await Client.CreateQuoteAsync(session, listed, plan, Ct);
        var renewal = await Client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct);
        return await renewal.WaitForCompletionAsync(Ct);
    }

    /// <summary>Calls the stub received after the first <paramref name="skip"/>.</summary>
    public IReadOnlyList<WireMock.IRequestMessage> Requests(int skip = 0) => Stub.Requests.Skip(skip).Select(e => e.RequestMessage!).ToArray();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_ownsStub)
        {
            await Stub.DisposeAsync();
        }
    }

    private sealed class CountingHandler(AttWorld world) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref world._inFlight);
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref world._inFlight);
            }
        }
    }
}
