using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Logging;

namespace DataRenew.Sdk.Carriers.Verizon;

/// <summary>
/// The Verizon-style adapter (modelled on ThingSpace Connectivity Management): OAuth bearer (added by the kit's
/// bearer handler) plus an m2m session token per signed-in session (re-login once when it expires); RPC list actions
/// paged by a body cursor with 202 while more follow; plans in decimal KB, usage in bytes; a renewal is an asynchronous
/// plan change confirmed by polling its request id. The carrier has no idempotency key, so the adapter remembers the
/// request id of every renewal and never sends a second plan change for one.
/// </summary>
internal sealed class VerizonCarrier : ICarrierProvider, ICarrierAccounts, ICarrierUsage, ICarrierPlanCatalog, ICarrierOrders, ICarrierCallbackListeners
{
    /// <summary>The prefix of an order id the adapter makes up when the carrier shows the plan applied but the request id was lost.</summary>
    internal const string SyntheticOrderPrefix = "verizon-";

    /// <summary>How many times one call may find its session expired and log in again before the expiry is its answer.</summary>
    internal const int MaxSessionRenewals = 16;

    private readonly VerizonOptions _options;
    private readonly CarrierHttpClient _http;
    private readonly TimeProvider _time;
    private readonly string _account;
    private readonly SkippedEntries _skipped;
    private readonly ConditionalWeakTable<CarrierSession, VerizonSessionState> _sessions = new();
    // Keyed by the order's idempotency key: unique to one renewal forever (a renewal id may come back after compaction).
    private readonly ConcurrentDictionary<string, OrderEntry> _orders = new(StringComparer.Ordinal);
    // Settled orders leave the live map (bounded memory) but still answer a repeated submit or a late lookup.
    private readonly RecentEntries<string, CarrierOrder> _settled = new(RecentEntries<string, CarrierOrder>.DefaultCapacity);

    public VerizonCarrier(VerizonOptions options, CarrierHttpClient http, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _skipped = new SkippedEntries(CarrierId.Verizon, logger);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _time = timeProvider ?? TimeProvider.System;
        _account = Uri.EscapeDataString(options.AccountName);
        Descriptor = new CarrierDescriptor(CarrierId.Verizon, "Verizon", SignInMethods.Password, ConfirmationModes.Polling | ConfirmationModes.Callback, [PaymentMethodKind.CarrierBilling])
        {
            MaxPlanChangesPerMonth = 4,
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

    public IPaymentGateway? Billing { get; } = new AccountBillingGateway(CarrierId.Verizon, "vz");

    public ICarrierCallbackListeners? CallbackListeners => this;

    /// <summary>Registers the <c>CarrierService</c> callback with the username and password its deliveries must carry.</summary>
    public async Task<string?> RegisterAsync(CarrierSession session, Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (string.IsNullOrEmpty(_options.CallbackUsername) || string.IsNullOrEmpty(_options.CallbackPassword))
        {
            throw new DataRenewValidationException(nameof(VerizonOptions.CallbackUsername), "Set Verizon CallbackUsername and CallbackPassword first: the carrier sends them with every callback, and the listener checks them.");
        }

        var body = new VzCallbackRegistration { Name = "CarrierService", Url = url.AbsoluteUri, Username = _options.CallbackUsername, Password = _options.CallbackPassword };
        // Registering the same named listener again replaces it: safe to retry.
        using var response = await SendAsync(session, () => Json(HttpMethod.Post, $"m2m/v1/callbacks/{_account}", body, VerizonJson.Default.VzCallbackRegistration).WithEffect(CarrierRequestEffect.DeduplicatedWrite), cancellationToken).ConfigureAwait(false);
        return "CarrierService";
    }

    private static CarrierId Carrier => CarrierId.Verizon;

    // ---- sign-in and account ----

    public async Task<CarrierSession> SignInAsync(PasswordCredentials credentials, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var token = await LoginAsync(credentials, cancellationToken).ConfigureAwait(false);
        var session = new CarrierSession(Carrier, _options.AccountName, token);

        // The credentials stay in memory with the session, only to log in again when the carrier says it expired.
        _sessions.AddOrUpdate(session, new VerizonSessionState(token, ct => LoginAsync(credentials, ct)));
        return session;
    }

    public Task<OneTimeCodeChallenge> RequestOneTimeCodeAsync(PhoneNumber phoneNumber, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The Verizon-style carrier signs in with a username and password only.");

    public Task<CarrierSession> VerifyOneTimeCodeAsync(OneTimeCodeChallenge challenge, OneTimeCode code, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The Verizon-style carrier signs in with a username and password only.");

    public async Task<Account> GetAccountAsync(CarrierSession session, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync(session, () => new HttpRequestMessage(HttpMethod.Get, Url($"m2m/v1/accounts/{_account}")), VerizonJson.Default.VzAccount, cancellationToken).ConfigureAwait(false);
        var name = string.IsNullOrWhiteSpace(body.OrganizationName) ? _options.AccountName : body.OrganizationName;
        return new Account(Carrier, _options.AccountName, name);
    }

    public IAsyncEnumerable<LineListingEntry> GetLinesAsync(CarrierSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return CarrierPaging.ReadAllAsync<LineListingEntry, string?>(Carrier, null, (cursor, ct) => ListPageAsync(session, cursor, ct), _options.MaxPages, cancellationToken);
    }

    public async Task<Line?> FindLineAsync(CarrierSession session, LineId id, CancellationToken cancellationToken = default)
    {
        // The line is the device's own id whatever id it was asked by (its number, say): one device, one line, so the
        // one-renewal-per-line guard and the journal see one line.
        var device = await FindDeviceAsync(session, id, cancellationToken).ConfigureAwait(false);
        return device is null ? null : ToLine(device, VerizonDeviceIds.LineIdOf(device) ?? id);
    }

    // ---- usage ----

    public async Task<UsageSnapshot> GetUsageAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        var device = await FindDeviceAsync(session, line.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new CarrierRejectedException($"Line {line.Id.ToMaskedString()} is not on account {Account.Mask(_options.AccountName)}.", new DataRenewErrorDetails(Carrier, CarrierErrorCode: "DeviceNotFound"));
        var cycleEnd = device.BillingCycleEndDate
            ?? throw new InvalidCarrierResponseException($"{Carrier} sent a device without billingCycleEndDate.", new DataRenewErrorDetails(Carrier));
        var cycleStart = MonthBefore(cycleEnd)
            ?? throw new InvalidCarrierResponseException($"{Carrier} sent a billingCycleEndDate out of range.", new DataRenewErrorDetails(Carrier));
        var planCode = ServicePlanOf(device);
        var plans = await ReadCatalogAsync(session, cancellationToken).ConfigureAwait(false);
        var plan = plans.FirstOrDefault(p => p.Code is { Length: > 0 } code && code == planCode?.Value)
            ?? throw new InvalidCarrierResponseException($"{Carrier} reports plan '{planCode}' on the line but not in the account's catalog.", new DataRenewErrorDetails(Carrier));
        var allowance = AllowanceOf(plan)
            ?? throw new InvalidCarrierResponseException($"{Carrier} sent plan '{planCode}' without a size.", new DataRenewErrorDetails(Carrier));

        var now = _time.GetUtcNow();
        var earliest = cycleStart < now ? cycleStart : now;
        var used = 0m;
        await foreach (var report in CarrierPaging.ReadAllAsync<VzUsageRecord, DateTimeOffset>(Carrier, earliest, (from, ct) => UsagePageAsync(session, line.Id, from, now, ct), _options.MaxPages, cancellationToken).ConfigureAwait(false))
        {
            // No amount of data is larger than a long of bytes: a sum past it is the carrier's error, not an overflow.
            used += report.BytesUsed is { } bytes && bytes >= 0 && bytes <= long.MaxValue - used ? bytes : throw new InvalidCarrierResponseException($"{Carrier} sent a usage report without a valid bytesUsed.", new DataRenewErrorDetails(Carrier));
        }

        // No "remaining" on the wire: the snapshot computes allowance − used (unlimited stays unlimited).
        return new UsageSnapshot(DataUnits.FromBytes(Carrier, used), allowance, cycleStart, cycleEnd, now, cycleEnd);
    }

    // ---- catalog ----

    public async Task<IReadOnlyList<Plan>> GetPlansAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        var plans = await ReadCatalogAsync(session, cancellationToken).ConfigureAwait(false);
        var sellable = new List<Plan>(plans.Count);
        foreach (var plan in plans)
        {
            // One plan the SDK cannot sell is left out (and reported once); the rest of the catalog stands.
            if (ToPlan(plan, out var reason) is { } p)
            {
                sellable.Add(p);
            }
            else
            {
                _skipped.Report("service plan", plan.Code?.Trim(), reason);
            }
        }

        return sellable;
    }

    public Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Promotion>>([]);

    // ---- orders ----

    public async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(request);
        var key = request.IdempotencyKey;
        var entry = new OrderEntry(OrderedPlan.Of(request));
        var known = _orders.GetOrAdd(key, entry);
        if (!ReferenceEquals(known, entry))
        {
            // One renewal, one plan change: never a second PUT, whatever happened to the first.
            return await known.Sent.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_settled.TryFind(key, out var settled))
        {
            // Settled already, and no longer remembered as a live order: still never a second PUT.
            _orders.TryRemove(new KeyValuePair<string, OrderEntry>(key, entry));
            entry.Sent.TrySetResult(settled);
            return settled;
        }

        try
        {
            var order = await SendPlanChangeAsync(session, request, cancellationToken).ConfigureAwait(false);
            entry.Sent.TrySetResult(order);
            return order;
        }
        catch (DataRenewException refused) when (refused is not OutcomeUnknownException)
        {
            // The carrier answered "no" (or the request never left): nothing was ordered, the engine may decide to try again.
            _orders.TryRemove(new KeyValuePair<string, OrderEntry>(key, entry));
            entry.Sent.TrySetException(refused);
            throw;
        }
        catch (Exception ex)
        {
            // Sent, answer lost (or the caller gave up while it was on the wire): it may have applied. Keep the entry.
            entry.Sent.TrySetException(new OutcomeUnknownException(
                $"The plan change for renewal {request.RenewalId} was sent to {Carrier} and its answer was lost; it is not sent again.",
                new DataRenewErrorDetails(Carrier), ex));
            throw;
        }
    }

    public async Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.IdempotencyKey;
        if (_orders.TryGetValue(key, out var entry))
        {
            if (!entry.Sent.Task.IsCompleted)
            {
                // Still on the wire from here.
                return null;
            }

            if (entry.Sent.Task.IsCompletedSuccessfully)
            {
                var read = await ReadStatusAsync(session, await entry.Sent.Task.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                if (read.Status != CarrierOrderStatus.Pending)
                {
                    Settle(key, read);
                }

                return read;
            }
        }
        else if (_settled.TryFind(key, out var settled))
        {
            return settled;
        }

        // The request id was lost, here or with the process that sent it (the carrier cannot be asked by renewal).
        // The device tells only when the plan moved to the ordered one from another.
        var ordered = entry?.Ordered ?? OrderedPlan.Of(request);
        if (ordered.Plan == ordered.PriorPlan)
        {
            return null;
        }

        var device = await FindDeviceAsync(session, ordered.Line, cancellationToken).ConfigureAwait(false);
        if (device is null || ServicePlanOf(device) != ordered.Plan)
        {
            return null;
        }

        return Settle(key, new CarrierOrder(SyntheticOrderPrefix + key, CarrierOrderStatus.Completed, EffectiveAt: _time.GetUtcNow()));
    }

    public async Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var read = await ReadStatusAsync(session, order, cancellationToken).ConfigureAwait(false);
        if (read.Status != CarrierOrderStatus.Pending)
        {
            // Settled: the renewal ends now, so its entry is no longer needed (a long-running process must not keep them all).
            Settle(request.IdempotencyKey, read);
        }

        return read;
    }

    /// <summary>
    /// A settled order leaves the live map for the bounded memory of settled ones: kept there first, so a submit or a
    /// lookup of the renewal in between finds one or the other, never neither.
    /// </summary>
    private CarrierOrder Settle(string key, CarrierOrder order)
    {
        _settled.Remember(key, order);
        _orders.TryRemove(key, out _);
        return order;
    }

    /// <summary>Renewals whose plan change this adapter still remembers (for tests: settled ones are forgotten).</summary>
    internal int OrdersRemembered => _orders.Count;

    private async Task<CarrierOrder> ReadStatusAsync(CarrierSession session, CarrierOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.OrderId.StartsWith(SyntheticOrderPrefix, StringComparison.Ordinal) || order.Status != CarrierOrderStatus.Pending)
        {
            return order;
        }

        var path = $"m2m/v1/accounts/{_account}/requests/{Uri.EscapeDataString(order.OrderId)}/status";
        using var response = await SendAsync(session, () => new HttpRequestMessage(HttpMethod.Get, Url(path)), cancellationToken).ConfigureAwait(false);
        var body = response.ReadJson(VerizonJson.Default.VzRequestStatus);
        if (body.RequestId is { } answered && !string.Equals(answered.Trim(), order.OrderId, StringComparison.Ordinal))
        {
            // Another request's status (a cache, a proxy, a mix-up) must not complete or fail this one.
            throw response.Invalid("the status answered is for another request");
        }

        return OrderOf(order.OrderId, body.Status, body.FailedDevices, _time.GetUtcNow());
    }

    /// <summary>What a request status means for the order, whether polled or called back.</summary>
    internal static CarrierOrder OrderOf(string orderId, string? reportedStatus, List<VzFailedDevice>? failedDevices, DateTimeOffset now)
    {
        var status = reportedStatus?.Trim();
        if (string.Equals(status, "Success", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "Completed", StringComparison.OrdinalIgnoreCase))
        {
            return new CarrierOrder(orderId, CarrierOrderStatus.Completed, ConfirmationNumber: orderId, EffectiveAt: now);
        }

        if (string.Equals(status, "Failure", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "Failed", StringComparison.OrdinalIgnoreCase))
        {
            var cause = failedDevices?.Select(f => f?.Cause).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));
            var code = cause is null ? "Failure" : CarrierErrors.Sanitise(cause);
            return new CarrierOrder(
                orderId,
                CarrierOrderStatus.Failed,
                FailureReason: cause is null ? $"{Carrier} could not change the plan and gave no cause." : $"{Carrier} could not change the plan: {CarrierErrors.Sanitise(cause)}",
                FailureCode: code.Length > 100 ? code[..100] : code);
        }

        // Pending, or a status this adapter does not know: still pending.
        return new CarrierOrder(orderId, CarrierOrderStatus.Pending);
    }

    // ---- internals ----

    private async Task<CarrierOrder> SendPlanChangeAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken)
    {
        var body = new VzPlanChangeRequest
        {
            AccountName = _options.AccountName,
            Devices = [new VzPlanChangeDevice { DeviceIds = [VerizonDeviceIds.DeviceIdOf(request.Line.Id)] }],
            ServicePlan = request.Plan.Code.Value,
            CurrentServicePlan = request.Line.CurrentPlan.Value is { Length: > 0 } current ? current : null,
        };

        // A write the carrier would run twice: the kit never retries it; a lost answer is OutcomeUnknown.
        using var response = await SendAsync(session, () => Json(HttpMethod.Put, "m2m/v1/devices/actions/plan", body, VerizonJson.Default.VzPlanChangeRequest), cancellationToken).ConfigureAwait(false);
        var accepted = response.ReadJson(VerizonJson.Default.VzRequestAccepted);
        if (string.IsNullOrWhiteSpace(accepted.RequestId) || accepted.RequestId.Length > 200)
        {
            throw response.Invalid("the plan change answer has no requestId");
        }

        return new CarrierOrder(accepted.RequestId, CarrierOrderStatus.Pending);
    }

    private async Task<string> LoginAsync(PasswordCredentials credentials, CancellationToken cancellationToken)
    {
        var body = new VzLoginRequest { Username = credentials.Username, Password = credentials.RevealPassword() };
        using var request = Json(HttpMethod.Post, "m2m/v1/session/login", body, VerizonJson.Default.VzLoginRequest);

        // Logging in again is harmless, so a lost answer may be retried; a refusal (400 InvalidCredentials) is not
        // transient and is never retried: five refusals lock the account.
        request.WithEffect(CarrierRequestEffect.Read);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var login = response.ReadJson(VerizonJson.Default.VzLoginResponse);
        return string.IsNullOrWhiteSpace(login.SessionToken) ? throw response.Invalid("the login answer has no sessionToken")
            : !AccessToken.IsHeaderSafe(login.SessionToken) ? throw response.Invalid("the sessionToken is not a printable token") // it goes into a header
            : login.SessionToken;
    }

    private async Task<CarrierPage<LineListingEntry, string?>> ListPageAsync(CarrierSession session, string? cursor, CancellationToken cancellationToken)
    {
        var page = await DevicePageAsync(session, null, cursor, cancellationToken).ConfigureAwait(false);
        var entries = new LineListingEntry[page.Items.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var device = page.Items[i];
            entries[i] = VerizonDeviceIds.LineIdOf(device) is { } id
                ? ToLine(device, id)
                : LineListingEntry.Unreadable(new LineListingProblem(Carrier, "The device carries no id (iccid, imei, meid, esn, mdn or min) to address it by.", VerizonDeviceIds.Masked(device)));
        }

        return new CarrierPage<LineListingEntry, string?>(entries, page.HasMore, page.Next);
    }

    /// <summary>One page of the device listing (optionally asking the carrier to filter by a device id), with the next cursor.</summary>
    private async Task<CarrierPage<VzDevice, string?>> DevicePageAsync(CarrierSession session, VzDeviceId? only, string? cursor, CancellationToken cancellationToken)
    {
        var body = new VzDeviceListRequest
        {
            AccountName = _options.AccountName,
            DeviceId = only,
            LargestDeviceIdSeen = cursor,
            MaxNumberOfDevices = _options.DevicesPerPage,
        };
        using var response = await SendAsync(session, () => Json(HttpMethod.Post, "m2m/v1/devices/actions/list", body, VerizonJson.Default.VzDeviceListRequest).WithEffect(CarrierRequestEffect.Read), cancellationToken).ConfigureAwait(false);
        var page = response.ReadJson(VerizonJson.Default.VzDeviceListResponse);
        var devices = new List<VzDevice>();
        string? largest = null;
        foreach (var device in page.Devices ?? [])
        {
            if (device is null)
            {
                continue;
            }

            // The cursor is the largest ICCID compared as a number: ids that are not all digits cannot be one.
            if (VerizonDeviceIds.IdOf(device, "iccid") is { } id && id.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0 && (largest is null || CompareDeviceIds(id, largest) > 0))
            {
                largest = id;
            }

            devices.Add(device);
        }

        // 202 while more follow, 200 on the last page; hasMoreData says the same in the body.
        var hasMore = response.StatusCode == HttpStatusCode.Accepted || page.HasMoreData == true;
        return new CarrierPage<VzDevice, string?>(devices, hasMore, largest ?? cursor);
    }

    private async Task<VzDevice?> FindDeviceAsync(CarrierSession session, LineId line, CancellationToken cancellationToken)
    {
        // The list action asked to filter by the device id: one call where the carrier filters. The spec's listing
        // promises no such filter, so a carrier may answer the unfiltered pages instead: read on until the device shows.
        var key = VerizonDeviceIds.DeviceIdOf(line);
        await foreach (var device in CarrierPaging.ReadAllAsync<VzDevice, string?>(Carrier, null, (cursor, ct) => DevicePageAsync(session, key, cursor, ct), _options.MaxPages, cancellationToken).ConfigureAwait(false))
        {
            if (VerizonDeviceIds.Has(device, key))
            {
                return device;
            }
        }

        return null;
    }

    private async Task<CarrierPage<VzUsageRecord, DateTimeOffset>> UsagePageAsync(CarrierSession session, LineId line, DateTimeOffset earliest, DateTimeOffset latest, CancellationToken cancellationToken)
    {
        var body = new VzUsageRequest { DeviceId = VerizonDeviceIds.DeviceIdOf(line), Earliest = Timestamp(earliest), Latest = Timestamp(latest) };
        var page = await SendAsync(session, () => Json(HttpMethod.Post, "m2m/v1/devices/usage/actions/list", body, VerizonJson.Default.VzUsageRequest).WithEffect(CarrierRequestEffect.Read), VerizonJson.Default.VzUsageResponse, cancellationToken).ConfigureAwait(false);
        var reports = page.UsageHistory?.Where(r => r is not null).ToArray() ?? [];

        // The spec pages usage only by hasMoreData; the next page starts just after the latest report seen.
        var next = reports.Select(r => r.Timestamp).Max() is { } last ? (last < latest ? last.AddMilliseconds(1) : DateTimeOffset.MaxValue) : earliest;
        var hasMore = page.HasMoreData == true;
        if (hasMore && next > latest)
        {
            throw new InvalidCarrierResponseException($"{Carrier} said more usage follows a report dated after the window asked for.", new DataRenewErrorDetails(Carrier));
        }

        return new CarrierPage<VzUsageRecord, DateTimeOffset>(reports, hasMore, next);
    }

    private async Task<List<VzPlan>> ReadCatalogAsync(CarrierSession session, CancellationToken cancellationToken)
    {
        var plans = await SendAsync(session, () => new HttpRequestMessage(HttpMethod.Get, Url($"m2m/v1/plans/{_account}")), VerizonJson.Default.ListVzPlan, cancellationToken).ConfigureAwait(false);
        return plans.Where(p => p is not null).ToList();
    }

    /// <summary>
    /// Sends with the session's m2m token. When the carrier says the session expired, logs in again (one login for all the
    /// calls that saw that token expire) and resends. A call whose resend meets the next expiry does so again as long as the
    /// session it met expired after serving calls (so a carrier that refuses every fresh session does not make a call log
    /// in forever), at most <see cref="MaxSessionRenewals"/> times. A refused re-login ends the session for good.
    /// </summary>
    private async Task<CarrierResponse> SendAsync(CarrierSession session, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Carrier != Carrier)
        {
            throw new DataRenewValidationException(nameof(session), $"The session is for {session.Carrier}, not {Carrier}.");
        }

        _sessions.TryGetValue(session, out var state);
        var token = state is null ? session.RevealToken() : await state.Token.GetAsync(cancellationToken).ConfigureAwait(false);
        for (var renewals = 0; ; renewals++)
        {
            try
            {
                using var request = build().WithSession(token);
                var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                state?.Served(token);
                return response;
            }
            catch (AuthenticationFailedException expired) when (expired.CarrierErrorCode == VerizonErrorMapper.SessionExpired && state is not null
                && (renewals == 0 || state.WorkedBefore(token)) && renewals < MaxSessionRenewals)
            {
                token = await state.Token.RenewAsync(token, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<T> SendAsync<T>(CarrierSession session, Func<HttpRequestMessage> build, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(session, build, cancellationToken).ConfigureAwait(false);
        return response.ReadJson(type);
    }

    private static HttpRequestMessage Json<T>(HttpMethod method, string path, T body, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpRequestMessage(method, Url(path)) { Content = content };
    }

    // Relative, without a leading slash: the client's base address ends in a slash, so a path prefix such as /api is kept.
    private static Uri Url(string relativePath) => new(relativePath, UriKind.Relative);

    private static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Compares two numeric device ids as numbers (ICCIDs are longer than a long): by length, then digit by digit.</summary>
    internal static int CompareDeviceIds(string left, string right)
    {
        var a = left.TrimStart('0');
        var b = right.TrimStart('0');
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }

    private static DateTimeOffset? MonthBefore(DateTimeOffset value)
    {
        try
        {
            return value.AddMonths(-1);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static PlanCode? ServicePlanOf(VzDevice device)
    {
        var plan = device.CarrierInformations?.FirstOrDefault(c => c is not null)?.ServicePlan?.Trim();
        return string.IsNullOrEmpty(plan) || plan.Length > 100 || plan.Any(char.IsControl) ? null : new PlanCode(plan);
    }

    internal static LineStatus StatusOf(string? state) => state?.Trim().ToLowerInvariant() switch
    {
        "active" => LineStatus.Active,
        "suspend" or "suspended" => LineStatus.Suspended,
        "deactive" or "deactivated" or "pre-active" or "preactive" or "ready" => LineStatus.Inactive,
        _ => LineStatus.Unknown,
    };

    /// <summary>A device as a line, with every fact it carries: an ICCID (whatever its check digit), a number, a state, a plan.</summary>
    private static Line ToLine(VzDevice device, LineId id)
    {
        var state = device.CarrierInformations?.FirstOrDefault(c => c is not null)?.State;
        return new Line(id, SimKind.Physical, StatusOf(state), ServicePlanOf(device) ?? default)
        {
            Iccid = Iccid.TryFromCarrier(VerizonDeviceIds.IdOf(device, "iccid"), out var iccid) ? iccid : null,
            PhoneNumber = PhoneNumber.TryParse(VerizonDeviceIds.IdOf(device, "mdn"), out var mdn) ? mdn : null,
        };
    }

    private static string? Attribute(VzPlan plan, string key) =>
        plan.ExtendedAttributes?.FirstOrDefault(a => a is not null && string.Equals(a.Key?.Trim(), key, StringComparison.OrdinalIgnoreCase))?.Value?.Trim();

    private static DataAmount? AllowanceOf(VzPlan plan)
    {
        if (string.Equals(Attribute(plan, "Unlimited"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return DataAmount.Unlimited;
        }

        return plan.SizeKb is { } kb ? DataUnits.FromKilobytes(Carrier, kb) : null;
    }

    /// <summary>A catalog entry as a plan; <see langword="null"/>, with the <paramref name="reason"/>, when it has no code, size, price or validity the SDK can sell it with.</summary>
    private static Plan? ToPlan(VzPlan plan, out string reason)
    {
        var code = plan.Code?.Trim();
        var days = 0;
        var price = 0m;
        reason = string.IsNullOrEmpty(code) || code.Length > 100 || code.Any(char.IsControl) ? "it has no usable code"
            : AllowanceOf(plan) is null ? "it has no sizeKb (nor Unlimited=true)"
            : !decimal.TryParse(Attribute(plan, "PriceUSD"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out price) ? "its PriceUSD attribute is not a price"
            : !int.TryParse(Attribute(plan, "ValidityDays"), NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > 3660 ? "its ValidityDays attribute is not 1 to 3660 days"
            : string.Empty;
        if (reason.Length > 0)
        {
            return null;
        }

        try
        {
            return new Plan(new PlanCode(code!), string.IsNullOrWhiteSpace(plan.Name) ? code! : plan.Name.Trim(), AllowanceOf(plan)!.Value, Money.Usd(price), days);
        }
        catch (DataRenewException ex)
        {
            reason = ex is DataRenewValidationException invalid ? invalid.Reason : ex.Message;
            return null;
        }
    }

    /// <summary>What the adapter remembers of a renewal's plan change: the answer (request id) or that it was lost.</summary>
    private sealed class OrderEntry(OrderedPlan ordered)
    {
        public OrderedPlan Ordered { get; } = ordered;

        public TaskCompletionSource<CarrierOrder> Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>What a renewal ordered for which device, and the plan the device had: all the device can confirm.</summary>
    private sealed record OrderedPlan(LineId Line, PlanCode Plan, PlanCode PriorPlan)
    {
        public static OrderedPlan Of(CarrierOrderRequest request) => new(request.Line.Id, request.Plan.Code, request.Line.CurrentPlan);
    }
}
