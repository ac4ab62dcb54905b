using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>Registration with dependency injection: options are validated and carriers must have distinct ids.</summary>
public sealed class CompositionTests
{
    [Fact]
    public void Zero_initial_poll_delay_is_refused_when_the_client_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddDataRenew(o => o.PollInitialDelay = TimeSpan.Zero).AddCarrier(FakeCarrier.CreateDemo());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<DataRenewClient>());

        Assert.Equal(typeof(DataRenewOptions), error.OptionsType);
        Assert.Contains(error.Failures, f => f.StartsWith("PollInitialDelay must be more than zero", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> InvalidOptions() => new()
    {
        { "QuoteLifetime=0", "QuoteLifetime" },
        { "QuoteLifetime=2d", "QuoteLifetime" },
        { "ConfirmationTimeout=-1m", "ConfirmationTimeout" },
        { "ConfirmationTimeout=8d", "ConfirmationTimeout" },
        { "ConfirmationTimeout=2m", "ConfirmationTimeout (00:02:00) must be longer than LeaseDuration (00:05:00)" },
        { "LeaseDuration=1h", "ConfirmationTimeout (00:30:00) must be longer than LeaseDuration (01:00:00)" },
        { "PayerActionTimeout=0", "PayerActionTimeout" },
        { "PollMaxDelay=1s", "PollMaxDelay must be at least PollInitialDelay" },
        { "PollMaxDelay=2h", "PollMaxDelay" },
        { "PollBackoffFactor=0.5", "PollBackoffFactor" },
        { "PollBackoffFactor=11", "PollBackoffFactor" },
        { "PollBackoffFactor=NaN", "PollBackoffFactor" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Out_of_range_options_are_refused_when_the_client_is_resolved(string setting, string expected)
    {
        var services = new ServiceCollection();
        services.AddDataRenew(o => Apply(o, setting)).AddCarrier(FakeCarrier.CreateDemo());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<DataRenewClient>());

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Out_of_range_options_are_refused_by_the_constructor_too()
    {
        var options = Options.Create(new DataRenewOptions { PollInitialDelay = TimeSpan.Zero });

        Assert.Throws<OptionsValidationException>(() => new DataRenewClient([FakeCarrier.CreateDemo()], new InMemoryRenewalJournal(), options));
    }

    [Fact]
    public void Two_carriers_with_the_same_id_are_refused()
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddDataRenew().AddCarrier(FakeCarrier.CreateDemo(time)).AddCarrier(FakeCarrier.CreateDemo(time));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<DataRenewValidationException>(() => provider.GetRequiredService<DataRenewClient>());

        Assert.Equal("carriers", error.ParameterName);
        Assert.Contains("'fake'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Carrier_ids_differing_only_in_case_are_the_same_id()
    {
        var services = new ServiceCollection();
        services.AddDataRenew()
            .AddCarrier(FakeCarrier.CreateDemo(options: new FakeCarrierOptions { Id = new CarrierId("Acme") }))
            .AddCarrier(FakeCarrier.CreateDemo(options: new FakeCarrierOptions { Id = new CarrierId("ACME") }));
        using var provider = services.BuildServiceProvider();

        Assert.Throws<DataRenewValidationException>(() => provider.GetRequiredService<DataRenewClient>());
    }

    [Fact]
    public void Carriers_with_different_ids_are_all_registered_with_defaults_for_what_was_not_configured()
    {
        var services = new ServiceCollection();
        services.AddDataRenew()
            .AddCarrier(FakeCarrier.CreateDemo())
            .AddCarrier(FakeCarrier.CreateDemo(options: new FakeCarrierOptions { Id = new CarrierId("other"), DisplayName = "Other Mobile" }));
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<DataRenewClient>();

        Assert.Same(client, provider.GetRequiredService<DataRenewClient>());
        Assert.Equal(["fake", "other"], client.Carriers.Select(c => c.Id.Value).Order());
        Assert.IsType<InMemoryRenewalJournal>(provider.GetRequiredService<IRenewalJournal>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(TimeSpan.FromMinutes(10), provider.GetRequiredService<IOptions<DataRenewOptions>>().Value.QuoteLifetime);
    }

    private static void Apply(DataRenewOptions o, string setting)
    {
        var (name, value) = (setting.Split('=')[0], setting.Split('=')[1]);
        TimeSpan Span() => value switch
        {
            "0" => TimeSpan.Zero,
            "-1m" => TimeSpan.FromMinutes(-1),
            "1s" => TimeSpan.FromSeconds(1),
            "2h" => TimeSpan.FromHours(2),
            "2m" => TimeSpan.FromMinutes(2),
            "1h" => TimeSpan.FromHours(1),
            "2d" => TimeSpan.FromDays(2),
            "8d" => TimeSpan.FromDays(8),
            _ => throw new ArgumentOutOfRangeException(nameof(setting)),
        };

        switch (name)
        {
            case "QuoteLifetime": o.QuoteLifetime = Span(); break;
            case "ConfirmationTimeout": o.ConfirmationTimeout = Span(); break;
            case "PayerActionTimeout": o.PayerActionTimeout = Span(); break;
            case "PollMaxDelay": o.PollMaxDelay = Span(); break;
            case "LeaseDuration": o.LeaseDuration = Span(); break;
            case "PollBackoffFactor": o.PollBackoffFactor = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: throw new ArgumentOutOfRangeException(nameof(setting));
        }
    }
}
