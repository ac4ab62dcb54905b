// The wire this stub serves is specified in docs/carriers/att.md. Serve only what that file defines, and write each
// behaviour from it, not from what the adapter happens to need.
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>
/// A WireMock.Net stub of the AT&amp;T-style API (Control Center REST v1 style) for one seeded account: Basic
/// credentials on every call, devices with page/lastPage paging, rate plans, cycle-to-date usage, and plan changes
/// (applied at once, or scheduled and applied after the device is read again). Like the carrier, it answers a call
/// that overlaps another with 429 and no Retry-After. Knobs: refuse the next order, block the next order, throttle,
/// answer the next calls with any error shape, or a realistic fleet instead of the named lines (<see cref="SeedFleet"/>).
/// </summary>
internal sealed class AttStub : IAsyncDisposable
{
    public const string BasePath = "/rws/api/v1";
    public const string Username = "acme-iot";
    public const string ApiKey = "k3y-4f9a-SECRET-77c1";

    public static readonly LineId Line5Gb = new("8914800000000000014");
    public static readonly LineId Line1Gb = new("8914800000000000022");
    public static readonly LineId Deactivated = new("8914800000000000030");
    public static readonly LineId ActivationReady = new("8914800000000000048");
    public static readonly LineId TestReady = new("8914800000000000055");
    public static readonly LineId Line10Gb = new("8914800000000000063");

    /// <summary>Line5Gb's cycle-to-date use: 1,234,567,890 bytes.</summary>
    public const long Line5GbUsedBytes = 1_234_567_890;

    private readonly WireMockServer _server;
    private readonly Lock _gate = new();
    private readonly List<AttStubDevice> _devices =
    [
        Named(1, Line5Gb, "ACTIVATED", "ATT 5GB", "12025550143", Line5GbUsedBytes),
        Named(2, Line1Gb, "ACTIVATED", "ATT 1GB", "12025550144", 0),
        Named(3, Deactivated, "DEACTIVATED", "ATT 5GB", null, 0),
        Named(4, ActivationReady, "ACTIVATION_READY", "ATT 1GB", null, 0),
        Named(5, TestReady, "TEST_READY", "ATT 1GB", null, 0),
        Named(6, Line10Gb, "ACTIVATED", "ATT 10GB", "12025550145", 7_000_000_000),
    ];

    private readonly ConcurrentQueue<Canned> _canned = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _throttled;
    private bool _refuseNextOrder;
    private OrderBlock? _blockNextOrder;
    private OrderBlock? _released;

    public AttStub()
    {
        _server = WireMockServer.Start();
        _server.Given(Request.Create().WithPath(BasePath + "/*").UsingAnyMethod())
            .RespondWith(Response.Create().WithCallback(Handle));
    }

    /// <summary>The API's base address (with a path prefix, as the carrier's has).</summary>
    public Uri BaseAddress => new(_server.Url + BasePath);

    /// <summary>How a plan change is answered: 200 applied at once, or 202 and applied after the device is read <see cref="ScheduledReads"/> times.</summary>
    public bool ScheduleOrders { get; set; } = true;

    /// <summary>For scheduled orders: device reads that still show the old plan.</summary>
    public int ScheduledReads { get; set; } = 1;

    /// <summary>When set, every call waits until the test lets it go (see <see cref="Arrivals"/>), so that an overlap can show.</summary>
    public SemaphoreSlim? Hold { get; set; }

    /// <summary>A call arrived and is held (only with <see cref="Hold"/>).</summary>
    public System.Threading.Channels.Channel<string> Arrivals { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Calls answered 429 because another was in flight.</summary>
    public int ThrottledOverlaps => Volatile.Read(ref _throttled);

    public IReadOnlyList<WireMock.Logging.ILogEntry> Requests => _server.LogEntries.ToArray();

    /// <summary>Plan changes received (PUTs), from the server's log.</summary>
    public int OrdersReceived => _server.LogEntries.Count(e => e.RequestMessage?.Method == "PUT");

    public string? PlanOf(LineId iccid)
    {
        lock (_gate)
        {
            return Find(iccid.Value)!.RatePlan;
        }
    }

    /// <summary>
    /// Replaces the account's devices (the named lines included) with a realistic fleet of <paramref name="count"/>
    /// devices, the same for the same <paramref name="seed"/>; see <see cref="AttFleet"/>.
    /// </summary>
    public AttFleet SeedFleet(int count, int seed)
    {
        var fleet = AttFleet.Create(count, seed);
        lock (_gate)
        {
            _devices.Clear();
            _devices.AddRange(fleet.Devices);
        }

        return fleet;
    }

    /// <summary>The next plan change is refused: 400 errorCode 10000024.</summary>
    public void FailNextOrder()
    {
        lock (_gate)
        {
            _refuseNextOrder = true;
        }
    }

    /// <summary>The next plan change is applied (or, with <paramref name="apply"/> false, lost at the carrier), then its answer waits until released (to make the client time out).</summary>
    public OrderBlock BlockNextOrder(bool apply = true)
    {
        var block = new OrderBlock(apply);
        lock (_gate)
        {
            _blockNextOrder = block;
        }

        return block;
    }

    /// <summary>The next <paramref name="times"/> calls get this answer instead of their own.</summary>
    public void RespondNext(HttpStatusCode status, string? body, string contentType = "application/json", int times = 1, (string Name, string Value)? header = null)
    {
        for (var i = 0; i < times; i++)
        {
            _canned.Enqueue(new Canned((int)status, body, contentType, header));
        }
    }

    /// <summary>The next calls are throttled the carrier's way: 429, errorCode 10000005, no Retry-After.</summary>
    public void ThrottleNext(int times) =>
        RespondNext(HttpStatusCode.TooManyRequests, """{"errorMessage":"Rate limit exceeded","errorCode":"10000005"}""", times: times);

    public ValueTask DisposeAsync()
    {
        _server.Stop();
        _server.Dispose();
        return ValueTask.CompletedTask;
    }

    private IResponseMessage Handle(IRequestMessage request)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            InterlockedMax(ref _maxInFlight, inFlight);
            if (inFlight > 1)
            {
                Interlocked.Increment(ref _throttled);
                return Json(429, """{"errorMessage":"Rate limit exceeded","errorCode":"10000005"}""");
            }

            if (Hold is { } hold)
            {
                Arrivals.Writer.TryWrite(request.Method + " " + request.Path);
                hold.Wait();
            }

            if (!Authorized(request))
            {
                return Json(401, """{"errorMessage":"Invalid credentials","errorCode":"10000001"}""");
            }

            if (_canned.TryDequeue(out var canned))
            {
                var response = Message(canned.Status, canned.Body, canned.ContentType);
                if (canned.Header is { } header)
                {
                    response.AddHeader(header.Name, header.Value);
                }

                return response;
            }

            return Route(request);
        }
        finally
        {
            var released = Interlocked.Exchange(ref _released, null);
            Interlocked.Decrement(ref _inFlight);
            released?.Done.TrySetResult();
        }
    }

    private ResponseMessage Route(IRequestMessage request)
    {
        var path = request.Path[BasePath.Length..].Trim('/');
        var segments = path.Split('/');
        return (request.Method, segments) switch
        {
            ("GET", ["devices"]) => ListDevices(request),
            ("GET", ["devices", var iccid]) => GetDevice(iccid),
            ("GET", ["devices", var iccid, "ctdUsages"]) => GetUsage(iccid),
            ("GET", ["rateplans"]) => Json(200, """
                {"ratePlans":[
                  {"name":"ATT 1GB","dataAllowanceMb":1024,"priceUsd":"10.00","validityDays":30,"unlimited":false,"currency":"USD"},
                  {"unlimited":false,"validityDays":30,"priceUsd":"30.00","dataAllowanceMb":5120,"name":"ATT 5GB"},
                  {"name":"ATT 10GB","dataAllowanceMb":10240,"priceUsd":"45.50","validityDays":30,"unlimited":false},
                  {"name":"ATT Unlimited","dataAllowanceMb":0,"priceUsd":"80.00","validityDays":30,"unlimited":true}
                ]}
                """),
            ("PUT", ["devices", var iccid]) => ChangePlan(iccid, request.Body),
            _ => Json(404, """{"errorMessage":"Resource not found","errorCode":"10000004"}"""),
        };
    }

    private ResponseMessage ListDevices(IRequestMessage request)
    {
        var query = request.Query ?? new Dictionary<string, WireMockList<string>>();
        string? Param(string name) => query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;

        // A '+' sent unencoded would arrive as a space and fail here, as at the carrier.
        if (!DateTimeOffset.TryParseExact(Param("modifiedSince"), "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return Json(400, """{"errorMessage":"modifiedSince is required, ISO 8601","errorCode":"10000003"}""");
        }

        if (!int.TryParse(Param("pageSize"), CultureInfo.InvariantCulture, out var size) || size is < 1 or > 50
            || !int.TryParse(Param("pageNumber"), CultureInfo.InvariantCulture, out var page) || page < 1)
        {
            return Json(400, """{"errorMessage":"Invalid page","errorCode":"10000003"}""");
        }

        lock (_gate)
        {
            // One order across the pages of a listing: the devices' own.
            var items = new JsonArray(_devices.Skip((page - 1) * size).Take(size).Select(d => d.ToListItem()).ToArray<JsonNode?>());
            var last = page * size >= _devices.Count;
            return Json(200, new JsonObject { ["pageNumber"] = page, ["devices"] = items, ["lastPage"] = last }.ToJsonString());
        }
    }

    private ResponseMessage GetDevice(string iccid)
    {
        lock (_gate)
        {
            if (Find(iccid) is not { } d)
            {
                return Json(404, """{"errorMessage":"Resource not found - Invalid ICCID","errorCode":"20000001"}""");
            }

            if (d.Scheduled is { } scheduled)
            {
                if (d.ReadsBeforeApplied-- <= 0)
                {
                    d.RatePlan = scheduled;
                    d.Scheduled = null;
                }
            }

            return Json(200, d.ToDetails().ToJsonString());
        }
    }

    private ResponseMessage GetUsage(string iccid)
    {
        lock (_gate)
        {
            return Find(iccid) is { } d
                ? Json(200, d.ToUsage().ToJsonString())
                : Json(404, """{"errorMessage":"Resource not found - Invalid ICCID","errorCode":"20000001"}""");
        }
    }

    private ResponseMessage ChangePlan(string iccid, string? body)
    {
        OrderBlock? block;
        ResponseMessage response;
        lock (_gate)
        {
            if (Find(iccid) is not { } d)
            {
                return Json(404, """{"errorMessage":"Resource not found - Invalid ICCID","errorCode":"20000001"}""");
            }

            var change = body is null ? null : JsonNode.Parse(body);
            var plan = change?["ratePlan"]?.GetValue<string>();
            var effective = change?["effectiveDate"]?.GetValue<string>();
            if (plan is null || effective is null || !System.Text.RegularExpressions.Regex.IsMatch(effective, @"^\d{4}-\d{2}-\d{2}Z$"))
            {
                return Json(400, """{"errorMessage":"Invalid request","errorCode":"10000003"}""");
            }

            if (_refuseNextOrder)
            {
                _refuseNextOrder = false;
                return Json(400, new JsonObject { ["errorMessage"] = "Rate plan not eligible for device " + d.Iccid, ["errorCode"] = "10000024" }.ToJsonString());
            }

            block = _blockNextOrder;
            _blockNextOrder = null;
            if (ScheduleOrders && block is null)
            {
                d.Scheduled = plan;
                d.ReadsBeforeApplied = ScheduledReads;
                response = Message(202, null, null);
            }
            else
            {
                if (block?.Apply != false)
                {
                    d.RatePlan = plan;
                }

                response = Json(200, new JsonObject { ["iccid"] = d.Iccid }.ToJsonString());
            }
        }

        if (block is not null)
        {
            block.Received.TrySetResult();
            block.Release.Wait();
            Volatile.Write(ref _released, block);
        }

        return response;
    }

    private static bool Authorized(IRequestMessage request)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{ApiKey}"));
        var header = request.Headers?.FirstOrDefault(h => string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        return header == expected;
    }

    private AttStubDevice? Find(string iccid) => _devices.Find(d => d.Iccid == iccid);

    /// <summary>A named line: every detail there, its own IMSI and IMEI, a number only when in service (else null).</summary>
    private static AttStubDevice Named(int n, LineId iccid, string status, string ratePlan, string? msisdn, long usedBytes) => new()
    {
        Iccid = iccid.Value,
        Status = status,
        RatePlan = ratePlan,
        Msisdn = msisdn,
        Imsi = "31017000000000" + n.ToString(CultureInfo.InvariantCulture),
        Imei = "35000000000000" + n.ToString(CultureInfo.InvariantCulture),
        DateActivated = "2026-01-02 03:04:05.678+0000",
        DateUpdated = "2026-11-01 10:00:00.000+0000",
        SendsNulls = true,
        UsedBytes = usedBytes,
    };

    private static ResponseMessage Json(int status, string body) => Message(status, body, "application/json");

    private static ResponseMessage Message(int status, string? body, string? contentType)
    {
        var message = new ResponseMessage { StatusCode = status, Headers = new Dictionary<string, WireMockList<string>>() };
        if (body is not null)
        {
            message.BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 };
            if (contentType is not null)
            {
                message.AddHeader("Content-Type", contentType);
            }
        }

        return message;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed record Canned(int Status, string? Body, string ContentType, (string Name, string Value)? Header);
}
