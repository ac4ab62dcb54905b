using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Testing;

/// <summary>The calls of <see cref="FakeCarrier"/>, for scripting faults and reading what was called.</summary>
public enum FakeCarrierOperation
{
    /// <summary>Password sign-in.</summary>
    SignIn,

    /// <summary>Sending a one-time code.</summary>
    RequestOneTimeCode,

    /// <summary>Verifying a one-time code.</summary>
    VerifyOneTimeCode,

    /// <summary>Reading the account.</summary>
    GetAccount,

    /// <summary>Listing lines.</summary>
    GetLines,

    /// <summary>Reading one line.</summary>
    FindLine,

    /// <summary>Reading usage.</summary>
    GetUsage,

    /// <summary>Reading plans.</summary>
    GetPlans,

    /// <summary>Reading promotions.</summary>
    GetPromotions,

    /// <summary>Submitting an order.</summary>
    SubmitOrder,

    /// <summary>Looking an order up by renewal.</summary>
    FindOrder,

    /// <summary>Reading an order's status.</summary>
    GetOrder,
}

/// <summary>What the fake carrier does with the next order.</summary>
public sealed record FakeOrderScript
{
    private FakeOrderScript() { }

    /// <summary>How many status reads answer Pending before the order ends.</summary>
    public int PendingPolls { get; private init; }

    /// <summary>Whether the order ends completed (else failed).</summary>
    public bool Completes { get; private init; } = true;

    /// <summary>For refusals: the carrier's code; the submission itself is refused.</summary>
    public string? RefusalCode { get; private init; }

    /// <summary>The reason a failed or refused order gives.</summary>
    public string? Reason { get; private init; }

    /// <summary>Pending for some polls, then completed.</summary>
    public static FakeOrderScript CompleteAfter(int pendingPolls = 0) => new() { PendingPolls = pendingPolls };

    /// <summary>Accepted, pending for some polls, then failed.</summary>
    public static FakeOrderScript FailAfter(int pendingPolls, string reason = "The device is suspended.", string code = "DeviceSuspended") =>
        new() { PendingPolls = pendingPolls, Completes = false, Reason = reason, FailureCode = code };

    /// <summary>Refused at submission, as a carrier answering 400 with a business rule.</summary>
    public static FakeOrderScript Refuse(string code = "PlanChangeLimitExceeded", string reason = "The line reached its limit of plan changes this month.") =>
        new() { Completes = false, RefusalCode = code, Reason = reason };

    /// <summary>For failures after acceptance: the carrier's code.</summary>
    public string? FailureCode { get; private init; }
}

/// <summary>An order as the fake carrier recorded it.</summary>
/// <param name="OrderId">The carrier's id.</param>
/// <param name="RenewalId">The renewal it was made for.</param>
/// <param name="Line">The line.</param>
/// <param name="Plan">The plan ordered.</param>
/// <param name="Amount">The amount paid.</param>
/// <param name="Status">The order's status.</param>
public sealed record FakeOrder(string OrderId, RenewalId RenewalId, LineId Line, PlanCode Plan, Money Amount, CarrierOrderStatus Status);

/// <summary>Options of a <see cref="FakeCarrier"/>.</summary>
public sealed class FakeCarrierOptions
{
    /// <summary>The carrier id. Default <see cref="CarrierId.Fake"/>.</summary>
    public CarrierId Id { get; set; } = CarrierId.Fake;

    /// <summary>The display name. Default "Fake Mobile".</summary>
    public string DisplayName { get; set; } = "Fake Mobile";

    /// <summary>The support contact on receipts.</summary>
    public string SupportContact { get; set; } = "support@fake-mobile.example, 1-800-555-0199";

    /// <summary>How many status reads an order stays Pending when no script says otherwise. Default 1.</summary>
    public int DefaultPendingPolls { get; set; } = 1;

    /// <summary>Wrong passwords or codes before the account or number is locked. Default 5.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>
    /// What the descriptor says about de-duplicating orders by renewal id (default <see langword="true"/>).
    /// Set <see langword="false"/> to drive the engine as it drives a carrier with no idempotency key.
    /// </summary>
    public bool DeduplicatesOrders { get; set; } = true;
}

/// <summary>
/// An in-memory carrier that tests and demos use as if it were real: seeded accounts, lines (physical
/// and eSIM), plans and promotions; password and one-time-code sign-in (the code is observable through
/// <see cref="LastOneTimeCode"/>); usage that can be advanced; scripted outcomes, faults and latency;
/// a record of every call. It honours the renewal id as an idempotency key unless
/// <see cref="HonourIdempotencyKeys"/> is turned off. Thread-safe.
/// </summary>
public sealed class FakeCarrier : ICarrierProvider, ICarrierAccounts, ICarrierUsage, ICarrierPlanCatalog, ICarrierOrders
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly FakeCarrierOptions _options;
    private readonly Dictionary<string, FakeAccount> _accountsByUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (FakeAccount Account, PhoneNumber? Subscriber)> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<PhoneNumber, OtpState> _otp = [];
    private readonly List<Plan> _plans = [];
    private readonly List<Promotion> _promotions = [];
    private readonly Queue<FakeOrderScript> _orderScripts = new();
    private readonly List<OrderState> _orders = [];

    // By idempotency key (one renewal's, forever) and by order id: a long test run looks orders up in constant time.
    private readonly Dictionary<string, OrderState> _ordersByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OrderState> _ordersById = new(StringComparer.Ordinal);
    private readonly FakeCallLog<FakeCarrierOperation> _log;
    private int _sequence;

    /// <summary>Creates an empty carrier; seed it with <see cref="AddPlan"/>, <see cref="AddAccount"/> and <see cref="AddPromotion"/>.</summary>
    public FakeCarrier(FakeCarrierOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new FakeCarrierOptions();
        _time = timeProvider ?? TimeProvider.System;
        _log = new FakeCallLog<FakeCarrierOperation>(_time);
        BillingGateway = new FakePaymentGateway(_time, "bill");
        Descriptor = new CarrierDescriptor(
            _options.Id,
            _options.DisplayName,
            SignInMethods.Password | SignInMethods.OneTimeCode,
            ConfirmationModes.Polling,
            Enum.GetValues<PaymentMethodKind>())
        {
            SupportsESim = true,
            SupportContact = _options.SupportContact,
            DeduplicatesOrders = _options.DeduplicatesOrders,
        };
    }

    /// <inheritdoc />
    public CarrierDescriptor Descriptor { get; }

    /// <inheritdoc />
    public ICarrierAccounts Accounts => this;

    /// <inheritdoc />
    public ICarrierUsage Usage => this;

    /// <inheritdoc />
    public ICarrierPlanCatalog Catalog => this;

    /// <inheritdoc />
    public ICarrierOrders Orders => this;

    /// <inheritdoc />
    public IPaymentGateway? Billing => BillingGateway;

    /// <summary>The carrier's billing (bill to account), a <see cref="FakePaymentGateway"/> to script and inspect.</summary>
    public FakePaymentGateway BillingGateway { get; }

    /// <summary>When <see langword="true"/> (the default) a repeated submission for one renewal returns the first order; turn it off to model a carrier without idempotency keys.</summary>
    public bool HonourIdempotencyKeys { get; set; } = true;

    /// <summary>A delay before every call, on the carrier's clock.</summary>
    public TimeSpan Latency
    {
        get => _log.Latency;
        set => _log.Latency = value;
    }

    /// <summary>How old the usage figures are when read (carriers serve stale figures).</summary>
    public TimeSpan UsageStaleness { get; set; }

    /// <summary>Every call received, in order.</summary>
    public IReadOnlyList<FakeCarrierOperation> Calls => _log.Calls;

    /// <summary>Every order the carrier accepted (a repeat counts again when keys are not honoured).</summary>
    public IReadOnlyList<FakeOrder> SubmittedOrders
    {
        get
        {
            lock (_gate)
            {
                return _orders.Select(o => o.ToFake()).ToArray();
            }
        }
    }

    /// <summary>How many times an operation was called.</summary>
    public int CallCount(FakeCarrierOperation operation) => _log.Count(operation);

    /// <summary>A carrier seeded for demos and tests: see <see cref="FakeCarrierSeed"/> for what it holds.</summary>
    public static FakeCarrier CreateDemo(TimeProvider? timeProvider = null, FakeCarrierOptions? options = null)
    {
        var carrier = new FakeCarrier(options, timeProvider);
        FakeCarrierSeed.Seed(carrier);
        return carrier;
    }

    /// <summary>Adds or replaces a plan.</summary>
    public FakeCarrier AddPlan(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        lock (_gate)
        {
            _plans.RemoveAll(p => p.Code == plan.Code);
            _plans.Add(plan);
        }

        return this;
    }

    /// <summary>Changes a plan's price (to test the price guard between quote and payment).</summary>
    public FakeCarrier SetPlanPrice(PlanCode code, Money price)
    {
        lock (_gate)
        {
            var index = _plans.FindIndex(p => p.Code == code);
            var plan = _plans[index];
            _plans[index] = new Plan(plan.Code, plan.Name, plan.Data, price, plan.ValidityDays);
        }

        return this;
    }

    /// <summary>Adds a promotion.</summary>
    public FakeCarrier AddPromotion(Promotion promotion)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        lock (_gate)
        {
            _promotions.Add(promotion);
        }

        return this;
    }

    /// <summary>Ends a promotion (to test that a quote's offer is honoured or refused).</summary>
    public FakeCarrier RemovePromotion(string id)
    {
        lock (_gate)
        {
            _promotions.RemoveAll(p => p.Id == id);
        }

        return this;
    }

    /// <summary>Adds an account that signs in with a username and password.</summary>
    public FakeAccount AddAccount(string username, string password, string accountId, string displayName)
    {
        var account = new FakeAccount(this, username, password, accountId, displayName);
        lock (_gate)
        {
            _accountsByUser.Add(username, account);
        }

        return account;
    }

    /// <summary>Scripts what happens to the next order submitted.</summary>
    public FakeCarrier EnqueueOrder(FakeOrderScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        lock (_gate)
        {
            _orderScripts.Enqueue(script);
        }

        return this;
    }

    /// <summary>Makes the next call of an operation fail, before or after its effect.</summary>
    public FakeCarrier FailNext(FakeCarrierOperation operation, FaultTiming timing = FaultTiming.BeforeEffect, Func<Exception>? fault = null)
    {
        _log.AddFault(operation, timing, fault);
        return this;
    }

    /// <summary>The last one-time code sent to a number (what the person would read in the SMS), or <see langword="null"/>.</summary>
    public string? LastOneTimeCode(PhoneNumber phoneNumber)
    {
        lock (_gate)
        {
            return _otp.TryGetValue(phoneNumber, out var state) ? state.Code : null;
        }
    }

    /// <summary>Adds data use to a line's current cycle.</summary>
    public FakeCarrier RecordUsage(LineId line, DataAmount used)
    {
        lock (_gate)
        {
            var state = FindLine(line);
            state.Used += used;
        }

        return this;
    }

    /// <summary>The plan a line has now.</summary>
    public PlanCode CurrentPlanOf(LineId line)
    {
        lock (_gate)
        {
            return FindLine(line).Plan;
        }
    }

    // ---- ICarrierAccounts ----

    /// <inheritdoc />
    public async Task<CarrierSession> SignInAsync(PasswordCredentials credentials, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        await _log.EnterAsync(FakeCarrierOperation.SignIn, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_accountsByUser.TryGetValue(credentials.Username, out var account))
            {
                throw AuthFailed("InvalidCredentials", "The username or password is wrong.", locked: false);
            }

            if (account.FailedSignIns >= _options.MaxFailedSignIns)
            {
                throw AuthFailed("AccountLocked", "The account is locked after too many failed sign-ins. Contact support.", locked: true);
            }

            if (!CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.UTF8.GetBytes(account.Password),
                    System.Text.Encoding.UTF8.GetBytes(credentials.RevealPassword())))
            {
                // As with one-time codes, the wrong attempt that reaches the limit is the one that locks.
                return ++account.FailedSignIns >= _options.MaxFailedSignIns
                    ? throw AuthFailed("AccountLocked", "The account is locked after too many failed sign-ins. Contact support.", locked: true)
                    : throw AuthFailed("InvalidCredentials", "The username or password is wrong.", locked: false);
            }

            account.FailedSignIns = 0;
            return OpenSession(account, null);
        }
    }

    /// <inheritdoc />
    public async Task<OneTimeCodeChallenge> RequestOneTimeCodeAsync(PhoneNumber phoneNumber, CancellationToken cancellationToken = default)
    {
        await _log.EnterAsync(FakeCarrierOperation.RequestOneTimeCode, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _ = FindAccountByNumber(phoneNumber) ?? throw new DataRenewException("The number is not a line of this carrier.", Details(404, "INVALID_MSISDN"));
            if (_otp.TryGetValue(phoneNumber, out var state) && state.Failures >= _options.MaxFailedSignIns)
            {
                throw AuthFailed("OTP_LOCKED", "Too many wrong codes: the number is locked. Contact support.", locked: true);
            }

            var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
            var challengeId = "otp_" + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
            var expires = _time.GetUtcNow().AddMinutes(10);
            _otp[phoneNumber] = new OtpState(code, challengeId, expires, state?.Failures ?? 0);
            return new OneTimeCodeChallenge(Descriptor.Id, phoneNumber, challengeId, expires);
        }
    }

    /// <inheritdoc />
    public async Task<CarrierSession> VerifyOneTimeCodeAsync(OneTimeCodeChallenge challenge, OneTimeCode code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        await _log.EnterAsync(FakeCarrierOperation.VerifyOneTimeCode, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_otp.TryGetValue(challenge.PhoneNumber, out var state) || state.ChallengeId != challenge.ChallengeId || state.Code is null)
            {
                throw AuthFailed("OTP_INVALID", "The code is not valid; request a new one.", locked: false);
            }

            if (state.Failures >= _options.MaxFailedSignIns)
            {
                throw AuthFailed("OTP_LOCKED", "Too many wrong codes: the number is locked. Contact support.", locked: true);
            }

            if (_time.GetUtcNow() >= state.ExpiresAt)
            {
                throw AuthFailed("OTP_EXPIRED", "The code has expired; request a new one.", locked: false);
            }

            if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(state.Code), System.Text.Encoding.ASCII.GetBytes(code.Reveal())))
            {
                _otp[challenge.PhoneNumber] = state with { Failures = state.Failures + 1 };
                var locked = state.Failures + 1 >= _options.MaxFailedSignIns;
                throw AuthFailed(locked ? "OTP_LOCKED" : "OTP_INVALID", locked ? "Too many wrong codes: the number is locked. Contact support." : "The code is wrong.", locked);
            }

            _otp[challenge.PhoneNumber] = state with { Code = null, Failures = 0 };
            return OpenSession(FindAccountByNumber(challenge.PhoneNumber)!, challenge.PhoneNumber);
        }
    }

    /// <inheritdoc />
    public async Task<Account> GetAccountAsync(CarrierSession session, CancellationToken cancellationToken = default)
    {
        await _log.EnterAsync(FakeCarrierOperation.GetAccount, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var account = Authorize(session).Account;
            return new Account(Descriptor.Id, account.AccountId, account.DisplayName);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LineListingEntry> GetLinesAsync(CarrierSession session, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _log.EnterAsync(FakeCarrierOperation.GetLines, cancellationToken).ConfigureAwait(false);
        Line[] lines;
        lock (_gate)
        {
            var (account, subscriber) = Authorize(session);
            lines = account.Lines.Where(l => subscriber is null || l.Number == subscriber).Select(l => l.ToLine()).ToArray();
        }

        foreach (var line in lines)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return line;
        }
    }

    /// <inheritdoc />
    public async Task<Line?> FindLineAsync(CarrierSession session, LineId id, CancellationToken cancellationToken = default)
    {
        await _log.EnterAsync(FakeCarrierOperation.FindLine, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var (account, subscriber) = Authorize(session);
            return account.Lines.Find(l => l.Id == id && (subscriber is null || l.Number == subscriber))?.ToLine();
        }
    }

    // ---- ICarrierUsage ----

    /// <inheritdoc />
    public async Task<UsageSnapshot> GetUsageAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        await _log.EnterAsync(FakeCarrierOperation.GetUsage, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var state = AuthorizedLine(session, line.Id);
            return new UsageSnapshot(state.Used, state.Allowance, state.CycleStart, state.CycleEnd, _time.GetUtcNow() - UsageStaleness, state.CycleEnd);
        }
    }

    // ---- ICarrierPlanCatalog ----

    /// <inheritdoc />
    public async Task<IReadOnlyList<Plan>> GetPlansAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        await _log.EnterAsync(FakeCarrierOperation.GetPlans, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            AuthorizedLine(session, line.Id);
            return _plans.ToArray();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        await _log.EnterAsync(FakeCarrierOperation.GetPromotions, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            AuthorizedLine(session, line.Id);
            return _promotions.ToArray();
        }
    }

    // ---- ICarrierOrders ----

    /// <inheritdoc />
    public async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _log.EnterAsync(FakeCarrierOperation.SubmitOrder, cancellationToken).ConfigureAwait(false);
        CarrierOrder result;
        lock (_gate)
        {
            var line = AuthorizedLine(session, request.Line.Id);
            if (HonourIdempotencyKeys && _ordersByKey.TryGetValue(request.IdempotencyKey, out var existing))
            {
                return existing.Plan.Code == request.Plan.Code && existing.Line.Id == request.Line.Id
                    ? existing.ToCarrierOrder()
                    : throw new DataRenewException("This idempotency key was used for another order.", Details(409, "IDEMPOTENCY_MISMATCH"));
            }

            var plan = _plans.Find(p => p.Code == request.Plan.Code)
                ?? throw new PlanNotEligibleException($"Plan '{request.Plan.Code}' is not offered.", Details(404, "PRODUCT_NOT_FOUND"));
            var script = _orderScripts.TryDequeue(out var s) ? s : FakeOrderScript.CompleteAfter(_options.DefaultPendingPolls);
            if (script.RefusalCode is not null)
            {
                throw new PlanNotEligibleException(script.Reason ?? "The carrier refused the plan change.", Details(400, script.RefusalCode));
            }

            if (line.Status == LineStatus.Suspended)
            {
                script = FakeOrderScript.FailAfter(script.PendingPolls, "The line is suspended.", "DeviceSuspended");
            }

            var order = new OrderState("ord_" + Interlocked.Increment(ref _sequence).ToString("D6", CultureInfo.InvariantCulture), request.RenewalId, line, plan, request.Amount, script);
            _orders.Add(order);
            _ordersById[order.OrderId] = order;
            _ordersByKey.TryAdd(request.IdempotencyKey, order); // without keys honoured, a resend is a second order; lookups find the first
            if (script.PendingPolls == 0)
            {
                Finish(order);
            }

            result = order.ToCarrierOrder();
        }

        _log.ThrowIfScripted(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect);
        return result;
    }

    /// <inheritdoc />
    public async Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _log.EnterAsync(FakeCarrierOperation.FindOrder, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            Authorize(session);
            return _ordersByKey.GetValueOrDefault(request.IdempotencyKey)?.ToCarrierOrder();
        }
    }

    /// <inheritdoc />
    public async Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        await _log.EnterAsync(FakeCarrierOperation.GetOrder, cancellationToken).ConfigureAwait(false);
        CarrierOrder result;
        lock (_gate)
        {
            Authorize(session);
            var state = _ordersById.GetValueOrDefault(order.OrderId)
                ?? throw new DataRenewException($"No order '{order.OrderId}'.", Details(404, "OrderNotFound"));
            if (state.Status == CarrierOrderStatus.Pending && state.Polls++ >= state.Script.PendingPolls)
            {
                Finish(state);
            }

            result = state.ToCarrierOrder();
        }

        _log.ThrowIfScripted(FakeCarrierOperation.GetOrder, FaultTiming.AfterEffect);
        return result;
    }

    // ---- internals ----

    private void Finish(OrderState order)
    {
        if (!order.Script.Completes)
        {
            order.Status = CarrierOrderStatus.Failed;
            return;
        }

        var now = _time.GetUtcNow();
        order.Status = CarrierOrderStatus.Completed;
        order.Confirmation = "CNF-" + order.OrderId[4..].ToUpperInvariant();
        order.EffectiveAt = now;
        var bonus = _promotions.Where(p => p.Kind == PromotionKind.BonusData && p.AppliesAt(order.Plan.Code, now)).Aggregate(DataAmount.Zero, (sum, p) => sum + p.BonusData);
        order.Line.Apply(order.Plan, bonus, now);
    }

    private CarrierSession OpenSession(FakeAccount account, PhoneNumber? subscriber)
    {
        var token = "fake-token-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _sessions[token] = (account, subscriber);
        return new CarrierSession(Descriptor.Id, account.AccountId, token, subscriber, _time.GetUtcNow().AddHours(1));
    }

    private (FakeAccount Account, PhoneNumber? Subscriber) Authorize(CarrierSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return _sessions.TryGetValue(session.RevealToken(), out var entry)
            ? entry
            : throw AuthFailed("SessionToken.Expired", "The session is not valid; sign in again.", locked: false);
    }

    private FakeLine AuthorizedLine(CarrierSession session, LineId id)
    {
        var (account, subscriber) = Authorize(session);
        var line = account.Lines.Find(l => l.Id == id && (subscriber is null || l.Number == subscriber));
        return line ?? throw new DataRenewException("The line is not on this account.", Details(404, "DeviceNotFound"));
    }

    private FakeLine FindLine(LineId id) =>
        _accountsByUser.Values.SelectMany(a => a.Lines).FirstOrDefault(l => l.Id == id)
        ?? throw new InvalidOperationException($"No line {id} is seeded.");

    private FakeAccount? FindAccountByNumber(PhoneNumber number) =>
        _accountsByUser.Values.FirstOrDefault(a => a.Lines.Exists(l => l.Number == number));

    private DataRenewErrorDetails Details(int status, string code) => new(Descriptor.Id, status, code, "req-" + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture));

    private AuthenticationFailedException AuthFailed(string code, string message, bool locked) => new(message, Details(locked ? 423 : 401, code), locked);

    internal Lock Gate => _gate;

    internal TimeProvider Time => _time;

    private sealed record OtpState(string? Code, string ChallengeId, DateTimeOffset ExpiresAt, int Failures);

    private sealed class OrderState(string orderId, RenewalId renewalId, FakeLine line, Plan plan, Money amount, FakeOrderScript script)
    {
        public string OrderId { get; } = orderId;

        public RenewalId RenewalId { get; } = renewalId;

        public FakeLine Line { get; } = line;

        public Plan Plan { get; } = plan;

        public Money Amount { get; } = amount;

        public FakeOrderScript Script { get; } = script;

        public CarrierOrderStatus Status { get; set; }

        public int Polls { get; set; }

        public string? Confirmation { get; set; }

        public DateTimeOffset? EffectiveAt { get; set; }

        public CarrierOrder ToCarrierOrder() => new(OrderId, Status, Confirmation, EffectiveAt,
            Status == CarrierOrderStatus.Failed ? Script.Reason : null,
            Status == CarrierOrderStatus.Failed ? Script.FailureCode : null);

        public FakeOrder ToFake() => new(OrderId, RenewalId, Line.Id, Plan.Code, Amount, Status);
    }
}
