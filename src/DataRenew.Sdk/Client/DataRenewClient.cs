using System.Runtime.CompilerServices;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Diagnostics;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DataRenew.Sdk;

/// <summary>
/// The provider-neutral API: sign in, read a line's plan and usage, list renewal options, quote, pay
/// and confirm, on any registered carrier. Register it with <c>services.AddDataRenew()</c>; it is safe
/// to share. Every member is virtual so apps can substitute it in their tests.
/// </summary>
public class DataRenewClient
{
    private readonly Dictionary<CarrierId, ICarrierProvider> _carriers = [];
    private readonly IPaymentGateway? _paymentGateway;
    private readonly TimeProvider _time;
    private readonly DataRenewOptions _options;
    private readonly ILogger _logger;
    private readonly RenewalEngine? _engine;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<CarrierId, SkippedEntries> _skipped = new();

    /// <summary>For mocking.</summary>
    protected DataRenewClient()
    {
        _time = TimeProvider.System;
        _options = new DataRenewOptions();
        _logger = NullLogger.Instance;
    }

    /// <summary>Creates a client. With dependency injection, use <c>services.AddDataRenew()</c> instead.</summary>
    /// <param name="carriers">The carrier adapters; their ids must differ.</param>
    /// <param name="journal">Where renewals are recorded.</param>
    /// <param name="options">Timeouts and polling; validated here.</param>
    /// <param name="timeProvider">The clock for quotes, deadlines and polling; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="paymentGateway">The gateway for card and wallet payments; carrier billing uses the carrier's own.</param>
    /// <param name="logger">Where to log; nothing is logged when null.</param>
    /// <exception cref="OptionsValidationException">The options are out of range.</exception>
    /// <exception cref="DataRenewValidationException">Two carriers have the same id.</exception>
    public DataRenewClient(
        IEnumerable<ICarrierProvider> carriers,
        IRenewalJournal journal,
        IOptions<DataRenewOptions> options,
        TimeProvider? timeProvider = null,
        IPaymentGateway? paymentGateway = null,
        ILogger<DataRenewClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(carriers);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        var failure = new DataRenewOptionsValidator().Validate(null, _options);
        if (failure.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(DataRenewOptions), failure.Failures);
        }

        foreach (var carrier in carriers)
        {
            if (!_carriers.TryAdd(carrier.Descriptor.Id, carrier))
            {
                throw new DataRenewValidationException(nameof(carriers), $"Two carriers are registered with the id '{carrier.Descriptor.Id}'.");
            }
        }

        _time = timeProvider ?? TimeProvider.System;
        _paymentGateway = paymentGateway;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _engine = new RenewalEngine(journal, _time, _options, _logger);
    }

    /// <summary>The registered carriers and what each supports.</summary>
    public virtual IReadOnlyCollection<CarrierDescriptor> Carriers => _carriers.Values.Select(c => c.Descriptor).ToArray();

    /// <summary>Step 1: signs in with a username and password.</summary>
    /// <exception cref="AuthenticationFailedException">The carrier refused the credentials.</exception>
    public virtual async Task<DataRenewSession> SignInAsync(CarrierId carrier, PasswordCredentials credentials, CancellationToken cancellationToken = default)
    {
        using var activity = DataRenewDiagnostics.StartActivity("SignIn", carrier);
        ArgumentNullException.ThrowIfNull(credentials);
        var provider = Carrier(carrier, SignInMethods.Password);
        var session = await provider.Accounts.SignInAsync(credentials, cancellationToken).ConfigureAwait(false);
        return await OpenAsync(provider, session, "password", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Step 1, for a line bound to a phone number (usually an eSIM): asks the carrier to send a one-time code.</summary>
    public virtual Task<OneTimeCodeChallenge> RequestOneTimeCodeAsync(CarrierId carrier, PhoneNumber phoneNumber, CancellationToken cancellationToken = default)
    {
        if (phoneNumber.E164.Length == 0)
        {
            throw new DataRenewValidationException(nameof(phoneNumber), "A phone number is required.");
        }

        var provider = Carrier(carrier, SignInMethods.OneTimeCode);
        Log.OneTimeCodeRequested(_logger, carrier, phoneNumber.ToMaskedString());
        return provider.Accounts.RequestOneTimeCodeAsync(phoneNumber, cancellationToken);
    }

    /// <summary>Signs in with the one-time code the person received.</summary>
    /// <exception cref="DataRenewValidationException">The code is not 4 to 10 digits (checked before sending).</exception>
    /// <exception cref="AuthenticationFailedException">The code is wrong or expired, or the number is locked.</exception>
    public virtual async Task<DataRenewSession> SignInWithOneTimeCodeAsync(OneTimeCodeChallenge challenge, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        using var activity = DataRenewDiagnostics.StartActivity("SignInWithOneTimeCode", challenge.Carrier);
        ArgumentNullException.ThrowIfNull(challenge);
        var oneTimeCode = new OneTimeCode(code);
        var provider = Carrier(challenge.Carrier, SignInMethods.OneTimeCode);
        var session = await provider.Accounts.VerifyOneTimeCodeAsync(challenge, oneTimeCode, cancellationToken).ConfigureAwait(false);
        return await OpenAsync(provider, session, "one-time code", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The lines of the signed-in account (or the one line of a number signed in with a code), read page by page as they
    /// are enumerated. Anything the carrier lists that cannot be made a line is in <see cref="LineListing.Problems"/>
    /// and logged once; the other lines still come.
    /// </summary>
    public virtual LineListing GetLinesAsync(DataRenewSession session, CancellationToken cancellationToken = default)
    {
        var provider = Carrier(session);
        return new LineListing(provider.Accounts.GetLinesAsync(session.CarrierSession, cancellationToken), problem => Log.LineUnreadable(_logger, problem.Carrier, problem.MaskedIdentifier, problem.Reason));
    }

    /// <summary>Step 2: the line's plan, data used and left, cycle end and next charge date, as of when the carrier measured them.</summary>
    public virtual async Task<LineOverview> GetLineOverviewAsync(DataRenewSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var activity = DataRenewDiagnostics.StartActivity("GetLineOverview", session.Carrier);
        ArgumentNullException.ThrowIfNull(line);
        var provider = Carrier(session);
        var usage = await provider.Usage.GetUsageAsync(session.CarrierSession, line, cancellationToken).ConfigureAwait(false);
        var plans = await provider.Catalog.GetPlansAsync(session.CarrierSession, line, cancellationToken).ConfigureAwait(false);
        return new LineOverview(line, plans.FirstOrDefault(p => p.Code == line.CurrentPlan), usage);
    }

    /// <summary>Step 3: the plans the line can be renewed with, promotions applied, cheapest first.</summary>
    public virtual async Task<IReadOnlyList<RenewalOption>> GetRenewalOptionsAsync(DataRenewSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var activity = DataRenewDiagnostics.StartActivity("GetRenewalOptions", session.Carrier);
        ArgumentNullException.ThrowIfNull(line);
        var provider = Carrier(session);
        return await OptionsAsync(provider, session, line, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Step 3: a quote for one plan, valid for <see cref="DataRenewOptions.QuoteLifetime"/>.</summary>
    /// <exception cref="DataRenewValidationException">The carrier does not offer that plan for the line.</exception>
    /// <exception cref="PlanNotEligibleException">The line cannot change plans now (for example, it is suspended).</exception>
    public virtual async Task<RenewalQuote> CreateQuoteAsync(DataRenewSession session, Line line, PlanCode plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var activity = DataRenewDiagnostics.StartActivity("CreateQuote", session.Carrier);
        ArgumentNullException.ThrowIfNull(line);
        if (plan.Value.Length == 0)
        {
            throw new DataRenewValidationException(nameof(plan), "A plan code is required.");
        }

        var provider = Carrier(session);
        line = await CurrentLineAsync(provider, session, line.Id, cancellationToken).ConfigureAwait(false);
        EnsureRenewable(provider, line);
        var options = await OptionsAsync(provider, session, line, cancellationToken).ConfigureAwait(false);
        var option = options.FirstOrDefault(o => o.Plan.Code == plan)
            ?? throw new DataRenewValidationException(nameof(plan), $"{provider.Descriptor.DisplayName} does not offer plan '{plan}' for this line.");
        var now = _time.GetUtcNow();
        var quote = new RenewalQuote(provider.Descriptor.Id, line, option, now, now + _options.QuoteLifetime);
        Log.Quoted(_logger, plan, quote.Price, line.Id.ToMaskedString(), quote.ExpiresAt);
        return quote;
    }

    /// <summary>
    /// Steps 4 and 5: checks the request, confirms the quoted price still holds, records the renewal, and
    /// moves it as far as it goes without waiting (usually: charged and the order accepted, or awaiting the
    /// payer). Then show <see cref="RenewalOperation.PayerAction"/> if there is one, and wait for it.
    /// </summary>
    /// <exception cref="DataRenewValidationException">The payment method is not accepted, the card has expired, or no gateway can take it. Nothing was sent.</exception>
    /// <exception cref="QuoteNoLongerValidException">The quote expired, or the price or the data changed. Nothing was charged.</exception>
    /// <remarks>
    /// Set <see cref="RenewalRequest.RenewalId"/> to an id made beforehand (<see cref="RenewalId.New"/>) to make
    /// this call safe to retry: a second call with the same id continues the same renewal. A transient failure
    /// after the renewal was recorded does not throw: the operation is returned, and waiting on it reads the
    /// outcome back.
    /// </remarks>
    public virtual async Task<RenewalOperation> StartRenewalAsync(DataRenewSession session, RenewalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var activity = DataRenewDiagnostics.StartActivity("StartRenewal", session.Carrier);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Quote, "request.Quote");
        ArgumentNullException.ThrowIfNull(request.PaymentMethod, "request.PaymentMethod");
        var provider = Carrier(session);
        var quote = request.Quote;
        if (quote.Carrier != provider.Descriptor.Id)
        {
            throw new DataRenewValidationException("request.Quote", $"The quote is for {quote.Carrier}, but the session is at {provider.Descriptor.Id}.");
        }

        if (request.RenewalId is { Value.Length: 0 })
        {
            throw new DataRenewValidationException("request.RenewalId", "The renewal id is empty; make one with RenewalId.New().");
        }

        var gateway = GatewayFor(provider, request.PaymentMethod);
        var engine = Engine;
        if (request.RenewalId is { } requestedId && await engine.Journal.GetAsync(requestedId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            // The app retried a start whose outcome it did not see: continue that renewal, never a second one.
            if (existing.Carrier != provider.Descriptor.Id || existing.AccountId != session.Account.AccountId || existing.Line.Id != quote.Line.Id
                || existing.Plan.Code != quote.Plan.Code || existing.Price != quote.Price || existing.Payment != request.PaymentMethod.Summary)
            {
                throw new DataRenewValidationException("request.RenewalId", $"Renewal '{requestedId}' already exists for another line, plan, price or payment method; use a new id.");
            }

            return await ResumeRenewalAsync(session, new ResumeRenewalRequest(requestedId) { PaymentMethod = request.PaymentMethod }, cancellationToken).ConfigureAwait(false);
        }

        // A carrier that cannot de-duplicate orders settles a lost answer by reading the line (it has the plan ordered
        // now, and had another before): two renewals of one line would be indistinguishable there, so one at a time,
        // checked before any call to the carrier. (Two starts with different ids racing, in one process or two, can both
        // pass: the journal has no per-line key. Each is still charged and ordered at most once.) A carrier with order
        // keys tells its orders apart: top-ups may run side by side.
        if (!provider.Descriptor.DeduplicatesOrders)
        {
            await foreach (var open in engine.Journal.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
            {
                // The retried start's own renewal, recorded by the first try since the look above, is not another
                // one: it goes on to the version check below and continues that renewal.
                if (open.Carrier == provider.Descriptor.Id && open.Line.Id == quote.Line.Id && open.Id != request.RenewalId)
                {
                    throw new RenewalInProgressException(open.Id, open.State);
                }
            }
        }

        var line = await CurrentLineAsync(provider, session, quote.Line.Id, cancellationToken).ConfigureAwait(false);
        EnsureRenewable(provider, line);
        await EnsureOfferHoldsAsync(provider, session, quote, line, cancellationToken).ConfigureAwait(false);

        var now = _time.GetUtcNow();
        var record = new RenewalRecord
        {
            Id = request.RenewalId ?? RenewalId.New(),
            IdempotencyNonce = System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true),
            Version = 1,
            State = RenewalState.Started,
            Carrier = provider.Descriptor.Id,
            AccountId = session.Account.AccountId,
            Line = line,
            Plan = quote.Plan,
            Price = quote.Price,
            Payment = request.PaymentMethod.Summary,
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            record = await engine.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (RenewalConflictException) when (request.RenewalId is not null)
        {
            // The same start, retried while the first was in flight, recorded it first: continue that renewal.
            return await StartRenewalAsync(session, request, cancellationToken).ConfigureAwait(false);
        }

        return await HandOverAsync(new RenewalOperation(engine, new RenewalContext(provider, session.CarrierSession, gateway, request.PaymentMethod), record), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resumes a renewal by id, from this or another client or process, and moves it as far as it goes without waiting or polling.</summary>
    /// <exception cref="RenewalNotFoundException">The journal has no such renewal.</exception>
    public virtual Task<RenewalOperation> ResumeRenewalAsync(DataRenewSession session, RenewalId renewalId, CancellationToken cancellationToken = default)
        => ResumeRenewalAsync(session, new ResumeRenewalRequest(renewalId), cancellationToken);

    /// <summary>Resumes a renewal, supplying the payment method when its charge never reached the gateway.</summary>
    /// <exception cref="RenewalNotFoundException">The journal has no such renewal.</exception>
    /// <exception cref="DataRenewValidationException">The renewal belongs to another carrier or account, or the payment method differs from the one it started with.</exception>
    public virtual async Task<RenewalOperation> ResumeRenewalAsync(DataRenewSession session, ResumeRenewalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var activity = DataRenewDiagnostics.StartActivity("ResumeRenewal", session.Carrier);
        ArgumentNullException.ThrowIfNull(request);
        var provider = Carrier(session);
        var engine = Engine;
        var record = await engine.Journal.GetAsync(request.RenewalId, cancellationToken).ConfigureAwait(false) ?? throw new RenewalNotFoundException(request.RenewalId);
        EnsureOwnedBy(record, provider, session);

        if (request.PaymentMethod is { } method && method.Summary != record.Payment)
        {
            throw new DataRenewValidationException("request.PaymentMethod", $"Renewal '{record.Id}' started with {record.Payment}; resume it with the same payment method.");
        }

        var gateway = request.PaymentMethod is { } given ? GatewayFor(provider, given) : GatewayFor(provider, record.Payment.Kind);
        Log.Resumed(_logger, record.Id, record.State);
        var operation = new RenewalOperation(engine, new RenewalContext(provider, session.CarrierSession, gateway, request.PaymentMethod), record);
        if (record.IsFinal)
        {
            return operation;
        }

        await CurrentLineAsync(provider, session, record.Line.Id, cancellationToken).ConfigureAwait(false);
        return await HandOverAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a renewal whose charge never reached the gateway (for example, the app stopped before paying and
    /// does not have the card any more), so it is no longer unfinished. It ends Failed with
    /// <see cref="RenewalFailureKind.Abandoned"/>; no money moved.
    /// </summary>
    /// <exception cref="RenewalNotFoundException">The journal has no such renewal.</exception>
    /// <exception cref="DataRenewValidationException">A charge may have gone through: resume the renewal to settle it instead.</exception>
    /// <exception cref="RenewalConflictException">Another client is driving the renewal right now.</exception>
    public virtual async Task<RenewalRecord> AbandonRenewalAsync(DataRenewSession session, RenewalId renewalId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var provider = Carrier(session);
        var engine = Engine;
        var record = await engine.Journal.GetAsync(renewalId, cancellationToken).ConfigureAwait(false) ?? throw new RenewalNotFoundException(renewalId);
        EnsureOwnedBy(record, provider, session);
        return await engine.AbandonAsync(renewalId, GatewayFor(provider, record.Payment.Kind), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Registers the app's callback listener with the session's carrier, so that it reports order status changes to
    /// <paramref name="listenerUrl"/>, where the app hands each delivery to <see cref="Callbacks.ICarrierCallbackHandler"/>.
    /// What the listener checks (the Verizon style's username and password, the T-Mobile style's hub secret) comes from
    /// the adapter's options and must be set first.
    /// </summary>
    /// <returns>The carrier's id for the registration, when it gives one.</returns>
    /// <exception cref="DataRenewValidationException">The address is not absolute HTTPS, the carrier sends no callbacks, or the adapter's listener settings are missing.</exception>
    public virtual async Task<string?> RegisterCallbackListenerAsync(DataRenewSession session, Uri listenerUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(listenerUrl);
        var provider = Carrier(session);
        if (!listenerUrl.IsAbsoluteUri || listenerUrl.Scheme != Uri.UriSchemeHttps || listenerUrl.UserInfo.Length > 0 || listenerUrl.Fragment.Length > 0)
        {
            // The carrier will send order statuses (and, for some, the listener's credentials) there.
            throw new DataRenewValidationException(nameof(listenerUrl), "The listener must be an absolute https:// address without user information or fragment.");
        }

        if (!provider.Descriptor.Confirmation.HasFlag(ConfirmationModes.Callback) || provider.CallbackListeners is not { } listeners)
        {
            throw new DataRenewValidationException(nameof(session), $"{provider.Descriptor.DisplayName} sends no callbacks; its renewals are confirmed by polling.");
        }

        return await listeners.RegisterAsync(session.CarrierSession, listenerUrl, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a renewal from the journal without touching the carrier; <see langword="null"/> when unknown.</summary>
    public virtual Task<RenewalRecord?> GetRenewalAsync(RenewalId renewalId, CancellationToken cancellationToken = default)
        => Engine.Journal.GetAsync(renewalId, cancellationToken);

    /// <summary>The renewals in the journal that have not reached a final state: resume each to settle it.</summary>
    public virtual IAsyncEnumerable<RenewalRecord> GetUnfinishedRenewalsAsync(CancellationToken cancellationToken = default)
        => Engine.Journal.ListUnfinishedAsync(cancellationToken);

    /// <summary>
    /// Drives every unfinished renewal in the journal to a definite state: call it on start-up (after a crash) or on
    /// request. Each renewal is resumed as <see cref="ResumeRenewalAsync(DataRenewSession, ResumeRenewalRequest, CancellationToken)"/>
    /// would: the payment is read back by its idempotency key and the order by its reference before anything could
    /// repeat a side effect, and a lease another process still holds is waited out. A renewal that cannot be driven
    /// now (no session, the carrier unreachable) comes back unsettled with the reason; run again later.
    /// </summary>
    public virtual async Task<IReadOnlyList<RenewalSettlement>> SettleUnfinishedRenewalsAsync(SettleRenewalsOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.SessionFor);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        var unfinished = await GetUnfinishedRenewalsAsync(cancellationToken).ToArrayAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new Dictionary<(CarrierId, string), Task<DataRenewSession?>>();
        var results = new RenewalSettlement[unfinished.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, unfinished.Length), new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var record = unfinished[i];
            Task<DataRenewSession?> signIn;
            lock (sessions)
            {
                var key = (record.Carrier, record.AccountId);
                if (!sessions.TryGetValue(key, out signIn!))
                {
                    // A sign-in that throws (even before it returns a task) fails once, for every renewal of its account.
                    sessions[key] = signIn = SignInAsync(options.SessionFor, record, ct);
                }
            }

            try
            {
                results[i] = await SettleAsync(record, await signIn.ConfigureAwait(false), options, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Whatever stopped this renewal (the SDK's error, or the app's sign-in, gateway or journal throwing its
                // own) is this renewal's result: the batch goes on, and the caller learns which ones are still open.
                results[i] = new RenewalSettlement(await LatestAsync(record, ct).ConfigureAwait(false), ex);
            }
        }).ConfigureAwait(false);
        return results;

        static async Task<DataRenewSession?> SignInAsync(Func<RenewalRecord, CancellationToken, ValueTask<DataRenewSession?>> sessionFor, RenewalRecord record, CancellationToken cancellationToken) =>
            await sessionFor(record, cancellationToken).ConfigureAwait(false);
    }

    // The renewal as the journal has it now, or as listed when the journal cannot be read (that may be why it failed).
    private async Task<RenewalRecord> LatestAsync(RenewalRecord record, CancellationToken cancellationToken)
    {
        try
        {
            return await Engine.Journal.GetAsync(record.Id, cancellationToken).ConfigureAwait(false) ?? record;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return record;
        }
    }

    private async Task<RenewalSettlement> SettleAsync(RenewalRecord record, DataRenewSession? session, SettleRenewalsOptions options, CancellationToken cancellationToken)
    {
        if (session is null)
        {
            return new RenewalSettlement(record, new DataRenewValidationException(nameof(options.SessionFor), $"No session for renewal '{record.Id}' at {record.Carrier}; it stays unfinished."));
        }

        var method = options.PaymentMethodFor?.Invoke(record) is { } given && given.Summary == record.Payment ? given : null;
        try
        {
            var operation = await ResumeRenewalAsync(session, new ResumeRenewalRequest(record.Id) { PaymentMethod = method }, cancellationToken).ConfigureAwait(false);
            return new RenewalSettlement(await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (DataRenewValidationException) when (method is null && options.AbandonUnpaid)
        {
            // It needs the card to go on and the app no longer has it. Abandoning checks again that no charge reached
            // the gateway (else it refuses, and the renewal comes back unsettled with that reason).
            return new RenewalSettlement(await AbandonRenewalAsync(session, record.Id, cancellationToken).ConfigureAwait(false), null);
        }
    }

    private RenewalEngine Engine => _engine ?? throw new InvalidOperationException("This client was created for mocking.");

    /// <summary>The engine carrier callbacks feed: the one this client's renewals are driven by.</summary>
    internal RenewalEngine CallbackEngine => Engine;

    /// <summary>The registered carrier with that id, or null.</summary>
    internal ICarrierProvider? FindCarrier(CarrierId carrier) => _carriers.GetValueOrDefault(carrier);

    private static void EnsureOwnedBy(RenewalRecord record, ICarrierProvider provider, DataRenewSession session)
    {
        if (record.Carrier != provider.Descriptor.Id || record.AccountId != session.Account.AccountId)
        {
            throw new DataRenewValidationException(nameof(session), $"Renewal '{record.Id}' belongs to another carrier or account; sign in to {record.Carrier} with the account that started it.");
        }
    }

    // Start and resume move the renewal as far as it goes without waiting. A transient failure is not thrown:
    // the renewal is journaled with its attempt counted, and waiting on the operation reads the outcome back.
    private static async Task<RenewalOperation> HandOverAsync(RenewalOperation operation, CancellationToken cancellationToken)
    {
        try
        {
            await operation.DriveAsync(DriveMode.UntilWaiting, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RenewalErrors.IsTransient(ex, cancellationToken))
        {
        }

        return operation;
    }

    private async Task<DataRenewSession> OpenAsync(ICarrierProvider provider, CarrierSession session, string method, CancellationToken cancellationToken)
    {
        var account = await provider.Accounts.GetAccountAsync(session, cancellationToken).ConfigureAwait(false);
        Log.SignedIn(_logger, provider.Descriptor.Id, account.MaskedAccountId, method);
        return new DataRenewSession(session, account);
    }

    private async Task<IReadOnlyList<RenewalOption>> OptionsAsync(ICarrierProvider provider, DataRenewSession session, Line line, CancellationToken cancellationToken)
    {
        var plans = await provider.Catalog.GetPlansAsync(session.CarrierSession, line, cancellationToken).ConfigureAwait(false);
        var promotions = await provider.Catalog.GetPromotionsAsync(session.CarrierSession, line, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var options = new List<RenewalOption>(plans.Count);
        foreach (var plan in plans)
        {
            try
            {
                options.Add(RenewalOption.For(plan, promotions, now));
            }
            catch (Exception ex) when (ex is OverflowException or DataRenewValidationException)
            {
                // The carrier's plan and promotions add up to no sellable option (a bonus past any amount of data): that
                // plan is left out, as an unreadable catalog entry is, and the others stand.
                SkippedFor(provider.Descriptor.Id).Report("plan with its promotions", plan.Code.Value, ex.Message);
            }
        }

        return options.OrderBy(o => o.Price.Amount).ThenBy(o => o.Data).ToArray();
    }

    private SkippedEntries SkippedFor(CarrierId carrier) => _skipped.GetOrAdd(carrier, c => new SkippedEntries(c, _logger));

    // The person pays what they saw, for what they saw: the same price and the same data (bonus included).
    private async Task EnsureOfferHoldsAsync(ICarrierProvider provider, DataRenewSession session, RenewalQuote quote, Line line, CancellationToken cancellationToken)
    {
        QuoteInvalidReason? reason = null;
        Money? current = null;
        if (_time.GetUtcNow() >= quote.ExpiresAt)
        {
            reason = QuoteInvalidReason.Expired;
        }
        else
        {
            var option = (await OptionsAsync(provider, session, line, cancellationToken).ConfigureAwait(false)).FirstOrDefault(o => o.Plan.Code == quote.Plan.Code);
            current = option?.Price;
            if (option is null)
            {
                reason = QuoteInvalidReason.PlanWithdrawn;
            }
            else if (option.Price != quote.Price)
            {
                reason = QuoteInvalidReason.PriceChanged;
            }
            else if (option.Data != quote.Option.Data)
            {
                reason = QuoteInvalidReason.OfferChanged;
            }
        }

        if (reason is { } r)
        {
            Log.QuoteRefused(_logger, quote.Plan.Code, r);
            throw new QuoteNoLongerValidException(r, quote.Price, current);
        }
    }

    private IPaymentGateway? GatewayFor(ICarrierProvider provider, PaymentMethod method)
    {
        var descriptor = provider.Descriptor;
        if (!descriptor.AcceptedPayments.Contains(method.Kind))
        {
            throw new DataRenewValidationException("request.PaymentMethod", $"{descriptor.DisplayName} does not accept {method.Kind} for renewals; it accepts {string.Join(", ", descriptor.AcceptedPayments)}.");
        }

        if (method is CardPaymentMethod && !descriptor.AcceptsCardNumbers)
        {
            throw new DataRenewValidationException("request.PaymentMethod", $"{descriptor.DisplayName} takes cards only as a payment processor's token (PaymentMethod.CardToken), never their numbers.");
        }

        if (method is CardPaymentMethod card && card.IsExpiredAt(_time.GetUtcNow()))
        {
            throw new DataRenewValidationException("request.PaymentMethod", $"The card expired at the end of {card.ExpiryMonth:00}/{card.ExpiryYear}.");
        }

        return GatewayFor(provider, method.Kind);
    }

    // A carrier that collects the payment with the order needs no gateway at all.
    private IPaymentGateway? GatewayFor(ICarrierProvider provider, PaymentMethodKind kind) => provider.Descriptor.CollectsPayment ? null : kind == PaymentMethodKind.CarrierBilling
        ? provider.Billing ?? throw new DataRenewValidationException("request.PaymentMethod", $"{provider.Descriptor.DisplayName} has no carrier billing.")
        : _paymentGateway ?? throw new DataRenewValidationException("request.PaymentMethod", "No payment gateway is registered for card and wallet payments; register one with AddDataRenew().UsePaymentGateway(...).");

    private static async Task<Line> CurrentLineAsync(ICarrierProvider provider, DataRenewSession session, LineId id, CancellationToken cancellationToken) =>
        await provider.Accounts.FindLineAsync(session.CarrierSession, id, cancellationToken).ConfigureAwait(false)
        ?? throw new DataRenewValidationException("line", $"Line {id.ToMaskedString()} is not on the signed-in account (or not the number this session signed in with).");

    private static void EnsureRenewable(ICarrierProvider provider, Line line)
    {
        if (line.Status == LineStatus.Suspended)
        {
            throw new PlanNotEligibleException(
                $"The line is suspended; {provider.Descriptor.DisplayName} does not change plans on suspended lines. Contact {provider.Descriptor.SupportContactOrName}.",
                new DataRenewErrorDetails(provider.Descriptor.Id));
        }
    }

    private ICarrierProvider Carrier(DataRenewSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Carrier(session.Carrier, SignInMethods.None);
    }

    private ICarrierProvider Carrier(CarrierId carrier, SignInMethods needed)
    {
        if (!_carriers.TryGetValue(carrier, out var provider))
        {
            throw new DataRenewValidationException(nameof(carrier), $"No carrier '{carrier}' is registered; registered: {string.Join(", ", _carriers.Keys)}.");
        }

        if ((provider.Descriptor.SignInMethods & needed) != needed)
        {
            throw new DataRenewValidationException(nameof(carrier), $"{provider.Descriptor.DisplayName} does not support {needed} sign-in.");
        }

        return provider;
    }
}
