using System.Collections.Concurrent;
using System.Net;
using System.Text;
using DataRenew.Sdk.AdapterKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.AdapterKit;

/// <summary>
/// A carrier client built the way adapters build theirs (factory, kit resilience, body limit), over an in-memory
/// handler that answers from a script. Time is fake: retries and timeouts wait on <see cref="Time"/>.
/// </summary>
internal sealed class KitWorld : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public KitWorld(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> answer, Action<CarrierResilienceOptions>? resilience = null, Action<IServiceCollection>? appDefaults = null)
    {
        Answer = answer;
        Options = new CarrierResilienceOptions { RetryBaseDelay = TimeSpan.FromSeconds(1), MaxResponseBytes = 64 * 1024 };
        resilience?.Invoke(Options);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        appDefaults?.Invoke(services);
        services.AddHttpClient("kit", c => c.BaseAddress = new Uri("https://carrier.example/api/"))
            .ConfigurePrimaryHttpMessageHandler(() => new ScriptedHandler(this))
            .AddCarrierResilience("kit", _ => Options)
            .AddHttpMessageHandler(() => new ResponseBufferingHandler(Options.MaxResponseBytes));
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        Client = new CarrierHttpClient(new CarrierId("kit"), () => factory.CreateClient("kit"), new StatusOnlyMapper(), Time);
    }

    /// <summary>The world's services (the app's, with the kit's client registered).</summary>
    public IServiceProvider Services => _services;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    public CarrierResilienceOptions Options { get; }

    public CarrierHttpClient Client { get; }

    public Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> Answer { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public int Attempts => Requests.Count;

    /// <summary>Completes when the n-th attempt (1-based) reaches the handler.</summary>
    public Task AttemptReached(int n) => _reached.GetOrAdd(n, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
        .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken); // a guard against a hang, not a wait

    private readonly ConcurrentDictionary<int, TaskCompletionSource> _reached = new();

    /// <summary>Runs <paramref name="call"/>, advancing the fake clock a second at a time until it ends (at most ten minutes).</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        var task = call();
        for (var i = 0; i < 600 && !task.IsCompleted; i++)
        {
            // Let queued work (the next attempt, a continuation) run before the clock moves on.
            for (var spin = 0; spin < 20 && !task.IsCompleted; spin++)
            {
                await Task.Yield();
            }

            if (!task.IsCompleted)
            {
                Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return await task;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, Action<HttpResponseMessage>? more = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        more?.Invoke(response);
        return response;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class ScriptedHandler(KitWorld world) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            world.Requests.Enqueue($"{request.Method} {request.RequestUri!.PathAndQuery}");
            var attempt = world.Requests.Count;
            world._reached.GetOrAdd(attempt, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            var response = await world.Answer(request, attempt, cancellationToken);
            response.RequestMessage = request;
            return response;
        }
    }

    private sealed class StatusOnlyMapper : ICarrierErrorMapper
    {
        public DataRenewException Map(CarrierErrorResponse response) => CarrierErrors.ByStatus(response, response.Headers.TryGetValues("X-Code", out var c) ? c.First() : null);
    }
}
