using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Callbacks;
using DataRenew.Sdk.Tests.Adapters.Att;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using DataRenew.Sdk.Tests.Adapters.Verizon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Reliability;

/// <summary>What the carrier and the money side recorded for one renewal, from their own logs.</summary>
internal sealed record ExternalRecords(int SucceededCharges, int Orders, bool PlanApplied, int Refunds, decimal Charged, decimal Refunded, bool MoneyVisibleToGateway);

/// <summary>
/// One renewal's world: a carrier (the fake, or a stub behind an adapter), the money side, and the journal that every
/// "process" of this renewal shares: the durable file journal, in a directory of its own. Each process opens its own
/// <see cref="FileRenewalJournal"/> on it, as a restarted process would; <see cref="Journal"/> is the checker's view.
/// </summary>
internal abstract class CampaignWorld(string provider, CampaignFigures figures) : IAsyncDisposable
{
    private readonly string _journalDirectory = Directory.CreateTempSubdirectory("datarenew-campaign-").FullName;

    private readonly List<FileRenewalJournal> _opened = [];

    /// <summary>A journal instance on this renewal's directory, as a new process opens it.</summary>
    public IRenewalJournal NewJournal()
    {
        var journal = new FileRenewalJournal(_journalDirectory);
        lock (_opened)
        {
            _opened.Add(journal);
        }

        return journal;
    }

    public string Provider { get; } = provider;

    public CampaignFigures Figures { get; } = figures;

    public RenewalId Id { get; } = RenewalId.New();

    public IRenewalJournal Journal => _checker ??= NewJournal();

    private IRenewalJournal? _checker;

    /// <summary>The fake clock the world runs on, or null for real time (the adapters on their stubs).</summary>
    public virtual FakeTimeProvider? Time => null;

    public CampaignProcess Current { get; private set; } = null!;

    public abstract LineId Line { get; }

    public abstract PlanCode Plan { get; }

    public abstract PaymentMethod Payment { get; }

    /// <summary>A new process (client) on the shared journal.</summary>
    public CampaignProcess StartProcess(CancellationToken test)
    {
        var process = new CampaignProcess(NewJournal(), test);
        var services = new ServiceCollection();
        if (Time is { } time)
        {
            services.AddSingleton<TimeProvider>(time);
        }

        var builder = services.AddDataRenew(o =>
        {
            o.PollJitter = false;
            Configure(o);
        }).UseJournal(process.Journal);
        Register(builder);
        var provider = services.BuildServiceProvider();
        process.Services = provider;
        process.Client = provider.GetRequiredService<DataRenewClient>();
        process.Callbacks = provider.GetRequiredService<ICarrierCallbackHandler>();
        Current = process;
        return process;
    }

    protected abstract void Configure(DataRenewOptions options);

    protected abstract void Register(DataRenewBuilder builder);

    public abstract Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken);

    public abstract ExternalRecords Records();

    /// <summary>Waits for the carrier's callbacks still on their way (none where the carrier sends none).</summary>
    public virtual Task DrainCallbacksAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await StopStubAsync();
        lock (_opened)
        {
            _opened.ForEach(j => j.Dispose());
        }

        Directory.Delete(_journalDirectory, recursive: true);
    }

    protected virtual ValueTask StopStubAsync() => ValueTask.CompletedTask;

    protected static void FastHttp(global::DataRenew.Sdk.AdapterKit.CarrierResilienceOptions resilience)
    {
        resilience.AttemptTimeout = TimeSpan.FromMilliseconds(250);
        resilience.TotalTimeout = TimeSpan.FromMilliseconds(600);
        resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
        resilience.CircuitBreaker = false;
    }

    /// <summary>Real time with millisecond polls; a lease (twice the kit's total timeout) is what a new process waits out.</summary>
    protected static void RealTime(DataRenewOptions o)
    {
        o.PollInitialDelay = TimeSpan.FromMilliseconds(1);
        o.PollMaxDelay = TimeSpan.FromMilliseconds(5);
        o.LeaseDuration = TimeSpan.FromMilliseconds(1200);
        o.ConfirmationTimeout = TimeSpan.FromMilliseconds(1500);
    }
}

/// <summary>The in-memory fake carrier and gateway on a fake clock; faults through FailNext and the order/payment seams.</summary>
internal sealed class FakeCampaignWorld : CampaignWorld
{
    private static readonly FakeCarrierOperation[] CarrierOperations =
        [FakeCarrierOperation.SignIn, FakeCarrierOperation.GetLines, FakeCarrierOperation.FindLine, FakeCarrierOperation.GetPlans, FakeCarrierOperation.GetPromotions,
         FakeCarrierOperation.SubmitOrder, FakeCarrierOperation.SubmitOrder, FakeCarrierOperation.FindOrder, FakeCarrierOperation.GetOrder, FakeCarrierOperation.GetOrder];

    private static readonly FakePaymentOperation[] PaymentOperations =
        [FakePaymentOperation.Charge, FakePaymentOperation.Charge, FakePaymentOperation.FindByIdempotencyKey, FakePaymentOperation.GetPayment, FakePaymentOperation.Refund, FakePaymentOperation.Refund];

    private readonly FakeTimeProvider _time = new(Support.Harness.Start);
    private readonly FakeCarrier _carrier;
    private readonly FakePaymentGateway _payments;
    private readonly CampaignCarrier _seamCarrier;
    private readonly CampaignGateway _seamGateway;

    public FakeCampaignWorld(Random random, CampaignFigures figures, bool faults = true) : base("fake", figures)
    {
        _carrier = FakeCarrier.CreateDemo(_time);
        _payments = new FakePaymentGateway(_time);
        var seams = FaultPlan.Draw(random, 8);
        FaultKind? Seam()
        {
            var kind = seams.Next();
            return kind is FaultKind.ProcessDeath or FaultKind.DuplicateDelivery ? kind : null;
        }

        _seamCarrier = new CampaignCarrier(_carrier, Seam, figures, () => Current);
        _seamGateway = new CampaignGateway(_payments, Seam, figures, () => Current);

        if (!faults)
        {
            return;
        }

        // Outcomes a renewal meets without faults: the carrier fails or refuses the order after payment, the card is declined, the payment is slow.
        var outcome = random.Next(100);
        if (outcome < 12)
        {
            _carrier.EnqueueOrder(FakeOrderScript.FailAfter(1));
        }
        else if (outcome < 17)
        {
            _carrier.EnqueueOrder(FakeOrderScript.Refuse());
        }
        else if (outcome < 22)
        {
            _payments.EnqueueCharge(FakeChargeScript.Declined());
        }
        else if (outcome < 27)
        {
            _payments.EnqueueCharge(FakeChargeScript.Processing(2));
        }

        // Faults on the calls themselves, before or after their effect.
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var kind = (FaultKind)random.Next((int)FaultKind.DuplicateDelivery);
            var (timing, fault) = Fault(kind);
            if (random.Next(3) == 0)
            {
                _payments.FailNext(PaymentOperations[random.Next(PaymentOperations.Length)], timing, Counted(kind, fault));
            }
            else
            {
                _carrier.FailNext(CarrierOperations[random.Next(CarrierOperations.Length)], timing, Counted(kind, fault));
            }
        }
    }

    public override FakeTimeProvider Time => _time;

    public override LineId Line => FakeCarrierSeed.PhysicalLine;

    public override PlanCode Plan => FakeCarrierSeed.Plan10Gb.Code;

    public override PaymentMethod Payment => PaymentMethod.CreditCard("4242 4242 4242 4242", 12, 2030, "123");

    protected override void Configure(DataRenewOptions options)
    {
        options.LeaseDuration = TimeSpan.FromMinutes(1);
        options.ConfirmationTimeout = TimeSpan.FromMinutes(10);
    }

    protected override void Register(DataRenewBuilder builder) => builder.AddCarrier(_seamCarrier).UsePaymentGateway(_seamGateway);

    public override Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken) =>
        client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), cancellationToken);

    /// <summary>The fake gateway itself (for the test that shows the checks catch a second charge).</summary>
    public FakePaymentGateway Payments => _payments;

    public override ExternalRecords Records()
    {
        var charges = _payments.Charges.Where(c => c.Status == PaymentStatus.Succeeded && c.IdempotencyKey.StartsWith(Id.Value, StringComparison.Ordinal)).ToArray();
        var orders = _carrier.SubmittedOrders.Where(o => o.RenewalId == Id).ToArray();
        var refunds = _payments.Refunds;
        return new ExternalRecords(charges.Length, orders.Length, orders.Any(o => o.Status == CarrierOrderStatus.Completed), refunds.Count,
            charges.Sum(c => c.Amount.Amount), refunds.Sum(r => r.Amount.Amount), MoneyVisibleToGateway: true);
    }

    private Func<Exception> Counted(FaultKind kind, Func<Exception> fault) => () =>
    {
        Figures.Injected(kind);
        return fault();
    };

    private static (FaultTiming, Func<Exception>) Fault(FaultKind kind)
    {
        static DataRenewErrorDetails Details(int? status, TimeSpan? retryAfter = null) => new(CarrierId.Fake, status, "INJECTED", "req-injected", IsTransient: true, RetryAfter: retryAfter);
        return kind switch
        {
            FaultKind.ConnectionResetBeforeSend => (FaultTiming.BeforeEffect, () => new FakeConnectionLostException("a call")),
            FaultKind.ConnectionResetAfterSend => (FaultTiming.AfterEffect, () => new FakeConnectionLostException("a call")),
            FaultKind.TimeoutBeforeSend => (FaultTiming.BeforeEffect, () => new CarrierUnavailableException("The call timed out (injected).", Details(null), innerException: new TimeoutException())),
            FaultKind.TimeoutAfterSend => (FaultTiming.AfterEffect, () => new CarrierUnavailableException("The call timed out (injected).", Details(null), innerException: new TimeoutException())),
            FaultKind.Status500 => (FaultTiming.BeforeEffect, () => new CarrierUnavailableException("500 (injected).", Details(500))),
            FaultKind.Status502 => (FaultTiming.BeforeEffect, () => new CarrierUnavailableException("502 (injected).", Details(502))),
            FaultKind.Status503 => (FaultTiming.BeforeEffect, () => new CarrierUnavailableException("503 (injected).", Details(503))),
            FaultKind.Status502AfterEffect => (FaultTiming.AfterEffect, () => new CarrierUnavailableException("502 (injected).", Details(502))),
            FaultKind.Status429 => (FaultTiming.BeforeEffect, () => new RateLimitedException("429 (injected).", Details(429, TimeSpan.FromSeconds(1)))),
            _ => (FaultTiming.AfterEffect, () => new InvalidCarrierResponseException("The answer was malformed (injected).", Details(200) with { IsTransient = false })),
        };
    }
}

/// <summary>An adapter on a fresh WireMock.Net stub, faults injected by a handler inside the kit's pipeline.</summary>
internal abstract class StubCampaignWorld(string provider, Random random, CampaignFigures figures) : CampaignWorld(provider, figures)
{
    protected HttpFaultHandler NewHandler() => new(Plan_, Figures, () => Current);

    private FaultPlan Plan_ { get; } = FaultPlan.Draw(random, 14).WithWriteFault(random);

    /// <summary>Whether the carrier fails this renewal's order (after accepting it).</summary>
    protected bool FailOrder { get; } = random.Next(100) < 15;

    /// <summary>The carrier's callbacks, in the worlds where it sends them (see <see cref="SendsCallbacks"/>).</summary>
    protected CampaignCallbacks? Callbacks { get; private set; }

    /// <summary>In 60 % of worlds the carrier finishes each order at once and sends callbacks (half of them also a stale one).</summary>
    protected bool SendsCallbacks(CarrierId carrier)
    {
        if (random.Next(100) >= 60)
        {
            return false;
        }

        Callbacks = new CampaignCallbacks(carrier, Figures, () => Current, stale: random.Next(2) == 0);
        return true;
    }

    public override Task DrainCallbacksAsync() => Callbacks?.DrainAsync() ?? Task.CompletedTask;

    protected static readonly IReadOnlyDictionary<string, string> JsonHeaders = new Dictionary<string, string> { ["Content-Type"] = "application/json" };

    protected override void Configure(DataRenewOptions options) => RealTime(options);
}

internal sealed class VerizonCampaignWorld : StubCampaignWorld
{
    private readonly VerizonStub _stub = new();

    public VerizonCampaignWorld(Random random, CampaignFigures figures) : base("verizon", random, figures)
    {
        if (FailOrder)
        {
            _stub.FailNextOrder();
        }

        if (SendsCallbacks(CarrierId.Verizon))
        {
            _stub.PendingPolls = int.MaxValue;
            _stub.OrderAccepted = id => Callbacks!.Send(
                () =>
                {
                    var (status, cause) = _stub.FinishRequest(id);
                    return new CallbackDelivery(VerizonCallbackTests.Body(id, status, cause: cause), JsonHeaders);
                },
                () => new CallbackDelivery(VerizonCallbackTests.Body(id, "Pending"), JsonHeaders));
        }
    }

    public override LineId Line => VerizonStub.ActiveLine;

    public override PlanCode Plan => new("M2M10GB");

    public override PaymentMethod Payment => PaymentMethod.CarrierBilling();

    protected override void Register(DataRenewBuilder builder) => builder.AddVerizon(o =>
    {
        o.BaseAddress = _stub.BaseAddress;
        o.AllowPlainHttpOnLoopback = true;
        o.AppKey = VerizonStub.AppKey;
        o.AppSecret = VerizonStub.AppSecret;
        o.AccountName = VerizonStub.AccountName;
        o.CallbackUsername = VerizonCallbackTests.User;
        o.CallbackPassword = VerizonCallbackTests.Pass;
        FastHttp(o.Resilience);
    }).AddHttpMessageHandler(NewHandler);

    public override Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken) =>
        client.SignInAsync(CarrierId.Verizon, new PasswordCredentials(VerizonStub.Username, VerizonStub.Password), cancellationToken);

    public override ExternalRecords Records()
    {
        var applied = _stub.PlanOf(VerizonStub.ActiveLine) == "M2M10GB";
        var orders = _stub.OrdersReceived;

        // Billed to the account: the carrier charges when it applies the plan.
        return new ExternalRecords(applied ? 1 : 0, orders, applied, 0, 0, 0, MoneyVisibleToGateway: false);
    }

    protected override ValueTask StopStubAsync()
    {
        _stub.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal sealed class AttCampaignWorld : StubCampaignWorld
{
    private readonly AttStub _stub = new();

    public AttCampaignWorld(Random random, CampaignFigures figures) : base("att", random, figures)
    {
        if (FailOrder)
        {
            _stub.FailNextOrder();
        }
    }

    public override LineId Line => AttStub.Line5Gb;

    public override PlanCode Plan => new("ATT 10GB");

    public override PaymentMethod Payment => PaymentMethod.CarrierBilling();

    protected override void Register(DataRenewBuilder builder) => builder.AddAtt(o =>
    {
        o.BaseAddress = _stub.BaseAddress;
        o.AllowPlainHttpOnLoopback = true;
        FastHttp(o.Resilience);
    }).AddHttpMessageHandler(NewHandler);

    public override Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken) =>
        client.SignInAsync(CarrierId.Att, new PasswordCredentials(AttStub.Username, AttStub.ApiKey), cancellationToken);

    public override ExternalRecords Records()
    {
        var applied = _stub.PlanOf(AttStub.Line5Gb) == "ATT 10GB";
        return new ExternalRecords(applied ? 1 : 0, _stub.OrdersReceived, applied, 0, 0, 0, MoneyVisibleToGateway: false);
    }

    protected override ValueTask StopStubAsync() => _stub.DisposeAsync();
}

internal sealed class TMobileCampaignWorld : StubCampaignWorld
{
    private readonly TMobileStub _stub = new();
    private readonly FakePaymentGateway _gateway = new();

    public TMobileCampaignWorld(Random random, CampaignFigures figures) : base("tmobile", random, figures)
    {
        if (FailOrder)
        {
            _stub.EnqueueTopup(TopupScript.Fail());
        }

        if (SendsCallbacks(CarrierId.TMobile))
        {
            _stub.HoldStatus = true;
            _stub.TopupCreated = id => Callbacks!.Send(
                () =>
                {
                    var (status, reason) = _stub.FinishTopup(id);
                    return Signed(TMobileHubEventTests.Event(id, status, reason: reason));
                },
                () => Signed(TMobileHubEventTests.Event(id, "created")));
        }
    }

    private static CallbackDelivery Signed(byte[] body) => new(body, TMobileHubEventTests.Signed(body));

    public override LineId Line => TMobileWorld.Line;

    public override PlanCode Plan => new("tm-10gb-30d");

    public override PaymentMethod Payment => PaymentMethod.CardToken("tok_visa_4242", CardBrand.Visa, "4242");

    protected override void Register(DataRenewBuilder builder)
    {
        builder.UsePaymentGateway(_gateway);
        builder.AddTMobile(o =>
        {
            TMobileWorld.Configure(o, _stub);
            o.HubSecret = TMobileHubEventTests.Secret;
            FastHttp(o.Resilience);
        }).AddHttpMessageHandler(NewHandler);
    }

    public override async Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken)
    {
        var challenge = await client.RequestOneTimeCodeAsync(CarrierId.TMobile, PhoneNumber.Parse(TMobileStub.Msisdn), cancellationToken);
        return await client.SignInWithOneTimeCodeAsync(challenge, TMobileStub.OtpCode, cancellationToken);
    }

    public override ExternalRecords Records()
    {
        // The carrier charges inside the top-up: one top-up per Idempotency-Key; a failed one keeps no money. The gateway is never used.
        var applied = _stub.CurrentPlan == "tm-10gb-30d";
        return new ExternalRecords((applied ? 1 : 0) + _gateway.Charges.Count, _stub.OrdersReceived, applied, _gateway.Refunds.Count, 0, 0, MoneyVisibleToGateway: false);
    }

    protected override ValueTask StopStubAsync()
    {
        _stub.Dispose();
        return ValueTask.CompletedTask;
    }
}
