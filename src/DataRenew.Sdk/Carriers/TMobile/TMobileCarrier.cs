using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Logging;

namespace DataRenew.Sdk.Carriers.TMobile;

/// <summary>
/// The T-Mobile-style adapter: TAAP-like auth (app bearer token plus a proof-of-possession JWT on every request, signed
/// by the client's handlers), subscriber sign-in by one-time code, the TMF620 catalog (offset/limit, 206 while more
/// remain), TMF654 balance buckets for the line and its usage, and renewal as an asynchronous top-up that carries the
/// payment and an <c>Idempotency-Key</c> the carrier honours.
/// </summary>
internal sealed class TMobileCarrier : ICarrierProvider, ICarrierAccounts, ICarrierUsage, ICarrierPlanCatalog, ICarrierOrders, ICarrierCallbackListeners
{
    private const string OtpPath = "oauth2/v2/otp";
    private const string CatalogPath = "tmf-api/productCatalogManagement/v4/";
    private const string BalancePath = "tmf-api/prepayBalanceManagement/v4/";
    private const int PageSize = 20;
    private const string Channel = "DataRenew.Sdk";

    private readonly TMobileConnection _connection;
    private readonly TMobileOptions _options;
    // Top-up ids by the order's idempotency key (one renewal's forever), the most recent ones (a long-running process
    // keeps a bounded amount; an older one is looked up by resending under its key, which the carrier replays).
    private readonly RecentEntries<string, string> _topups = new(RecentEntries<string, string>.DefaultCapacity);
    private readonly ConditionalWeakTable<CarrierSession, SessionState> _sessions = new();
    private readonly SkippedEntries _skipped;

    public TMobileCarrier(TMobileOptions options, TMobileConnection connection, ILogger? logger = null)
    {
        _options = options;
        _connection = connection;
        _skipped = new SkippedEntries(CarrierId.TMobile, logger);
        Descriptor = new CarrierDescriptor(
            CarrierId.TMobile,
            "T-Mobile",
            SignInMethods.OneTimeCode,
            ConfirmationModes.Polling | ConfirmationModes.Callback,
            [PaymentMethodKind.CreditCard, PaymentMethodKind.DebitCard, PaymentMethodKind.ApplePay, PaymentMethodKind.PayPal, PaymentMethodKind.Alipay, PaymentMethodKind.WeChatPay, PaymentMethodKind.CarrierBilling])
        {
            SupportsESim = true,
            DeduplicatesOrders = true,
            CollectsPayment = true,
            AcceptsCardNumbers = false,
            SupportContact = options.SupportContact,
        };
    }

    public CarrierDescriptor Descriptor { get; }

    public ICarrierAccounts Accounts => this;

    public ICarrierUsage Usage => this;

    public ICarrierPlanCatalog Catalog => this;

    public ICarrierOrders Orders => this;

    // The payment travels inside the top-up (CollectsPayment): no gateway of the carrier's own.
    public IPaymentGateway? Billing => null;

    public ICarrierCallbackListeners? CallbackListeners => this;

    /// <summary>Registers a hub for top-up events, with the app's own token (events are signed with the hub secret agreed with the carrier).</summary>
    public async Task<string?> RegisterAsync(CarrierSession session, Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (string.IsNullOrEmpty(_options.HubSecret))
        {
            throw new DataRenewValidationException(nameof(TMobileOptions.HubSecret), "Set T-Mobile HubSecret first: the listener refuses every event it cannot verify with it.");
        }

        using var message = TMobileConnection.Request(HttpMethod.Post, BalancePath + "hub");
        message.Content = Json(new TmfHub { Callback = url.AbsoluteUri }, TMobileJson.Default.TmfHub);
        using var response = await Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.ReadJson(TMobileJson.Default.TmfHub).Id;
    }

    private CarrierHttpClient Http => _connection.Http;

    private DateTimeOffset Now => _connection.Time.GetUtcNow();

    // ---- Accounts ----

    /// <summary>This style has no password sign-in: refused before any call.</summary>
    public Task<CarrierSession> SignInAsync(PasswordCredentials credentials, CancellationToken cancellationToken = default) =>
        throw new DataRenewValidationException(nameof(credentials), "T-Mobile lines sign in with a one-time code sent to the number (request one, then verify it), not with a password.");

    public async Task<OneTimeCodeChallenge> RequestOneTimeCodeAsync(PhoneNumber phoneNumber, CancellationToken cancellationToken = default)
    {
        var number = RequireNumber(phoneNumber, nameof(phoneNumber));
        using var request = TMobileConnection.Request(HttpMethod.Post, OtpPath);
        request.Content = Json(new TmfOtpRequest { Msisdn = number }, TMobileJson.Default.TmfOtpRequest);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return new OneTimeCodeChallenge(CarrierId.TMobile, phoneNumber, "otp_" + Guid.NewGuid().ToString("N"), null);
    }

    public async Task<CarrierSession> VerifyOneTimeCodeAsync(OneTimeCodeChallenge challenge, OneTimeCode code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var number = RequireNumber(challenge.PhoneNumber, nameof(challenge));
        if (code.Reveal().Length == 0)
        {
            throw new DataRenewValidationException(nameof(code), "A one-time code is required.");
        }

        using var request = TMobileConnection.Request(HttpMethod.Post, TMobileConnection.TokenPath);
        request.Content = new FormUrlEncodedContent([new("grant_type", "otp"), new("msisdn", number), new("code", code.Reveal())]);
        _connection.UseClientCredentials(request);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var token = AccessToken.FromResponse(response, _connection.Time);
        return new CarrierSession(CarrierId.TMobile, number, token.Value, challenge.PhoneNumber, token.ExpiresAt);
    }

    public Task<Account> GetAccountAsync(CarrierSession session, CancellationToken cancellationToken = default)
    {
        var number = Subscriber(session);
        return Task.FromResult(new Account(CarrierId.TMobile, number.E164, "T-Mobile prepaid " + number.ToMaskedString()));
    }

    public async IAsyncEnumerable<LineListingEntry> GetLinesAsync(CarrierSession session, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var balance = await GetBalanceAsync(session, cancellationToken).ConfigureAwait(false);
        yield return balance.Line;
    }

    // The style addresses a subscriber by number only: a session sees exactly the line of the number it signed in with.
    public async Task<Line?> FindLineAsync(CarrierSession session, LineId id, CancellationToken cancellationToken = default)
    {
        if (id != LineId.Of(Subscriber(session)))
        {
            return null;
        }

        var balance = await GetBalanceAsync(session, cancellationToken).ConfigureAwait(false);
        return balance.Line;
    }

    // ---- Usage ----

    public async Task<UsageSnapshot> GetUsageAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        var balance = await GetBalanceAsync(session, cancellationToken).ConfigureAwait(false);
        if (balance.Line.Id != line.Id)
        {
            throw new CarrierRejectedException("The line is not the one this T-Mobile session is signed in for.", new DataRenewErrorDetails(CarrierId.TMobile));
        }

        if (balance.Cycle is not { } cycle || balance.Remaining is not { } remaining)
        {
            throw Invalid("the data bucket has no remainingValue or no valid cycle (validFor) to tell the usage by");
        }

        var plans = await GetPlansAsync(session, line, cancellationToken).ConfigureAwait(false);
        var planAllowance = plans.FirstOrDefault(p => p.Code == balance.Line.CurrentPlan)?.Data;

        // Bonus data can leave more than the plan's allowance; the carrier does not send "used", so it is what the allowance lost.
        var allowance = planAllowance is { } a && a >= remaining ? a : remaining;
        var used = allowance.IsUnlimited ? DataAmount.Zero : allowance - remaining;
        return new UsageSnapshot(used, allowance, cycle.Start, cycle.End, Now, nextChargeDate: null, remaining);
    }

    // ---- Catalog ----

    public async Task<IReadOnlyList<Plan>> GetPlansAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var plans = new List<Plan>();
        await foreach (var offering in ListAsync(CatalogPath + "productOffering", TMobileJson.Default.ListTmfProductOffering, cancellationToken).ConfigureAwait(false))
        {
            // One offering the SDK cannot sell is left out (and reported once); the rest of the catalog stands.
            if (ToPlan(offering, out var problem) is { } plan)
            {
                if (plans.TrueForAll(p => p.Code != plan.Code))
                {
                    plans.Add(plan);
                }
            }
            else if (problem is not null)
            {
                _skipped.Report("product offering", offering.Id?.Trim(), problem);
            }
        }

        return plans;
    }

    public async Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CarrierSession session, Line line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var promotions = new List<Promotion>();
        await foreach (var promotion in ListAsync(CatalogPath + "promotion", TMobileJson.Default.ListTmfPromotion, cancellationToken).ConfigureAwait(false))
        {
            promotions.AddRange(ToPromotions(promotion));
        }

        return promotions;
    }

    // ---- Orders ----

    public async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var payment = PaymentOf(request.PaymentMethod);
        var number = Subscriber(session);
        var bucketId = await DataBucketIdAsync(session, cancellationToken).ConfigureAwait(false);

        // Deterministic bytes (fixed member order, no timestamp): a retry with the same Idempotency-Key is replayed, not refused as a mismatch.
        var body = new TmfTopupRequest
        {
            Bucket = new TmfRef { Id = bucketId },
            Product = [new TmfRef { Id = request.Plan.Code.Value }],
            Amount = new TmfMoney { Amount = request.Amount.Amount, Units = request.Amount.Currency },
            PaymentMethod = payment,
            LogicalResource = [new TmfLogicalResource { Value = number.E164 }],
            Channel = new TmfChannel { Name = Channel },
        };
        using var message = TMobileConnection.Request(HttpMethod.Post, BalancePath + "topupBalance");
        message.Content = Json(body, TMobileJson.Default.TmfTopupRequest);
        message.Headers.TryAddWithoutValidation("Idempotency-Key", request.IdempotencyKey);
        message.Headers.Authorization = Bearer(session);
        message.WithEffect(CarrierRequestEffect.DeduplicatedWrite);
        using var response = await Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var topup = response.ReadJson(TMobileJson.Default.TmfTopup);
        var order = ToOrder(topup, response);
        _topups.Remember(request.IdempotencyKey, order.OrderId);
        return order;
    }

    public async Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Unknown here means no answer came back: the engine resends with the same key and the carrier replays the first answer.
        return _topups.TryFind(request.IdempotencyKey, out var id)
            ? await GetAsync(session, new CarrierOrder(id, CarrierOrderStatus.Pending), request, cancellationToken).ConfigureAwait(false)
            : null;
    }

    public async Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        using var message = TMobileConnection.Request(HttpMethod.Get, BalancePath + "topupBalance/" + Uri.EscapeDataString(order.OrderId));
        message.Headers.Authorization = Bearer(session);
        using var response = await Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var topup = response.ReadJson(TMobileJson.Default.TmfTopup);
        if (topup.Id is { } id && !string.Equals(id, order.OrderId, StringComparison.Ordinal))
        {
            // Another top-up's status (a cache, a proxy) must not complete or fail this one.
            throw response.Invalid("the status answered is for another top-up");
        }

        return ToOrder(topup, response);
    }

    // ---- internals ----

    private static TmfPaymentMethod PaymentOf(PaymentMethod? method) => method switch
    {
        null => throw new DataRenewValidationException("request.PaymentMethod", "T-Mobile takes the payment with the top-up: a payment method is required."),
        CardPaymentMethod => throw new DataRenewValidationException("request.PaymentMethod", "T-Mobile takes cards only as a payment processor's token (PaymentMethod.CardToken); card numbers are never sent to it."),
        TokenizedCardPaymentMethod card => new TmfPaymentMethod { Type = "card", Token = card.RevealToken() },
        ApplePayPaymentMethod applePay => new TmfPaymentMethod { Type = "applePay", Token = applePay.RevealToken() },
        { Kind: PaymentMethodKind.PayPal } => new TmfPaymentMethod { Type = "paypal" },
        { Kind: PaymentMethodKind.Alipay } => new TmfPaymentMethod { Type = "alipay" },
        { Kind: PaymentMethodKind.WeChatPay } => new TmfPaymentMethod { Type = "wechatPay" },
        { Kind: PaymentMethodKind.CarrierBilling } => new TmfPaymentMethod { Type = "billToAccount" },
        _ => throw new DataRenewValidationException("request.PaymentMethod", $"T-Mobile does not take {method.Summary}."),
    };

    private CarrierOrder ToOrder(TmfTopup topup, CarrierResponse response)
    {
        if (string.IsNullOrWhiteSpace(topup.Id))
        {
            throw response.Invalid("the top-up has no id");
        }

        return OrderOf(topup, _options);
    }

    /// <summary>
    /// What a top-up's state means for the order, whether polled or sent by the hub. The top-up must have an id; a payer
    /// action whose link is not safe to open is an <see cref="InvalidCarrierResponseException"/>.
    /// </summary>
    internal static CarrierOrder OrderOf(TmfTopup topup, TMobileOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topup.Id);
        var status = topup.Status?.Trim() ?? string.Empty;
        if (status.Equals("completed", StringComparison.OrdinalIgnoreCase))
        {
            return new CarrierOrder(topup.Id, CarrierOrderStatus.Completed, topup.Id, topup.ConfirmationDate);
        }

        if (status.Equals("failed", StringComparison.OrdinalIgnoreCase) || status.Equals("cancelled", StringComparison.OrdinalIgnoreCase))
        {
            var reason = string.IsNullOrWhiteSpace(topup.StatusChangeReason) ? $"The top-up was {status.ToLowerInvariant()}." : CarrierErrors.Sanitise(topup.StatusChangeReason);
            return new CarrierOrder(topup.Id, CarrierOrderStatus.Failed, FailureReason: reason, FailureCode: status);
        }

        if (status.Equals("pendingPayerAction", StringComparison.OrdinalIgnoreCase) && topup.PayerAction is { Url: { Length: > 0 } url } action)
        {
            var kind = string.Equals(action.Type, "qrCode", StringComparison.OrdinalIgnoreCase) ? PayerActionKind.QrCode : PayerActionKind.Redirect;
            return new CarrierOrder(topup.Id, CarrierOrderStatus.Pending, PayerAction: PayerActionLinks.Checked(CarrierId.TMobile, kind, url, options));
        }

        // created, inProgress, or a state this adapter does not know: still pending.
        return new CarrierOrder(topup.Id, CarrierOrderStatus.Pending);
    }

    private async Task<string> DataBucketIdAsync(CarrierSession session, CancellationToken cancellationToken)
    {
        if (_sessions.TryGetValue(session, out var state) && state.DataBucketId is { } id)
        {
            return id;
        }

        return (await GetBalanceAsync(session, cancellationToken).ConfigureAwait(false)).BucketId
            ?? throw Invalid("the subscriber has no data bucket with an id to top up");
    }

    // The one call that shows the subscriber's line: its balance buckets (TMF654). The style has no line listing.
    private async Task<Balance> GetBalanceAsync(CarrierSession session, CancellationToken cancellationToken)
    {
        var number = Subscriber(session);
        using var message = TMobileConnection.Request(HttpMethod.Get, BalancePath + "bucket?logicalResource.value=" + Uri.EscapeDataString(number.E164));
        message.Headers.Authorization = Bearer(session);
        using var response = await Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var buckets = response.ReadJson(TMobileJson.Default.ListTmfBucket).Where(b => b is not null).ToList();
        var bucket = buckets.Find(b => string.Equals(b.UsageType, "data", StringComparison.OrdinalIgnoreCase)) ?? buckets.FirstOrDefault();

        // The line is the signed-in number, whatever its buckets lack: a missing fact leaves that fact unknown, and only
        // what needs it (usage needs the cycle, a top-up the bucket id) refuses.
        var iccidText = buckets.SelectMany(b => b.LogicalResource ?? []).FirstOrDefault(r => string.Equals(r?.ReferredType, "ICCID", StringComparison.OrdinalIgnoreCase))?.Value;
        var plan = bucket?.Product?.FirstOrDefault(p => !string.IsNullOrWhiteSpace(p?.Id))?.Id?.Trim();
        var status = bucket?.Status?.Trim().ToUpperInvariant() switch
        {
            "ACTIVE" => LineStatus.Active,
            "SUSPENDED" => LineStatus.Suspended,
            "EXPIRED" or "INACTIVE" => LineStatus.Inactive,
            _ => LineStatus.Unknown,
        };
        var line = new Line(LineId.Of(number), SimKind.ESim, status, plan is { Length: > 0 and <= 100 } && !plan.Any(char.IsControl) ? new PlanCode(plan) : default)
        {
            // The wire style names no ICCID; a server that adds one (a logical resource of type ICCID) gives one more fact.
            Iccid = Iccid.TryFromCarrier(iccidText, out var iccid) ? iccid : null,
            PhoneNumber = number,
        };

        var bucketId = string.IsNullOrWhiteSpace(bucket?.Id) ? null : bucket.Id;
        _sessions.AddOrUpdate(session, new SessionState(bucketId));
        var remaining = bucket?.RemainingValue is { Amount: { } amount } quantity ? Amount(amount, quantity.Units) : (DataAmount?)null;
        var cycle = bucket?.ValidFor is { StartDateTime: { } start, EndDateTime: { } end } && end > start ? (start, end) : ((DateTimeOffset, DateTimeOffset)?)null;
        return new Balance(line, bucketId, remaining, cycle);
    }

    private IAsyncEnumerable<T> ListAsync<T>(string path, JsonTypeInfo<List<T>> type, CancellationToken cancellationToken) =>
        CarrierPaging.ReadAllAsync<T, int>(
            CarrierId.TMobile,
            0,
            async (offset, ct) =>
            {
                using var message = TMobileConnection.Request(HttpMethod.Get, FormattableString.Invariant($"{path}?offset={offset}&limit={PageSize}"));
                using var response = await Http.SendAsync(message, ct).ConfigureAwait(false);
                var page = response.ReadJson(type);
                var items = page.Where(i => i is not null).ToList();

                // 206 Partial Content while more remain, 200 on the last page (X-Total-Count is informative only). The offset
                // moves by the entries the page held, a null one included, so the next page neither repeats nor skips any.
                return new CarrierPage<T, int>(items, response.StatusCode == HttpStatusCode.PartialContent, offset + page.Count);
            },
            _options.MaxPages,
            cancellationToken);

    /// <summary>
    /// The offering as a plan; <see langword="null"/> when it is not one (not active, not a one-time price) with no
    /// <paramref name="problem"/>, or when it is broken, with the <paramref name="problem"/> to report.
    /// </summary>
    private static Plan? ToPlan(TmfProductOffering offering, out string? problem)
    {
        problem = null;
        if (!string.Equals(offering.LifecycleStatus, "Active", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var price = offering.ProductOfferingPrice?.FirstOrDefault(p => p is not null && string.Equals(p.PriceType, "oneTime", StringComparison.OrdinalIgnoreCase) && p.Price is { Value: not null, Unit.Length: > 0 })?.Price;
        var allowance = Characteristic(offering, "dataAllowance");
        var validity = Characteristic(offering, "validityDays");
        problem = string.IsNullOrWhiteSpace(offering.Id) ? "it has no id"
            : price is null ? null // a recurring price only: not sellable as a one-time top-up, not a renewal option
            : allowance is not { ValueKind: JsonValueKind.Object } ? "it has no dataAllowance"
            : validity is not { ValueKind: JsonValueKind.Number } ? "it has no validityDays"
            : string.Empty;
        if (problem is not { Length: 0 })
        {
            return null;
        }

        try
        {
            var data = allowance!.Value;
            var amount = data.TryGetProperty("amount", out var a) && a.ValueKind == JsonValueKind.Number && a.TryGetDecimal(out var value) ? value : throw Invalid("its dataAllowance has no numeric amount");
            var units = data.TryGetProperty("units", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            var validityDays = validity!.Value.TryGetInt32(out var d) ? d : throw Invalid("its validityDays is not a whole number");
            problem = null;
            return new Plan(new PlanCode(offering.Id!.Trim()), string.IsNullOrWhiteSpace(offering.Name) ? offering.Id.Trim() : offering.Name, Amount(amount, units), new Money(price!.Value!.Value, price.Unit!), validityDays);
        }
        catch (DataRenewException ex)
        {
            problem = ex is DataRenewValidationException invalid ? invalid.Reason : ex.Message;
            return null;
        }
    }

    private static JsonElement? Characteristic(TmfProductOffering offering, string name) =>
        offering.ProdSpecCharValueUse?.FirstOrDefault(c => string.Equals(c?.Name, name, StringComparison.OrdinalIgnoreCase))
            ?.ProductSpecCharacteristicValue?.FirstOrDefault(v => v is not null)?.Value;

    private static IEnumerable<Promotion> ToPromotions(TmfPromotion promotion)
    {
        if (string.IsNullOrWhiteSpace(promotion.Id) || promotion.Pattern is null)
        {
            yield break;
        }

        var appliesTo = new List<PlanCode>();
        foreach (var target in promotion.AppliesTo ?? [])
        {
            var id = target.ValueKind switch
            {
                JsonValueKind.String => target.GetString(),
                JsonValueKind.Object when target.TryGetProperty("id", out var p) && p.ValueKind == JsonValueKind.String => p.GetString(),
                _ => null,
            };
            if (!string.IsNullOrWhiteSpace(id) && id.Length <= 100 && id.Trim() == id && !id.Any(char.IsControl))
            {
                appliesTo.Add(new PlanCode(id));
            }
        }

        var name = string.IsNullOrWhiteSpace(promotion.Name) ? promotion.Id : promotion.Name;
        var index = 0;
        foreach (var pattern in promotion.Pattern)
        {
            var id = index++ == 0 ? promotion.Id : $"{promotion.Id}#{index}";
            Promotion? result = null;
            try
            {
                result = pattern?.Action switch
                {
                    "discountPercent" when pattern.Value.ValueKind == JsonValueKind.Number && pattern.Value.TryGetDecimal(out var percent) =>
                        Promotion.PercentOff(id, name, percent, appliesTo, promotion.ValidFor?.StartDateTime, promotion.ValidFor?.EndDateTime),
                    "bonusData" when pattern.Value.ValueKind == JsonValueKind.Object
                                     && pattern.Value.TryGetProperty("amount", out var amount) && amount.ValueKind == JsonValueKind.Number && amount.TryGetDecimal(out var value) =>
                        Promotion.ExtraData(id, name, Amount(value, pattern.Value.TryGetProperty("units", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null),
                            appliesTo, promotion.ValidFor?.StartDateTime, promotion.ValidFor?.EndDateTime),
                    _ => null,
                };
            }
            catch (DataRenewValidationException)
            {
                // A promotion this SDK cannot represent (0 %, an empty window) is left out rather than breaking the catalog.
            }

            if (result is not null)
            {
                yield return result;
            }
        }
    }

    // Decimal amounts with a unit string; -1 is unlimited.
    private static DataAmount Amount(decimal amount, string? units) =>
        amount == -1m ? DataAmount.Unlimited : DataUnits.FromAmount(CarrierId.TMobile, amount, units);

    private static InvalidCarrierResponseException Invalid(string reason) => new($"{CarrierId.TMobile}: {reason}.", new DataRenewErrorDetails(CarrierId.TMobile));

    private static PhoneNumber Subscriber(CarrierSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Carrier == CarrierId.TMobile && session.Subscriber is { } number && number.E164.Length > 0
            ? number
            : throw new DataRenewValidationException(nameof(session), "The session is not a T-Mobile subscriber session (sign in with a one-time code).");
    }

    private static string RequireNumber(PhoneNumber number, string parameter) =>
        number.E164.Length > 0 && number.IsNanp ? number.E164 : throw new DataRenewValidationException(parameter, "A US phone number (+1…) is required.");

    private static AuthenticationHeaderValue Bearer(CarrierSession session) => new("Bearer", session.RevealToken());

    private static ByteArrayContent Json<T>(T value, JsonTypeInfo<T> type)
    {
        // Relaxed escaping keeps "+1…" readable on the wire (the default escapes '+' as \u002B); the body is never HTML.
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, value, type);
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private sealed record SessionState(string? DataBucketId);

    private sealed record Balance(Line Line, string? BucketId, DataAmount? Remaining, (DateTimeOffset Start, DateTimeOffset End)? Cycle);
}
