using System.Text;
using System.Text.Json;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.ResumeHost;
using DataRenew.Sdk.Testing;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// A card processor on WireMock.Net for renewals that cross processes: the shape <see cref="HttpPaymentGateway"/>
/// speaks, answered by a <see cref="FakePaymentGateway"/>, so idempotency keys, refunds and look-ups behave exactly as
/// the fake's, and the fake's records (charges, refunds) are what happened at "the processor" whichever process called.
/// One knob: block the next call of an operation inside the stub, to lose its answer with the process that sent it.
/// </summary>
internal sealed class PaymentProcessorStub : IDisposable
{
    private const string BasePath = "/pay";
    private readonly WireMockServer _server;
    private readonly HttpClient _client;
    private readonly Lock _gate = new();
    private readonly Dictionary<FakePaymentOperation, Block> _blocks = [];

    public PaymentProcessorStub()
    {
        _server = WireMockServer.Start();
        Map("^/pay/charges$", "POST", FakePaymentOperation.Charge, ChargeAsync);
        Map("^/pay/charges$", "GET", FakePaymentOperation.FindByIdempotencyKey, FindAsync);
        Map("^/pay/charges/[^/]+$", "GET", FakePaymentOperation.GetPayment, GetAsync);
        Map("^/pay/charges/[^/]+/refunds$", "POST", FakePaymentOperation.Refund, RefundAsync);
        Map("^/pay/charges/[^/]+/cancel$", "POST", FakePaymentOperation.Cancel, CancelAsync);
        _client = new HttpClient { BaseAddress = BaseAddress };
    }

    /// <summary>The processor's base address, as the gateway (in either process) is given it.</summary>
    public Uri BaseAddress => new(_server.Url + BasePath + "/");

    /// <summary>What the processor holds: every charge and refund, whoever sent it.</summary>
    public FakePaymentGateway Gateway { get; } = new(name: "ch");

    /// <summary>A gateway for this process, over HTTP like the resume host's.</summary>
    public IPaymentGateway Connect() => new HttpPaymentGateway(_client);

    /// <summary>Charge requests received with an idempotency key (replays included).</summary>
    public int ChargeRequests(string idempotencyKey) => Requests("POST", "/charges").Count(r => KeyOf(r) == idempotencyKey);

    /// <summary>Refund requests received with an idempotency key (replays included).</summary>
    public int RefundRequests(string idempotencyKey) => Requests("POST", "/refunds").Count(r => KeyOf(r) == idempotencyKey);

    /// <summary>Look-ups of a charge by its idempotency key.</summary>
    public int LookUps(string idempotencyKey) =>
        Requests("GET", "/charges").Count(r => KeyAsked(r) == idempotencyKey);

    /// <summary>
    /// The next call of <paramref name="operation"/> waits inside the stub until released; <paramref name="received"/>
    /// completes when it arrives, <paramref name="processed"/> once the released call has taken effect at the fake.
    /// </summary>
    public void BlockNext(FakePaymentOperation operation, out Task received, out Action release, out Task processed)
    {
        var block = new Block();
        lock (_gate)
        {
            _blocks[operation] = block;
        }

        received = block.Received.Task;
        release = () => block.Release.TrySetResult();
        processed = block.Processed.Task;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var block in _blocks.Values)
            {
                block.Release.TrySetResult();
            }
        }

        _client.Dispose();
        _server.Stop();
        _server.Dispose();
    }

    // ---- endpoints: each hands the call to the fake and writes its answer back ----

    private async Task<IResponseMessage> ChargeAsync(IRequestMessage req)
    {
        var body = JsonSerializer.Deserialize(req.Body ?? "null", PaymentWireJson.Default.ChargeWire)!;
        var card = PaymentMethod.CardToken(body.Card.Token, body.Card.Brand, body.Card.Last4, body.Card.Kind);
        var result = await Gateway.ChargeAsync(new ChargeRequest(KeyOf(req) ?? string.Empty, new Money(body.Amount, body.Currency), card, body.Description));
        return Json(200, JsonSerializer.Serialize(PaymentWire.From(result), PaymentWireJson.Default.PaymentWire));
    }

    private async Task<IResponseMessage> FindAsync(IRequestMessage req)
    {
        return await Gateway.FindByIdempotencyKeyAsync(KeyAsked(req) ?? string.Empty) is { } found
            ? Json(200, JsonSerializer.Serialize(PaymentWire.From(found), PaymentWireJson.Default.PaymentWire))
            : Error(404, "resource_missing", "No charge with that idempotency key.");
    }

    private async Task<IResponseMessage> GetAsync(IRequestMessage req) =>
        Json(200, JsonSerializer.Serialize(PaymentWire.From(await Gateway.GetPaymentAsync(req.PathSegments[^1])), PaymentWireJson.Default.PaymentWire));

    private async Task<IResponseMessage> RefundAsync(IRequestMessage req)
    {
        var body = JsonSerializer.Deserialize(req.Body ?? "null", PaymentWireJson.Default.RefundRequestWire)!;
        var refund = await Gateway.RefundAsync(new RefundRequest(req.PathSegments[^2], new Money(body.Amount, body.Currency), KeyOf(req) ?? string.Empty, body.Reason));
        return Json(200, JsonSerializer.Serialize(new RefundWire(refund.RefundId, refund.PaymentId, refund.Amount.Amount, refund.Amount.Currency), PaymentWireJson.Default.RefundWire));
    }

    private async Task<IResponseMessage> CancelAsync(IRequestMessage req) =>
        Json(200, JsonSerializer.Serialize(PaymentWire.From(await Gateway.CancelAsync(req.PathSegments[^2])), PaymentWireJson.Default.PaymentWire));

    // ---- plumbing ----

    private void Map(string pathRegex, string method, FakePaymentOperation operation, Func<IRequestMessage, Task<IResponseMessage>> handle) =>
        _server.Given(Request.Create().WithPath(new RegexMatcher(pathRegex)).UsingMethod(method))
            .RespondWith(Response.Create().WithCallback(req => HandleAsync(operation, req, handle)));

    private async Task<IResponseMessage> HandleAsync(FakePaymentOperation operation, IRequestMessage req, Func<IRequestMessage, Task<IResponseMessage>> handle)
    {
        Block? block;
        lock (_gate)
        {
            _blocks.Remove(operation, out block);
        }

        if (block is not null)
        {
            block.Received.TrySetResult();
            await block.Release.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        try
        {
            return await handle(req);
        }
        catch (DataRenewException refused)
        {
            // The fake's refusals (an unknown payment, a key reused for another charge) as the processor's error shape.
            return Error(refused.StatusCode ?? 400, refused.CarrierErrorCode ?? "invalid_request", refused.Message);
        }
        finally
        {
            block?.Processed.TrySetResult();
        }
    }

    private static string? KeyOf(IRequestMessage req) =>
        req.Headers?.FirstOrDefault(h => string.Equals(h.Key, "Idempotency-Key", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private static string? KeyAsked(IRequestMessage req) =>
        req.Query?.FirstOrDefault(q => q.Key == "idempotency_key").Value?.FirstOrDefault();

    private IRequestMessage[] Requests(string method, string pathEnd) =>
        _server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>()
            .Where(r => r.Method == method && r.Path.EndsWith(pathEnd, StringComparison.Ordinal))
            .ToArray();

    private static ResponseMessage Error(int status, string code, string message) =>
        Json(status, JsonSerializer.Serialize(new ErrorWire(code, message), PaymentWireJson.Default.ErrorWire));

    private static ResponseMessage Json(int status, string body)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
        response.AddHeader("Content-Type", "application/json");
        return response;
    }

    private sealed class Block
    {
        public TaskCompletionSource Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Processed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
