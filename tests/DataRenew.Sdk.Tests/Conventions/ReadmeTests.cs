using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Conventions;

/// <summary>The README's C# snippets are code that compiles: the quick start's, or this file's.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void Every_csharp_snippet_in_the_README_is_compiled_code_from_the_sample_or_this_test()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var compiled = Normalize(File.ReadAllText(Path.Combine(root, "samples", "QuickStart", "Program.cs")))
            + Normalize(File.ReadAllText(Path.Combine(root, "tests", "DataRenew.Sdk.Tests", "Conventions", "ReadmeTests.cs")));

        var snippets = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).ToArray();

        Assert.NotEmpty(snippets);
        foreach (var snippet in snippets)
        {
            Assert.Contains(Normalize(snippet), compiled, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Readme_testing_snippet_builds_a_scripted_world()
    {
        var time = new FakeTimeProvider();
        var carrier = FakeCarrier.CreateDemo(time);            // seeded account, lines, plans, promotions
        carrier.EnqueueOrder(FakeOrderScript.Refuse());         // the next order is refused after payment
        var payments = new FakePaymentGateway(time)
            .EnqueueCharge(FakeChargeScript.RequiresAction());  // the next charge needs the payer
        carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect); // answer lost after the order

        Assert.Empty(carrier.SubmittedOrders);
        Assert.Empty(payments.Charges);
    }

    [Fact]
    public async Task Readme_carrier_configuration_registers_all_three_adapters_from_configuration()
    {
        using var key = RSA.Create(2048);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataRenew:Verizon:BaseAddress"] = "https://thingspace.example/api",
            ["DataRenew:Verizon:AppKey"] = "key",
            ["DataRenew:Verizon:AppSecret"] = "secret",
            ["DataRenew:Verizon:AccountName"] = "0000123456-00001",
            ["DataRenew:Att:BaseAddress"] = "https://restapi.example/rws/api/v1",
            ["DataRenew:TMobile:BaseAddress"] = "https://api.tmobile.example",
            ["DataRenew:TMobile:ClientId"] = "client",
            ["DataRenew:TMobile:ClientSecret"] = "secret",
            ["DataRenew:TMobile:PrivateKeyPem"] = key.ExportPkcs8PrivateKeyPem(),
        }).Build();
        var services = new ServiceCollection();

        var dataRenew = services.AddDataRenew();
        dataRenew.AddVerizon(configuration.GetSection("DataRenew:Verizon")); // or AddVerizon(o => o.BaseAddress = ...)
        dataRenew.AddAtt(configuration.GetSection("DataRenew:Att"));
        dataRenew.AddTMobile(configuration.GetSection("DataRenew:TMobile"));

        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DataRenewClient>();
        Assert.Equal([CarrierId.Att, CarrierId.TMobile, CarrierId.Verizon], client.Carriers.Select(c => c.Id).OrderBy(c => c.Value));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataRenew.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with DataRenew.Sdk.sln) was not found above the test's folder.");
    }

    // Compare line by line without indentation, so a snippet matches code nested in a method.
    private static string Normalize(string code) =>
        string.Join('\n', code.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)) + "\n";

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
