using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Carriers.Att;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the AT&amp;T-style carrier adapter: <c>services.AddDataRenew().AddAtt(...)</c>.</summary>
public static class AttServiceCollectionExtensions
{
    /// <summary>The name of the adapter's <see cref="HttpClient"/> (and of its resilience pipeline).</summary>
    public const string HttpClientName = "DataRenew.Att";

    /// <summary>
    /// Adds the AT&amp;T-style adapter, configured in code. People sign in with their username and API key. One
    /// registration is one account's rate limit: its calls are serialised (one in flight, see <see cref="AttOptions"/>).
    /// </summary>
    /// <returns>The adapter's client builder, to add handlers (not another resilience handler).</returns>
    public static IHttpClientBuilder AddAtt(this DataRenewBuilder builder, Action<AttOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Add(builder, null, configure);
    }

    /// <summary>Adds the AT&amp;T-style adapter, bound from a configuration section (for example <c>DataRenew:Att</c>), then <paramref name="configure"/>.</summary>
    /// <returns>The adapter's client builder, to add handlers (not another resilience handler).</returns>
    public static IHttpClientBuilder AddAtt(this DataRenewBuilder builder, IConfiguration section, Action<AttOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Add(builder, o => o.Bind(section), configure);
    }

    private static IHttpClientBuilder Add(DataRenewBuilder builder, Action<Microsoft.Extensions.Options.OptionsBuilder<AttOptions>>? bind, Action<AttOptions>? configure) =>
        builder.AddHttpCarrier(
            HttpClientName,
            bind,
            configure,
            static _ => { }, // Basic credentials are per session: the adapter sets them on each request.
            static (sp, options, client) => new AttCarrier(options, client, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger("DataRenew.Sdk.Carriers.Att")));
}
