using System.Net;
using System.Text.Json.Serialization;
using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Tests.AdapterKit;

public sealed class CarrierHttpClientTests
{
    [Fact]
    public async Task A_read_that_keeps_failing_is_retried_then_surfaces_as_unavailable()
    {
        await using var world = new KitWorld((_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));

        var error = await Assert.ThrowsAsync<CarrierUnavailableException>(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "plans"), TestContext.Current.CancellationToken)));

        Assert.Equal(1 + world.Options.MaxRetries, world.Attempts);
        Assert.True(error.IsTransient);
        Assert.Equal(503, error.StatusCode);
    }

    [Fact]
    public async Task A_write_is_never_retried_and_a_server_error_on_it_is_an_unknown_outcome()
    {
        await using var world = new KitWorld((_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway)));

        var error = await Assert.ThrowsAsync<OutcomeUnknownException>(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), TestContext.Current.CancellationToken)));

        Assert.Equal(1, world.Attempts);
        Assert.Equal(502, error.StatusCode);
    }

    [Fact]
    public async Task A_write_the_carrier_deduplicates_is_retried()
    {
        await using var world = new KitWorld((_, attempt, _) => Task.FromResult(attempt < 3 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : KitWorld.Json(HttpStatusCode.Created, "{}")));

        using var response = await world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "topup").WithEffect(CarrierRequestEffect.DeduplicatedWrite), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, world.Attempts);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_even_for_a_write_and_proves_nothing_was_sent()
    {
        await using var world = new KitWorld((_, _, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));

        var error = await Assert.ThrowsAsync<CarrierUnavailableException>(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), TestContext.Current.CancellationToken)));

        Assert.True(error.RequestNotSent);
        Assert.Equal(1 + world.Options.MaxRetries, world.Attempts);
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("circuit")]
    public async Task A_deduplicated_write_whose_first_attempt_went_out_never_claims_it_was_not_sent(string retryFailure)
    {
        // The first attempt reaches the carrier and is not answered in time; the retry then fails before leaving.
        // The carrier may be acting on the first one: the error must not say "not sent" (that releases the renewal's lease).
        await using var world = new KitWorld(async (_, attempt, ct) =>
        {
            if (attempt == 1)
            {
                // Unanswered until the attempt times out; the cancellation continues off the clock's thread, as a socket's would.
                var unanswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (ct.Register(() => unanswered.TrySetCanceled(ct)))
                {
                    await unanswered.Task;
                }
            }

            throw retryFailure == "refused"
                ? new HttpRequestException(HttpRequestError.ConnectionError, "refused")
                : new Polly.CircuitBreaker.BrokenCircuitException("open");
        }, o => (o.MaxRetries, o.RetryBaseDelay) = (1, TimeSpan.Zero));

        var call = world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "topup").WithEffect(CarrierRequestEffect.DeduplicatedWrite), TestContext.Current.CancellationToken);
        await world.AttemptReached(1);
        world.Time.Advance(world.Options.AttemptTimeout);
        await world.AttemptReached(2);

        var error = await Assert.ThrowsAsync<CarrierUnavailableException>(() => call);
        Assert.Equal(2, world.Attempts);
        Assert.False(error.RequestNotSent);
    }

    [Fact]
    public async Task A_deduplicated_write_throttled_after_an_attempt_that_went_out_is_an_unknown_outcome()
    {
        // Throttling proves only the last attempt was not acted on; the first one may still be.
        await using var world = new KitWorld(async (_, attempt, ct) =>
        {
            if (attempt == 1)
            {
                var unanswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (ct.Register(() => unanswered.TrySetCanceled(ct)))
                {
                    await unanswered.Task;
                }
            }

            return KitWorld.Json(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.RetryAfter = new(TimeSpan.FromMinutes(2)));
        }, o => (o.MaxRetries, o.RetryBaseDelay) = (1, TimeSpan.Zero));

        var call = world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "topup").WithEffect(CarrierRequestEffect.DeduplicatedWrite), TestContext.Current.CancellationToken);
        await world.AttemptReached(1);
        world.Time.Advance(world.Options.AttemptTimeout);
        await world.AttemptReached(2);

        var error = await Assert.ThrowsAsync<OutcomeUnknownException>(() => call);
        Assert.Equal(429, error.StatusCode);
        Assert.False(DataRenew.Sdk.Renewal.RenewalLeases.ProvesNothingWasSent(error));
    }

    [Fact]
    public async Task A_dropped_answer_to_a_write_is_an_unknown_outcome()
    {
        await using var world = new KitWorld((_, _, _) => throw new HttpRequestException(HttpRequestError.ResponseEnded, "reset"));

        await Assert.ThrowsAsync<OutcomeUnknownException>(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), TestContext.Current.CancellationToken)));

        Assert.Equal(1, world.Attempts);
    }

    [Fact]
    public async Task An_attempt_that_never_answers_times_out_and_the_write_is_not_sent_again()
    {
        await using var world = new KitWorld(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });

        var call = world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), TestContext.Current.CancellationToken);
        await world.AttemptReached(1);
        world.Time.Advance(world.Options.AttemptTimeout);

        await Assert.ThrowsAsync<OutcomeUnknownException>(() => call);
        Assert.Equal(1, world.Attempts);
    }

    [Fact]
    public async Task Retry_After_is_waited_out_before_the_next_attempt()
    {
        await using var world = new KitWorld((_, attempt, _) => Task.FromResult(attempt == 1
            ? KitWorld.Json(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.RetryAfter = new(TimeSpan.FromSeconds(7)))
            : KitWorld.Json(HttpStatusCode.OK, "{}")));

        var call = world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "plans"), TestContext.Current.CancellationToken);
        await world.AttemptReached(1);
        world.Time.Advance(TimeSpan.FromSeconds(6));
        await Task.Yield();
        Assert.Equal(1, world.Attempts);
        world.Time.Advance(TimeSpan.FromSeconds(1));
        await world.AttemptReached(2);

        using var response = await call;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_kit_waits_surfaces_as_rate_limited_with_the_wait()
    {
        await using var world = new KitWorld((_, _, _) => Task.FromResult(KitWorld.Json(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.RetryAfter = new(TimeSpan.FromMinutes(2)))));

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "plans"), TestContext.Current.CancellationToken));

        Assert.Equal(1, world.Attempts);
        Assert.Equal(TimeSpan.FromMinutes(2), error.RetryAfter);
    }

    [Fact]
    public async Task A_body_over_the_limit_fails_cleanly()
    {
        await using var world = new KitWorld((_, _, _) => Task.FromResult(KitWorld.Json(HttpStatusCode.OK, "[" + new string(' ', 100_000) + "]")), o => o.MaxRetries = 0);

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "plans"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_body_shorter_than_its_stated_length_is_a_broken_answer_not_a_short_read()
    {
        await using var world = new KitWorld((_, _, _) =>
        {
            var content = new StreamContent(new MemoryStream("{\"name\":\"x\"}"u8.ToArray()));
            content.Headers.ContentLength = 100;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }, o => o.MaxRetries = 0);
        var ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<CarrierUnavailableException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "x"), KitJson.Default.Named, ct));
        await Assert.ThrowsAsync<OutcomeUnknownException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "x"), KitJson.Default.Named, ct));
    }

    [Fact]
    public async Task A_body_that_never_ends_is_cut_by_the_attempt_timeout()
    {
        await using var world = new KitWorld((_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new EndlessStream()) }), o => o.MaxRetries = 0);

        var call = world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "plans"), TestContext.Current.CancellationToken);
        await world.AttemptReached(1);
        world.Time.Advance(world.Options.AttemptTimeout);

        await Assert.ThrowsAsync<CarrierUnavailableException>(() => call);
    }

    [Theory]
    [InlineData("{\"name\":")]
    [InlineData("{\"name\": 12}")]
    [InlineData("<html>oops</html>")]
    [InlineData("")]
    [InlineData("null")]
    public async Task A_malformed_body_is_an_invalid_response_for_a_read_and_an_unknown_outcome_for_a_write(string body)
    {
        await using var world = new KitWorld((_, _, _) => Task.FromResult(KitWorld.Json(HttpStatusCode.OK, body)));
        var ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "x"), KitJson.Default.Named, ct));
        await Assert.ThrowsAsync<OutcomeUnknownException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "x"), KitJson.Default.Named, ct));
    }

    [Fact]
    public async Task The_error_message_keeps_the_code_and_request_id_but_masks_long_digit_runs()
    {
        await using var world = new KitWorld((_, _, _) => Task.FromResult(KitWorld.Json(HttpStatusCode.BadRequest, "{}", r =>
        {
            r.Headers.Add("X-Code", "Line 2025550143 unknown");
            r.Headers.Add("X-Request-Id", "req-42");
        })));

        var error = await Assert.ThrowsAsync<CarrierRejectedException>(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "x"), TestContext.Current.CancellationToken));

        Assert.Equal("req-42", error.RequestId);
        Assert.DoesNotContain("2025550143", error.Message, StringComparison.Ordinal);
        Assert.Contains("Line *******", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }

    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // One byte, then nothing until cancelled: a body that never ends.
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

internal sealed class Named
{
    [JsonRequired]
    public string Name { get; set; } = "";
}

[JsonSerializable(typeof(Named))]
internal sealed partial class KitJson : JsonSerializerContext;
