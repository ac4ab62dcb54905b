using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Support;

/// <summary>
/// One fake world (carrier, payment gateway, journal, clock) and clients on it. A second client from
/// <see cref="NewClient"/> shares the world but nothing in memory: it is a new process resuming.
/// </summary>
internal sealed class Harness
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public Harness(Action<DataRenewOptions>? configure = null)
    {
        Configure = configure;
        Carrier = FakeCarrier.CreateDemo(Time);
        Client = NewClient();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public FakeCarrier Carrier { get; }

    public FakePaymentGateway Payments => _payments ??= new FakePaymentGateway(Time);

    public InMemoryRenewalJournal Journal { get; } = new();

    public DataRenewClient Client { get; }

    private Action<DataRenewOptions>? Configure { get; }

    private FakePaymentGateway? _payments;

    public static CardPaymentMethod Visa => PaymentMethod.CreditCard("4242 4242 4242 4242", 12, 2030, "123");

    public DataRenewClient NewClient()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddDataRenew(o =>
            {
                o.PollJitter = false;
                Configure?.Invoke(o);
            })
            .AddCarrier(Carrier)
            .UsePaymentGateway(Payments)
            .UseJournal(Journal);
        return services.BuildServiceProvider().GetRequiredService<DataRenewClient>();
    }

    public Task<DataRenewSession> SignInAsync(DataRenewClient? client = null) =>
        (client ?? Client).SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), TestContext.Current.CancellationToken);

    public async Task<Line> PhysicalLineAsync(DataRenewSession session) =>
        await Client.GetLinesAsync(session, TestContext.Current.CancellationToken).FirstAsync(l => l.Iccid == FakeCarrierSeed.PhysicalIccid, TestContext.Current.CancellationToken);

    /// <summary>Advances the fake clock until the task ends; the engine's waits are the only thing that needs time.</summary>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan? step = null)
    {
        for (var i = 0; i < 10_000 && !task.IsCompleted; i++)
        {
            Time.Advance(step ?? TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        Assert.True(task.IsCompleted, "The operation did not finish within 10,000 clock steps.");
        return await task;
    }
}
