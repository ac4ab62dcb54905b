using Microsoft.Extensions.Http;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// Whether any attempt of a request was handed to the transport (the primary handler, below every other handler).
/// A failure before that (a timeout while queued behind the concurrency limit, during a retry's back-off, while the
/// bearer token is fetched, or in a handler the app added) proves the carrier never saw the request, so even a write
/// it cannot de-duplicate may be sent again. Shared by reference with the retry's copies of the request.
/// </summary>
internal sealed class TransportMarker
{
    private volatile bool _reached;
    private volatile bool _mayHaveActed;

    public static readonly HttpRequestOptionsKey<TransportMarker> Key = new("DataRenew.Transport");

    public bool Reached => _reached;

    public void MarkReached() => _reached = true;

    /// <summary>An attempt got an answer other than 429, or none (it failed or was cancelled on the wire): it may have been acted on.</summary>
    public void MarkMayHaveActed() => _mayHaveActed = true;

    /// <summary>True only when the pipeline carries a marker and no attempt got to the transport; without a marker, false (it may have been sent).</summary>
    public static bool ProvesNotSent(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var marker) && !marker.Reached;

    /// <summary>
    /// True when attempts reached the carrier and every one was answered 429 (refused before it was acted on): a call
    /// that then ran out of time waiting to try again did nothing at the carrier.
    /// </summary>
    public static bool ProvesOnlyThrottled(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var marker) && marker.Reached && !marker._mayHaveActed;
}

/// <summary>
/// Puts both ends of the marker on the clients the kit's resilience is added to, after everything else has configured
/// them: the marker is attached outermost and set innermost, as the last additional handler, whatever handlers the app
/// added or however it replaced the primary handler. A client without both ends carries no marker.
/// The setting end is a handler of its own, never a wrapper around the primary: a filter that runs after this one (one
/// registered earlier) may replace the primary handler, which would drop a wrapper and make every request sent on the
/// new one look "never sent" (a double order), and the factory's own filter configures a primary it can see (its meter).
/// A handler such a filter adds below this one only makes the answer "may have been sent", the safe side.
/// </summary>
internal sealed class TransportMarkerFilter(IEnumerable<TransportMarkerFilter.MarkedClient> clients) : IHttpMessageHandlerBuilderFilter
{
    private readonly HashSet<string> _names = [.. clients.Select(c => c.Name)];

    internal sealed record MarkedClient(string Name);

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        if (builder.Name is { } name && _names.Contains(name))
        {
            builder.AdditionalHandlers.Insert(0, new AttachHandler());
            builder.AdditionalHandlers.Add(new ReachedHandler());
        }
    };

    private sealed class AttachHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Options.Set(TransportMarker.Key, new TransportMarker());
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class ReachedHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.Options.TryGetValue(TransportMarker.Key, out var marker))
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            marker.MarkReached();
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != System.Net.HttpStatusCode.TooManyRequests)
                {
                    marker.MarkMayHaveActed();
                }

                return response;
            }
            catch
            {
                marker.MarkMayHaveActed();
                throw;
            }
        }
    }
}
