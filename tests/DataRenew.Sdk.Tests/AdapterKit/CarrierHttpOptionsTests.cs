using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Tests.AdapterKit;

public sealed class CarrierHttpOptionsTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData("https://carrier.example/api", false, true)]
    [InlineData("http://carrier.example/api", false, false)]
    [InlineData("http://carrier.example/api", true, false)]
    [InlineData("http://10.0.0.8/api", true, false)]
    [InlineData("http://localhost:8080/api", false, false)]
    [InlineData("http://localhost:8080/api", true, true)]
    [InlineData("http://127.0.0.1:8080/api", true, true)]
    [InlineData("http://[::1]:8080/api", true, true)]
    [InlineData("ftp://carrier.example/", true, false)]
    public void Plain_HTTP_is_refused_except_to_loopback_when_allowed(string address, bool allowLoopback, bool valid)
    {
        var options = new Options { BaseAddress = new Uri(address), AllowPlainHttpOnLoopback = allowLoopback };

        Assert.Equal(valid, !options.Validate(Lease).Any());
    }

    [Fact]
    public void A_missing_or_relative_base_address_is_refused()
    {
        Assert.NotEmpty(new Options().Validate(Lease));
        Assert.NotEmpty(new Options { BaseAddress = new Uri("/api", UriKind.Relative) }.Validate(Lease));
    }

    [Fact]
    public void Resilience_settings_are_checked_with_the_options()
    {
        var options = new Options { BaseAddress = new Uri("https://carrier.example"), Resilience = { AttemptTimeout = TimeSpan.Zero, MaxConcurrentCalls = 0 } };

        var problems = options.Validate(Lease).ToList();

        Assert.Contains(problems, p => p.StartsWith("Resilience.AttemptTimeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Resilience.MaxConcurrentCalls", StringComparison.Ordinal));
    }

    private sealed class Options : CarrierHttpOptions;
}
