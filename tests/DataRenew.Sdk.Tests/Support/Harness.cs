using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Support;

/// <summary>
/// One fake world (carrier, payment gateway, journal, clock) and clients on it. A second client from
/// <see cref="NewClient"/> shares the world but nothing in memory: it is a new process resuming.
/// </summary>
internal sealed class Harness
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The digits of <see cref="Visa"/>: they must never appear in a journal record, a message or a summary.</summary>
    public const string VisaNumber = "4242424242424242";

    public Harness(Action<DataRenewOptions>? configure = null, FakeCarrierOptions? carrierOptions = null, Func<FakeCarrier, ICarrierProvider>? wrapCarrier = null)
    {
        Configure = configure;
        Carrier = FakeCarrier.CreateDemo(Time, carrierOptions);
        _wrapCarrier = wrapCarrier;
        Clock = new RecordingClock(Time);
        _observedJournal = new ObservedJournal(Journal, this);
        Client = NewClient();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>What every client of this harness logged.</summary>
    public FakeLogCollector Logs { get; } = new();

    /// <summary>The clients' clock: <see cref="Time"/>, recording every wait the engine asks for.</summary>
    public RecordingClock Clock { get; }

    public FakeCarrier Carrier { get; }

    public FakePaymentGateway Payments => _payments ??= new FakePaymentGateway(Time);

    public InMemoryRenewalJournal Journal { get; } = new();

    /// <summary>Every journal write the clients made, with what the fakes had done at that moment.</summary>
    public IReadOnlyList<JournalAppend> Appends => _observedJournal.Appends;

    public DataRenewClient Client { get; }

    private readonly ObservedJournal _observedJournal;

    private Action<DataRenewOptions>? Configure { get; }

    private FakePaymentGateway? _payments;

    private readonly Func<FakeCarrier, ICarrierProvider>? _wrapCarrier;

    /// <summary>What the clients talk to: the fake carrier, or a wrapper bending some of its answers.</summary>
    public ICarrierProvider Provider => _provider ??= _wrapCarrier?.Invoke(Carrier) ?? Carrier;

    private ICarrierProvider? _provider;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static CardPaymentMethod Visa => PaymentMethod.CreditCard("4242 4242 4242 4242", 12, 2030, "123");

    public DataRenewClient NewClient()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(Logs)));
        services.AddDataRenew(o =>
            {
                o.PollJitter = false;
                Configure?.Invoke(o);
            })
            .AddCarrier(Provider)
            .UsePaymentGateway(Payments)
            .UseJournal(_observedJournal);
        return services.BuildServiceProvider().GetRequiredService<DataRenewClient>();
    }

    public Task<DataRenewSession> SignInAsync(DataRenewClient? client = null) =>
        (client ?? Client).SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), Ct);

    /// <summary>Signs in to the eSIM's number with the code the fake carrier "sent by SMS".</summary>
    public async Task<DataRenewSession> SignInWithCodeAsync(DataRenewClient? client = null)
    {
        client ??= Client;
        var challenge = await client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, Ct);
        var code = Carrier.LastOneTimeCode(FakeCarrierSeed.ESimNumber) ?? throw new InvalidOperationException("The fake carrier sent no code.");
        return await client.SignInWithOneTimeCodeAsync(challenge, code, Ct);
    }

    public async Task<Line> PhysicalLineAsync(DataRenewSession session) =>
        await Client.GetLinesAsync(session, TestContext.Current.CancellationToken).FirstAsync(l => l.Id == FakeCarrierSeed.PhysicalLine, TestContext.Current.CancellationToken);

    /// <summary>Signs in with the password and quotes a plan (10 GB by default: $30 after the 25 % promotion) for the physical line.</summary>
    public async Task<(DataRenewSession Session, RenewalQuote Quote)> QuoteAsync(PlanCode? plan = null, DataRenewClient? client = null)
    {
        client ??= Client;
        var session = await SignInAsync(client);
        var line = await PhysicalLineAsync(session);
        var quote = await client.CreateQuoteAsync(session, line, plan ?? FakeCarrierSeed.Plan10Gb.Code, Ct);
        return (session, quote);
    }

    /// <summary>Quotes the 10 GB plan on the physical line and starts paying it.</summary>
    public async Task<RenewalOperation> StartAsync(PaymentMethod? method = null)
    {
        var (session, quote) = await QuoteAsync();
        return await Client.StartRenewalAsync(session, new RenewalRequest(quote, method ?? Visa), Ct);
    }

    /// <summary>The id of the one renewal the journal holds unfinished (for renewals whose start threw).</summary>
    public async Task<RenewalId> SingleUnfinishedAsync()
    {
        var unfinished = await Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct);
        return Assert.Single(unfinished).Id;
    }

    /// <summary>
    /// What a client does after a crash elsewhere: look at the renewal (the dead client's lease holds it, and a
    /// lease is timed from first sight on the reader's own clock), then wait the lease out.
    /// </summary>
    public async Task OutwaitLeaseAsync(DataRenewClient client, DataRenewSession session, RenewalId id)
    {
        var looked = await client.ResumeRenewalAsync(session, id, Ct);
        Assert.False(looked.HasCompleted);
        Time.Advance(TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// The next read of <paramref name="id"/> answers as if it ran just before the renewal was recorded (it does not
    /// exist yet): a read racing the first write of a start that is still in flight.
    /// </summary>
    public void ReadNextBeforeItIsRecorded(RenewalId id)
    {
        lock (_earlyReads)
        {
            _earlyReads.Add(id);
        }
    }

    private readonly HashSet<RenewalId> _earlyReads = [];

    private bool TakeEarlyRead(RenewalId id)
    {
        lock (_earlyReads)
        {
            return _earlyReads.Remove(id);
        }
    }

    public async Task<RenewalRecord[]> HistoryAsync(RenewalId id) => await Journal.GetHistoryAsync(id, Ct).ToArrayAsync(Ct);

    /// <summary>Charges of one renewal at the external gateway.</summary>
    public IReadOnlyList<FakeCharge> ChargesOf(RenewalId id) =>
        Payments.Charges.Where(c => c.IdempotencyKey.StartsWith(id.Value, StringComparison.Ordinal)).ToArray();

    public int GatewayCalls(FakePaymentOperation operation) => Payments.CallCount(operation);

    /// <summary>
    /// What must hold for every renewal's history: versions 1, 2, 3… without gaps, one renewal, time never
    /// going back, attempts never going down, only the last version final, and no card number anywhere.
    /// </summary>
    public async Task<RenewalRecord[]> AssertJournalIsSoundAsync(RenewalId id, string cardNumber = VisaNumber)
    {
        var history = await HistoryAsync(id);
        Assert.NotEmpty(history);
        for (var i = 0; i < history.Length; i++)
        {
            var record = history[i];
            Assert.Equal(i + 1, record.Version);
            Assert.Equal(id, record.Id);
            Assert.Equal(history[0].CreatedAt, record.CreatedAt);
            Assert.DoesNotContain(cardNumber, record.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(cardNumber, record.Payment.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(cardNumber, record.Receipt?.ToString() ?? string.Empty, StringComparison.Ordinal);
            Assert.Equal(i == history.Length - 1 && record.IsFinal, record.IsFinal);
            if (i > 0)
            {
                var before = history[i - 1];
                Assert.True(record.UpdatedAt >= before.UpdatedAt, $"Version {record.Version} was written before version {before.Version}.");
                Assert.True(record.ChargeAttempts >= before.ChargeAttempts, "ChargeAttempts went down.");
                Assert.True(record.OrderAttempts >= before.OrderAttempts, "OrderAttempts went down.");
                Assert.True(record.RefundAttempts >= before.RefundAttempts, "RefundAttempts went down.");
            }
        }

        Assert.Equal(RenewalState.Started, history[0].State);
        Assert.Equal(0, history[0].ChargeAttempts);
        return history;
    }

    /// <summary>Advances the fake clock until the task ends; the engine's waits are the only thing that needs time.</summary>
    /// <summary>
    /// Lets work already queued on the thread pool (a continuation handed a semaphore, say) run before the clock
    /// moves again: a queued no-op completes after what was queued before it. Not a sleep: no time passes.
    /// </summary>
    public static Task LetThreadPoolCatchUpAsync() => Task.Run(static () => { }, TestContext.Current.CancellationToken);

    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan? step = null)
    {
        for (var i = 0; i < 10_000 && !task.IsCompleted; i++)
        {
            Time.Advance(step ?? TimeSpan.FromSeconds(1));
            await LetThreadPoolCatchUpAsync();
        }

        if (!task.IsCompleted)
        {
            // Out of clock steps: on a loaded machine the rest may only need thread-pool time (a continuation
            // handed a semaphore). Give it that, without moving the clock; a task that needs the clock still fails.
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        }

        Assert.True(task.IsCompleted, "The operation did not finish within 10,000 clock steps.");
        return await task;
    }

    /// <summary>What the fakes had done when the journal was written.</summary>
    internal sealed record JournalAppend(RenewalRecord Record, IReadOnlyList<FakeCharge> Charges, IReadOnlyList<FakeCharge> BillCharges, IReadOnlyList<FakeOrder> Orders, IReadOnlyList<RefundResult> Refunds);

    /// <summary>The journal the clients use: <see cref="Journal"/>, noting the fakes' state at every write.</summary>
    private sealed class ObservedJournal(InMemoryRenewalJournal inner, Harness harness) : IRenewalJournal
    {
        private readonly List<JournalAppend> _appends = [];
        private readonly Lock _gate = new();

        public IReadOnlyList<JournalAppend> Appends
        {
            get
            {
                lock (_gate)
                {
                    return _appends.ToArray();
                }
            }
        }

        public async Task AppendAsync(RenewalRecord record, CancellationToken cancellationToken = default)
        {
            await inner.AppendAsync(record, cancellationToken);
            var append = new JournalAppend(record, harness.Payments.Charges, harness.Carrier.BillingGateway.Charges, harness.Carrier.SubmittedOrders, harness.Payments.Refunds);
            lock (_gate)
            {
                _appends.Add(append);
            }
        }

        public Task<RenewalRecord?> GetAsync(RenewalId id, CancellationToken cancellationToken = default) =>
            harness.TakeEarlyRead(id) ? Task.FromResult<RenewalRecord?>(null) : inner.GetAsync(id, cancellationToken);

        public IAsyncEnumerable<RenewalRecord> GetHistoryAsync(RenewalId id, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(id, cancellationToken);

        public IAsyncEnumerable<RenewalRecord> ListUnfinishedAsync(CancellationToken cancellationToken = default) => inner.ListUnfinishedAsync(cancellationToken);
    }
}

/// <summary>A clock that is a <see cref="FakeTimeProvider"/> and records every timer (every wait) asked of it.</summary>
internal sealed class RecordingClock(FakeTimeProvider inner) : TimeProvider
{
    private readonly List<TimeSpan> _waits = [];
    private readonly Lock _gate = new();

    /// <summary>The due times of the timers that fired, in order.</summary>
    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_gate)
            {
                return _waits.ToArray();
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    // A wait is what ran its course: a timeout disposed before it fired (a bounded call that answered) was no wait.
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var recorded = 0;
        return inner.CreateTimer(
            s =>
            {
                if (Interlocked.Exchange(ref recorded, 1) == 0)
                {
                    lock (_gate)
                    {
                        _waits.Add(dueTime);
                    }
                }

                callback(s);
            },
            state,
            dueTime,
            period);
    }
}

/// <summary>Collects every record a renewal reports, synchronously (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class RecordLog : IProgress<RenewalRecord>
{
    private readonly List<RenewalRecord> _records = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<RenewalRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return _records.ToArray();
            }
        }
    }

    public IReadOnlyList<RenewalState> States => Records.Select(r => r.State).ToArray();

    public void Report(RenewalRecord value)
    {
        lock (_gate)
        {
            _records.Add(value);
        }
    }
}
