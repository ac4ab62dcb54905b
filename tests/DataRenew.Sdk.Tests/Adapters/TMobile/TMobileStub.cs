// The wire this stub serves is specified in docs/carriers/tmobile.md. Serve only what that file defines, and write each
// behaviour from it, not from what the adapter happens to need. The style has no ICCID anywhere: a line is its number.
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataRenew.Sdk.AdapterKit;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace DataRenew.Sdk.Tests.Adapters.TMobile;

/// <summary>
/// A T-Mobile-style carrier on WireMock.Net, seeded with one eSIM subscriber. It verifies the proof-of-possession token
/// of EVERY request (RS256 signature with the client's public key, <c>edts</c> recomputed from the request as received,
/// <c>exp</c> not passed and at most 60 s after <c>iat</c>, <c>jti</c> never reused) and answers 401 POP_INVALID /
/// POP_REPLAYED otherwise. Stateful: OTP sign-in with a fixed code and a lock after five wrong codes, app and subscriber
/// tokens, the catalog paged by offset/limit (206 while more remain), balance buckets, top-ups de-duplicated by
/// Idempotency-Key (same bytes replay, other bytes 409), polled from created to completed / failed / pendingPayerAction.
/// Knobs script the next top-up, throttle, or answer any request with a given error shape.
/// </summary>
internal sealed class TMobileStub : IDisposable
{
    public const string ClientId = "datarenew-client";
    public const string ClientSecret = "s3cr3t-client-secret";
    public const string Msisdn = "+12025550143";
    public const string OtpCode = "123456";
    public const string BasePath = "/api";
    public const string TopupPath = BasePath + "/tmf-api/prepayBalanceManagement/v4/topupBalance";

    private static readonly Lazy<RSA> LazyKey = new(() => RSA.Create(2048));
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly HashSet<string> _appTokens = [];
    private readonly Dictionary<string, string> _subscriberTokens = [];
    private readonly HashSet<string> _jtis = [];
    private readonly List<string> _popRefusals = [];
    private readonly Dictionary<string, (byte[] Body, int Status, string Response)> _idempotency = [];
    private readonly Dictionary<string, Topup> _topups = [];
    private readonly Queue<TopupScript> _scripts = new();
    private readonly List<(string Method, string Path, Func<IResponseMessage> Response)> _faults = [];
    private int _sequence;
    private int _otpFailures;

    public TMobileStub(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Server = WireMockServer.Start();
        Server.Given(Request.Create().WithPath(new WildcardMatcher(BasePath + "/*")).UsingAnyMethod())
            .RespondWith(Response.Create().WithCallback(Handle));
        Offerings.Add(Offering("tm-5gb-30d", "5GB 30 days", 25.00m, "{\"amount\":5,\"units\":\"GB\"}", 30));
        Offerings.Add(Offering("tm-10gb-30d", "10GB 30 days", 40.00m, "{\"amount\":10,\"units\":\"GB\"}", 30));
    }

    /// <summary>The client's private key, as the app configures it.</summary>
    public static string PrivateKeyPem { get; } = LazyKey.Value.ExportPkcs8PrivateKeyPem();

    public WireMockServer Server { get; }

    public Uri BaseAddress => new(Server.Url + BasePath);

    /// <summary>The offerings (raw JSON objects), paged 20 at a time or as the client's limit says.</summary>
    public List<string> Offerings { get; } = [];

    /// <summary>The promotions (raw JSON objects).</summary>
    public List<string> Promotions { get; } = [];

    public string CurrentPlan { get; set; } = "tm-5gb-30d";

    public string Remaining { get; set; } = "{\"amount\":1.5,\"units\":\"GB\"}";

    public string BucketJson { get; set; } = string.Empty;

    /// <summary>The buckets' logical resources: the subscriber's number only (the wire style has no ICCID).</summary>
    public string LogicalResources { get; set; } = $"[{{\"value\":\"{Msisdn}\"}}]";

    /// <summary>Called inside the top-up POST, after the top-up is created and before the answer (to block it).</summary>
    public Action? DuringOrder { get; set; }

    /// <summary>Called with the id of each top-up created, inside the stub's lock: hand the work off (the campaign's hub events do).</summary>
    public Action<string>? TopupCreated { get; set; }

    /// <summary>Status reads do not move a top-up on; only <see cref="FinishTopup"/> does (the carrier finishes it on its own time).</summary>
    public bool HoldStatus { get; set; }

    /// <summary>Why PoP tokens were refused (the adapter's own requests must never be).</summary>
    public IReadOnlyList<string> PopRefusals
    {
        get
        {
            lock (_gate)
            {
                return [.. _popRefusals];
            }
        }
    }

    /// <summary>Top-up requests received (replays included), from the server's log.</summary>
    public IReadOnlyList<WireMock.Logging.ILogEntry> OrderRequests =>
        Server.LogEntries.Where(e => e.RequestMessage!.Method == "POST" && e.RequestMessage.Path == TopupPath).ToList();

    /// <summary>Carrier orders: distinct Idempotency-Keys among the top-up requests in the server's log (a replay is not a new order).</summary>
    public int OrdersReceived => OrderRequests.Select(e => Header(e.RequestMessage!, "Idempotency-Key")).Distinct(StringComparer.Ordinal).Count();

    public int Count(string method, string pathSuffix) =>
        Server.LogEntries.Count(e => e.RequestMessage!.Method == method && e.RequestMessage.Path.EndsWith(pathSuffix, StringComparison.Ordinal));

    public static string Offering(string id, string name, decimal price, string allowance, int validityDays, string status = "Active", string priceType = "oneTime") =>
        $$"""{"id":"{{id}}","name":"{{name}}","isBundle":false,"lifecycleStatus":"{{status}}","productOfferingPrice":[{"price":{"value":{{price.ToString(CultureInfo.InvariantCulture)}},"unit":"USD"},"priceType":"{{priceType}}"}],"prodSpecCharValueUse":[{"name":"dataAllowance","productSpecCharacteristicValue":[{"value":{{allowance}}}]},{"name":"validityDays","productSpecCharacteristicValue":[{"value":{{validityDays}}}]}],"@type":"ProductOffering"}""";

    public void EnqueueTopup(TopupScript script)
    {
        lock (_gate)
        {
            _scripts.Enqueue(script);
        }
    }

    /// <summary>The next request matching method and path suffix gets this answer (after its PoP passed).</summary>
    public void RespondNext(string method, string pathSuffix, int status, string body, string contentType = "application/json", IReadOnlyDictionary<string, string>? headers = null)
    {
        lock (_gate)
        {
            _faults.Add((method, pathSuffix, () => Reply(status, body, contentType, headers)));
        }
    }

    public void Throttle(string method, string pathSuffix, string? retryAfter)
    {
        var headers = new Dictionary<string, string> { ["X-RateLimit-Limit"] = "100", ["X-RateLimit-Remaining"] = "0" };
        if (retryAfter is not null)
        {
            headers["Retry-After"] = retryAfter;
        }

        RespondNext(method, pathSuffix, 429, Error("RATE_LIMITED", "Too many requests", 429), headers: headers);
    }

    /// <summary>Forgets every app and subscriber token (the carrier revoked them).</summary>
    public void RevokeAppTokens()
    {
        lock (_gate)
        {
            _appTokens.Clear();
        }
    }

    public static string Error(string code, string message, int status, string? extra = null) =>
        $$"""{"code":"{{code}}","reason":"{{code}}","message":"{{message}}","status":"{{status}}","referenceError":"https://api.tmobile.example/errors/{{code}}","@type":"Error"{{extra}}}""";

    public void Dispose() => Server.Stop();

    // ---- the carrier ----

    private IResponseMessage Handle(IRequestMessage request)
    {
        var response = HandleLocked(request, out var created);
        if (created && DuringOrder is { } during)
        {
            during();
        }

        return response;
    }

    private IResponseMessage HandleLocked(IRequestMessage request, out bool created)
    {
        created = false;
        lock (_gate)
        {
            if (VerifyPop(request) is { } refusal)
            {
                _popRefusals.Add(refusal.Reason);
                return Reply(401, Error(refusal.Code, refusal.Reason, 401));
            }

            var path = request.Path[BasePath.Length..];
            var fault = _faults.FindIndex(f => f.Method == request.Method && path.EndsWith(f.Path, StringComparison.Ordinal));
            if (fault >= 0)
            {
                var response = _faults[fault].Response;
                _faults.RemoveAt(fault);
                return response();
            }

            return (request.Method, path) switch
            {
                ("POST", "/oauth2/v2/tokens") => Token(request),
                ("POST", "/oauth2/v2/otp") => Otp(request),
                ("GET", "/tmf-api/productCatalogManagement/v4/productOffering") => Page(request, Offerings),
                ("GET", "/tmf-api/productCatalogManagement/v4/promotion") => Page(request, Promotions),
                ("GET", "/tmf-api/prepayBalanceManagement/v4/bucket") => Buckets(request),
                ("POST", "/tmf-api/prepayBalanceManagement/v4/topupBalance") => CreateTopup(request, out created),
                ("POST", "/tmf-api/prepayBalanceManagement/v4/hub") => RegisterHub(request),
                ("GET", var p) when p.StartsWith("/tmf-api/prepayBalanceManagement/v4/topupBalance/", StringComparison.Ordinal) => GetTopup(request, p[(p.LastIndexOf('/') + 1)..]),
                _ => Reply(404, Error("NOT_FOUND", "No such resource", 404)),
            };
        }
    }

    private (string Code, string Reason)? VerifyPop(IRequestMessage request)
    {
        var token = Header(request, "X-Authorization");
        if (token is null)
        {
            return ("POP_INVALID", "no X-Authorization");
        }

        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return ("POP_INVALID", "not a JWT");
        }

        var signature = Base64Url.DecodeFromChars(parts[2]);
        using var publicKey = RSA.Create();
        publicKey.ImportParameters(LazyKey.Value.ExportParameters(false));
        if (!publicKey.VerifyData(Encoding.UTF8.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return ("POP_INVALID", "bad signature");
        }

        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        if ((string?)header["alg"] != "RS256")
        {
            return ("POP_INVALID", "alg");
        }

        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        var iat = (long)claims["iat"]!;
        var exp = (long)claims["exp"]!;
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (exp - iat > 60 || exp <= iat)
        {
            return ("POP_INVALID", "lifetime over 60 s");
        }

        if (exp < now || iat > now + 5)
        {
            return ("POP_INVALID", "expired");
        }

        if ((string?)claims["v"] != "1" || (string?)claims["ehts"] != "Authorization;Content-Type;uri;http-method;body")
        {
            return ("POP_INVALID", "v or ehts");
        }

        var uri = request.Path + (string.IsNullOrEmpty(request.RawQuery) ? string.Empty : (request.RawQuery.StartsWith('?') ? request.RawQuery : "?" + request.RawQuery));
        var expected = ProofOfPossessionSigner.ComputeEdts(Header(request, "Authorization"), Header(request, "Content-Type"), uri, request.Method, request.BodyAsBytes ?? []);
        if ((string?)claims["edts"] != expected)
        {
            return ("POP_INVALID", "edts does not match the request");
        }

        var jti = (string?)claims["jti"];
        if (string.IsNullOrEmpty(jti) || !_jtis.Add(jti))
        {
            return ("POP_REPLAYED", "jti reused");
        }

        return null;
    }

    private ResponseMessage Token(IRequestMessage request)
    {
        var expectedBasic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
        if (Header(request, "Authorization") != expectedBasic)
        {
            return Reply(401, Error("INVALID_CLIENT", "Client authentication failed", 401));
        }

        var form = request.BodyAsBytes is { Length: > 0 } bytes ? ParseForm(Encoding.UTF8.GetString(bytes)) : [];
        if (!form.TryGetValue("grant_type", out var grant))
        {
            var app = "app-" + Next();
            _appTokens.Add(app);
            return Reply(200, $$"""{"access_token":"{{app}}","token_type":"Bearer","expires_in":3600}""");
        }

        if (grant != "otp" || form.GetValueOrDefault("msisdn") != Msisdn)
        {
            return Reply(400, Error("INVALID_REQUEST", "Unsupported grant", 400));
        }

        if (_otpFailures >= 5)
        {
            return Reply(423, Error("OTP_LOCKED", "Too many wrong codes", 423));
        }

        if (form.GetValueOrDefault("code") != OtpCode)
        {
            return ++_otpFailures >= 5 ? Reply(423, Error("OTP_LOCKED", "Too many wrong codes", 423)) : Reply(400, Error("OTP_INVALID", "The code is wrong", 400));
        }

        var subscriber = "sub-" + Next();
        _subscriberTokens[subscriber] = Msisdn;
        return Reply(200, $$"""{"access_token":"{{subscriber}}","token_type":"Bearer","expires_in":3600,"scope":"subscriber"}""");
    }

    /// <summary>Hubs registered (the callback addresses), in order.</summary>
    public List<string> Hubs { get; } = [];

    private ResponseMessage RegisterHub(IRequestMessage request)
    {
        if (!IsApp(request))
        {
            return Reply(401, Error("INVALID_TOKEN", "The access token is invalid or expired", 401));
        }

        if ((string?)JsonNode.Parse(request.Body ?? "{}")?["callback"] is not { Length: > 0 } callback)
        {
            return Reply(400, Error("INVALID_CALLBACK", "callback is required", 400));
        }

        Hubs.Add(callback);
        var id = "hub-" + Hubs.Count.ToString(CultureInfo.InvariantCulture);
        return Reply(201, $$"""{"id":"{{id}}","callback":"{{callback}}"}""", headers: new Dictionary<string, string> { ["Location"] = "/tmf-api/prepayBalanceManagement/v4/hub/" + id });
    }

    private ResponseMessage Otp(IRequestMessage request)
    {
        if (!IsApp(request))
        {
            return Reply(401, Error("INVALID_TOKEN", "The access token is invalid or expired", 401));
        }

        var msisdn = (string?)JsonNode.Parse(request.Body ?? "{}")?["msisdn"];
        if (msisdn != Msisdn)
        {
            return Reply(404, Error("INVALID_MSISDN", "Unknown number", 404));
        }

        return _otpFailures >= 5 ? Reply(423, Error("OTP_LOCKED", "Too many wrong codes", 423)) : Reply(202, string.Empty);
    }

    private ResponseMessage Page(IRequestMessage request, List<string> items)
    {
        if (!IsApp(request) && Subscriber(request) is null)
        {
            return Reply(401, Error("INVALID_TOKEN", "The access token is invalid or expired", 401));
        }

        var offset = int.Parse(Query(request, "offset") ?? "0", CultureInfo.InvariantCulture);
        var limit = int.Parse(Query(request, "limit") ?? "20", CultureInfo.InvariantCulture);
        var page = items.Skip(offset).Take(limit).ToList();
        var more = offset + page.Count < items.Count;
        return Reply(more ? 206 : 200, "[" + string.Join(",", page) + "]", headers: new Dictionary<string, string>
        {
            ["X-Total-Count"] = items.Count.ToString(CultureInfo.InvariantCulture),
            ["X-Result-Count"] = page.Count.ToString(CultureInfo.InvariantCulture),
        });
    }

    private ResponseMessage Buckets(IRequestMessage request)
    {
        if (Subscriber(request) is not { } msisdn || Query(request, "logicalResource.value") != msisdn)
        {
            return Reply(401, Error("INVALID_TOKEN", "The subscriber token does not cover this number", 401));
        }

        var body = BucketJson.Length > 0 ? BucketJson
            : $$"""[{"id":"b-1","name":"Data","remainingValue":{{Remaining}},"remainingValueName":"1.5 GB","reservedValue":{"amount":0,"units":"GB"},"status":"active","usageType":"data","validFor":{"startDateTime":"2026-11-01T00:00:00Z","endDateTime":"2026-12-01T00:00:00Z"},"product":[{"id":"{{CurrentPlan}}"}],"logicalResource":{{LogicalResources}},"unknownField":{"x":1} }]""";
        return Reply(200, body);
    }

    private ResponseMessage CreateTopup(IRequestMessage request, out bool created)
    {
        created = false;
        if (Subscriber(request) is not { } msisdn)
        {
            return Reply(401, Error("INVALID_TOKEN", "The subscriber token is invalid", 401));
        }

        var key = Header(request, "Idempotency-Key");
        var bytes = request.BodyAsBytes ?? [];
        if (string.IsNullOrEmpty(key))
        {
            return Reply(400, Error("MISSING_IDEMPOTENCY_KEY", "Idempotency-Key is required", 400));
        }

        if (_idempotency.TryGetValue(key, out var earlier))
        {
            return earlier.Body.AsSpan().SequenceEqual(bytes)
                ? Reply(earlier.Status, earlier.Response)
                : Reply(409, Error("IDEMPOTENCY_MISMATCH", "The key was used with another body", 409));
        }

        var (status, response) = NewTopup(JsonNode.Parse(bytes)!, msisdn);
        _idempotency[key] = (bytes, status, response);
        created = true;
        return Reply(status, response);
    }

    private (int Status, string Body) NewTopup(JsonNode body, string msisdn)
    {
        var product = (string?)body["product"]?[0]?["id"];
        var offering = Offerings.Select(o => JsonNode.Parse(o)!).FirstOrDefault(o => (string?)o["id"] == product);
        if (offering is null)
        {
            return (404, Error("PRODUCT_NOT_FOUND", "No such product", 404));
        }

        if ((string?)body["logicalResource"]?[0]?["value"] != msisdn || (string?)body["bucket"]?["id"] != "b-1")
        {
            return (404, Error("INVALID_MSISDN", "Unknown number or bucket", 404));
        }

        var price = (decimal)offering["productOfferingPrice"]![0]!["price"]!["value"]!;
        var amount = (decimal)body["amount"]!["amount"]!;
        var discounts = Promotions.Select(p => JsonNode.Parse(p)!).SelectMany(p => p["pattern"]!.AsArray())
            .Where(p => (string?)p!["action"] == "discountPercent").Select(p => Math.Round(price * (100 - (decimal)p!["value"]!) / 100, 2));
        if (amount != price && !discounts.Contains(amount))
        {
            return (400, Error("INVALID_AMOUNT", "The amount is not the offering's price", 400));
        }

        var payment = body["paymentMethod"]!;
        var type = (string?)payment["type"];
        if (type is "card" or "applePay" && string.IsNullOrEmpty((string?)payment["token"]))
        {
            return (400, Error("INVALID_PAYMENT", "A token is required", 400));
        }

        var script = _scripts.TryDequeue(out var s) ? s : type is "paypal" or "alipay" or "wechatPay" ? TopupScript.PayerAction(type == "paypal" ? "redirect" : "qrCode") : TopupScript.Complete();
        if (script.Decline is { } decline)
        {
            return (402, Error("PAYMENT_DECLINED", "The payment was declined", 402, $",\"declineCode\":\"{decline}\""));
        }

        if (script.Refusal is { } refusal)
        {
            return (refusal.Status, Error(refusal.Code, "Refused", refusal.Status));
        }

        var id = "tu-" + Next();
        _topups[id] = new Topup(id, product!, script);
        TopupCreated?.Invoke(id);
        return (201, $$"""{"id":"{{id}}","status":"created","requestedDate":"{{_time.GetUtcNow():O}}","href":"/topupBalance/{{id}}"}""");
    }

    private ResponseMessage GetTopup(IRequestMessage request, string id)
    {
        if (Subscriber(request) is null)
        {
            return Reply(401, Error("INVALID_TOKEN", "The subscriber token is invalid", 401));
        }

        if (!_topups.TryGetValue(id, out var topup))
        {
            return Reply(404, Error("NOT_FOUND", "No such top-up", 404));
        }

        if (!HoldStatus)
        {
            Advance(topup);
        }

        var extra = topup.Status switch
        {
            "completed" => $",\"confirmationDate\":\"{_time.GetUtcNow():O}\"",
            "failed" => $",\"statusChangeReason\":\"{FailureReason}\"",
            "pendingPayerAction" => $",\"payerAction\":{{\"type\":\"{topup.Script.PayerActionType}\",\"url\":\"https://pay.example/approve/{id}\"}}",
            _ => string.Empty,
        };
        return Reply(200, $$"""{"id":"{{id}}","status":"{{topup.Status}}","@type":"TopupBalance"{{extra}}}""");
    }

    /// <summary>The carrier ends a top-up now (as its hub event announces): its status and the reason for a failure.</summary>
    public (string Status, string? Reason) FinishTopup(string id)
    {
        lock (_gate)
        {
            var topup = _topups[id];
            while (topup.Status is "created" or "pendingPayerAction")
            {
                Advance(topup);
            }

            return (topup.Status, topup.Status == "failed" ? FailureReason : null);
        }
    }

    private const string FailureReason = "The line is not eligible for this top-up";

    private void Advance(Topup topup)
    {
        topup.Polls++;
        if (topup.Status is "created" or "pendingPayerAction")
        {
            if (topup.Script.PayerActionType is not null && topup.Polls == 1)
            {
                topup.Status = "pendingPayerAction";
            }
            else if (topup.Script.Fails)
            {
                topup.Status = "failed";
            }
            else
            {
                topup.Status = "completed";
                CurrentPlan = topup.Product;
            }
        }
    }

    private bool IsApp(IRequestMessage request) => Bearer(request) is { } token && _appTokens.Contains(token);

    private string? Subscriber(IRequestMessage request) => Bearer(request) is { } token && _subscriberTokens.TryGetValue(token, out var msisdn) ? msisdn : null;

    private static string? Bearer(IRequestMessage request) =>
        Header(request, "Authorization") is { } value && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value["Bearer ".Length..] : null;

    private static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private static string? Query(IRequestMessage request, string name) =>
        request.Query?.FirstOrDefault(q => q.Key == name).Value?.FirstOrDefault();

    private static Dictionary<string, string> ParseForm(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : string.Empty);

    private string Next() => (++_sequence).ToString("D4", CultureInfo.InvariantCulture);

    private static ResponseMessage Reply(int status, string body, string contentType = "application/json", IReadOnlyDictionary<string, string>? headers = null)
    {
        var message = new ResponseMessage { StatusCode = status, Headers = new Dictionary<string, WireMockList<string>>() };
        if (body.Length > 0)
        {
            message.BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 };
            message.Headers["Content-Type"] = new WireMockList<string>(contentType);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            message.Headers[name] = new WireMockList<string>(value);
        }

        return message;
    }

    private sealed class Topup(string id, string product, TopupScript script)
    {
        public string Id { get; } = id;

        public string Product { get; } = product;

        public TopupScript Script { get; } = script;

        public string Status { get; set; } = "created";

        public int Polls { get; set; }
    }
}
