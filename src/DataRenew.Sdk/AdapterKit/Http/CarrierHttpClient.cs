using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// How an adapter talks HTTP to its carrier: sends through a client from <see cref="IHttpClientFactory"/>
/// (whose handlers add auth, resilience and the body limit), maps every failure to the SDK's
/// exceptions, and reads JSON with a source-generated <see cref="JsonTypeInfo{T}"/>. Nothing but a
/// <see cref="DataRenewException"/> (or the caller's own cancellation) comes out.
/// </summary>
public sealed class CarrierHttpClient
{
    private static readonly string[] DefaultRequestIdHeaders = ["X-Request-Id", "X-Correlation-Id", "Request-Id", "VZ-Request-Id"];
    private readonly Func<HttpClient> _client;
    private readonly ICarrierErrorMapper _errors;
    private readonly TimeProvider _time;

    /// <summary>Creates the client.</summary>
    /// <param name="carrier">The carrier, for errors.</param>
    /// <param name="client">Gives the named client (call <see cref="IHttpClientFactory.CreateClient(string)"/>; do not cache one).</param>
    /// <param name="errors">The carrier's error mapping.</param>
    /// <param name="timeProvider">The clock, for <c>Retry-After</c> dates.</param>
    public CarrierHttpClient(CarrierId carrier, Func<HttpClient> client, ICarrierErrorMapper errors, TimeProvider? timeProvider = null)
    {
        Carrier = carrier;
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _errors = errors ?? throw new ArgumentNullException(nameof(errors));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The carrier.</summary>
    public CarrierId Carrier { get; }

    /// <summary>Sends and reads the body as <typeparamref name="T"/>.</summary>
    public async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.ReadJson(type);
    }

    /// <summary>
    /// Sends the request. A non-success status goes through the error mapper; a transport failure becomes
    /// <see cref="CarrierUnavailableException"/> for a read and <see cref="OutcomeUnknownException"/> for a write
    /// that may have reached the carrier.
    /// </summary>
    public async Task<CarrierResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var effect = request.GetEffect();
        var what = $"{request.Method} {PathOf(request.RequestUri)}";
        HttpResponseMessage response;
        try
        {
            response = await _client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or IOException or TimeoutRejectedException or OperationCanceledException or BrokenCircuitException or RateLimiterRejectedException)
        {
            throw TransportFailure(ex, effect, what, request);
        }

        try
        {
            var body = response.Content switch
            {
                null => ReadOnlyMemory<byte>.Empty,
                BufferedContent buffered => buffered.Bytes,
                var content => await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false),
            };
            var requestId = RequestIdOf(response.Headers);
            if (!response.IsSuccessStatusCode)
            {
                var error = _errors.Map(new CarrierErrorResponse(Carrier, response.StatusCode, response.Headers, response.Content?.Headers.ContentType?.MediaType, body, requestId, RetryAfterOf(response.Headers)));

                // A write answered with a server error may have been applied before the server failed.
                if (effect == CarrierRequestEffect.Write && error is CarrierUnavailableException)
                {
                    throw new OutcomeUnknownException($"{what} may have reached {Carrier}: {error.Message}", Details(response.StatusCode, error.CarrierErrorCode, requestId), error);
                }

                // "Not acted on" (throttled, credentials refused) speaks for this attempt only: an earlier one may have arrived.
                if (effect != CarrierRequestEffect.Read && error is RateLimitedException or AuthenticationFailedException
                    && request.Options.TryGetValue(CarrierRequestOptions.EarlierAttemptMayHaveArrived, out var arrived) && arrived)
                {
                    throw new OutcomeUnknownException($"{what} may have reached {Carrier} on an earlier attempt: {error.Message}", Details(response.StatusCode, error.CarrierErrorCode, requestId), error);
                }

                throw error;
            }

            var result = new CarrierResponse(this, response, body, requestId, effect, what);
            response = null!;
            return result;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or IOException or OperationCanceledException)
        {
            throw TransportFailure(ex, effect, what, request);
        }
        finally
        {
            response?.Dispose();
        }
    }

    internal DataRenewErrorDetails Details(HttpStatusCode? status = null, string? code = null, string? requestId = null, bool transient = true) =>
        new(Carrier, status is null ? null : (int)status, code, requestId, transient);

    private DataRenewException TransportFailure(Exception ex, CarrierRequestEffect effect, string what, HttpRequestMessage request)
    {
        // Every try was refused unread (429) and the time ran out waiting for the next: throttled, not sent.
        if (ex is TimeoutRejectedException or OperationCanceledException && TransportMarker.ProvesOnlyThrottled(request))
        {
            return new RateLimitedException($"{what} at {Carrier} was throttled on every try until its time ran out; the carrier did not act on it.", Details(HttpStatusCode.TooManyRequests), ex);
        }

        // No attempt reached the transport; or the last one never left and no earlier one (a retry's predecessor) may have arrived.
        var notSent = TransportMarker.ProvesNotSent(request) || (CarrierRequestOptions.NeverLeft(ex)
            && !(request.Options.TryGetValue(CarrierRequestOptions.EarlierAttemptMayHaveArrived, out var arrived) && arrived));
        var reason = ex switch
        {
            BrokenCircuitException => "the circuit breaker is open after repeated failures",
            RateLimiterRejectedException => "too many calls are queued for this account",
            TimeoutRejectedException or OperationCanceledException when TransportMarker.ProvesNotSent(request) => "it timed out before it was sent",
            TimeoutRejectedException or OperationCanceledException => "no answer in time",
            ResponseTooLargeException => ex.Message,
            HttpRequestException http => $"the connection failed ({http.HttpRequestError})",
            _ => "the connection broke",
        };
        if (!notSent && effect == CarrierRequestEffect.Write)
        {
            return new OutcomeUnknownException($"{what} was sent to {Carrier} but {reason}; its outcome is unknown.", Details(), ex);
        }

        return ex is ResponseTooLargeException
            ? new InvalidCarrierResponseException($"{what} at {Carrier}: {reason}.", Details(), ex)
            : new CarrierUnavailableException($"{what} at {Carrier} failed: {reason}.", Details(), notSent, ex);
    }

    // The path only: a query may carry a phone number.
    private static string PathOf(Uri? uri) => uri switch
    {
        null => "/",
        { IsAbsoluteUri: true } => uri.AbsolutePath,
        _ => uri.OriginalString.Split('?', 2)[0],
    };

    private static string? RequestIdOf(HttpResponseHeaders headers)
    {
        foreach (var name in DefaultRequestIdHeaders)
        {
            if (headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { Length: > 0 and <= 128 } value)
            {
                return value;
            }
        }

        return null;
    }

    private TimeSpan? RetryAfterOf(HttpResponseHeaders headers) => headers.RetryAfter switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date - _time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    internal DataRenewException Unreadable(CarrierResponse response, string reason, Exception? inner = null) =>
        response.Effect == CarrierRequestEffect.Write
            ? new OutcomeUnknownException($"{response.What} reached {Carrier} but its answer could not be read ({reason}); its outcome is unknown.", Details(response.StatusCode, requestId: response.RequestId), inner)
            : new InvalidCarrierResponseException($"{response.What} at {Carrier}: the answer could not be read ({reason}).", Details(response.StatusCode, requestId: response.RequestId), inner);
}

/// <summary>A success answer, with its body read.</summary>
public sealed class CarrierResponse : IDisposable
{
    private readonly CarrierHttpClient _client;
    private readonly HttpResponseMessage _response;

    internal CarrierResponse(CarrierHttpClient client, HttpResponseMessage response, ReadOnlyMemory<byte> body, string? requestId, CarrierRequestEffect effect, string what)
    {
        _client = client;
        _response = response;
        Body = body;
        RequestId = requestId;
        Effect = effect;
        What = what;
    }

    /// <summary>The HTTP status (a 2xx).</summary>
    public HttpStatusCode StatusCode => _response.StatusCode;

    /// <summary>The response headers.</summary>
    public HttpResponseHeaders Headers => _response.Headers;

    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The carrier's request id, when it sent one.</summary>
    public string? RequestId { get; }

    internal CarrierRequestEffect Effect { get; }

    internal string What { get; }

    /// <summary>
    /// Reads the body as JSON. Malformed JSON, a wrong type or a missing required member becomes
    /// <see cref="InvalidCarrierResponseException"/> (or <see cref="OutcomeUnknownException"/> for a write).
    /// </summary>
    public T ReadJson<T>(JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            return JsonSerializer.Deserialize(Body.Span, type) ?? throw Invalid("the body is empty or null");
        }
        catch (JsonException ex)
        {
            throw _client.Unreadable(this, $"malformed JSON at {ex.Path ?? "the start"}", ex);
        }
    }

    /// <summary>The error to throw when a readable body breaks the carrier's own rules (a required field missing, a value out of range).</summary>
    public DataRenewException Invalid(string reason) => _client.Unreadable(this, reason);

    /// <inheritdoc />
    public void Dispose() => _response.Dispose();
}
