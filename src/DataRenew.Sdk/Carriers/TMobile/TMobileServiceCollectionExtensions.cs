using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Carriers.TMobile;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the T-Mobile-style adapter: <c>services.AddDataRenew(...).AddTMobile(...)</c>.</summary>
public static class TMobileServiceCollectionExtensions
{
    /// <summary>
    /// Adds the T-Mobile-style adapter configured in code. Every request carries the app's bearer token (or the
    /// subscriber's) and a fresh proof-of-possession token signed with <see cref="TMobileOptions.PrivateKeyPem"/>.
    /// </summary>
    /// <returns>The adapter's HTTP client builder, to add handlers (logging, a proxy) of the app's own.</returns>
    public static IHttpClientBuilder AddTMobile(this DataRenewBuilder builder, Action<TMobileOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Add(builder, bind: null, configure);
    }

    /// <summary>Adds the T-Mobile-style adapter bound from a configuration section (for example <c>DataRenew:TMobile</c>), then <paramref name="configure"/>.</summary>
    /// <returns>The adapter's HTTP client builder, to add handlers (logging, a proxy) of the app's own.</returns>
    public static IHttpClientBuilder AddTMobile(this DataRenewBuilder builder, IConfiguration section, Action<TMobileOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Add(builder, o => o.Bind(section), configure);
    }

    private static IHttpClientBuilder Add(DataRenewBuilder builder, Action<OptionsBuilder<TMobileOptions>>? bind, Action<TMobileOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp => new TMobileConnection(
            sp.GetRequiredService<IOptions<TMobileOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        // The hub event listener, checked against the options' hub secret.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ICarrierCallbackVerifier, TMobileHubEventVerifier>(
            sp => new TMobileHubEventVerifier(sp.GetRequiredService<IOptions<TMobileOptions>>().Value)));
        return builder.AddHttpCarrier<TMobileOptions>(
            TMobileConnection.ClientName,
            bind,
            configure,
            client => client

                // Bearer first, then the PoP signer: it signs the Authorization header that is actually sent, on every pass.
                .AddHttpMessageHandler(sp => new BearerTokenHandler(sp.GetRequiredService<TMobileConnection>().AppToken))
                .AddHttpMessageHandler(sp => new ProofOfPossessionHandler(sp.GetRequiredService<TMobileConnection>().Signer)),
            (sp, options, _) => new TMobileCarrier(options, sp.GetRequiredService<TMobileConnection>(), sp.GetService<ILoggerFactory>()?.CreateLogger("DataRenew.Sdk.Carriers.TMobile")));
    }
}
