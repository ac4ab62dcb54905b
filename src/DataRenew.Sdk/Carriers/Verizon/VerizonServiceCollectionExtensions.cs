using DataRenew.Sdk;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Carriers.Verizon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Verizon-style adapter: <c>services.AddDataRenew().AddVerizon(...)</c>.</summary>
public static class VerizonServiceCollectionExtensions
{
    /// <summary>The name of the adapter's <see cref="HttpClient"/> (and of its resilience pipeline).</summary>
    public const string HttpClientName = "DataRenew.Verizon";

    /// <summary>Adds the Verizon-style adapter with options set in code.</summary>
    /// <returns>The adapter's HTTP client builder, to add handlers (not another resilience handler).</returns>
    public static IHttpClientBuilder AddVerizon(this DataRenewBuilder builder, Action<VerizonOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Add(builder, null, configure);
    }

    /// <summary>Adds the Verizon-style adapter with options bound from a configuration section (for example <c>DataRenew:Verizon</c>), then <paramref name="configure"/>.</summary>
    /// <returns>The adapter's HTTP client builder, to add handlers (not another resilience handler).</returns>
    public static IHttpClientBuilder AddVerizon(this DataRenewBuilder builder, IConfiguration section, Action<VerizonOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Add(builder, o => o.Bind(section), configure);
    }

    private static IHttpClientBuilder Add(DataRenewBuilder builder, Action<OptionsBuilder<VerizonOptions>>? bind, Action<VerizonOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var mapper = new VerizonErrorMapper();

        // One OAuth token for the adapter, whatever handler instance the client factory builds.
        builder.Services.TryAddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            var http = new CarrierHttpClient(CarrierId.Verizon, () => factory.CreateClient(HttpClientName), mapper, time);
            return new VerizonOAuth(sp.GetRequiredService<IOptions<VerizonOptions>>().Value, http, time);
        });

        // The CarrierService callback listener, checked against the options' registered credentials.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ICarrierCallbackVerifier, VerizonCallbackVerifier>(
            sp => new VerizonCallbackVerifier(sp.GetRequiredService<IOptions<VerizonOptions>>().Value)));

        return builder.AddHttpCarrier(
            HttpClientName,
            bind,
            configure,
            client => client.AddHttpMessageHandler(sp => new BearerTokenHandler(sp.GetRequiredService<VerizonOAuth>().Token, VerizonOAuth.IsRejected)),
            (sp, options, client) =>
            {
                var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
                return new VerizonCarrier(options, new CarrierHttpClient(CarrierId.Verizon, client, mapper, time), time, sp.GetService<ILoggerFactory>()?.CreateLogger("DataRenew.Sdk.Carriers.Verizon"));
            });
    }
}
