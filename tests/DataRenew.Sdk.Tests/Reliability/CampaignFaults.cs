using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Reliability;

/// <summary>The faults the campaign injects.</summary>
internal enum FaultKind
{
    ConnectionResetBeforeSend,
    ConnectionResetAfterSend,
    TimeoutBeforeSend,
    TimeoutAfterSend,
    Status500,
    Status502,
    Status503,
    Status502AfterEffect,
    Status429,
    MalformedBody,
    TruncatedBody,
    DuplicateDelivery,
    ProcessDeath,

    /// <summary>A carrier callback delivered a second time (not drawn into fault plans: the carrier's callbacks send them).</summary>
    DuplicateCallback,

    /// <summary>A carrier callback with an earlier status, delivered after the final one.</summary>
    StaleCallback,
}

/// <summary>Which calls of one renewal fail, and how: drawn from the campaign's seed, shared by every process of the renewal.</summary>
internal sealed class FaultPlan
{
    private static readonly FaultKind[] Kinds = [.. Enum.GetValues<FaultKind>().Where(k => k < FaultKind.DuplicateCallback)];
    private readonly ConcurrentDictionary<int, FaultKind> _byCall = new();
    private int _calls;

    /// <summary>A plan of 1–3 faults among the first <paramref name="span"/> calls (some renewals get none).</summary>
    public static FaultPlan Draw(Random random, int span)
    {
        var plan = new FaultPlan();
        var count = random.Next(100) < 8 ? 0 : random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            plan._byCall.TryAdd(random.Next(span), Kinds[random.Next(Kinds.Length)]);
        }

        return plan;
    }

    private int _writeFault = -1;

    /// <summary>Also strike the first write (plan change, top-up) with a fault, in 40 % of renewals: the call that matters most.</summary>
    public FaultPlan WithWriteFault(Random random)
    {
        if (random.Next(100) < 40)
        {
            _writeFault = (int)Kinds[random.Next(Kinds.Length)];
        }

        return this;
    }

    /// <summary>The fault for the next call (calls are counted across processes), or null.</summary>
    public FaultKind? Next(bool isWrite = false)
    {
        var index = Interlocked.Increment(ref _calls) - 1;
        if (_byCall.TryRemove(index, out var kind))
        {
            return kind;
        }

        var write = isWrite ? Interlocked.Exchange(ref _writeFault, -1) : -1;
        return write >= 0 ? (FaultKind)write : null;
    }
}

/// <summary>The campaign's counters (thread-safe).</summary>
internal sealed class CampaignFigures
{
    public ConcurrentDictionary<string, int> Renewals { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<FaultKind, int> Faults { get; } = new();

    /// <summary>End states by (state, provider).</summary>
    public ConcurrentDictionary<(string State, string Provider), int> EndStates { get; } = new();

    public ConcurrentDictionary<string, TimeSpan> Elapsed { get; } = new(StringComparer.Ordinal);

    public void Ended(string state, string provider) => EndStates.AddOrUpdate((state, provider), 1, (_, n) => n + 1);

    public ConcurrentDictionary<string, int> AppRetries { get; } = new(StringComparer.Ordinal);

    /// <summary>How the listener answered each callback delivery (its last answer, after redeliveries).</summary>
    public ConcurrentDictionary<string, int> Callbacks { get; } = new(StringComparer.Ordinal);

    public ConcurrentBag<string> Violations { get; } = [];

    /// <summary>HTTP faults that struck a write (a plan change, a top-up): the calls that tempt a client to repeat a side effect.</summary>
    public int FaultsOnWrites;

    public int DoubleCharges;
    public int DoubleOrders;
    public int LostRenewals;
    public int Refunds;
    public int Charges;
    public int Orders;

    public void Injected(FaultKind kind) => Faults.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public static void Add(ConcurrentDictionary<string, int> counters, string key) => counters.AddOrUpdate(key, 1, (_, n) => n + 1);

    public void Violation(string provider, RenewalId id, string what) => Violations.Add(string.Create(CultureInfo.InvariantCulture, $"{provider} {id}: {what}"));
}

/// <summary>One "process": a client built on the shared journal. When it dies its token is cancelled and its journal refuses writes.</summary>
internal sealed class CampaignProcess : IAsyncDisposable
{
    private readonly CancellationTokenSource _life;

    public CampaignProcess(IRenewalJournal journal, CancellationToken test)
    {
        _life = CancellationTokenSource.CreateLinkedTokenSource(test);
        Journal = new ProcessJournal(journal, this);
    }

    public IRenewalJournal Journal { get; }

    public CancellationToken Token => _life.Token;

    public bool IsDead { get; private set; }

    public IAsyncDisposable? Services { get; set; }

    public DataRenewClient Client { get; set; } = null!;

    /// <summary>The process's callback listener, as its host would expose it.</summary>
    public ICarrierCallbackHandler Callbacks { get; set; } = null!;

    /// <summary>The process dies: whatever it was doing stops, and it writes nothing more.</summary>
    public OperationCanceledException Die()
    {
        IsDead = true;
        _life.Cancel();
        return new OperationCanceledException("The process died (injected).", _life.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsDead)
        {
            await _life.CancelAsync();
        }

        if (Services is not null)
        {
            await Services.DisposeAsync();
        }

        _life.Dispose();
    }

    private sealed class ProcessJournal(IRenewalJournal inner, CampaignProcess process) : IRenewalJournal
    {
        public Task AppendAsync(RenewalRecord record, CancellationToken cancellationToken = default) =>
            process.IsDead ? Task.FromCanceled(new CancellationToken(true)) : inner.AppendAsync(record, cancellationToken);

        public Task<RenewalRecord?> GetAsync(RenewalId id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

        public IAsyncEnumerable<RenewalRecord> GetHistoryAsync(RenewalId id, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(id, cancellationToken);

        public IAsyncEnumerable<RenewalRecord> ListUnfinishedAsync(CancellationToken cancellationToken = default) => inner.ListUnfinishedAsync(cancellationToken);
    }
}

/// <summary>
/// Faults at the HTTP level, inside the adapter kit's pipeline (its retries, timeouts and error mapping see them):
/// fail before sending, lose the answer after the stub acted, answer 5xx/429, garble or cut the body, deliver twice.
/// </summary>
internal sealed class HttpFaultHandler(FaultPlan plan, CampaignFigures figures, Func<CampaignProcess> process) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isWrite = request.Method == HttpMethod.Put
            || (request.Method == HttpMethod.Post && request.RequestUri?.AbsolutePath.Contains("topup", StringComparison.OrdinalIgnoreCase) == true);
        if (plan.Next(isWrite) is not { } kind)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        if (isWrite)
        {
            Interlocked.Increment(ref figures.FaultsOnWrites);
        }

        switch (kind)
        {
            case FaultKind.ConnectionResetBeforeSend:
                figures.Injected(kind);
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (injected).");
            case FaultKind.TimeoutBeforeSend:
                figures.Injected(kind);
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                throw new InvalidOperationException("unreachable");
            case FaultKind.Status500 or FaultKind.Status502 or FaultKind.Status503 or FaultKind.Status429:
                figures.Injected(kind);
                return Synthetic(request, kind switch
                {
                    FaultKind.Status500 => HttpStatusCode.InternalServerError,
                    FaultKind.Status502 => HttpStatusCode.BadGateway,
                    FaultKind.Status503 => HttpStatusCode.ServiceUnavailable,
                    _ => HttpStatusCode.TooManyRequests,
                });
            case FaultKind.DuplicateDelivery when request.Method == HttpMethod.Get || request.Headers.Contains("Idempotency-Key"):
                figures.Injected(kind);
                using (var copy = await CloneAsync(request))
                using (var first = await base.SendAsync(copy, cancellationToken))
                {
                    await first.Content.ReadAsByteArrayAsync(cancellationToken);
                }

                return await base.SendAsync(request, cancellationToken);
            case FaultKind.DuplicateDelivery:
                // The network may not repeat a write the carrier cannot de-duplicate: nothing could prevent a second order.
                return await base.SendAsync(request, cancellationToken);
        }

        // The rest reach the stub first: it acts, then the answer is lost or spoiled.
        var response = await base.SendAsync(request, cancellationToken);
        figures.Injected(kind);
        switch (kind)
        {
            case FaultKind.ConnectionResetAfterSend:
                response.Dispose();
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The connection was reset before the answer (injected).");
            case FaultKind.TimeoutAfterSend:
                response.Dispose();
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                throw new InvalidOperationException("unreachable");
            case FaultKind.Status502AfterEffect:
                response.Dispose();
                return Synthetic(request, HttpStatusCode.BadGateway);
            case FaultKind.MalformedBody:
                return Replace(response, "{\"id\": [1, 2, {\"status\": nul"u8.ToArray());
            case FaultKind.TruncatedBody:
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                return Replace(response, bytes[..(bytes.Length / 2)]);
            default:
                response.Dispose();
                throw process().Die();
        }
    }

    private static HttpResponseMessage Synthetic(HttpRequestMessage request, HttpStatusCode status)
    {
        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent("""{"error":"injected"}""", Encoding.UTF8, "application/json"),
        };
        if (status == HttpStatusCode.TooManyRequests)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
        }

        return response;
    }

    private static HttpResponseMessage Replace(HttpResponseMessage response, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = response.Content.Headers.ContentType ?? new MediaTypeHeaderValue("application/json");
        response.Content.Dispose();
        response.Content = content;
        return response;
    }

    private static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (request.Content is not null)
        {
            var body = await request.Content.ReadAsByteArrayAsync();
            copy.Content = new ByteArrayContent(body);
            foreach (var header in request.Content.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }
}

/// <summary>The fake carrier with the campaign's faults on its order calls: process death and duplicate delivery (the rest go through FailNext).</summary>
internal sealed class CampaignCarrier(FakeCarrier inner, Func<FaultKind?> next, CampaignFigures figures, Func<CampaignProcess> process) : DelegatingCarrier(inner)
{
    public override async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        var fault = next();
        if (fault == FaultKind.DuplicateDelivery)
        {
            figures.Injected(FaultKind.DuplicateDelivery);
            await base.SubmitAsync(session, request, cancellationToken);
        }

        var order = await base.SubmitAsync(session, request, cancellationToken);
        return fault == FaultKind.ProcessDeath ? throw Died() : order;
    }

    public override async Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        var fault = next();
        var order = await base.FindByRenewalAsync(session, request, cancellationToken);
        return fault == FaultKind.ProcessDeath ? throw Died() : order;
    }

    public override async Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default)
    {
        var fault = next();
        var read = await base.GetAsync(session, order, request, cancellationToken);
        return fault == FaultKind.ProcessDeath ? throw Died() : read;
    }

    private OperationCanceledException Died()
    {
        figures.Injected(FaultKind.ProcessDeath);
        return process().Die();
    }
}

/// <summary>The fake gateway with process death and duplicate delivery on its calls.</summary>
internal sealed class CampaignGateway(FakePaymentGateway inner, Func<FaultKind?> next, CampaignFigures figures, Func<CampaignProcess> process) : DelegatingPaymentGateway(inner)
{
    public override async Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        var fault = next();
        if (fault == FaultKind.DuplicateDelivery)
        {
            figures.Injected(FaultKind.DuplicateDelivery);
            await base.ChargeAsync(request, cancellationToken);
        }

        var result = await base.ChargeAsync(request, cancellationToken);
        return fault == FaultKind.ProcessDeath ? throw Died() : result;
    }

    public override async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        var fault = next();
        if (fault == FaultKind.DuplicateDelivery)
        {
            figures.Injected(FaultKind.DuplicateDelivery);
            await base.RefundAsync(request, cancellationToken);
        }

        var result = await base.RefundAsync(request, cancellationToken);
        return fault == FaultKind.ProcessDeath ? throw Died() : result;
    }

    public override async Task<PaymentResult?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var fault = next();
        var result = await base.FindByIdempotencyKeyAsync(idempotencyKey, cancellationToken);
        return fault == FaultKind.ProcessDeath ? throw Died() : result;
    }

    public override async Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        var fault = next();
        var result = await base.GetPaymentAsync(paymentId, cancellationToken);
        return fault == FaultKind.ProcessDeath ? throw Died() : result;
    }

    private OperationCanceledException Died()
    {
        figures.Injected(FaultKind.ProcessDeath);
        return process().Die();
    }
}
