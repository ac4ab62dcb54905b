using Microsoft.Extensions.Logging;

namespace QuickStart;

internal sealed record QuickStartSettings(bool ESim, string Plan, string CardNumber, LogLevel LogLevel)
{
    public const string Usage = """
        Usage: dotnet run --project samples/QuickStart -- [--esim] [--plan CODE] [--card NUMBER] [--verbose]
               dotnet run --project samples/QuickStart -- --carrier verizon|att|tmobile [--plan CODE] [--set Key=Value]... [--verbose]
          --esim          sign in with a one-time code sent to the eSIM's number
          --plan CODE     the plan to buy (default FAKE-10GB; also FAKE-5GB, FAKE-20GB, FAKE-UNL)
          --card NUMBER   a test card (default 4242 4242 4242 4242; 4000 0000 0000 0002 is declined)
          --carrier NAME  renew on a carrier API instead of the fake (settings: README, "Configure a carrier")
          --set KEY=VALUE a carrier setting, e.g. --set Verizon:BaseAddress=https://thingspace.example/api
                          (or environment variables DATARENEW_Verizon__BaseAddress=...)
          --verbose       show the SDK's log
          --help          show this help
        """;

    /// <summary>The carrier to renew on; null for the built-in fake.</summary>
    public string? Carrier { get; init; }

    /// <summary>Carrier settings given with --set.</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>Whether --plan was given (a real carrier's plans have no default).</summary>
    public bool PlanGiven { get; init; }

    public static QuickStartSettings? Parse(string[] args)
    {
        var settings = new QuickStartSettings(false, "FAKE-10GB", "4242 4242 4242 4242", LogLevel.Warning);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--esim":
                    settings = settings with { ESim = true };
                    break;
                case "--plan" when i + 1 < args.Length:
                    settings = settings with { Plan = args[++i], PlanGiven = true };
                    break;
                case "--carrier" when i + 1 < args.Length && args[i + 1] is "verizon" or "att" or "tmobile":
                    settings = settings with { Carrier = args[++i] };
                    break;
                case "--set" when i + 1 < args.Length && args[i + 1].Split('=', 2) is [{ Length: > 0 } key, var value]:
                    settings = settings with { Overrides = new Dictionary<string, string?>(settings.Overrides) { [key] = value } };
                    i++;
                    break;
                case "--card" when i + 1 < args.Length:
                    settings = settings with { CardNumber = args[++i] };
                    break;
                case "--verbose":
                    settings = settings with { LogLevel = LogLevel.Information };
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return null;
            }
        }

        return settings;
    }
}
