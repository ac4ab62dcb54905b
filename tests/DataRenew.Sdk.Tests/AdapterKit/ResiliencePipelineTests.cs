using System.Collections.Concurrent;
using System.Net;
using DataRenew.Sdk.AdapterKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace DataRenew.Sdk.Tests.AdapterKit;

public sealed class ResiliencePipelineTests
{
    [Fact]
    public async Task An_app_wide_standard_resilience_handler_does_not_multiply_retries()
    {
        // The app adds the standard handler (3 retries, retrying every method) to every HttpClient it builds.
        await using var world = new KitWorld(
            (_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)),
            appDefaults: services => services.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));

        await Assert.ThrowsAsync<CarrierUnavailableException>(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "plans"), TestContext.Current.CancellationToken)));

        // Only the kit's pipeline ran: its own tries, not (1 + 3) × (1 + 3).
        Assert.Equal(1 + world.Options.MaxRetries, world.Attempts);
    }

    [Fact]
    public async Task An_app_wide_standard_resilience_handler_cannot_resend_a_write()
    {
        await using var world = new KitWorld(
            (_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)),
            appDefaults: services => services.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));

        await Assert.ThrowsAsync<OutcomeUnknownException>(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), TestContext.Current.CancellationToken)));

        Assert.Equal(1, world.Attempts);
    }

    [Fact]
    public async Task A_concurrency_limit_of_one_keeps_a_single_call_in_flight()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var gates = new ConcurrentQueue<TaskCompletionSource>();
        await using var world = new KitWorld(async (_, _, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
            return KitWorld.Json(HttpStatusCode.OK, "{}");
        }, o => o.MaxConcurrentCalls = 1);
        var ct = TestContext.Current.CancellationToken;

        var calls = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            using var response = await world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"devices/{i}"), ct);
        }, ct));
        await Task.WhenAll(calls);

        Assert.Equal(8, world.Attempts);
        Assert.Equal(1, maxInFlight);
    }

    [Fact]
    public async Task After_repeated_server_failures_the_circuit_opens_and_calls_fail_without_being_sent()
    {
        await using var world = new KitWorld((_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)), o => o.MaxRetries = 0);
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<CarrierUnavailableException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "plans"), ct));
        }

        var sent = world.Attempts;
        var error = await Assert.ThrowsAsync<CarrierUnavailableException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), ct));

        Assert.True(error.RequestNotSent);
        Assert.Equal(sent, world.Attempts);
    }

    [Fact]
    public async Task A_write_throttled_on_every_try_until_its_time_runs_out_is_rate_limited_not_an_unknown_outcome()
    {
        // Every try refused unread (429, Retry-After 20 s): the third wait crosses the 45 s total. The carrier acted on none,
        // so the write may be sent again: it is not "sent, outcome unknown" (which a carrier without keys never resends).
        await using var world = new KitWorld((_, _, _) => Task.FromResult(KitWorld.Json(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.TryAddWithoutValidation("Retry-After", "20"))));

        var error = await Record.ExceptionAsync(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), TestContext.Current.CancellationToken)));

        Assert.IsType<RateLimitedException>(error);
        Assert.Equal(3, world.Attempts);
    }

    [Fact]
    public async Task A_write_that_may_have_reached_the_carrier_before_being_throttled_is_still_an_unknown_outcome()
    {
        // A deduplicated write: the first try times out on the wire (it may have arrived), the retry is throttled until the
        // time runs out. That the last try was refused unread says nothing about the first.
        await using var world = new KitWorld(async (_, attempt, ct) =>
        {
            if (attempt == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }

            return KitWorld.Json(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.TryAddWithoutValidation("Retry-After", "20"));
        });

        var error = await Record.ExceptionAsync(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "topups").WithEffect(CarrierRequestEffect.DeduplicatedWrite), TestContext.Current.CancellationToken)));

        Assert.IsNotType<RateLimitedException>(error);
        Assert.False(error is CarrierUnavailableException { RequestNotSent: true });
    }

    [Fact]
    public async Task A_routine_retry_logs_no_warning_while_the_retries_are_still_logged()
    {
        // A throttled and a failed attempt, then success: the app's console at its default level stays quiet.
        await using var world = new KitWorld(
            (_, attempt, _) => Task.FromResult(new HttpResponseMessage(attempt switch { 1 => HttpStatusCode.TooManyRequests, 2 => HttpStatusCode.ServiceUnavailable, _ => HttpStatusCode.OK })),
            appDefaults: services => services.AddFakeLogging());

        using var response = await world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "plans"), TestContext.Current.CancellationToken));

        var logs = world.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Category?.StartsWith("Polly", StringComparison.Ordinal) == true).ToArray();
        Assert.Equal(3, world.Attempts);
        Assert.Contains(logs, r => r.Level == LogLevel.Information && r.Message.Contains("OnRetry", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Settings_that_could_outlive_the_renewal_lease_are_refused()
    {
        var options = new CarrierResilienceOptions { TotalTimeout = TimeSpan.FromMinutes(4) };

        var problems = options.Validate(TimeSpan.FromMinutes(5), "Resilience.").ToList();

        Assert.Contains(problems, p => p.Contains("LeaseDuration", StringComparison.Ordinal));
        Assert.Empty(new CarrierResilienceOptions().Validate(TimeSpan.FromMinutes(5), ""));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
