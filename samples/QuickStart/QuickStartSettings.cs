using Microsoft.Extensions.Logging;

namespace QuickStart;

internal sealed record QuickStartSettings(bool ESim, string Plan, string CardNumber, LogLevel LogLevel)
{
    private const string Usage = """
        Usage: dotnet run --project samples/QuickStart -- [--esim] [--plan CODE] [--card NUMBER] [--verbose]
          --esim          sign in with a one-time code sent to the eSIM's number
          --plan CODE     the plan to buy (default FAKE-10GB; also FAKE-5GB, FAKE-20GB, FAKE-UNL)
          --card NUMBER   a test card (default 4242 4242 4242 4242; 4000 0000 0000 0002 is declined)
          --verbose       show the SDK's log
        """;

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
                    settings = settings with { Plan = args[++i] };
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
