using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Carriers.Verizon;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>The SDK with the Verizon-style adapter pointed at a stub, the way an app registers it.</summary>
internal sealed class VerizonTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public VerizonTestHost(VerizonStub stub, Action<VerizonOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var builder = services.AddDataRenew(o =>
        {
            o.PollInitialDelay = TimeSpan.FromMilliseconds(1);
            o.PollMaxDelay = TimeSpan.FromMilliseconds(5);
        });
        AddStubbedVerizon(builder, stub, configure);
        _services = services.BuildServiceProvider();
        Stub = stub;
    }

    public VerizonStub Stub { get; }

    public DataRenewClient Client => _services.GetRequiredService<DataRenewClient>();

    /// <summary>The callback listener an app's endpoint would call.</summary>
    public ICarrierCallbackHandler Callbacks => _services.GetRequiredService<ICarrierCallbackHandler>();

    /// <summary>The adapter itself, for contract tests of the provider SPI.</summary>
    public ICarrierProvider Carrier => _services.GetServices<ICarrierProvider>().Single(c => c.Descriptor.Id == CarrierId.Verizon);

    public static PasswordCredentials Credentials => new(VerizonStub.Username, VerizonStub.Password);

    public static void AddStubbedVerizon(DataRenewBuilder builder, VerizonStub stub, Action<VerizonOptions>? configure = null) =>
        builder.AddVerizon(o =>
        {
            o.BaseAddress = stub.BaseAddress;
            o.AllowPlainHttpOnLoopback = true;
            o.AppKey = VerizonStub.AppKey;
            o.AppSecret = VerizonStub.AppSecret;
            o.AccountName = VerizonStub.AccountName;

            // Retries without waiting: the stub answers at once and tests never sleep.
            o.Resilience.RetryBaseDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        });

    public Task<CarrierSession> SignInAsync() => Carrier.Accounts.SignInAsync(Credentials, TestContext.Current.CancellationToken);

    public async Task<Line> LineAsync(CarrierSession session, LineId line) =>
        await Carrier.Accounts.FindLineAsync(session, line, TestContext.Current.CancellationToken) ?? throw new InvalidOperationException("No such line on the stub.");

    /// <summary>A whole renewal as an app runs it: sign in, find the line in the listing, quote, start billed to the account, wait.</summary>
    public async Task<RenewalRecord> RenewAsync(LineId line, PlanCode plan)
    {
        var ct = TestContext.Current.CancellationToken;
        var session = await Client.SignInAsync(CarrierId.Verizon, Credentials, ct);
        var listed = await Client.GetLinesAsync(session, ct).FirstAsync(l => l.Id == line, ct);
        var quote = await Client.CreateQuoteAsync(session, listed, plan, ct);
        var renewal = await Client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), ct);
        return await renewal.WaitForCompletionAsync(ct);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
