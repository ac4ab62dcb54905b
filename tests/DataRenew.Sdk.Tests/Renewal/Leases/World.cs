using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Renewal.Leases;

/// <summary>
/// One fake world (clock, carrier, gateway, journal) shared by several clients, each of which may bend the
/// carrier, the gateway or its own clock. Unlike <see cref="Harness"/>, clients here need not share the fakes' seams.
/// </summary>
internal sealed class World
{
    /// <summary>The default lease: how long a request in doubt holds the renewal.</summary>
    public static readonly TimeSpan Lease = new DataRenewOptions().LeaseDuration;

    /// <summary>The default payer deadline; also the grace period the engine keeps trying to cancel after it.</summary>
    public static readonly TimeSpan PayerDeadline = new DataRenewOptions().PayerActionTimeout;

    public FakeTimeProvider Time { get; } = new(Harness.Start);

    public FakeCarrier Carrier { get; }

    public FakePaymentGateway Payments { get; }

    public InMemoryRenewalJournal Journal { get; } = new();

    /// <param name="carrier">The fake carrier's options (for example a carrier that declares no idempotency key).</param>
    public World(FakeCarrierOptions? carrier = null)
    {
        Carrier = FakeCarrier.CreateDemo(Time, carrier);
        Payments = new FakePaymentGateway(Time);
    }

    /// <summary>How much fake time has passed since the world began.</summary>
    public TimeSpan Elapsed => Time.GetUtcNow() - Harness.Start;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public DataRenewClient Client(ICarrierProvider? carrier = null, IPaymentGateway? gateway = null, TimeProvider? clock = null, Action<DataRenewOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock ?? Time);
        services.AddDataRenew(o =>
            {
                o.PollJitter = false;
                configure?.Invoke(o);
            })
            .AddCarrier(carrier ?? Carrier)
            .UsePaymentGateway(gateway ?? Payments)
            .UseJournal(Journal);
        return services.BuildServiceProvider().GetRequiredService<DataRenewClient>();
    }

    public static Task<DataRenewSession> SignInAsync(DataRenewClient client) =>
        client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), Ct);

    public static async Task<(DataRenewSession Session, RenewalQuote Quote)> QuoteAsync(DataRenewClient client)
    {
        var session = await SignInAsync(client);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == FakeCarrierSeed.PhysicalLine, Ct);
        return (session, await client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan10Gb.Code, Ct));
    }

    /// <summary>Advances the clock a step at a time until the task ends (or gives up, leaving it running).</summary>
    public async Task<bool> AdvanceUntilAsync(Task task, TimeSpan step, int maxSteps = 10_000)
    {
        for (var i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            Time.Advance(step);
            await Harness.LetThreadPoolCatchUpAsync();
        }

        return task.IsCompleted;
    }

    /// <summary>Advances the clock by exactly <paramref name="by"/>, a second at a time, letting whatever wakes up run.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var step = TimeSpan.FromSeconds(1);
        for (var left = by; left > TimeSpan.Zero; left -= step)
        {
            Time.Advance(left < step ? left : step);
            await Harness.LetThreadPoolCatchUpAsync();
        }
    }

    /// <summary>Advances the clock until the task ends; fails the test if it does not within 10,000 steps.</summary>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan? step = null)
    {
        if (!await AdvanceUntilAsync(task, step ?? TimeSpan.FromSeconds(1)))
        {
            // Out of clock steps: what is left may only need thread-pool time on a loaded machine (see Harness.RunAsync).
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        }

        Assert.True(task.IsCompleted, "The operation did not finish.");
        return await task;
    }

    /// <summary>
    /// Awaits a call that must not wait on the clock (it leaves a held renewal alone, say). If it does wait,
    /// the clock is advanced until it ends and the test fails, rather than hanging on a clock nobody moves.
    /// </summary>
    public async Task<T> AtOnceAsync<T>(Task<T> task)
    {
        for (var i = 0; i < 10 && !task.IsCompleted; i++)
        {
            await Harness.LetThreadPoolCatchUpAsync();
        }

        var before = Time.GetUtcNow();
        var result = await RunAsync(task);
        Assert.True(Time.GetUtcNow() == before, $"The call waited {Time.GetUtcNow() - before} on the clock: it sent something.");
        return result;
    }

    public async Task<RenewalRecord[]> HistoryAsync(RenewalId id) => await Journal.GetHistoryAsync(id, Ct).ToArrayAsync(Ct);

    public int OrdersOf(RenewalId id) => Carrier.SubmittedOrders.Count(o => o.RenewalId == id);
}

/// <summary>A client's clock that is off by <paramref name="offset"/> from the world's (its monotonic clock and timers are the world's).</summary>
internal sealed class SkewedClock(FakeTimeProvider inner, TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => inner.CreateTimer(callback, state, dueTime, period);
}

// The fakes' own awaits use ConfigureAwait(false): what a timer wakes runs inside FakeTimeProvider.Advance,
// not later on the test's synchronization context, so when the clock moves is when things happen.

/// <summary>
/// A gateway whose first charge is still on the wire when the client gives up on its answer
/// (an HTTP timeout, a cancelled request, a proxy that answered 504): the client gets
/// <see cref="OutcomeUnknownException"/>, and the gateway takes the charge <paramref name="landsAfter"/> later.
/// Later charges pass straight through.
/// </summary>
internal sealed class LateLandingChargeGateway(FakePaymentGateway inner, TimeProvider time, TimeSpan landsAfter) : DelegatingPaymentGateway(inner)
{
    private int _charges;

    /// <summary>How many charges clients sent (the late one included).</summary>
    public int ChargesSent => Volatile.Read(ref _charges);

    public Task? Landing { get; private set; }

    public override Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _charges) > 1)
        {
            return base.ChargeAsync(request, cancellationToken);
        }

        Landing = LandAsync(request);
        throw new OutcomeUnknownException("The charge timed out; it may still go through.", new DataRenewErrorDetails(StatusCode: 504));
    }

    private async Task LandAsync(ChargeRequest request)
    {
        await Task.Delay(landsAfter, time, CancellationToken.None).ConfigureAwait(false);
        await Inner.ChargeAsync(request, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>The same for the carrier's first order submission.</summary>
internal sealed class LateLandingOrderCarrier(FakeCarrier inner, TimeProvider time, TimeSpan landsAfter) : DelegatingCarrier(inner)
{
    private int _submits;

    /// <summary>How many orders clients sent (the late one included).</summary>
    public int OrdersSent => Volatile.Read(ref _submits);

    public Task? Landing { get; private set; }

    public override Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _submits) > 1)
        {
            return base.SubmitAsync(session, request, cancellationToken);
        }

        Landing = LandAsync(session, request);
        throw new OutcomeUnknownException("The order timed out; it may still go through.", new DataRenewErrorDetails(StatusCode: 504));
    }

    private async Task LandAsync(CarrierSession session, CarrierOrderRequest request)
    {
        await Task.Delay(landsAfter, time, CancellationToken.None).ConfigureAwait(false);
        await base.SubmitAsync(session, request, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>A carrier whose order submission takes <paramref name="delay"/> on the wire.</summary>
internal sealed class SlowOrderCarrier(FakeCarrier inner, TimeProvider time, TimeSpan delay) : DelegatingCarrier(inner)
{
    private int _submits;

    /// <summary>How many orders clients sent (including those still on the wire).</summary>
    public int OrdersSent => Volatile.Read(ref _submits);

    public override async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _submits);
        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        return await base.SubmitAsync(session, request, cancellationToken).ConfigureAwait(false);
    }
}
