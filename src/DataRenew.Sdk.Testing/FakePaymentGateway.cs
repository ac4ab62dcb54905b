using System.Globalization;
using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Testing;

/// <summary>The calls of <see cref="FakePaymentGateway"/>, for scripting faults.</summary>
public enum FakePaymentOperation
{
    /// <summary><see cref="IPaymentGateway.ChargeAsync"/>.</summary>
    Charge,

    /// <summary><see cref="IPaymentGateway.FindByIdempotencyKeyAsync"/>.</summary>
    FindByIdempotencyKey,

    /// <summary><see cref="IPaymentGateway.GetPaymentAsync"/>.</summary>
    GetPayment,

    /// <summary><see cref="IPaymentGateway.RefundAsync"/>.</summary>
    Refund,

    /// <summary><see cref="IPaymentGateway.CancelAsync"/>.</summary>
    Cancel,
}

/// <summary>What the fake gateway does with a charge.</summary>
public sealed record FakeChargeScript
{
    private FakeChargeScript() { }

    /// <summary>The first outcome.</summary>
    public PaymentStatus Status { get; private init; }

    /// <summary>For declines.</summary>
    public PaymentDecline? Decline { get; private init; }

    /// <summary>For payer action.</summary>
    public PayerAction? PayerAction { get; private init; }

    /// <summary>For processing: how many status reads stay Processing before <see cref="Then"/>.</summary>
    public int PendingReads { get; private init; }

    /// <summary>What processing ends in.</summary>
    public PaymentStatus Then { get; private init; } = PaymentStatus.Succeeded;

    /// <summary>Money moves.</summary>
    public static FakeChargeScript Succeed() => new() { Status = PaymentStatus.Succeeded };

    /// <summary>Declined with a processor code such as <c>insufficient_funds</c>.</summary>
    public static FakeChargeScript Declined(string code = "card_declined") => new() { Status = PaymentStatus.Declined, Decline = PaymentDecline.FromCode(code) };

    /// <summary>The payer must act; the payment stays so until <see cref="FakePaymentGateway.CompletePayerAction"/>.</summary>
    public static FakeChargeScript RequiresAction(PayerActionKind kind = PayerActionKind.Redirect, string payload = "https://pay.example/approve") =>
        new() { Status = PaymentStatus.RequiresAction, PayerAction = new PayerAction(kind, payload) };

    /// <summary>Processing for a number of status reads, then succeeded or declined.</summary>
    public static FakeChargeScript Processing(int pendingReads, bool thenSucceed = true) =>
        new() { Status = PaymentStatus.Processing, PendingReads = pendingReads, Then = thenSucceed ? PaymentStatus.Succeeded : PaymentStatus.Declined, Decline = thenSucceed ? null : PaymentDecline.FromCode("do_not_honor") };
}

/// <summary>A charge as the fake gateway recorded it: only the masked method, never card data.</summary>
/// <param name="PaymentId">The gateway's id.</param>
/// <param name="IdempotencyKey">The key it was made with.</param>
/// <param name="Amount">The amount.</param>
/// <param name="Method">The masked method.</param>
/// <param name="Status">The current status.</param>
public sealed record FakeCharge(string PaymentId, string IdempotencyKey, Money Amount, PaymentMethodSummary Method, PaymentStatus Status);

/// <summary>
/// An in-memory payment gateway. It honours idempotency keys like a real processor (turn that off with
/// <see cref="HonourIdempotencyKeys"/> to prove a client never repeats a charge), can be scripted, records
/// every call, and is thread-safe. It recognises test cards: <see cref="DeclinedCard"/>,
/// <see cref="InsufficientFundsCard"/> and <see cref="ThreeDSecureCard"/>.
/// </summary>
public sealed class FakePaymentGateway : IPaymentGateway
{
    /// <summary>A card the fake declines with <c>do_not_honor</c>.</summary>
    public const string DeclinedCard = "4000 0000 0000 0002";

    /// <summary>A card the fake declines with <c>insufficient_funds</c>.</summary>
    public const string InsufficientFundsCard = "4000 0000 0000 9995";

    /// <summary>A card that needs 3-D Secure: the payment requires payer action.</summary>
    public const string ThreeDSecureCard = "4000 0000 0000 3220";

    private readonly Lock _gate = new();
    private readonly Queue<FakeChargeScript> _scripts = new();
    private readonly Dictionary<string, Payment> _byId = [];
    private readonly Dictionary<string, Payment> _byKey = [];
    private readonly List<FakeCharge> _attempts = [];
    private readonly Dictionary<string, RefundResult> _refunds = [];
    private readonly FakeCallLog<FakePaymentOperation> _log;
    private int _sequence;

    /// <summary>Creates a gateway.</summary>
    /// <param name="timeProvider">The clock for <see cref="Latency"/>.</param>
    /// <param name="name">Prefix of payment ids, such as <c>pay</c> or <c>bill</c>.</param>
    public FakePaymentGateway(TimeProvider? timeProvider = null, string name = "pay")
    {
        _log = new FakeCallLog<FakePaymentOperation>(timeProvider ?? TimeProvider.System);
        Name = name;
    }

    /// <summary>Prefix of the ids this gateway hands out.</summary>
    public string Name { get; }

    /// <summary>When <see langword="true"/> (the default) a repeated key returns the first payment, as processors do.</summary>
    public bool HonourIdempotencyKeys { get; set; } = true;

    /// <summary>A delay before every call, on the gateway's clock.</summary>
    public TimeSpan Latency
    {
        get => _log.Latency;
        set => _log.Latency = value;
    }

    /// <summary>Every charge that took effect, including repeats when keys are not honoured.</summary>
    public IReadOnlyList<FakeCharge> Charges
    {
        get
        {
            lock (_gate)
            {
                return _attempts.Select(a => a with { Status = _byId[a.PaymentId].Status }).ToArray();
            }
        }
    }

    /// <summary>Every refund made.</summary>
    public IReadOnlyList<RefundResult> Refunds
    {
        get
        {
            lock (_gate)
            {
                return _refunds.Values.ToArray();
            }
        }
    }

    /// <summary>Every call received, in order.</summary>
    public IReadOnlyList<FakePaymentOperation> Calls => _log.Calls;

    /// <summary>How many times an operation was called.</summary>
    public int CallCount(FakePaymentOperation operation) => _log.Count(operation);

    /// <summary>How many charges with a key prefix moved money (succeeded), refunded or not.</summary>
    public int SucceededCharges(string keyPrefix = "") => Charges.Count(c => c.Status == PaymentStatus.Succeeded && c.IdempotencyKey.StartsWith(keyPrefix, StringComparison.Ordinal));

    /// <summary>Scripts the outcome of the next charge that is not a repeat.</summary>
    public FakePaymentGateway EnqueueCharge(FakeChargeScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        lock (_gate)
        {
            _scripts.Enqueue(script);
        }

        return this;
    }

    /// <summary>Makes the next call of an operation fail, before or after its effect.</summary>
    public FakePaymentGateway FailNext(FakePaymentOperation operation, FaultTiming timing = FaultTiming.BeforeEffect, Func<Exception>? fault = null)
    {
        _log.AddFault(operation, timing, fault);
        return this;
    }

    /// <summary>The payer approved (or refused) a payment that required action.</summary>
    public void CompletePayerAction(string paymentId, bool approved = true)
    {
        lock (_gate)
        {
            var payment = _byId[paymentId];
            if (payment.Status != PaymentStatus.RequiresAction)
            {
                throw new InvalidOperationException($"Payment {paymentId} is {payment.Status}, not awaiting payer action.");
            }

            payment.Status = approved ? PaymentStatus.Succeeded : PaymentStatus.Declined;
            payment.Decline = approved ? null : new PaymentDecline("payer_declined", "The payer did not approve the payment.");
        }
    }

    /// <inheritdoc />
    public async Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _log.EnterAsync(FakePaymentOperation.Charge, cancellationToken).ConfigureAwait(false);
        PaymentResult result;
        lock (_gate)
        {
            if (HonourIdempotencyKeys && _byKey.TryGetValue(request.IdempotencyKey, out var existing))
            {
                // Like real processors: a key replays its first charge, and only for the same charge.
                return existing.Amount == request.Amount && existing.Method == request.Method.Summary
                    ? existing.ToResult()
                    : throw new DataRenewException("This idempotency key was used for another charge.", new DataRenewErrorDetails(StatusCode: 409, CarrierErrorCode: "idempotency_mismatch"));
            }

            var script = ScriptFor(request.Method);
            var payment = new Payment(NextId(), request.IdempotencyKey, request.Amount, request.Method.Summary)
            {
                Status = script.Status,
                Decline = script.Decline,
                PayerAction = script.PayerAction,
                PendingReads = script.PendingReads,
                Then = script.Then,
                ThenDecline = script.Decline,
            };
            _byId[payment.Id] = payment;
            _byKey.TryAdd(request.IdempotencyKey, payment);
            _attempts.Add(new FakeCharge(payment.Id, payment.Key, payment.Amount, payment.Method, payment.Status));
            result = payment.ToResult();
        }

        _log.ThrowIfScripted(FakePaymentOperation.Charge, FaultTiming.AfterEffect);
        return result;
    }

    /// <inheritdoc />
    public async Task<PaymentResult?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        await _log.EnterAsync(FakePaymentOperation.FindByIdempotencyKey, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _byKey.TryGetValue(idempotencyKey, out var payment) ? payment.ToResult() : null;
        }
    }

    /// <inheritdoc />
    public async Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        await _log.EnterAsync(FakePaymentOperation.GetPayment, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_byId.TryGetValue(paymentId, out var payment))
            {
                throw new DataRenewException($"No payment '{paymentId}'.", new DataRenewErrorDetails(StatusCode: 404, CarrierErrorCode: "resource_missing"));
            }

            if (payment.Status == PaymentStatus.Processing && payment.PendingReads-- <= 0)
            {
                payment.Status = payment.Then;
                payment.Decline = payment.Then == PaymentStatus.Declined ? payment.ThenDecline : null;
            }

            return payment.ToResult();
        }
    }

    /// <inheritdoc />
    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _log.EnterAsync(FakePaymentOperation.Refund, cancellationToken).ConfigureAwait(false);
        RefundResult refund;
        lock (_gate)
        {
            if (_refunds.TryGetValue(request.IdempotencyKey, out var existing))
            {
                return existing;
            }

            if (!_byId.TryGetValue(request.PaymentId, out var payment) || payment.Status != PaymentStatus.Succeeded)
            {
                throw new DataRenewException($"Payment '{request.PaymentId}' cannot be refunded.", new DataRenewErrorDetails(StatusCode: 400, CarrierErrorCode: "charge_not_refundable"));
            }

            if (request.Amount + payment.Refunded > payment.Amount)
            {
                throw new DataRenewException("A refund cannot exceed what is left of the payment.", new DataRenewErrorDetails(StatusCode: 400, CarrierErrorCode: "amount_too_large"));
            }

            refund = new RefundResult($"re_{NextId()}", payment.Id, request.Amount);
            payment.Refunded += request.Amount;
            _refunds[request.IdempotencyKey] = refund;
        }

        _log.ThrowIfScripted(FakePaymentOperation.Refund, FaultTiming.AfterEffect);
        return refund;
    }

    /// <inheritdoc />
    public async Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        await _log.EnterAsync(FakePaymentOperation.Cancel, cancellationToken).ConfigureAwait(false);
        PaymentResult result;
        lock (_gate)
        {
            if (!_byId.TryGetValue(paymentId, out var payment))
            {
                throw new DataRenewException($"No payment '{paymentId}'.", new DataRenewErrorDetails(StatusCode: 404, CarrierErrorCode: "resource_missing"));
            }

            if (payment.Status is PaymentStatus.RequiresAction or PaymentStatus.Processing)
            {
                payment.Status = PaymentStatus.Canceled;
            }

            result = payment.ToResult();
        }

        _log.ThrowIfScripted(FakePaymentOperation.Cancel, FaultTiming.AfterEffect);
        return result;
    }

    private FakeChargeScript ScriptFor(PaymentMethod method)
    {
        if (_scripts.TryDequeue(out var script))
        {
            return script;
        }

        if (method is CardPaymentMethod card)
        {
            var number = card.RevealNumber();
            if (number == Digits(DeclinedCard))
            {
                return FakeChargeScript.Declined("do_not_honor");
            }

            if (number == Digits(InsufficientFundsCard))
            {
                return FakeChargeScript.Declined("insufficient_funds");
            }

            if (number == Digits(ThreeDSecureCard))
            {
                return FakeChargeScript.RequiresAction(PayerActionKind.Redirect, "https://3ds.pay.example/challenge");
            }
        }

        return method.Kind switch
        {
            PaymentMethodKind.PayPal => FakeChargeScript.RequiresAction(PayerActionKind.Redirect, "https://paypal.example/checkoutnow?token=EC-FAKE"),
            PaymentMethodKind.Alipay => FakeChargeScript.RequiresAction(PayerActionKind.QrCode, "https://qr.alipay.example/fake"),
            PaymentMethodKind.WeChatPay => FakeChargeScript.RequiresAction(PayerActionKind.QrCode, "weixin://wxpay/bizpayurl?pr=FAKE"),
            _ => FakeChargeScript.Succeed(),
        };
    }

    private static string Digits(string card) => card.Replace(" ", string.Empty, StringComparison.Ordinal);

    private string NextId() => $"{Name}_{Interlocked.Increment(ref _sequence).ToString("D6", CultureInfo.InvariantCulture)}";

    private sealed class Payment(string id, string key, Money amount, PaymentMethodSummary method)
    {
        public string Id { get; } = id;

        public string Key { get; } = key;

        public Money Amount { get; } = amount;

        public PaymentMethodSummary Method { get; } = method;

        public PaymentStatus Status { get; set; }

        public Money Refunded { get; set; } = Money.Zero(amount.Currency);

        public PaymentDecline? Decline { get; set; }

        public PayerAction? PayerAction { get; init; }

        public int PendingReads { get; set; }

        public PaymentStatus Then { get; init; }

        public PaymentDecline? ThenDecline { get; init; }

        public PaymentResult ToResult() => new(Id, Key, Status, Amount, Method, Status == PaymentStatus.RequiresAction ? PayerAction : null, Status == PaymentStatus.Declined ? Decline : null);
    }
}
