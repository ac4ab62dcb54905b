using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.RateLimiting;
using DataRenew.Sdk.AdapterKit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Telemetry;
using Polly.Retry;
using Polly.Timeout;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The adapter kit's resilience pipeline for a carrier's <see cref="HttpClient"/>.</summary>
public static class CarrierResilienceExtensions
{
    /// <summary>
    /// Replaces every resilience handler added before (including one the app put on all clients with
    /// <c>ConfigureHttpClientDefaults(b =&gt; b.AddStandardResilienceHandler())</c>) with the carrier's own:
    /// total timeout → retry (safe requests only, jittered exponential backoff, honouring <c>Retry-After</c>)
    /// → circuit breaker → concurrency limit → per-attempt timeout. One pipeline, so retries never multiply
    /// and a write that the carrier would run twice is never resent.
    /// </summary>
    /// <param name="builder">The carrier's client.</param>
    /// <param name="pipelineName">A name unique to the carrier (circuit and limiter are shared under it).</param>
    /// <param name="options">The settings, read once when the pipeline is first built.</param>
    [SuppressMessage("Design", "CA1062", Justification = "Checked by ArgumentNullException.ThrowIfNull.")]
    public static IHttpClientBuilder AddCarrierResilience(this IHttpClientBuilder builder, string pipelineName, Func<IServiceProvider, CarrierResilienceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        ArgumentNullException.ThrowIfNull(options);
        // Tells "never reached the transport" from "sent, answer lost" for this client's requests (TransportMarker).
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, TransportMarkerFilter>());
        builder.Services.AddSingleton(new TransportMarkerFilter.MarkedClient(builder.Name));
#pragma warning disable EXTEXP0001 // Removing handlers added by ConfigureHttpClientDefaults is the point: stacked pipelines multiply retries.
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.AddResilienceHandler(pipelineName, (pipeline, context) =>
        {
            var o = options(context.ServiceProvider);
            var time = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            pipeline.ConfigureTelemetry(QuietRoutineEvents(context.ServiceProvider.GetService<IOptions<TelemetryOptions>>()?.Value));
            pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "total", Timeout = o.TotalTimeout });
            if (o.MaxRetries > 0 || o.MaxThrottledRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    Name = "retry",
                    MaxRetryAttempts = Math.Max(o.MaxRetries, o.MaxThrottledRetries),
                    Delay = o.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    MaxDelay = o.MaxRetryAfter,
                    ShouldRetryAfterHeader = true,
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, args.AttemptNumber, o, time)),

                    // Whatever the last attempt ends with, an earlier one that may have arrived means the request may have been acted on
                    // (a throttled one arrived and was refused unread: it was not acted on).
                    OnRetry = args =>
                    {
                        if (args.Context.GetRequestMessage() is { } request && !IsThrottled(args.Outcome) && !CarrierRequestOptions.NeverLeft(args.Outcome.Exception) && !TransportMarker.ProvesNotSent(request))
                        {
                            request.Options.Set(CarrierRequestOptions.EarlierAttemptMayHaveArrived, true);
                        }

                        return default;
                    },
                });
            }

            if (o.CircuitBreaker)
            {
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    Name = "circuit",
                    BreakDuration = o.BreakDuration,
                    FailureRatio = 0.5,
                    MinimumThroughput = 10,
                    SamplingDuration = TimeSpan.FromSeconds(30),

                    // Throttling is the carrier pacing us, not failing.
                    ShouldHandle = args => ValueTask.FromResult(IsServerFailure(args.Outcome)),
                });
            }

            if (o.MaxConcurrentCalls is { } permits)
            {
                var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = o.QueueLimit, QueueProcessingOrder = QueueProcessingOrder.OldestFirst });
                context.OnPipelineDisposed(limiter.Dispose);
                pipeline.AddRateLimiter(new RateLimiterStrategyOptions
                {
                    Name = "concurrency",

                    // The token request (anonymous) is sent by the bearer handler from inside a call that holds a slot:
                    // waiting for a slot of its own would stall that call until it timed out, or be refused outright.
                    RateLimiter = args => IsAnonymous(args.Context.GetRequestMessage())
                        ? ValueTask.FromResult(Unlimited.AttemptAcquire())
                        : limiter.AcquireAsync(1, args.Context.CancellationToken),
                });
            }

            pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt", Timeout = o.AttemptTimeout });
        });
        return builder;
    }

    /// <summary>
    /// The app's telemetry settings, with a carrier's routine retries (a throttled or failed attempt that is tried again)
    /// logged as information instead of warnings: the SDK reports what the app must act on through its own exceptions and
    /// logs. Timeouts, an opening circuit and rejected calls keep their severity.
    /// </summary>
    private static TelemetryOptions QuietRoutineEvents(TelemetryOptions? app)
    {
        var telemetry = app is null ? new TelemetryOptions() : new TelemetryOptions(app);
        var appSeverity = telemetry.SeverityProvider;
        telemetry.SeverityProvider = args =>
        {
            var severity = appSeverity?.Invoke(args) ?? args.Event.Severity;
            return severity == ResilienceEventSeverity.Warning && args.Event.EventName is "OnRetry" or "ExecutionAttempt" ? ResilienceEventSeverity.Information : severity;
        };
        return telemetry;
    }

    private static readonly ConcurrencyLimiter Unlimited = new(new ConcurrencyLimiterOptions { PermitLimit = int.MaxValue, QueueLimit = 0 });

    private static bool IsAnonymous(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(CarrierRequestOptions.Anonymous, out var anonymous) && anonymous;

    // The retry decision, in order: a send that never connected, or one the carrier throttled (429: refused before it was
    // acted on), may go again whatever it does, on the throttling budget; other transient failures only for safe requests.
    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, int attempt, CarrierResilienceOptions options, TimeProvider time)
    {
        var request = context.GetRequestMessage();
        if (request is null)
        {
            return false;
        }

        if (IsThrottled(outcome))
        {
            return attempt < options.MaxThrottledRetries && RetryAfterFits(outcome, options.MaxRetryAfter, time);
        }

        if (attempt >= options.MaxRetries)
        {
            return false;
        }

        // A connection that was never made carried nothing: even a write may go again.
        if (outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
        {
            return true;
        }

        return request.IsRetrySafe() && HttpClientResiliencePredicates.IsTransient(outcome) && RetryAfterFits(outcome, options.MaxRetryAfter, time);
    }

    private static bool IsThrottled(Outcome<HttpResponseMessage> outcome) => outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests;

    // A long Retry-After is the caller's to honour (RateLimitedException.RetryAfter), not ours to sleep through.
    private static bool RetryAfterFits(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter, TimeProvider time) =>
        outcome.Result?.Headers.RetryAfter is not { } retryAfter || Delay(retryAfter, time) <= maxRetryAfter;

    private static TimeSpan Delay(RetryConditionHeaderValue retryAfter, TimeProvider time) =>
        retryAfter.Delta ?? (retryAfter.Date is { } date ? date - time.GetUtcNow() : TimeSpan.Zero);

    private static bool IsServerFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException
        || outcome.Result is { StatusCode: HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError };
}
