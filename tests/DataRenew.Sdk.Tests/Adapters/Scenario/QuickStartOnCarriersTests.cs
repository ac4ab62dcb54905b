using DataRenew.Sdk.Tests.Adapters.Att;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using DataRenew.Sdk.Tests.Adapters.Verizon;
using Microsoft.Extensions.Logging;
using QuickStart;

namespace DataRenew.Sdk.Tests.Adapters.Scenario;

/// <summary>The quick start's carrier mode, configured only through its settings, renews on each adapter's stub.</summary>
public sealed class QuickStartOnCarriersTests
{
    private static readonly Dictionary<string, string?> FastPolls = new()
    {
        ["Renewal:PollInitialDelay"] = "00:00:00.001",
        ["Renewal:PollMaxDelay"] = "00:00:00.005",
    };

    [Fact]
    public async Task The_quick_start_renews_on_the_Verizon_style_stub()
    {
        using var stub = new VerizonStub();
        var exit = await RunAsync("verizon", "M2M10GB", new()
        {
            ["Verizon:BaseAddress"] = stub.BaseAddress.ToString(),
            ["Verizon:AllowPlainHttpOnLoopback"] = "true",
            ["Verizon:AppKey"] = VerizonStub.AppKey,
            ["Verizon:AppSecret"] = VerizonStub.AppSecret,
            ["Verizon:AccountName"] = VerizonStub.AccountName,
            ["SignIn:Username"] = VerizonStub.Username,
            ["SignIn:Password"] = VerizonStub.Password,
            ["SignIn:Line"] = VerizonStub.ActiveLine.Value,
        });

        Assert.Equal(0, exit);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task The_quick_start_renews_on_the_ATT_style_stub()
    {
        await using var stub = new AttStub();
        var exit = await RunAsync("att", "ATT 10GB", new()
        {
            ["Att:BaseAddress"] = stub.BaseAddress.ToString(),
            ["Att:AllowPlainHttpOnLoopback"] = "true",
            ["SignIn:Username"] = AttStub.Username,
            ["SignIn:Password"] = AttStub.ApiKey,
            ["SignIn:Line"] = AttStub.Line5Gb.Value,
        });

        Assert.Equal(0, exit);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task The_quick_start_renews_the_first_line_of_a_250_device_Verizon_style_fleet_whose_ICCIDs_fail_Luhn()
    {
        using var stub = new VerizonStub { PageSize = 50 };
        stub.SeedFleet(250, seed: 7);
        var exit = await RunAsync("verizon", "M2M10GB", new()
        {
            ["Verizon:BaseAddress"] = stub.BaseAddress.ToString(),
            ["Verizon:AllowPlainHttpOnLoopback"] = "true",
            ["Verizon:AppKey"] = VerizonStub.AppKey,
            ["Verizon:AppSecret"] = VerizonStub.AppSecret,
            ["Verizon:AccountName"] = VerizonStub.AccountName,
            ["SignIn:Username"] = VerizonStub.Username,
            ["SignIn:Password"] = VerizonStub.Password,
        });

        Assert.Equal(0, exit);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task The_quick_start_renews_a_Luhn_failing_line_of_a_120_device_ATT_style_fleet()
    {
        await using var stub = new AttStub();
        var fleet = stub.SeedFleet(120, seed: 7);
        var exit = await RunAsync("att", "ATT 10GB", new()
        {
            ["Att:BaseAddress"] = stub.BaseAddress.ToString(),
            ["Att:AllowPlainHttpOnLoopback"] = "true",
            ["SignIn:Username"] = AttStub.Username,
            ["SignIn:Password"] = AttStub.ApiKey,
            ["SignIn:Line"] = fleet.Active.Iccid,
        });

        Assert.False(StubIccids.PassesLuhn(fleet.Active.Iccid));
        Assert.Equal(0, exit);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task The_quick_start_renews_on_the_TMobile_style_stub_with_a_one_time_code()
    {
        using var stub = new TMobileStub();
        var exit = await RunAsync("tmobile", "tm-10gb-30d", new()
        {
            ["TMobile:BaseAddress"] = stub.BaseAddress.ToString(),
            ["TMobile:AllowPlainHttpOnLoopback"] = "true",
            ["TMobile:ClientId"] = TMobileStub.ClientId,
            ["TMobile:ClientSecret"] = TMobileStub.ClientSecret,
            ["TMobile:PrivateKeyPem"] = TMobileStub.PrivateKeyPem,
            ["SignIn:PhoneNumber"] = TMobileStub.Msisdn,
            ["SignIn:Code"] = TMobileStub.OtpCode,
        });

        Assert.Equal(0, exit);
        Assert.Equal(1, stub.OrdersReceived);
    }

    private static Task<int> RunAsync(string carrier, string plan, Dictionary<string, string?> settings)
    {
        foreach (var (key, value) in FastPolls)
        {
            settings[key] = value;
        }

        var quickStart = new QuickStartSettings(false, plan, "", LogLevel.Warning) { Carrier = carrier, PlanGiven = true, Overrides = settings };
        return CarrierRun.RunAsync(quickStart, TestContext.Current.CancellationToken);
    }
}
