using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Logging;

namespace DataRenew.Sdk.Carriers.Att;

/// <summary>
/// The AT&amp;T-style adapter (modelled on Cisco IoT Control Center REST v1): HTTP Basic <c>username:apiKey</c> on every
/// call, devices keyed by ICCID, page-number paging with <c>lastPage</c>, binary-MB plans and byte usage, and a renewal
/// that is a rate plan change (<c>PUT devices/{iccid}</c>, 200 applied or 202 scheduled). The carrier has no idempotency
/// key, so the adapter remembers each renewal's order and never sends a second plan change for one renewal.
/// </summary>
internal sealed class AttCarrier : ICarrierProvider, ICarrierAccounts, ICarrierUsage, ICarrierPlanCatalog, ICarrierOrders
{
    /// <summary>The <c>modifiedSince</c> every listing sends: early enough to list every device.</summary>
    internal static readonly DateTimeOffset ListEverythingSince = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CarrierHttpClient _http;
    private readonly AttOptions _options;
    private readonly TimeProvider _time;
    private readonly SkippedEntries _skipped;
    private readonly ConditionalWeakTable<CarrierSession, Credentials> _sessions = new();
    // Keyed by the order's idempotency key: unique to one renewal forever (a renewal id may come back after compaction).
    private readonly ConcurrentDictionary<string, OrderEntry> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OrderEntry> _ordersById = new(StringComparer.Ordinal);
    // Settled orders leave the live map (bounded memory) but still answer a repeated submit or a late lookup.
    private readonly RecentEntries<string, CarrierOrder> _settled = new(RecentEntries<string, CarrierOrder>.DefaultCapacity);

    public AttCarrier(AttOptions options, Func<HttpClient> client, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _skipped = new SkippedEntries(CarrierId.Att, logger);
        _http = new CarrierHttpClient(CarrierId.Att, client, new AttErrorMapper(), _time);
        Billing = new AccountBillingGateway(CarrierId.Att, "att");
        Descriptor = new CarrierDescriptor(CarrierId.Att, "AT&T", SignInMethods.Password, ConfirmationModes.Synchronous | ConfirmationModes.Polling, [PaymentMethodKind.CarrierBilling])
        {
            DeduplicatesOrders = false,
            CollectsPayment = false,
            SupportContact = options.SupportContact,
        };
    }

    public CarrierDescriptor Descriptor { get; }

    public ICarrierAccounts Accounts => this;

    public ICarrierUsage Usage => this;

    public ICarrierPlanCatalog Catalog => this;

    public ICarrierOrders Orders => this;

    public IPaymentGateway? Billing { get; }

    // ---- accounts ----

    public async Task<CarrierSession> SignInAsync(PasswordCredentials credentials, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var login = new Credentials(credentials.Username, credentials.RevealPassword());

        // One cheap call proves the credentials: a one-device page. A 401 (10000001) is never retried.
        using var request = Get(login, DevicesPath(1, 1));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        _ = response.ReadJson(AttJsonContext.Default.AttDeviceList);

        var session = new CarrierSession(CarrierId.Att, credentials.Username, "att-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        _sessions.AddOrUpdate(session, login);
        return session;
    }

    public Task<OneTimeCodeChallenge> RequestOneTimeCodeAsync(PhoneNumber phoneNumber, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The AT&T-style carrier signs in with a username and API key only.");

    public Task<CarrierSession> VerifyOneTimeCodeAsync(OneTimeCodeChallenge challenge, OneTimeCode code, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The AT&T-style carrier signs in with a username and API key only.");

    public Task<Account> GetAccountAsync(CarrierSession session, CancellationToken cancellationToken = default)
    {
        // The style has no account resource: the account is the API user.
        _ = CredentialsOf(session);
        return Task.FromResult(new Account(CarrierId.Att, session.AccountId, session.AccountId));
    }

    public IAsyncEnumerable<LineListingEntry> GetLinesAsync(CarrierSession session, CancellationToken cancellationToken = default)
    {
        var login = CredentialsOf(session);
        return CarrierPaging.ReadAllAsync<LineListingEntry, int>(CarrierId.Att, 1, (page, ct) => FetchPageAsync(login, page, ct), _options.MaxPages, cancellationToken);
    }

    private async Task<CarrierPage<LineListingEntry, int>> FetchPageAsync(Credentials login, int page, CancellationToken cancellationToken)
    {
        using var request = Get(login, DevicesPath(page, _options.PageSize));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var list = response.ReadJson(AttJsonContext.Default.AttDeviceList);
        if (list.LastPage is not { } lastPage)
        {
            throw response.Invalid("the device page has no lastPage");
        }

        if (list.PageNumber is { } answered && answered != page)
        {
            // A carrier (or a cache) that ignores pageNumber would repeat a page until MaxPages, listing lines many times.
            throw response.Invalid("the device page answered is not the one asked for");
        }

        var lines = new List<LineListingEntry>(list.Devices?.Count ?? 0);
        foreach (var device in list.Devices ?? [])
        {
            if (device is null)
            {
                // An empty entry lists nothing (no device to report); the style's spec says to skip it.
                continue;
            }

            // The listing carries no msisdn: these lines have no number until read one by one.
            lines.Add(LineId.TryCreate(device.Iccid, out var id)
                ? ToLine(id, null, device.Status, device.RatePlan)
                : LineListingEntry.Unreadable(new LineListingProblem(CarrierId.Att, "The device has no ICCID, the only id this carrier is asked by.")));
        }

        return new CarrierPage<LineListingEntry, int>(lines, !lastPage, page + 1);
    }

    public async Task<Line?> FindLineAsync(CarrierSession session, LineId id, CancellationToken cancellationToken = default)
    {
        var device = await ReadDeviceAsync(CredentialsOf(session), id, cancellationToken).ConfigureAwait(false);
        return device?.Line;
    }

    private async Task<(Line Line, AttDevice Device)?> ReadDeviceAsync(Credentials login, LineId id, CancellationToken cancellationToken)
    {
        using var request = Get(login, DevicePath(id));
        CarrierResponse response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (CarrierRejectedException notFound) when (notFound.StatusCode == (int)HttpStatusCode.NotFound)
        {
            return null;
        }

        using (response)
        {
            var device = response.ReadJson(AttJsonContext.Default.AttDevice);
            if (device.Iccid is { } sent && sent.Trim() != id.Value)
            {
                throw response.Invalid("the device answered is not the one asked for");
            }

            if (device.DateActivated is { Length: > 0 } activated && !AttDates.TryParse(activated, out _))
            {
                throw response.Invalid("dateActivated is not in the yyyy-MM-dd HH:mm:ss.fff+0000 format");
            }

            PhoneNumber? number = PhoneNumber.TryParse(InternationalForm(device.Msisdn), out var parsed) ? parsed : null;
            return (ToLine(id, number, device.Status, device.RatePlan), device);
        }
    }

    // The line id is the ICCID as the carrier keys the device (its path segment), whatever its check digit; a missing or
    // odd rate plan leaves the plan unknown rather than the line unlisted.
    private static Line ToLine(LineId id, PhoneNumber? number, string? status, string? ratePlan) =>
        new(id, SimKind.Physical, StatusOf(status), PlanOf(ratePlan) ?? default)
        {
            Iccid = Iccid.TryFromCarrier(id.Value, out var iccid) ? iccid : null,
            PhoneNumber = number,
        };

    private static PlanCode? PlanOf(string? ratePlan)
    {
        var trimmed = ratePlan?.Trim();
        return string.IsNullOrEmpty(trimmed) || trimmed.Length > 100 || trimmed.Any(char.IsControl) ? null : new PlanCode(trimmed);
    }

    // The msisdn is digits with the country code and no '+' (the style is not US-only): not a number as a person types it.
    private static string? InternationalForm(string? msisdn)
    {
        var digits = msisdn?.Trim();
        return string.IsNullOrEmpty(digits) || digits.StartsWith('+') ? digits : "+" + digits;
    }

    private static string DevicePath(LineId id) => "devices/" + Uri.EscapeDataString(id.Value);

    /// <summary>
    /// ACTIVATED is in service. Deactivated, retired, purged and replaced SIMs are out of service; SIMs not yet in
    /// service (ACTIVATION_READY, INVENTORY, TEST_READY) are Inactive too ("ready to activate"). The style has no SUSPENDED.
    /// </summary>
    internal static LineStatus StatusOf(string? status) => status?.Trim().ToUpperInvariant() switch
    {
        "ACTIVATED" => LineStatus.Active,
        "DEACTIVATED" or "RETIRED" or "PURGED" or "REPLACED" => LineStatus.Inactive,
        "ACTIVATION_READY" or "INVENTORY" or "TEST_READY" => LineStatus.Inactive,
        _ => LineStatus.Unknown,
    };

    // ---- usage ----

    public async Task<UsageSnapshot> GetUsageAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        var login = CredentialsOf(session);
        DataAmount used;
        PlanCode plan;
        using (var request = Get(login, DevicePath(line.Id) + "/ctdUsages"))
        using (var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var usage = response.ReadJson(AttJsonContext.Default.AttUsage);
            if (usage.Iccid is { } sent && sent.Trim() != line.Id.Value)
            {
                throw response.Invalid("the usage answered is not the device's asked for");
            }

            if (usage.CtdDataUsage is not { } bytes)
            {
                throw response.Invalid("ctdDataUsage is missing");
            }

            used = DataUnits.FromBytes(CarrierId.Att, bytes);
            plan = PlanOf(usage.RatePlan) ?? line.CurrentPlan;
        }

        // The carrier sends no remaining figure: remaining = the rate plan's allowance less what was used.
        var plans = await GetPlansAsync(session, line, cancellationToken).ConfigureAwait(false);
        var allowance = plans.FirstOrDefault(p => p.Code == plan)?.Data
            ?? throw new InvalidCarrierResponseException($"{CarrierId.Att} reports the line on a rate plan its catalog does not list.", new DataRenewErrorDetails(CarrierId.Att));

        // The style gives no cycle window: figures are cycle to date, and the cycle is taken as the calendar month in UTC.
        var now = _time.GetUtcNow();
        var start = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return new UsageSnapshot(used, allowance, start, start.AddMonths(1), now);
    }

    // ---- catalog ----

    public async Task<IReadOnlyList<Plan>> GetPlansAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        using var request = Get(CredentialsOf(session), "rateplans");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var list = response.ReadJson(AttJsonContext.Default.AttRatePlanList);
        var plans = new List<Plan>();
        foreach (var plan in list.RatePlans ?? [])
        {
            // One rate plan the SDK cannot sell is left out (and reported once); the rest of the catalog stands.
            if (ToPlan(plan, out var reason) is { } sellable)
            {
                plans.Add(sellable);
            }
            else
            {
                _skipped.Report("rate plan", plan?.Name?.Trim(), reason);
            }
        }

        return plans;
    }

    private static Plan? ToPlan(AttRatePlan? plan, out string reason)
    {
        reason = plan is null ? "an empty entry"
            : string.IsNullOrWhiteSpace(plan.Name) ? "it has no name"
            : plan.ValidityDays is null ? "it has no validityDays"
            : !decimal.TryParse(plan.PriceUsd, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _) ? "its priceUsd is not a price"
            : plan.Unlimited != true && plan.DataAllowanceMb is null ? "it has no dataAllowanceMb"
            : string.Empty;
        if (reason.Length > 0)
        {
            return null;
        }

        try
        {
            var data = plan!.Unlimited == true ? DataAmount.Unlimited : DataUnits.FromBinaryMegabytes(CarrierId.Att, plan.DataAllowanceMb!.Value);
            var name = plan.Name!.Trim();
            return new Plan(new PlanCode(name), name, data, Money.Usd(decimal.Parse(plan.PriceUsd!, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)), plan.ValidityDays!.Value);
        }
        catch (DataRenewException ex)
        {
            reason = ex is DataRenewValidationException invalid ? invalid.Reason : ex.Message;
            return null;
        }
    }

    public Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        _ = CredentialsOf(session);
        return Task.FromResult<IReadOnlyList<Promotion>>([]);
    }

    // ---- orders ----

    public async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var login = CredentialsOf(session);
        var entry = EntryOf(request);

        // No idempotency key at this carrier: one renewal never sends a second plan change from here.
        var known = _orders.GetOrAdd(entry.Key, entry);
        if (!ReferenceEquals(known, entry))
        {
            return known.Order ?? await LookAfterLostAnswerAsync(login, known, cancellationToken).ConfigureAwait(false)
                ?? throw new OutcomeUnknownException(
                    $"A plan change for renewal {request.RenewalId} was already sent to {CarrierId.Att} and its outcome is unknown; it is not sent again.",
                    new DataRenewErrorDetails(CarrierId.Att));
        }

        if (_settled.TryFind(entry.Key, out var settled))
        {
            // Settled already, and no longer remembered as a live order: still never a second plan change.
            Forget(entry);
            return settled;
        }

        _ordersById[entry.OrderId] = entry;
        var body = new AttPlanChange
        {
            RatePlan = request.Plan.Code.Value,
            EffectiveDate = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "Z",
        };
        using var put = new HttpRequestMessage(HttpMethod.Put, Address(DevicePath(request.Line.Id)))
        {
            Content = JsonContent.Create(body, AttJsonContext.Default.AttPlanChange),
        };
        put.Headers.Authorization = BasicAuthenticationHandler.Header(login.Username, login.ApiKey);
        put.WithEffect(CarrierRequestEffect.Write);

        CarrierResponse response;
        try
        {
            response = await _http.SendAsync(put, cancellationToken).ConfigureAwait(false);
        }
        catch (DataRenewException refused) when (!refused.IsTransient && refused is not AuthenticationFailedException)
        {
            // The carrier said no: nothing was changed, so the renewal may be ordered again later.
            Forget(entry);
            throw refused is CarrierRejectedException { StatusCode: 400 }
                ? new PlanNotEligibleException(refused.Message, new DataRenewErrorDetails(CarrierId.Att, refused.StatusCode, refused.CarrierErrorCode, refused.RequestId), refused)
                : refused;
        }
        catch (DataRenewException ex) when (ex is AuthenticationFailedException or RateLimitedException or CarrierUnavailableException { RequestNotSent: true })
        {
            // Refused before it was looked at (credentials, throttling) or never sent.
            Forget(entry);
            throw;
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                // "Applied" is 200 {"iccid":…} for this device. Anything else (a proxy's page, a truncated body, another
                // device) is not a confirmation: the change was sent, so its outcome is unknown and is settled by reading the device.
                var applied = response.ReadJson(AttJsonContext.Default.AttDevice);
                if (applied.Iccid is { } answered && answered.Trim() != request.Line.Id.Value)
                {
                    throw response.Invalid("the plan change was answered for another device");
                }
            }

            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var pending = new CarrierOrder(entry.OrderId, CarrierOrderStatus.Pending);
                entry.Order = pending;
                return pending;
            }

            // Applied at once: nothing left to confirm, so no live order to keep; kept among the settled ones, a lookup
            // after a lost journal write still finds it (the line cannot, for a renewal to the plan it already had).
            return Settle(entry, new CarrierOrder(entry.OrderId, CarrierOrderStatus.Completed, entry.OrderId, _time.GetUtcNow()));
        }
    }

    public async Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var login = CredentialsOf(session);

        if (!_orders.TryGetValue(request.IdempotencyKey, out var known) && _settled.TryFind(request.IdempotencyKey, out var settled))
        {
            return settled;
        }

        // Sent by another process (or before a restart): the journaled order says what was asked for and the plan before it.
        var entry = known ?? EntryOf(request);
        return entry.Order ?? await LookAfterLostAnswerAsync(login, entry, cancellationToken).ConfigureAwait(false);
    }

    public Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(request);
        var entry = _ordersById.GetValueOrDefault(order.OrderId) ?? EntryOf(request);
        return GetAsync(session, order, entry.OrderId == order.OrderId ? entry : null, cancellationToken);
    }

    /// <summary>Renewals whose plan change this adapter still remembers (for tests: confirmed ones are forgotten).</summary>
    internal int OrdersRemembered => _orders.Count + _ordersById.Count;

    private async Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, OrderEntry? entry, CancellationToken cancellationToken)
    {
        var login = CredentialsOf(session);
        if (order.Status != CarrierOrderStatus.Pending || entry is null)
        {
            return order;
        }

        var current = await ReadDeviceAsync(login, entry.Line, cancellationToken).ConfigureAwait(false);
        if (current?.Line.CurrentPlan == entry.Plan)
        {
            // Confirmed: the renewal ends now, so a long-running process need not remember it as a live order.
            return Settle(entry, new CarrierOrder(entry.OrderId, CarrierOrderStatus.Completed, entry.OrderId, _time.GetUtcNow()));
        }

        return order;
    }

    private static OrderEntry EntryOf(CarrierOrderRequest request) =>
        new("att-" + request.IdempotencyKey, request.IdempotencyKey, request.Line.Id, request.Plan.Code, request.Line.CurrentPlan);

    // The PUT's answer was lost: the change applied exactly when the line now has the plan ordered and had another before.
    private async Task<CarrierOrder?> LookAfterLostAnswerAsync(Credentials login, OrderEntry entry, CancellationToken cancellationToken)
    {
        if (entry.PlanBefore == entry.Plan)
        {
            return null;
        }

        var current = await ReadDeviceAsync(login, entry.Line, cancellationToken).ConfigureAwait(false);
        if (current?.Line.CurrentPlan != entry.Plan)
        {
            return null;
        }

        var order = new CarrierOrder(entry.OrderId, CarrierOrderStatus.Completed, entry.OrderId, _time.GetUtcNow());
        entry.Order = order;
        return order;
    }

    /// <summary>
    /// A settled order leaves the live maps for the bounded memory of settled ones: kept there first, so a submit or a
    /// lookup of the renewal in between finds one or the other, never neither.
    /// </summary>
    private CarrierOrder Settle(OrderEntry entry, CarrierOrder order)
    {
        entry.Order = order;
        _settled.Remember(entry.Key, order);
        Forget(entry);
        return order;
    }

    private void Forget(OrderEntry entry)
    {
        _orders.TryRemove(new KeyValuePair<string, OrderEntry>(entry.Key, entry));
        _ordersById.TryRemove(new KeyValuePair<string, OrderEntry>(entry.OrderId, entry));
    }

    // ---- plumbing ----

    private Credentials CredentialsOf(CarrierSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return _sessions.TryGetValue(session, out var login)
            ? login
            : throw new AuthenticationFailedException($"The session is not one of this {CarrierId.Att} adapter's; sign in again.", new DataRenewErrorDetails(CarrierId.Att));
    }

    private static HttpRequestMessage Get(Credentials login, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Address(path));
        request.Headers.Authorization = BasicAuthenticationHandler.Header(login.Username, login.ApiKey);
        return request;
    }

    // Relative, without a leading slash: the client's base address ends in a slash, so a path prefix such as /api is kept.
    private static Uri Address(string relativePath) => new(relativePath, UriKind.Relative);

    internal static string DevicesPath(int page, int pageSize) =>
        "devices?modifiedSince=" + Uri.EscapeDataString(AttDates.ToIso8601(ListEverythingSince))
        + "&pageSize=" + pageSize.ToString(CultureInfo.InvariantCulture)
        + "&pageNumber=" + page.ToString(CultureInfo.InvariantCulture);

    /// <summary>A person's API credentials, kept in memory for their session only; never logged or journaled.</summary>
    private sealed class Credentials(string username, string apiKey)
    {
        public string Username { get; } = username;

        public string ApiKey { get; } = apiKey;

        public override string ToString() => $"{Username} (API key hidden)";
    }

    /// <summary>A plan change this adapter sent (or is sending) for a renewal.</summary>
    private sealed class OrderEntry(string orderId, string key, LineId line, PlanCode plan, PlanCode planBefore)
    {
        private CarrierOrder? _order;

        public string OrderId { get; } = orderId;

        /// <summary>The order's idempotency key (one renewal's).</summary>
        public string Key { get; } = key;

        public LineId Line { get; } = line;

        public PlanCode Plan { get; } = plan;

        public PlanCode PlanBefore { get; } = planBefore;

        /// <summary>The order as last known; null while its answer is outstanding or was lost.</summary>
        public CarrierOrder? Order
        {
            get => Volatile.Read(ref _order);
            set => Volatile.Write(ref _order, value);
        }
    }
}
