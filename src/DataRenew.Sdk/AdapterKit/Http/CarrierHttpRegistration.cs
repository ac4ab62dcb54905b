using System.Diagnostics.CodeAnalysis;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Providers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers an HTTP carrier adapter the way the shipped ones are: options (bound from configuration or set in
/// code) validated when first used, a named client from <see cref="IHttpClientFactory"/> with the kit's
/// resilience outermost, the adapter's auth handlers, and the body limit innermost.
/// </summary>
public static class CarrierHttpRegistration
{
    /// <summary>
    /// Registers the options, the client and the provider. Returns the client's builder so the app keeps control of
    /// the handler chain (add logging or a proxy; do not add another resilience handler: the kit's is the only one).
    /// </summary>
    /// <typeparam name="TOptions">The adapter's options.</typeparam>
    /// <param name="builder">The DataRenew builder.</param>
    /// <param name="clientName">The client's name, unique per adapter (also the resilience pipeline's).</param>
    /// <param name="bind">Binds the options from configuration; call <c>o.Bind(section)</c> here, where the options type is concrete, so the binding source generator (no reflection) handles it.</param>
    /// <param name="configure">Sets the options in code (applied after <paramref name="bind"/>).</param>
    /// <param name="addAuthHandlers">Adds the adapter's auth handlers (between resilience and the body limit).</param>
    /// <param name="createProvider">Creates the provider from the container, its options and a way to get the client.</param>
    public static IHttpClientBuilder AddHttpCarrier<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        this DataRenewBuilder builder,
        string clientName,
        Action<OptionsBuilder<TOptions>>? bind,
        Action<TOptions>? configure,
        Action<IHttpClientBuilder> addAuthHandlers,
        Func<IServiceProvider, TOptions, Func<HttpClient>, ICarrierProvider> createProvider)
        where TOptions : CarrierHttpOptions, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(clientName);
        ArgumentNullException.ThrowIfNull(addAuthHandlers);
        ArgumentNullException.ThrowIfNull(createProvider);
        var services = builder.Services;
        var options = services.AddOptions<TOptions>();
        bind?.Invoke(options);

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, CarrierHttpOptionsValidator<TOptions>>());

        var client = services.AddHttpClient(clientName, (sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<TOptions>>().Value.NormalisedBaseAddress;

                // The kit's pipeline owns the timeouts (per attempt and in total).
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                // A redirect could carry credentials to another host, or downgrade to plain HTTP.
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddCarrierResilience(clientName, sp => sp.GetRequiredService<IOptions<TOptions>>().Value.Resilience)

            // The factory's default loggers keep request headers raw in their structured state (credentials, tokens).
            .UseCarrierHttpLogging("DataRenew.Sdk.Http." + (clientName.StartsWith("DataRenew.", StringComparison.Ordinal) ? clientName["DataRenew.".Length..] : clientName));
        addAuthHandlers(client);
        client.AddHttpMessageHandler(sp => new ResponseBufferingHandler(sp.GetRequiredService<IOptions<TOptions>>().Value.Resilience.MaxResponseBytes));

        services.AddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return createProvider(sp, sp.GetRequiredService<IOptions<TOptions>>().Value, () => factory.CreateClient(clientName));
        });
        return client;
    }
}
