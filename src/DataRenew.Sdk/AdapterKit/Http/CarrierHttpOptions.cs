using System.Net;
using Microsoft.Extensions.Options;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>What every HTTP carrier adapter is configured with; adapters add their credentials.</summary>
public abstract class CarrierHttpOptions
{
    /// <summary>The carrier API's base address, for example <c>https://thingspace.example/api</c>. HTTPS only, unless <see cref="AllowPlainHttpOnLoopback"/>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Allows <c>http://</c> to a loopback host (a local stub). Never allows plain HTTP to any other host.</summary>
    public bool AllowPlainHttpOnLoopback { get; set; }

    /// <summary>Timeouts, retries, circuit breaker, concurrency and the response size limit.</summary>
    public CarrierResilienceOptions Resilience { get; set; } = new();

    /// <summary>The most pages one listing may take before the carrier is considered to loop. Default 1000.</summary>
    public int MaxPages { get; set; } = CarrierPaging.DefaultMaxPages;

    /// <summary>The problems with these options (base address, resilience); adapters add their own.</summary>
    public virtual IEnumerable<string> Validate(TimeSpan leaseDuration)
    {
        if (BaseAddress is not { IsAbsoluteUri: true } address)
        {
            yield return "BaseAddress must be set to an absolute https:// address.";
        }
        else if (address.Scheme != Uri.UriSchemeHttps && !(address.Scheme == Uri.UriSchemeHttp && AllowPlainHttpOnLoopback && IsLoopback(address)))
        {
            yield return $"BaseAddress must use https:// (plain http:// is allowed only to a loopback host, with AllowPlainHttpOnLoopback); got {address.Scheme}://{address.Host}.";
        }

        if (MaxPages <= 0)
        {
            yield return "MaxPages must be positive.";
        }

        foreach (var problem in (Resilience ?? new()).Validate(leaseDuration, "Resilience."))
        {
            yield return problem;
        }
    }

    /// <summary>The base address with a trailing slash, so relative paths keep its path prefix.</summary>
    internal Uri NormalisedBaseAddress => BaseAddress!.AbsoluteUri.EndsWith('/') ? BaseAddress : new Uri(BaseAddress.AbsoluteUri + "/");

    private static bool IsLoopback(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>Validates an adapter's options against its own rules and the renewal lease.</summary>
internal sealed class CarrierHttpOptionsValidator<TOptions>(IOptions<DataRenewOptions> renewal) : IValidateOptions<TOptions>
    where TOptions : CarrierHttpOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = options.Validate(renewal.Value.LeaseDuration).Select(f => $"{typeof(TOptions).Name}: {f}").ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
