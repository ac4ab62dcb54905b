using System.Diagnostics.Metrics;
using System.Net;
using DataRenew.Sdk.AdapterKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace DataRenew.Sdk.Tests.AdapterKit;

/// <summary>
/// "Never reached the transport" against "sent, answer lost": a write that timed out before the primary handler saw it
/// provably never reached the carrier (so even a carrier that cannot de-duplicate may get it again); one that timed out
/// inside the transport, or in a pipeline without the kit's marker, may have arrived.
/// </summary>
public sealed class TransportMarkerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_write_that_times_out_queued_behind_the_concurrency_limit_was_never_sent()
    {
        // The first call holds the only slot and ignores cancellation (as a stuck socket may): the write waits in the queue.
        var holding = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var world = new KitWorld((_, attempt, _) => attempt == 1 ? holding.Task : Task.FromResult(KitWorld.Json(HttpStatusCode.OK, "{}")), o =>
        {
            o.MaxConcurrentCalls = 1;
            o.MaxRetries = 0;
        });
        var first = world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "devices/1"), Ct);
        await world.AttemptReached(1);

        var write = world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/2"), Ct);
        var error = await Record.ExceptionAsync(() => world.RunAsync(() => write));
        holding.SetResult(KitWorld.Json(HttpStatusCode.OK, "{}"));
        await Record.ExceptionAsync(() => first);

        var unavailable = Assert.IsType<CarrierUnavailableException>(error);
        Assert.True(unavailable.RequestNotSent);
        Assert.Equal(1, world.Attempts);
        Assert.Contains("before it was sent", unavailable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_kits_pipeline_a_timed_out_write_may_have_been_sent()
    {
        // No marker on the request (a client built without AddCarrierResilience): the kit cannot tell, so it must not claim "not sent".
        using var http = new HttpClient(new TimingOutHandler()) { BaseAddress = new Uri("https://carrier.example/api/") };
        var client = new CarrierHttpClient(new CarrierId("bare"), () => http, new NoMapper());

        await Assert.ThrowsAsync<OutcomeUnknownException>(() => client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), Ct));
    }

    [Fact]
    public async Task A_write_lost_in_a_transport_that_an_earlier_filter_put_in_place_may_have_been_sent()
    {
        // A filter registered before the kit (a test interceptor, a mesh library) sets its own primary handler after ours
        // ran: the write went out on it and its answer was lost. The kit must not read "never reached the transport".
        var wire = new LosingTransport();
        await using var world = new KitWorld((_, _, _) => Task.FromResult(KitWorld.Json(HttpStatusCode.OK, "{}")), o => o.MaxRetries = 0,
            services => services.AddSingleton<IHttpMessageHandlerBuilderFilter>(new ReplacingPrimaryFilter(wire)));

        var error = await Record.ExceptionAsync(() => world.RunAsync(() => world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "devices/1"), Ct)));

        Assert.Equal(1, wire.Sent);
        Assert.IsType<OutcomeUnknownException>(error);
    }

    [Fact]
    public async Task The_marker_leaves_the_transport_the_factory_configures_in_place()
    {
        // The factory gives its IMeterFactory to a SocketsHttpHandler primary; the marker must not hide the handler from it.
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddHttpClient("kit")
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler())
            .AddCarrierResilience("kit", _ => new CarrierResilienceOptions());
        await using var provider = services.BuildServiceProvider();

        var handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler("kit");
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler!;
        }

        Assert.Same(provider.GetRequiredService<IMeterFactory>(), Assert.IsType<SocketsHttpHandler>(handler).MeterFactory);
    }

    private sealed class ReplacingPrimaryFilter(HttpMessageHandler primary) : IHttpMessageHandlerBuilderFilter
    {
        public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
        {
            next(builder);
            builder.PrimaryHandler = primary;
        };
    }

    private sealed class LosingTransport : HttpMessageHandler
    {
        private int _sent;

        public int Sent => Volatile.Read(ref _sent);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sent);
            return Task.FromException<HttpResponseMessage>(new TaskCanceledException("The request timed out.", new TimeoutException()));
        }
    }

    private sealed class TimingOutHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromException<HttpResponseMessage>(new TaskCanceledException("The request timed out.", new TimeoutException()));
    }

    private sealed class NoMapper : ICarrierErrorMapper
    {
        public DataRenewException Map(CarrierErrorResponse response) => CarrierErrors.ByStatus(response, null);
    }
}
