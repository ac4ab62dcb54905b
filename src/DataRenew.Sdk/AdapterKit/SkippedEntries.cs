using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// The one rule for an entry a carrier sends that an adapter cannot use (a catalog plan without a price, a promotion it
/// cannot represent): leave that entry out, keep the rest, and say so once. Each distinct entry and reason is logged
/// once per adapter (a catalog is read often), never the whole answer; identifiers are masked by the caller.
/// </summary>
public sealed partial class SkippedEntries
{
    private readonly CarrierId _carrier;
    private readonly ILogger _logger;
    private readonly RecentEntries<string, bool> _reported = new(RecentEntries<string, bool>.DefaultCapacity);

    /// <summary>Creates the report for one adapter.</summary>
    /// <param name="carrier">The carrier.</param>
    /// <param name="logger">Where to log; nothing is logged when null.</param>
    public SkippedEntries(CarrierId carrier, ILogger? logger)
    {
        _carrier = carrier;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How many distinct entries were left out so far.</summary>
    public int Count { get; private set; }

    /// <summary>Reports an entry left out.</summary>
    /// <param name="kind">What it is: "plan", "promotion".</param>
    /// <param name="identifier">The carrier's id for it, when it had one (a plan code; mask anything personal).</param>
    /// <param name="reason">Why it was left out.</param>
    public void Report(string kind, string? identifier, string reason)
    {
        var key = string.Concat(kind, "\n", identifier, "\n", reason);
        lock (_reported)
        {
            if (_reported.TryFind(key, out _))
            {
                return;
            }

            _reported.Remember(key, true);
            Count++;
        }

        LogSkipped(_logger, _carrier, kind, identifier ?? "(no id)", reason);
    }

    [LoggerMessage(3001, LogLevel.Warning, "{Carrier} sent a {Kind} the SDK leaves out ({Identifier}): {Reason}")]
    private static partial void LogSkipped(ILogger logger, CarrierId carrier, string kind, string identifier, string reason);
}
