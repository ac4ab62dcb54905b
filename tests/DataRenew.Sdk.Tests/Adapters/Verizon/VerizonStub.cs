// The wire this stub serves is specified in docs/carriers/verizon.md. Serve only what that file defines, and write each
// behaviour from it, not from what the adapter happens to need.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>
/// A WireMock.Net stub of the Verizon style (ThingSpace-like) for one seeded account, under the base path /api.
/// Stateful where the flows need it: issued bearer tokens and m2m sessions, failed logins (five lock the account),
/// device plans and plan-change counts, requests that stay Pending for some polls and then end Success or Failure.
/// Devices are addressed by any of their <c>{id, kind}</c> pairs, as the spec says, not only by ICCID.
/// Knobs: fail the next order, expire sessions, revoke or reject bearers, page sizes, block the next order, a realistic
/// fleet (<see cref="SeedFleet"/>), a device without ids, and canned answers (each error shape, throttling) for the next
/// calls to a path. Counts come from the server's log.
/// </summary>
public sealed class VerizonStub : IDisposable
{
    public const string AppKey = "vz-app-key";
    public const string AppSecret = "vz-app-secret-s3cr3t";
    public const string AccountName = "0342077109-00001";
    public const string Username = "fleet.admin";
    public const string Password = "Correct-Horse-Battery-9";

    /// <summary>The scenario's line: active, 5 GB plan, MDN 2025550143.</summary>
    public static readonly LineId ActiveLine = new("8914800000000000014");
    public static readonly LineId SecondLine = new("8914800000000000022");
    public static readonly LineId SuspendedLine = new("8914800000000000030");
    public static readonly LineId DeactivatedLine = new("8914800000000000048");
    public static readonly LineId UnlimitedLine = new("8914800000000000055");

    /// <summary>A line that had its 4 plan changes this month.</summary>
    public static readonly LineId LimitReachedLine = new("8914800000000000063");

    private static readonly string PlansJson = """
        [
          {"name":"5GB Monthly","code":"M2M5GB","sizeKb":5000000,"carrierServicePlanCode":"84638","extendedAttributes":[{"key":"PriceUSD","value":"30.00"},{"key":"ValidityDays","value":"30"}]},
          {"extendedAttributes":[{"key":"ValidityDays","value":"30"},{"key":"PriceUSD","value":"45.00"}],"code":"M2M10GB","name":"10GB Monthly","sizeKb":10000000,"futureField":{"x":[1,2]}},
          {"name":"Unlimited Monthly","code":"M2MUNL","sizeKb":0,"extendedAttributes":[{"key":"PriceUSD","value":"80.00"},{"key":"ValidityDays","value":"30"},{"key":"Unlimited","value":"true"}]},
          {"name":"Trial","code":"M2MTRIAL","sizeKb":100000,"extendedAttributes":[{"key":"ValidityDays","value":"7"}]}
        ]
        """;

    private readonly WireMockServer _server;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _tokens = [];
    private readonly HashSet<string> _sessions = [];
    private readonly Dictionary<string, int> _callsServed = [];
    private readonly List<VerizonStubDevice> _devices = [];
    private readonly Dictionary<string, PlanRequest> _requests = new(StringComparer.Ordinal);
    private readonly List<(string PathContains, Func<IResponseMessage> Respond)> _canned = [];
    private int _sequence;
    private int _handsets;
    private int _failedLogins;
    private bool _failNextOrder;
    private string _password = Password;
    private TaskCompletionSource? _orderReceived;
    private ManualResetEventSlim? _orderRelease;
    private TaskCompletionSource? _orderProcessed;

    public VerizonStub()
    {
        _server = WireMockServer.Start();
        var cycleEnd = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(14), TimeSpan.Zero);
        CycleEnd = cycleEnd;
        Seed(ActiveLine, "2025550143", "active", "M2M5GB", cycleEnd, [(cycleEnd.AddMonths(-1).AddDays(-2), 9_000_000_000), (cycleEnd.AddMonths(-1).AddDays(1), 1_200_000_000), (cycleEnd.AddMonths(-1).AddDays(3), 300_000_000)]);
        Seed(SecondLine, "2025550144", "active", "M2M10GB", cycleEnd, []);
        Seed(SuspendedLine, "2025550145", "suspend", "M2M5GB", cycleEnd, []);
        Seed(DeactivatedLine, null, "deactive", "M2M5GB", cycleEnd, []);
        Seed(UnlimitedLine, "2025550147", "active", "M2MUNL", cycleEnd, [(cycleEnd.AddMonths(-1).AddDays(2), 50_000_000_000)]);
        Seed(LimitReachedLine, "2025550148", "active", "M2M5GB", cycleEnd, []).PlanChanges = 4;

        Map("^/api/ts/v1/oauth2/token$", "POST", Token);
        Map("^/api/m2m/v1/session/login$", "POST", req => Guarded(req, session: false, Login));
        Map("^/api/m2m/v1/accounts/[^/]+$", "GET", req => Guarded(req, session: true, GetAccount));
        Map("^/api/m2m/v1/plans/[^/]+$", "GET", req => Guarded(req, session: true, GetPlans));
        Map("^/api/m2m/v1/devices/actions/list$", "POST", req => Guarded(req, session: true, ListDevices));
        Map("^/api/m2m/v1/devices/usage/actions/list$", "POST", req => Guarded(req, session: true, ListUsage));
        Map("^/api/m2m/v1/devices/actions/plan$", "PUT", ChangePlan);
        Map("^/api/m2m/v1/accounts/[^/]+/requests/[^/]+/status$", "GET", req => Guarded(req, session: true, RequestStatus));
        Map("^/api/m2m/v1/callbacks/[^/]+$", "POST", req => Guarded(req, session: true, RegisterCallback));
    }

    /// <summary>The base address the adapter is given (with a path prefix that must be kept).</summary>
    public Uri BaseAddress => new(_server.Url + "/api");

    /// <summary>The seeded billing cycle end.</summary>
    public DateTimeOffset CycleEnd { get; }

    /// <summary>Devices per page of the unfiltered listing.</summary>
    public int PageSize { get; set; } = 2;

    /// <summary>How many calls one m2m session serves before it expires; <see langword="null"/> (the default) for no limit.</summary>
    public int? CallsPerSession { get; set; }

    /// <summary>Status reads that answer Pending before a plan change ends.</summary>
    public int PendingPolls { get; set; } = 1;

    /// <summary>Called with the id of each plan change the stub accepts, inside its lock: hand the work off (the campaign's callbacks do).</summary>
    public Action<string>? OrderAccepted { get; set; }

    /// <summary>Every call with a bearer is refused with 401 fault 900901 (a token the gateway no longer accepts).</summary>
    public bool RejectAllBearers { get; set; }

    public int OrdersReceived => Requests("PUT", "/devices/actions/plan").Count;

    public int TokenRequests => Requests("POST", "/oauth2/token").Count;

    public int LoginRequests => Requests("POST", "/session/login").Count;

    /// <summary>Every request received, of any kind.</summary>
    public int RequestCount => _server.LogEntries.Count;

    /// <summary>Requests received, oldest first (method, path, headers, body).</summary>
    public IReadOnlyList<IRequestMessage> Requests(string method, string pathEnd) =>
        _server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>()
            .Where(r => r.Method == method && r.Path.EndsWith(pathEnd, StringComparison.Ordinal))
            .OrderBy(r => r.DateTime)
            .ToArray();

    /// <summary>The plan the device with this ICCID is on now.</summary>
    public string? PlanOf(LineId iccid)
    {
        lock (_gate)
        {
            return _devices.Single(d => d.Iccid == iccid.Value).Plan;
        }
    }

    /// <summary>
    /// Replaces the account's devices (the named lines included) with a realistic fleet of <paramref name="count"/>
    /// devices, the same for the same <paramref name="seed"/>; see <see cref="VerizonFleet"/>.
    /// </summary>
    internal VerizonFleet SeedFleet(int count, int seed)
    {
        var fleet = VerizonFleet.Create(count, seed, CycleEnd);
        lock (_gate)
        {
            _devices.Clear();
            _devices.AddRange(fleet.Devices);
        }

        return fleet;
    }

    /// <summary>Adds a device whose <c>deviceIds</c> is empty: nothing addresses it, but it is on the account and listed.</summary>
    public void AddDeviceWithoutIds()
    {
        lock (_gate)
        {
            _devices.Add(new VerizonStubDevice { Ids = [], State = "active", Plan = "M2M5GB", CycleEnd = CycleEnd });
        }
    }

    /// <summary>Seeds one more active line, for a test that needs a line per renewal (so its orders are told apart by line).</summary>
    public LineId AddLine(string iccid, string mdn, string plan = "M2M5GB")
    {
        var line = new LineId(iccid);
        lock (_gate)
        {
            Seed(line, mdn, "active", plan, CycleEnd, []);
        }

        return line;
    }

    /// <summary>The next plan change is accepted, then its status ends Failure with a cause.</summary>
    public void FailNextOrder()
    {
        lock (_gate)
        {
            _failNextOrder = true;
        }
    }

    /// <summary>Every session token stops working (20 minutes idle).</summary>
    public void ExpireSessions()
    {
        lock (_gate)
        {
            _sessions.Clear();
        }
    }

    /// <summary>Every bearer token issued so far stops working.</summary>
    public void RevokeBearers()
    {
        lock (_gate)
        {
            _tokens.Clear();
        }
    }

    /// <summary>The account's password changes (so a re-login with the old one is refused).</summary>
    public void ChangePassword(string password)
    {
        lock (_gate)
        {
            _password = password;
        }
    }

    /// <summary>The next plan change blocks inside the stub until released; <paramref name="received"/> completes when it arrives.</summary>
    /// <remarks><paramref name="processed"/> completes once the released order has been taken (the plan change exists).</remarks>
    public void BlockNextOrder(out Task received, out Action release, out Task processed)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new ManualResetEventSlim();
        lock (_gate)
        {
            _orderReceived = arrived;
            _orderRelease = gate;
            _orderProcessed = done;
        }

        received = arrived.Task;
        release = gate.Set;
        processed = done.Task;
    }

    /// <summary>The next <paramref name="times"/> calls whose path contains <paramref name="pathContains"/> get this answer.</summary>
    public void RespondNext(string pathContains, int status, string? body, string? contentType = "application/json", int times = 1, params (string Name, string Value)[] headers)
    {
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _canned.Add((pathContains, () => Reply(status, body, contentType, headers)));
            }
        }
    }

    public void Dispose()
    {
        _orderRelease?.Set();
        _server.Stop();
        _server.Dispose();
    }

    // ---- endpoints ----

    private IResponseMessage Token(IRequestMessage req)
    {
        lock (_gate)
        {
            if (TakeCanned(req) is { } canned)
            {
                return canned;
            }

            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AppKey}:{AppSecret}"));
            if (Header(req, "Authorization") != expected || req.Body?.Contains("grant_type=client_credentials", StringComparison.Ordinal) != true)
            {
                return Fault(401, "900901", "Invalid Credentials");
            }

            var token = "tok-" + (++_sequence).ToString(CultureInfo.InvariantCulture);
            _tokens.Add(token);
            return Json(200, $$"""{"access_token":"{{token}}","token_type":"Bearer","expires_in":3600,"scope":"default"}""");
        }
    }

    private IResponseMessage Login(IRequestMessage req)
    {
        var body = JsonNode.Parse(req.Body ?? "{}")!;
        if (_failedLogins >= 5)
        {
            return Error(400, "UnifiedWebService.REQUEST_FAILED.AccountLocked", "The account is locked.");
        }

        if ((string?)body["username"] != Username || (string?)body["password"] != _password)
        {
            return ++_failedLogins >= 5
                ? Error(400, "UnifiedWebService.REQUEST_FAILED.AccountLocked", "The account is locked.")
                : Error(400, "UnifiedWebService.REQUEST_FAILED.InvalidCredentials", "Invalid username or password.");
        }

        _failedLogins = 0;
        var session = "sess-" + (++_sequence).ToString(CultureInfo.InvariantCulture);
        _sessions.Add(session);
        return Json(200, $$"""{"sessionToken":"{{session}}"}""");
    }

    private IResponseMessage GetAccount(IRequestMessage req) =>
        req.Path.EndsWith("/" + AccountName, StringComparison.Ordinal)
            ? Json(200, $$"""{"accountName":"{{AccountName}}","accountNumber":"0342077109","organizationName":"Acme Fleet","isProvisioningAllowed":true,"carriers":["Verizon Wireless"],"features":[],"servicePlans":[]}""")
            : Error(400, "UnifiedWebService.REQUEST_FAILED.AccountNotFound", "Account not found.");

    private IResponseMessage GetPlans(IRequestMessage req) => Json(200, PlansJson);

    /// <summary>Callback listeners registered, by name (a second registration of a name replaces the first).</summary>
    public Dictionary<string, JsonNode> CallbackListeners { get; } = new(StringComparer.Ordinal);

    private IResponseMessage RegisterCallback(IRequestMessage req)
    {
        if (!req.Path.EndsWith("/" + AccountName, StringComparison.Ordinal))
        {
            return Error(400, "UnifiedWebService.REQUEST_FAILED.AccountNotFound", "Account not found.");
        }

        var body = JsonNode.Parse(req.Body ?? "{}")!;
        if ((string?)body["name"] is not { Length: > 0 } name || (string?)body["url"] is not { Length: > 0 })
        {
            return Error(400, "UnifiedWebService.REQUEST_FAILED.ValidationError", "name and url are required.");
        }

        CallbackListeners[name] = body;
        return Json(200, $$"""{"accountName":"{{AccountName}}","serviceName":"{{name}}"}""");
    }

    private IResponseMessage ListDevices(IRequestMessage req)
    {
        var body = JsonNode.Parse(req.Body ?? "{}")!;
        if ((string?)body["accountName"] != AccountName)
        {
            return Error(400, "UnifiedWebService.REQUEST_FAILED.AccountNotFound", "Account not found.");
        }

        // The filter is honoured: 200, hasMoreData false, only the matching device (none: an empty array).
        if (body["deviceId"] is { } filter)
        {
            return Json(200, DevicesJson(_devices.Where(d => d.Has((string?)filter["kind"], (string?)filter["id"])), hasMore: false));
        }

        // Pages run in ascending numeric ICCID order after the cursor. A device without a numeric ICCID cannot be placed
        // by the cursor, so it comes on the last page, which ends the listing (the spec: such a page has no more after it).
        var seen = (string?)body["largestDeviceIdSeen"];
        var max = Math.Min(PageSize, (int?)body["maxNumberOfDevices"] ?? 1000);
        var after = _devices.Where(d => IsNumeric(d.Iccid) && (seen is null || CompareAsNumbers(d.Iccid!, seen) > 0)).ToList();
        after.Sort((a, b) => CompareAsNumbers(a.Iccid!, b.Iccid!));
        var unplaced = _devices.Where(d => !IsNumeric(d.Iccid)).ToList();
        var last = after.Count + unplaced.Count <= max || after.Count == 0;
        var page = last ? after.Concat(unplaced) : after.Take(max);

        // Devices inside a page are not sorted: the client must scan the whole page for the largest ICCID.
        return Json(last ? 200 : 202, DevicesJson(page.OrderBy(d => d.PageOrder), hasMore: !last));
    }

    private IResponseMessage ListUsage(IRequestMessage req)
    {
        var body = JsonNode.Parse(req.Body ?? "{}")!;
        if (body["deviceId"] is not { } id || body["earliest"] is null || body["latest"] is null || Find((string?)id["kind"], (string?)id["id"]) is not { } device)
        {
            return Error(400, "UnifiedWebService.REQUEST_FAILED.InvalidRequest", "deviceId, earliest and latest are required.");
        }

        var earliest = DateTimeOffset.Parse((string)body["earliest"]!, CultureInfo.InvariantCulture);
        var latest = DateTimeOffset.Parse((string)body["latest"]!, CultureInfo.InvariantCulture);
        var history = new JsonArray(device.Usage.Where(u => u.At >= earliest && u.At <= latest).Select(u => new JsonObject
        {
            ["bytesUsed"] = u.Bytes,
            ["smsUsed"] = 0,
            ["source"] = "Raw Usage",
            ["timestamp"] = u.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["servicePlan"] = device.Plan,
        }).ToArray<JsonNode?>());
        return Json(200, new JsonObject { ["hasMoreData"] = false, ["usageHistory"] = history }.ToJsonString());
    }

    private IResponseMessage ChangePlan(IRequestMessage req)
    {
        TaskCompletionSource? received;
        ManualResetEventSlim? release;
        TaskCompletionSource? processed;
        lock (_gate)
        {
            (received, release, processed) = (_orderReceived, _orderRelease, _orderProcessed);
            (_orderReceived, _orderRelease, _orderProcessed) = (null, null, null);
        }

        if (received is not null)
        {
            received.TrySetResult();
            release!.Wait(TimeSpan.FromSeconds(30));
        }

        try
        {
            return TakePlanChange(req);
        }
        finally
        {
            processed?.TrySetResult();
        }
    }

    private IResponseMessage TakePlanChange(IRequestMessage req)
    {
        return Guarded(req, session: true, r =>
        {
            // One device per request in this project; any one of the ids it is named by identifies it.
            var body = JsonNode.Parse(r.Body ?? "{}")!;
            var named = body["devices"]?[0]?["deviceIds"] as JsonArray;
            var device = named?.Select(i => Find((string?)i?["kind"], (string?)i?["id"])).FirstOrDefault(d => d is not null);
            var plan = (string?)body["servicePlan"];
            if (plan is null || device is null)
            {
                return Error(400, "UnifiedWebService.REQUEST_FAILED.DeviceNotFound", "No such device.");
            }

            if (device.PlanChanges >= 4)
            {
                return Error(400, "DeviceService.REQUEST_FAILED.PlanChangeLimitExceeded", "The device reached 4 plan changes this month.");
            }

            // A suspended device's change is accepted, then ends Failure with a cause (states compare without case).
            var suspended = string.Equals(device.State, "suspend", StringComparison.OrdinalIgnoreCase) || string.Equals(device.State, "suspended", StringComparison.OrdinalIgnoreCase);
            string? cause = _failNextOrder ? "Plan change rejected by the network" : suspended ? "Device is suspended" : null;
            _failNextOrder = false;
            var id = Guid.NewGuid().ToString();
            var request = new PlanRequest(id, device, named!.ToJsonString(), plan, cause);
            _requests[id] = request;
            if (PendingPolls == 0)
            {
                Finish(request);
            }

            OrderAccepted?.Invoke(id);

            return Json(202, $$"""{"requestId":"{{id}}"}""");
        });
    }

    private IResponseMessage RequestStatus(IRequestMessage req)
    {
        var id = req.PathSegments[^2];
        if (!_requests.TryGetValue(id, out var request))
        {
            return Error(400, "UnifiedWebService.REQUEST_FAILED.RequestNotFound", "No such request.");
        }

        if (request.Status == "Pending" && request.Polls++ >= PendingPolls)
        {
            Finish(request);
        }

        // A failed device is named by the ids the plan change named it by.
        var failed = request.Status == "Failure"
            ? $$""","failedDevices":[{"deviceIds":{{request.DeviceIds}},"cause":"{{request.Cause}}"}]"""
            : string.Empty;
        return Json(200, $$"""{"requestId":"{{id}}","status":"{{request.Status}}"{{failed}}}""");
    }

    /// <summary>The carrier's network ends a plan change now (as a callback announces it): its status and failure cause.</summary>
    public (string Status, string? Cause) FinishRequest(string requestId)
    {
        lock (_gate)
        {
            var request = _requests[requestId];
            if (request.Status == "Pending")
            {
                Finish(request);
            }

            return (request.Status, request.Cause);
        }
    }

    // ---- plumbing ----

    private static void Finish(PlanRequest request)
    {
        if (request.Cause is not null)
        {
            request.Status = "Failure";
            return;
        }

        request.Status = "Success";
        request.Device.Plan = request.Plan;
        request.Device.PlanChanges++;
    }

    /// <summary>Canned answers first; then the bearer (900902 missing, 900901 unknown) and the m2m session.</summary>
    private IResponseMessage Guarded(IRequestMessage req, bool session, Func<IRequestMessage, IResponseMessage> handle)
    {
        lock (_gate)
        {
            if (TakeCanned(req) is { } canned)
            {
                return canned;
            }

            var authorization = Header(req, "Authorization");
            if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Fault(401, "900902", "Missing Credentials");
            }

            if (RejectAllBearers || !_tokens.Contains(authorization["Bearer ".Length..]))
            {
                return Fault(401, "900901", "Invalid Credentials");
            }

            if (session && (Header(req, "VZ-M2M-Token") is not { } token || !_sessions.Contains(token) || !ServesOneMoreCall(token)))
            {
                return Error(400, "UnifiedWebService.REQUEST_FAILED.SessionToken.Expired", "Session token expired.");
            }

            return handle(req);
        }
    }

    // A session that has served CallsPerSession calls has expired (a stand-in for the 20 idle minutes, on any clock).
    private bool ServesOneMoreCall(string token)
    {
        var served = _callsServed.GetValueOrDefault(token) + 1;
        _callsServed[token] = served;
        if (CallsPerSession is { } limit && served > limit)
        {
            _sessions.Remove(token);
            return false;
        }

        return true;
    }

    private IResponseMessage? TakeCanned(IRequestMessage req)
    {
        var index = _canned.FindIndex(c => req.Path.Contains(c.PathContains, StringComparison.Ordinal));
        if (index < 0)
        {
            return null;
        }

        var canned = _canned[index];
        _canned.RemoveAt(index);
        return canned.Respond();
    }

    private VerizonStubDevice? Find(string? kind, string? id) => _devices.Find(d => d.Has(kind, id));

    /// <summary>A named line: every informative field, an MDN and the handset's IMEI when it has a number, a state and a plan.</summary>
    private VerizonStubDevice Seed(LineId iccid, string? mdn, string state, string plan, DateTimeOffset cycleEnd, (DateTimeOffset At, long Bytes)[] usage)
    {
        var imei = "99000086" + (++_handsets).ToString("D7", CultureInfo.InvariantCulture);
        var device = new VerizonStubDevice
        {
            Ids = mdn is null ? [("iccid", iccid.Value)] : [("mdn", mdn), ("iccid", iccid.Value), ("imei", imei)],
            State = state,
            Plan = plan,
            CycleEnd = cycleEnd,
            Usage = usage,

            // Each page in descending ICCID order: not the order the cursor runs in.
            PageOrder = -_handsets,
            Extra = new Dictionary<string, JsonNode?>
            {
                ["connected"] = true,
                ["createdAt"] = "2025-01-02T03:04:05Z",
                ["ipAddress"] = "10.0.0.1",
                ["lastActivationDate"] = "2025-01-02T03:04:05Z",
                ["extendedAttributes"] = new JsonArray(),
            },
        };
        _devices.Add(device);
        return device;
    }

    private static string DevicesJson(IEnumerable<VerizonStubDevice> devices, bool hasMore) =>
        new JsonObject { ["hasMoreData"] = hasMore, ["devices"] = new JsonArray(devices.Select(d => d.ToJson(AccountName)).ToArray<JsonNode?>()) }.ToJsonString();

    private static bool IsNumeric(string? id) => id is { Length: > 0 } && id.All(char.IsAsciiDigit);

    // The spec's numeric order of ICCIDs, longer than a long: leading zeros stripped, the longer is larger, then digit by digit.
    private static int CompareAsNumbers(string a, string b)
    {
        var (x, y) = (a.TrimStart('0'), b.TrimStart('0'));
        return x.Length != y.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y);
    }

    private static string? Header(IRequestMessage req, string name) =>
        req.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private static IResponseMessage Json(int status, string body) => Reply(status, body, "application/json");

    private static IResponseMessage Error(int status, string code, string message) =>
        Json(status, $$"""{"errorCode":"{{code}}","errorMessage":"{{message}}"}""");

    private static IResponseMessage Fault(int status, string code, string message) =>
        Json(status, "{\"fault\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"description\":\"" + message + ". Make sure your API invocation call has a header: 'Authorization : Bearer ACCESS_TOKEN'\"}}");

    internal static IResponseMessage Reply(int status, string? body, string? contentType, params (string Name, string Value)[] headers)
    {
        var response = new ResponseMessage { StatusCode = status };
        if (body is not null)
        {
            response.BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 };
        }

        if (contentType is not null)
        {
            response.AddHeader("Content-Type", contentType);
        }

        foreach (var (name, value) in headers)
        {
            response.AddHeader(name, value);
        }

        return response;
    }

    private void Map(string pathRegex, string method, Func<IRequestMessage, IResponseMessage> handle) =>
        _server.Given(Request.Create().WithPath(new RegexMatcher(pathRegex)).UsingMethod(method)).RespondWith(Response.Create().WithCallback(handle));

    private sealed class PlanRequest(string id, VerizonStubDevice device, string deviceIds, string plan, string? cause)
    {
        public string Id { get; } = id;

        public VerizonStubDevice Device { get; } = device;

        /// <summary>The <c>deviceIds</c> the plan change named the device by, as JSON.</summary>
        public string DeviceIds { get; } = deviceIds;

        public string Plan { get; } = plan;

        public string? Cause { get; } = cause;

        public string Status { get; set; } = "Pending";

        public int Polls { get; set; }
    }
}
