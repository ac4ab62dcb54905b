namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// What a request does at the carrier. It decides whether the kit may retry it and what a lost answer
/// means: a read is retried freely; a write is never retried and a lost answer becomes
/// <see cref="OutcomeUnknownException"/>, because the carrier may have acted on it.
/// </summary>
public enum CarrierRequestEffect
{
    /// <summary>Changes nothing (a GET, or a POST that only queries). Safe to retry.</summary>
    Read,

    /// <summary>Changes something, but the carrier de-duplicates it by a key sent with it. Safe to retry with the same key and body.</summary>
    DeduplicatedWrite,

    /// <summary>Changes something and a repeat would act twice. Never retried by the kit.</summary>
    Write,
}

/// <summary>Per-request settings the kit's handlers read from <see cref="HttpRequestMessage.Options"/>.</summary>
public static class CarrierRequestOptions
{
    /// <summary>The request's effect; when absent, GET and HEAD are reads and every other method is a write.</summary>
    public static readonly HttpRequestOptionsKey<CarrierRequestEffect> Effect = new("DataRenew.Effect");

    /// <summary>Set on a request that must go out without the bearer token (the token request itself).</summary>
    public static readonly HttpRequestOptionsKey<bool> Anonymous = new("DataRenew.Anonymous");

    /// <summary>Set by the kit's retry when an earlier attempt of the request may have reached the carrier.</summary>
    internal static readonly HttpRequestOptionsKey<bool> EarlierAttemptMayHaveArrived = new("DataRenew.EarlierAttemptMayHaveArrived");

    /// <summary>Marks what the request does at the carrier.</summary>
    public static HttpRequestMessage WithEffect(this HttpRequestMessage request, CarrierRequestEffect effect)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(Effect, effect);
        return request;
    }

    /// <summary>The request's effect, as marked or as its method implies.</summary>
    public static CarrierRequestEffect GetEffect(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Options.TryGetValue(Effect, out var effect))
        {
            return effect;
        }

        return request.Method == HttpMethod.Get || request.Method == HttpMethod.Head ? CarrierRequestEffect.Read : CarrierRequestEffect.Write;
    }

    /// <summary>A failure that proves the attempt never left: no connection was made, or the pipeline refused it before sending.</summary>
    internal static bool NeverLeft(Exception? ex) => ex is Polly.CircuitBreaker.BrokenCircuitException or Polly.RateLimiting.RateLimiterRejectedException
        || ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError };

    /// <summary>Whether the kit may send the request again after a transient failure.</summary>
    public static bool IsRetrySafe(this HttpRequestMessage request) => request.GetEffect() != CarrierRequestEffect.Write;
}
